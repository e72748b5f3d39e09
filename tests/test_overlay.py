"""The overlay video: every frame, encoded on its own thread, at the overlay's size."""

from dataclasses import replace

import numpy as np
import pytest

from conftest import analysed_demo
from squatlab import conventions as cv
from squatlab.demo import demo_clip
from squatlab.io.video import iter_frames, probe
from squatlab.report.draw import OUTLINE, draw_pose
from squatlab.report.media import OVERLAY_MAX_SIDE, _Overlay, render_media
from squatlab.settings import Settings


def test_overlay_has_every_frame_and_keyframes_come_back(tmp_path):
    trial = analysed_demo()
    min_conf = Settings().outline.min_conf
    keyframes = render_media(trial, demo_clip(), overlay_path=tmp_path / "overlay.mp4", min_conf=min_conf)
    info = probe(tmp_path / "overlay.mp4")
    assert sum(1 for _ in iter_frames(tmp_path / "overlay.mp4")) == trial.n_frames
    assert max(info.width, info.height) <= OVERLAY_MAX_SIDE
    assert info.fps == probe(demo_clip()).fps
    assert [(k.rep, k.role) for k in keyframes] == [
        (r.index, role) for r in trial.reps for role in ("descent_peak", "bottom")
    ]


def test_an_encoder_failure_surfaces_on_the_callers_thread(tmp_path):
    overlay = _Overlay(tmp_path / "overlay.mp4", 30.0)
    try:
        overlay.add(np.zeros((64, 64, 3), np.uint8))
        overlay.add(np.zeros((64, 64, 3), np.float32))  # the encoder's thread cannot take this one
        with pytest.raises(ValueError, match="uint8"):
            overlay.finish()
    finally:
        overlay.close()


def _yellow(rgb: np.ndarray) -> int:
    return int(np.all(rgb == np.array(OUTLINE, dtype=rgb.dtype), axis=-1).sum())


def test_the_back_outline_is_drawn_only_where_pelvis_or_lumbar_was_read():
    trial = analysed_demo()
    pelvis, lumbar = (trial.channels[n].values for n in (cv.PELVIS_TILT, cv.LUMBAR_FLEXION))
    read = np.flatnonzero(np.isfinite(pelvis) & np.isfinite(lumbar))
    rep = next(r for r in trial.reps if r.measurable)
    frame = int(read[(read >= rep.start_frame) & (read <= rep.end_frame)][0])
    canvas = np.zeros((trial.source.height, trial.source.width, 3), dtype=np.uint8)
    assert _yellow(draw_pose(canvas, trial, frame)) > 0
    blank = {
        n: replace(trial.channels[n], values=np.full(trial.n_frames, np.nan))
        for n in (cv.PELVIS_TILT, cv.LUMBAR_FLEXION)
    }
    withheld = replace(trial, channels={**trial.channels, **blank})
    assert _yellow(draw_pose(canvas, withheld, frame)) == 0
