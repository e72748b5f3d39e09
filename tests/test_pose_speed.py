"""The pose pass's speed-ups: the video cut in parts for the cores, frames skipped while standing.

A fake model stands in for BlazePose here, so these tests check the plumbing (every frame
once, in order, the model on the frames the plan asks for, the rest interpolated) in
seconds; the accuracy of the real model with the speed-ups is in the speed benchmark
(``python -m squatlab.bench.speed --accuracy``) and in test_lumbopelvic_rendered.py.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from media import pattern_frames, write_video
from squatlab import conventions as cv
from squatlab.conventions import BLAZEPOSE_LANDMARKS
from squatlab.io.video import iter_frames, probe
from squatlab.pose.base import PoseResult
from squatlab.pose.lanes import map_parts, split
from squatlab.pose.outline import OutlineSampler
from squatlab.pose.run import run_pose
from squatlab.settings import PoseSettings


class FakePose:
    """A standing person; with ``squats``, the hips dip in every other scanned frame (a person in motion).

    The people scan calls a model twice per frame: once to find the person, once more to
    see that nobody else is there. With ``hidden`` (start, end) in seconds, the person is not
    found in that stretch of the scan (a plate over the face). Tracking, it records the times
    it was called at and, before ``ghost_before`` (s), finds a body shifted to the side.
    """

    name = "fake"
    landmark_names = BLAZEPOSE_LANDMARKS

    def __init__(
        self, *, squats: bool = False, hidden: tuple[float, float] | None = None, ghost_before: float = -1.0
    ) -> None:
        self.calls = 0
        self.ghost_before = ghost_before
        self.times: list[float] = []
        self.squats = squats
        self.hidden = hidden
        self.closed = False
        self._clock = 0

    def __call__(self, rgb: np.ndarray, time_s: float | None = None) -> PoseResult | None:
        self.calls += 1
        if time_s is not None:
            self.times.append(time_s)
        else:  # the scan: frames at 3 Hz, two calls each
            self._clock += 1
            t = (self._clock - 1) // 2 / 3.0
            if self.hidden is not None and self.hidden[0] <= t < self.hidden[1]:
                return None
        xy = np.zeros((len(BLAZEPOSE_LANDMARKS), 2))
        xy[:, 0] = 30.0
        ys = {"shoulder": 10.0, "hip": 22.0, "knee": 32.0, "ankle": 42.0, "heel": 43.0, "foot_index": 43.0}
        for i, name in enumerate(BLAZEPOSE_LANDMARKS):
            xy[i, 1] = next((y for part, y in ys.items() if part in name), 5.0)
        if time_s is not None and time_s < self.ghost_before:  # a smaller body fitted under a plate
            xy[:, 0] += 15.0
        if self.squats and (self.calls - 1) // 2 % 2:  # hips down, knees forward
            xy[[i for i, n in enumerate(BLAZEPOSE_LANDMARKS) if "hip" in n], 1] += 8.0
            xy[[i for i, n in enumerate(BLAZEPOSE_LANDMARKS) if "knee" in n], 0] += 8.0
        mask = np.zeros(rgb.shape[:2], dtype=np.float32)
        mask[8:44, 22:38] = 1.0
        return PoseResult(xy=xy, z=np.zeros(len(xy)), visibility=np.ones(len(xy)), mask=mask, source="tracked")

    def reset(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return write_video(tmp_path_factory.mktemp("clip") / "clip.mp4", pattern_frames(300), fps=25)  # 12 s


def test_reading_a_video_in_parts_gives_every_frame_once(clip):
    whole = [f.time_s for f in iter_frames(clip)]
    parts = split(probe(clip).duration_s, 3)
    assert len(parts) == 3
    pieces = [[f.time_s for f in iter_frames(clip, start_s=a, end_s=b)] for a, b in parts]
    assert [t for piece in pieces for t in piece] == whole
    assert all(len(piece) > 90 for piece in pieces)


def test_parts_come_back_in_order_and_errors_surface():
    out = list(map_parts(split(40.0, 4), lambda k, a, b: (f"{k}-{i}" for i in range(3))))
    assert out == [f"{k}-{i}" for k in range(4) for i in range(3)]

    def broken(k, a, b):
        yield k
        if k == 1:
            raise ValueError("part 1 failed")

    with pytest.raises(ValueError, match="part 1 failed"):
        list(map_parts(split(20.0, 2), broken))


def _pass(clip, *, stride: int, parts: int, squats=False, hidden=None, ghosts=(), overlap=None):
    settings = PoseSettings(slow_stride=stride)
    if overlap is not None:
        settings = replace(settings, part_overlap_s=overlap)
    ghosts = [*ghosts, *[-1.0] * parts][:parts]
    trackers = [FakePose(ghost_before=g) for g in ghosts]
    finders = [FakePose(squats=squats, hidden=hidden) for _ in range(parts)]
    pose = run_pose(
        clip,
        probe(clip),
        list(zip(trackers, finders, strict=True)),
        settings,
        analyzers=lambda: [OutlineSampler(BLAZEPOSE_LANDMARKS)],
    )
    assert all(f.closed for f in finders)  # the people scan's models are freed before the full pass
    return pose, trackers


def _calls(trackers) -> int:
    return sum(t.calls for t in trackers)


OVERLAP_FRAMES = round(PoseSettings().part_overlap_s * 25)


def test_the_model_skips_frames_while_the_person_stands_and_the_gaps_are_filled(clip):
    full, single = _pass(clip, stride=1, parts=1)
    fast, trackers = _pass(clip, stride=3, parts=2)
    assert _calls(single) == 300
    # Every third frame while the person stands; every frame in the first and last 0.6 s
    # (beyond the scan's first and last samples), and past the cut until the second part's
    # follower agrees with the first's (3 of its posed frames: 7 frames).
    assert 120 <= _calls(trackers) <= 145
    np.testing.assert_array_equal(fast.time_s, full.time_s)
    assert np.isfinite(fast.landmarks.xy).all()
    np.testing.assert_allclose(fast.landmarks.xy, full.landmarks.xy)
    np.testing.assert_allclose(fast.landmarks.visibility, full.landmarks.visibility)
    outline = fast.extras[cv.TRUNK_OUTLINE_XY]
    assert outline.shape == full.extras[cv.TRUNK_OUTLINE_XY].shape
    assert np.isfinite(outline).sum() == np.isfinite(full.extras[cv.TRUNK_OUTLINE_XY]).sum()
    source = fast.extras[cv.POSE_SOURCE]
    skipped = source == cv.POSE_SOURCES["interpolated"]
    assert 130 <= skipped.sum() <= 180
    assert (source[~skipped] == cv.POSE_SOURCES["tracked"]).all()
    assert (full.extras[cv.POSE_SOURCE] == cv.POSE_SOURCES["tracked"]).all()
    np.testing.assert_allclose(fast.extras[cv.POSE_PRESENCE], 1.0)


def test_the_model_runs_on_every_frame_while_the_person_moves(clip):
    _, trackers = _pass(clip, stride=3, parts=2, squats=True)
    # The first part goes on past its end until the two agree (3 frames; the whole overlap at most).
    assert 300 + 3 <= _calls(trackers) <= 300 + OVERLAP_FRAMES


def test_the_model_runs_on_every_frame_where_the_scan_lost_the_person(clip):
    """Where the scan's detector cannot see the lifter (a plate over the face), nothing says they stand."""
    _, trackers = _pass(clip, stride=3, parts=1, hidden=(4.0, 7.0))
    times = np.array(trackers[0].times)
    in_gap = times[(times >= 3.5) & (times < 7.5)]
    assert in_gap.size == 100  # 4 s at 25 frames/s, every one posed


