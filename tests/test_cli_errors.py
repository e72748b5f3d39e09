"""The CLI answers unusable input with exit code 2 and one line, never a traceback."""

import subprocess
import sys

import pytest

from media import pattern_frames, write_video


def squatlab(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "squatlab", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        check=False,
    )


def assert_one_line_error(result, *fragments):
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error:")
    for fragment in fragments:
        assert fragment in lines[0]


def test_zero_byte_file(tmp_path):
    path = tmp_path / "empty.mp4"
    path.write_bytes(b"")
    assert_one_line_error(squatlab("analyze", path, "--out", tmp_path / "o"), "empty")
    assert not (tmp_path / "o").exists()


def test_text_file_named_mp4(tmp_path):
    path = tmp_path / "notes.mp4"
    path.write_text("not a video\n" * 100)
    assert_one_line_error(squatlab("analyze", path, "--out", tmp_path / "o"), "not a readable video")


def test_truncated_mp4(tmp_path):
    whole = write_video(tmp_path / "whole.mp4", pattern_frames(90))
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    assert_one_line_error(squatlab("analyze", cut, "--out", tmp_path / "o"), "cut.mp4")


def test_missing_file(tmp_path):
    assert_one_line_error(squatlab("analyze", tmp_path / "nope.mp4"), "no such file")


def test_video_without_a_person(tmp_path):
    clip = write_video(tmp_path / "wall.mp4", pattern_frames(45, 320, 240))
    assert_one_line_error(squatlab("analyze", clip, "--out", tmp_path / "o", "--quiet"), "no person found")
    assert not (tmp_path / "o").exists()
    assert not any(p.name.startswith(".o.partial") for p in tmp_path.iterdir())


def test_existing_output_needs_force(tmp_path):
    clip = write_video(tmp_path / "wall.mp4", pattern_frames(10))
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "keep.txt").write_text("mine")
    assert_one_line_error(squatlab("analyze", clip, "--out", tmp_path / "o"), "already exists", "--force")
    assert (tmp_path / "o" / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[reps]\nnot_a_setting = 1\n", "unknown setting"),
        ("[reps\n", "cannot read"),
        ("[reps]\nmin_rep_s = 'x'\n", "must be"),
        ("[reps]\nmin_depth_leg = -5\n", "reps.min_depth_leg = -5 in"),
    ],
)
def test_bad_config(tmp_path, text, fragment):
    clip = write_video(tmp_path / "wall.mp4", pattern_frames(10))
    config = tmp_path / "bad.toml"
    config.write_text(text)
    assert_one_line_error(squatlab("analyze", clip, "--config", config, "--out", tmp_path / "o"), fragment)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[reps]\nmin_depth_leg = -5\n",
            "setting reps.min_depth_leg = -5 in {} is out of range: allowed 0.02 to 0.8 (leg lengths)",
        ),
        ("[outline]\nmin_conf = 1.5\n", "setting outline.min_conf = 1.5 in {} is out of range: allowed 0 to 1 (0-1)"),
        ("[findings]\nnoise_k = nan\n", "setting findings.noise_k = nan in {} is out of range: allowed 0.5 to 5 (SD)"),
        ("[filter]\norder = 0\n", "setting filter.order = 0 in {} is out of range: allowed 1 to 8"),
    ],
)
def test_settings_out_of_range_are_refused(tmp_path, text, message):
    from squatlab.errors import InputError
    from squatlab.settings import load_settings

    config = tmp_path / "bad.toml"
    config.write_text(text)
    with pytest.raises(InputError) as error:
        load_settings(config)
    assert str(error.value) == message.format(config)


def test_every_setting_has_a_range_around_its_default():
    from squatlab.settings import Settings, describe

    for row in describe(Settings()):
        assert row["min"] < row["max"], row
        assert row["min"] <= row["value"] <= row["max"], row


def test_version():
    result = squatlab("--version")
    assert result.returncode == 0 and result.stdout.strip().startswith("squatlab ")
    from squatlab import __version__

    assert result.stdout.split() == ["squatlab", __version__]
