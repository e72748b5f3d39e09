"""The follower keeps the lifter where the face-based detector cannot find them."""

from __future__ import annotations

import numpy as np

from squatlab.conventions import BLAZEPOSE_LANDMARKS
from squatlab.pose.base import PoseResult, Region
from squatlab.pose.follow import Follower

NAMES = BLAZEPOSE_LANDMARKS
SIZE = 400.0


class Scene:
    """People as (hip x, hip y) per frame; the detector sees only those whose face shows."""

    def __init__(self) -> None:
        self.people: list[tuple[float, float]] = []
        self.face_hidden: set[int] = set()  # indices into people
        self.presence = 0.95  # the landmark model's score on a region centred on someone
        # The model's guess when a plate covers the body: hips 80 px and feet 150 px too high.
        self.squeezed = False


class FakeBlazePose:
    name = "fake"
    landmark_names = NAMES

    def __init__(self, scene: Scene) -> None:
        self.scene = scene

    def detect(self, rgb: np.ndarray) -> list[tuple[float, Region]]:
        return [
            (0.9, Region(x, y, SIZE)) for k, (x, y) in enumerate(self.scene.people) if k not in self.scene.face_hidden
        ]

    def landmarks_in(self, rgb: np.ndarray, region: Region) -> PoseResult:
        near = [(np.hypot(x - region.x, y - region.y), x, y) for x, y in self.scene.people]
        dist, x, y = min(near) if near else (np.inf, region.x, region.y)
        # Centred on someone: the scene's score; off-centre: a doubtful 0.3; on nobody: ~0.
        presence = self.scene.presence if dist < 0.05 * SIZE else 0.3 if dist < 0.3 * SIZE else 0.02
        hip, feet = np.array([x, y]), np.array([x, y + 0.4 * SIZE])
        if self.scene.squeezed or dist >= 0.3 * SIZE:  # a body fitted to whatever is there
            hip, feet = np.array([region.x, region.y - 80]), np.array([region.x, region.y + 0.4 * SIZE - 150])
        xy = np.tile(hip, (len(NAMES), 1))
        xy[[NAMES.index("left_ankle"), NAMES.index("right_ankle")]] = feet
        return PoseResult(
            xy=xy,
            z=np.zeros(len(NAMES)),
            visibility=np.full(len(NAMES), 0.9),
            mask=None,
            presence=presence,
            next_region=Region(*hip, SIZE),
        )


def follow(scene: Scene, frames: int, step, **kwargs) -> list[PoseResult | None]:
    follower = Follower(FakeBlazePose(scene), **kwargs)
    out = []
    for i in range(frames):
        step(i)
        out.append(follower(np.zeros((8, 8, 3), np.uint8), i / 30))
    return out


def test_kept_through_the_bottom_while_a_plate_hides_the_face():
    scene = Scene()
    scene.people = [(300.0, 500.0)]

    def step(i):
        # The lifter squats: the hips sink 120 px and rise; from frame 20 to 50 the plate
        # covers the face (no detection) and the landmark model's score drops to 0.3.
        scene.people[0] = (300.0, 500.0 + 120 * np.sin(np.pi * min(i, 70) / 70))
        scene.face_hidden = {0} if 20 <= i < 50 else set()
        scene.presence = 0.3 if 20 <= i < 50 else 0.95

    results = follow(scene, 80, step)
    assert all(r is not None for r in results)
    hidden = results[20:50]
    assert all(r.presence == 0.3 for r in hidden)  # the frame says how far to trust it
    assert {r.source for r in hidden} <= {"tracked", "reseeded"}
    true_hip_y = [500.0 + 120 * np.sin(np.pi * min(i, 70) / 70) for i in range(80)]
    assert np.allclose([r.xy[NAMES.index("left_hip"), 1] for r in results], true_hip_y)


def test_mediapipes_own_threshold_would_have_lost_them():
    scene = Scene()
    scene.people = [(300.0, 500.0)]

    def step(i):
        scene.face_hidden = {0} if i >= 10 else set()
        scene.presence = 0.3 if i >= 10 else 0.95

    # keep_min above the score: the follower behaves like MediaPipe's loop and drops the pose.
    results = follow(scene, 20, step, keep_min=0.5)
    assert all(r is not None for r in results[:10]) and all(r is None for r in results[10:])


