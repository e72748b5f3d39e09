"""The overlay video: every frame, encoded on its own thread, at the overlay's size."""

from squatlab.demo import demo_clip
from squatlab.io.video import iter_frames, probe
from squatlab.pipeline import analyze_video
from squatlab.report.media import OVERLAY_MAX_SIDE, render_media


def test_overlay_has_every_frame_and_keyframes_come_back(tmp_path):
    trial = analyze_video(demo_clip())
    keyframes = render_media(trial, demo_clip(), overlay_path=tmp_path / "overlay.mp4")
    info = probe(tmp_path / "overlay.mp4")
    assert sum(1 for _ in iter_frames(tmp_path / "overlay.mp4")) == trial.n_frames
    assert max(info.width, info.height) <= OVERLAY_MAX_SIDE
    assert info.fps == probe(demo_clip()).fps
    assert sorted(keyframes) == [r.index for r in trial.reps]
