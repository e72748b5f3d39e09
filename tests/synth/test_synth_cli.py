"""``squatlab synth``: listing, validation, and a clear error without the extra."""

import importlib.util

import pytest
import typer
from typer.testing import CliRunner

from squatlab.cli import synth as cli_synth
from squatlab.errors import InputError

app = typer.Typer()
app.command()(cli_synth.synth)


def test_dry_run_lists_the_grid(tmp_path):
    result = CliRunner().invoke(app, [str(tmp_path), "--preset", "grid", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.output.count("\n") >= 40
    assert "g00_normal_clear" in result.output
    assert not any(tmp_path.iterdir())


def test_dry_run_lists_the_leave_one_out_grid(tmp_path):
    result = CliRunner().invoke(app, [str(tmp_path), "--preset", "loo", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.output.count("\n") == 98
    assert "l000_female_average_fitted_normal  960x540" in result.output


def test_size_options_apply(tmp_path):
    result = CliRunner().invoke(
        app, [str(tmp_path), "--preset", "demo", "--width", "360", "--height", "640", "--dry-run"]
    )
    assert "demo  360x640" in result.output


def test_invalid_clip_settings_are_an_input_error(tmp_path):
    result = CliRunner().invoke(app, [str(tmp_path), "--preset", "clip", "--wink", "40", "--dry-run"])
    assert isinstance(result.exception, InputError)
    assert "wink_deg must lie in [0, 25]" in str(result.exception)


def test_missing_extra_is_one_clear_line(monkeypatch, tmp_path):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "anny" else real(name, *a))
    with pytest.raises(InputError, match=r"needs the 'synth' extra \(anny not installed\)") as info:
        cli_synth.synth(tmp_path, preset=cli_synth.Preset.fixture)
    assert "\n" not in str(info.value)