def test_parts_hand_over_where_both_followers_are_on_the_lifter(clip):
    whole, _ = _pass(clip, stride=1, parts=1)
    cut, trackers = _pass(clip, stride=1, parts=2)
    np.testing.assert_array_equal(cut.time_s, whole.time_s)  # every frame once, in order
    first, second = np.array(trackers[0].times), np.array(trackers[1].times)
    assert 3 <= np.sum(first >= second[0]) < OVERLAP_FRAMES  # the first part went on past the cut until they agreed
    np.testing.assert_allclose(cut.landmarks.xy, whole.landmarks.xy)

    # The second part's follower first takes something else for the lifter, for 0.5 s.
    ghost_until = second[0] + 0.5
    late, _ = _pass(clip, stride=1, parts=2, ghosts=(-1.0, ghost_until))
    np.testing.assert_array_equal(late.time_s, whole.time_s)
    np.testing.assert_allclose(late.landmarks.xy, whole.landmarks.xy)  # the first part's poses until then

    # It never settles within the overlap: the first part's poses stand for all of it.
    never, _ = _pass(clip, stride=1, parts=2, ghosts=(-1.0, second[0] + 3.0))
    shifted = np.flatnonzero(never.landmarks.xy[:, 0, 0] != whole.landmarks.xy[:, 0, 0])
    assert shifted.size == round(1.0 * 25)  # from the end of the overlap until the ghost goes
    assert never.time_s[shifted[0]] >= second[0] + PoseSettings().part_overlap_s - 1e-6


def test_without_overlap_the_parts_meet_at_the_cut(clip):
    whole, _ = _pass(clip, stride=1, parts=1)
    cut, trackers = _pass(clip, stride=1, parts=2, overlap=0.0)
    np.testing.assert_array_equal(cut.time_s, whole.time_s)
    assert _calls(trackers) == 300