def test_a_pose_that_jumps_to_someone_else_is_refused():
    scene = Scene()
    scene.people = [(300.0, 500.0), (700.0, 500.0)]

    def step(i):
        # From frame 10 the lifter vanishes (behind a rack upright); only the other person is there.
        if i == 10:
            scene.people = [(700.0, 500.0)]

    results = follow(scene, 20, step)
    assert all(r.xy[NAMES.index("left_hip"), 0] == 300.0 for r in results[:10])
    assert all(r is None for r in results[10:])  # never the person 400 px away


def test_a_squeezed_low_score_pose_does_not_drag_the_region_away():
    scene = Scene()
    scene.people = [(300.0, 500.0)]

    def step(i):
        # Frames 10-19: the plate hides the body and the model fits a smaller body higher up,
        # with a score that would pass (0.35); its feet jumped 150 px: not the same body.
        scene.squeezed = 10 <= i < 20
        scene.presence = 0.35 if 10 <= i < 20 else 0.95
        scene.face_hidden = {0} if 10 <= i < 20 else set()

    results = follow(scene, 30, step)
    assert all(r is None for r in results[10:20])
    assert all(r is not None and r.xy[NAMES.index("left_hip"), 1] == 500.0 for r in results[20:])


def test_lost_for_longer_than_reseed_s_needs_the_detector_again():
    scene = Scene()
    scene.people = [(300.0, 500.0)]

    def step(i):
        scene.face_hidden = {0} if i >= 5 else set()
        scene.people = [] if 5 <= i < 80 else [(300.0, 500.0)]

    results = follow(scene, 100, step, reseed_s=1.0)
    assert results[79] is None and all(r is None for r in results[80:])  # face hidden: nothing re-finds them
    scene2 = Scene()
    scene2.people = [(300.0, 500.0)]

    def step2(i):
        scene2.people = [] if 5 <= i < 80 else [(300.0, 500.0)]

    again = follow(scene2, 100, step2, reseed_s=1.0)
    assert again[80] is not None and again[80].source == "detected"


def test_the_detection_nearest_to_the_lifter_is_taken():
    scene = Scene()
    scene.people = [(300.0, 500.0)]

    def step(i):
        # The lifter shifts 30 px (the tracked region now scores 0.3) as a stranger walks in.
        if i == 10:
            scene.people = [(900.0, 500.0), (330.0, 500.0)]

    results = follow(scene, 15, step)
    assert results[10].source == "detected"
    assert all(r.xy[NAMES.index("left_hip"), 0] == 330.0 for r in results[10:])


def test_a_lifter_whose_face_never_shows_is_found_by_scanning():
    scene = Scene()
    scene.people = [(300.0, 500.0)]
    scene.face_hidden = {0}  # the plate hides the face from the first frame to the last
    follower = Follower(FakeBlazePose(scene), scan_every_s=1.0)
    frame = np.zeros((700, 1000, 3), np.uint8)
    results = [follower(frame, i / 30) for i in range(10)]
    assert results[0] is not None and results[0].source == "scanned"
    assert all(r is not None and r.xy[NAMES.index("left_hip"), 0] == 300.0 for r in results)
    assert {r.source for r in results[1:]} == {"tracked"}
    without = Follower(FakeBlazePose(scene), scan_every_s=None)
    assert all(without(frame, i / 30) is None for i in range(10))


def test_an_empty_scene_is_scanned_less_and_less_often():
    scene = Scene()  # nobody at all
    calls = []
    model = FakeBlazePose(scene)
    original = model.landmarks_in
    model.landmarks_in = lambda rgb, region: calls.append(1) or original(rgb, region)
    follower = Follower(model, scan_every_s=1.0)
    frame = np.zeros((700, 1000, 3), np.uint8)
    scans = []
    for i in range(60 * 30):  # a minute at 30 frames/s
        before = len(calls)
        follower(frame, i / 30)
        if len(calls) > before:
            scans.append(i / 30)
    assert scans[:4] == [0.0, 1.0, 3.0, 7.0]
    assert len(scans) == 6  # 0, 1, 3, 7, 15, 31 s: not 60 scans
