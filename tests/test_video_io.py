import av
import numpy as np
import pytest

from media import pattern_frames, write_video
from squatlab.errors import InputError
from squatlab.io.video import is_variable_frame_rate, iter_frames, probe


@pytest.mark.parametrize(
    ("suffix", "codec"),
    [(".mp4", "libx264"), (".mov", "libx264"), (".m4v", "libx264"), (".mkv", "libx265"), (".webm", "libvpx-vp9"),
     (".mkv", "libsvtav1"), (".avi", "mpeg4")],
)  # fmt: skip
def test_containers_and_codecs_decode(tmp_path, suffix, codec):
    path = write_video(tmp_path / f"clip{suffix}", pattern_frames(12), fps=25, codec=codec)
    info = probe(path)
    assert (info.width, info.height) == (64, 48)
    assert info.fps == pytest.approx(25, rel=0.01)
    frames = list(iter_frames(path))
    assert len(frames) == 12
    assert frames[0].rgb.shape == (48, 64, 3)
    assert frames[1].time_s == pytest.approx(0.04, abs=1e-3)


@pytest.mark.parametrize(("rotation", "corner"), [(90, "bottom_left"), (-90, "top_right"), (180, "bottom_right")])
def test_rotation_tag_turns_frames_upright(tmp_path, rotation, corner):
    path = write_video(tmp_path / "rot.mp4", pattern_frames(3), rotation=rotation)
    info = probe(path)
    assert info.rotation_deg % 360 == rotation % 360
    rgb = next(iter(iter_frames(path))).rgb
    h, w = rgb.shape[:2]
    assert (w, h) == ((48, 64) if rotation % 180 else (64, 48)) == (info.width, info.height)
    quads = {
        "top_left": rgb[: h // 8, : w // 8],
        "top_right": rgb[: h // 8, -w // 8 :],
        "bottom_left": rgb[-h // 8 :, : w // 8],
        "bottom_right": rgb[-h // 8 :, -w // 8 :],
    }
    bright = max(quads, key=lambda k: quads[k].mean())
    assert bright == corner


def test_variable_frame_rate_keeps_real_timestamps(tmp_path):
    times = np.cumsum(np.r_[0, np.tile([0.02, 0.05], 15)])[:30].tolist()
    path = write_video(tmp_path / "vfr.mp4", pattern_frames(30), times_s=times)
    got = np.array([f.time_s for f in iter_frames(path)])
    assert np.allclose(got, np.array(times) - times[0], atol=2e-3)
    assert is_variable_frame_rate(got)
    assert not is_variable_frame_rate(np.arange(30) / 30.0)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.mp4"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        probe(path)


def test_text_file_named_mp4(tmp_path):
    path = tmp_path / "notes.mp4"
    path.write_text("these are my squat notes, not a video\n" * 20)
    with pytest.raises(InputError, match="not a readable video"):
        probe(path)


def test_truncated_mp4(tmp_path):
    whole = write_video(tmp_path / "whole.mp4", pattern_frames(60))
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(InputError) as info:
        probe(cut)
    assert "\n" not in str(info.value)


def test_truncated_faststart_mp4_yields_what_it_holds(tmp_path):
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 255, (48, 64, 3), dtype=np.uint8) for _ in range(60)]  # incompressible: many bytes
    whole = write_video(tmp_path / "fast.mp4", frames, options={"movflags": "faststart"})
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: int(whole.stat().st_size * 0.6)])
    frames = list(iter_frames(cut))
    assert 0 < len(frames) < 60


def test_audio_only_file(tmp_path):
    path = tmp_path / "voice.m4a"
    with av.open(str(path), mode="w", format="mp4") as container:
        stream = container.add_stream("aac", rate=16000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), dtype=np.float32), format="fltp", layout="mono")
        frame.sample_rate = 16000
        for _ in range(5):
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    with pytest.raises(InputError, match="no video stream"):
        probe(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        probe(tmp_path / "nope.mp4")
    with pytest.raises(InputError, match="folder"):
        probe(tmp_path)
