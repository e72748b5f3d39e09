"""Files that cannot be analysed: exit 2, one line naming the problem, nothing written.

All of these are refused before the pose model runs, so the whole file takes a few seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import corpus
import numpy as np
import pytest
from clirun import nothing_written, one_line_error, squatlab

from squatlab.errors import InputError
from squatlab.io.lab import detect_format
from squatlab.io.video import VideoInfo, check_clip_length, decoded_notices, iter_frames, probe


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("corpus")


# name -> (how to make it, fragments the one error line must hold)
CASES: dict[str, tuple[Callable[[Path], Path], tuple[str, ...]]] = {
    "zero_bytes": (corpus.zero_bytes, ("empty.mp4", "empty")),
    "random_bytes": (corpus.random_bytes, ("noise.mp4", "not a readable video")),
    "mp4_cut_before_its_index": (corpus.cut_mp4, ("cut.mp4", "not a readable video", "cut short")),
    "audio_only": (corpus.audio_only, ("voice.mp4", "no video stream")),
    "png": (lambda d: corpus.still_image(d, "photo.png"), ("photo.png", "a still image (PNG), not a video")),
    "jpeg": (lambda d: corpus.still_image(d, "photo.jpg"), ("photo.jpg", "a still image (JPEG), not a video")),
    "png_named_mp4": (lambda d: corpus.still_image(d, "photo_as.mp4"), ("photo_as.mp4", "a still image (PNG)")),
    "one_frame": (corpus.one_frame, ("one_frame.mp4", "a single frame, not a video")),
    "shorter_than_a_rep": (corpus.short_clip, ("blink.mp4", "too short (0.40 s, 12 frames)", "at least 0.6 s")),
    "c3d_named_mp4": (
        lambda d: corpus.renamed(corpus.c3d_file(d, "lab.c3d"), d, "lab.mp4"),
        ("lab.mp4", "a C3D motion-capture file, not a video", "--format c3d"),
    ),
    "csv_named_mp4": (
        lambda d: corpus.renamed(corpus.imu_table(d, "imu.csv"), d, "imu.mp4"),
        ("imu.mp4", "not a readable video: a CSV text table", "--format imu"),
    ),
    "mp4_named_c3d": (
        lambda d: corpus.renamed(corpus.one_frame(d, "clip.mp4"), d, "clip.c3d"),
        ("clip.c3d", "a video, not a C3D motion-capture file", "--format video"),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_refused_with_one_line(folder, case):
    make, fragments = CASES[case]
    path = make(folder)
    out = folder / f"out_{case}"
    line = one_line_error(squatlab("analyze", path, "--out", out, "--quiet"))
    for fragment in fragments:
        assert fragment in line
    assert nothing_written(out)


def test_still_image_forced_as_video_is_still_refused(folder):
    """``--format video`` skips the content check; the video reader then says what it is."""
    path = corpus.still_image(folder, "forced.png")
    line = one_line_error(squatlab("analyze", path, "--format", "video", "--out", folder / "o_forced", "--quiet"))
    assert "a still image (PNG), not a video" in line


def test_webm_named_mp4_is_read_as_what_it_is(folder):
    path = corpus.renamed(corpus.webm(folder, "real.webm"), folder, "really_webm.mp4")
    assert detect_format(path) == "video"
    info = probe(path)
    assert info.codec == "vp9" and (info.width, info.height) == (320, 240)
    assert len(list(iter_frames(path))) == 30


def test_c3d_named_mp4_is_analysed_when_the_format_is_given(folder):
    path = corpus.renamed(corpus.c3d_file(folder, "given.c3d"), folder, "given.mp4")
    assert detect_format(path, "c3d") == "c3d"
    result = squatlab("analyze", path, "--format", "c3d", "--out", folder / "o_given", "--quiet")
    assert result.exit_code == 0, result.stderr
    assert (folder / "o_given" / "results.json").exists()


def test_text_starting_like_a_c3d_header_is_not_taken_for_one(folder):
    """The second byte of every C3D file is 'P': an IMU table headed "EPOCH,..." is text, not C3D."""
    path = folder / "sensor.txt"
    path.write_text("EPOCH_MS,ACC_X\n0,1\n")
    assert detect_format(path) == "imu"


def test_clip_length_checks():
    info = VideoInfo(Path("a.mp4"), "h264", 64, 48, 30.0, 2.0, 60, 0)
    check_clip_length(info, min_duration_s=0.8)  # long enough: no error
    unknown = VideoInfo(Path("b.mkv"), "vp9", 64, 48, 30.0, 0.0, 0, 0)
    check_clip_length(unknown, min_duration_s=0.8)  # the container does not say: decoding will tell
    with pytest.raises(InputError, match=r"only 15 of 60 frames could be decoded, 0\.50 s"):
        decoded_notices(info, np.arange(15) / 30.0, min_duration_s=0.8)
    # A frame or two short of what the container says is rounding, not a cut.
    assert decoded_notices(info, np.arange(58) / 30.0, min_duration_s=0.8) == []
    # MKV/WebM estimate their frame count from the nominal rate: a variable rate leaves fewer
    # frames than estimated over the whole declared duration; that is not a cut.
    vfr = VideoInfo(Path("c.webm"), "vp9", 64, 48, 30.0, 5.1, 153, 0)
    assert decoded_notices(vfr, np.linspace(0, 5.07, 90), min_duration_s=0.8) == []
    (notice,) = decoded_notices(info, np.arange(40) / 30.0, min_duration_s=0.8)
    assert notice.code == "truncated_video" and "40 of the 60 frames" in notice.message
    assert notice.start_s == pytest.approx(40 / 30.0)
