"""The pose pass's speed-ups: the video cut in parts for the cores, frames skipped while standing.

A fake model stands in for BlazePose here, so these tests check the plumbing (every frame
once, in order, the model on the frames the plan asks for, the rest interpolated) in
seconds; the accuracy of the real model with the speed-ups is in the speed benchmark
(``python -m squatlab.bench.speed --accuracy``) and in test_lumbopelvic_rendered.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from media import pattern_frames, write_video
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
    see that nobody else is there.
    """

    name = "fake"
    landmark_names = BLAZEPOSE_LANDMARKS

    def __init__(self, *, squats: bool = False) -> None:
        self.calls = 0
        self.squats = squats
        self.closed = False

    def __call__(self, rgb: np.ndarray) -> PoseResult:
        self.calls += 1
        xy = np.zeros((len(BLAZEPOSE_LANDMARKS), 2))
        xy[:, 0] = 30.0
        ys = {"shoulder": 10.0, "hip": 22.0, "knee": 32.0, "ankle": 42.0, "heel": 43.0, "foot_index": 43.0}
        for i, name in enumerate(BLAZEPOSE_LANDMARKS):
            xy[i, 1] = next((y for part, y in ys.items() if part in name), 5.0)
        if self.squats and (self.calls - 1) // 2 % 2:  # hips down, knees forward
            xy[[i for i, n in enumerate(BLAZEPOSE_LANDMARKS) if "hip" in n], 1] += 8.0
            xy[[i for i, n in enumerate(BLAZEPOSE_LANDMARKS) if "knee" in n], 0] += 8.0
        mask = np.zeros(rgb.shape[:2], dtype=np.float32)
        mask[8:44, 22:38] = 1.0
        return PoseResult(xy=xy, z=np.zeros(len(xy)), visibility=np.ones(len(xy)), mask=mask)

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


def _pass(clip, *, stride: int, parts: int, squats: bool = False):
    settings = PoseSettings(slow_stride=stride)
    trackers = [FakePose() for _ in range(parts)]
    finders = [FakePose(squats=squats) for _ in range(parts)]
    pose = run_pose(
        clip, probe(clip), trackers[0], finders[0], settings, analyzers=[OutlineSampler(BLAZEPOSE_LANDMARKS)],
        more_models=list(zip(trackers[1:], finders[1:], strict=True)),
    )  # fmt: skip
    assert all(f.closed for f in finders)  # the people scan's models are freed before the full pass
    return pose, sum(t.calls for t in trackers)


def test_the_model_skips_frames_while_the_person_stands_and_the_gaps_are_filled(clip):
    full, calls_full = _pass(clip, stride=1, parts=1)
    fast, calls_fast = _pass(clip, stride=3, parts=2)
    assert calls_full == 300
    assert 100 <= calls_fast <= 104  # every third frame, and the first of the second part
    np.testing.assert_array_equal(fast.time_s, full.time_s)
    filled = np.isfinite(fast.landmarks.xy).all(axis=(1, 2))
    assert filled[:-2].all()  # only frames after the last posed one stay open
    np.testing.assert_allclose(fast.landmarks.xy[:-2], full.landmarks.xy[:-2])
    outline = fast.extras["trunk_outline_xy"]
    assert outline.shape == full.extras["trunk_outline_xy"].shape
    assert np.isfinite(outline[:-2]).sum() == np.isfinite(full.extras["trunk_outline_xy"][:-2]).sum()


def test_the_model_runs_on_every_frame_while_the_person_moves(clip):
    _, calls = _pass(clip, stride=3, parts=2, squats=True)
    assert calls == 300
