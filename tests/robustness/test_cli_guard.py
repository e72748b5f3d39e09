"""Whatever goes wrong inside a command ends as one line and an exit code, and leaves nothing half-written.

A small OpenSim .mot stands in for the input: it runs the whole analysis and report in well
under a second, so failures can be injected at any stage.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from clirun import nothing_written, one_line_error, squatlab

from squatlab import demo as demo_module
from squatlab.findings import compare as compare_module
from squatlab.report import write as report_write


@pytest.fixture(scope="module")
def mot(tmp_path_factory) -> Path:
    """Two squats as OpenSim coordinates (degrees, OpenSim signs), 100 Hz, 6 s."""
    t = np.arange(600) / 100.0
    bump = np.where(t < 4.0, 0.5 * (1 - np.cos(np.pi * t)), 0.0)
    rows = "\n".join(f"{a:.2f}\t{-15 * b:.3f}\t{-100 * b:.3f}" for a, b in zip(t, bump, strict=True))
    path = tmp_path_factory.mktemp("guard") / "squats.mot"
    path.write_text(
        f"Coordinates\nversion=1\nnRows={t.size}\nnColumns=3\ninDegrees=yes\nendheader\n"
        f"time\tpelvis_tilt\tknee_angle_r\n{rows}\n"
    )
    return path


def boom(*args, **kwargs):
    raise RuntimeError("template [bold]broke[/bold]\nwith a second line")


def test_the_input_analyses(mot, tmp_path):
    result = squatlab("analyze", mot, "--out", tmp_path / "ok", "--quiet")
    assert result.exit_code == 0, result.stderr
    names = {p.name for p in (tmp_path / "ok").iterdir()}
    assert names == {"results.json", "reps.csv", "timeseries.csv", "report.html", "plots"}


def test_internal_error_while_writing_the_report(mot, tmp_path, monkeypatch):
    monkeypatch.setattr(report_write, "render_report", boom)
    out = tmp_path / "result"
    line = one_line_error(squatlab("analyze", mot, "--out", out, "--quiet"), code=1)
    # Rich markup in the text is printed as is, not interpreted; the line breaks are gone.
    text = "RuntimeError: template [bold]broke[/bold] with a second line"
    assert line == f"error: internal error ({text}); please report it"
    assert nothing_written(out)


def test_failed_forced_run_keeps_the_previous_results(mot, tmp_path, monkeypatch):
    out = tmp_path / "result"
    assert squatlab("analyze", mot, "--out", out, "--quiet").exit_code == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    monkeypatch.setattr(report_write, "render_report", boom)
    one_line_error(squatlab("analyze", mot, "--out", out, "--force", "--quiet"), code=1)
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".result.")]


def test_debug_mode_reraises_for_developers(mot, tmp_path, monkeypatch):
    monkeypatch.setattr(report_write, "render_report", boom)
    result = squatlab("analyze", mot, "--out", tmp_path / "r", "--quiet", env={"SQUATLAB_DEBUG": "1"})
    assert isinstance(result.exception, RuntimeError)
    assert nothing_written(tmp_path / "r")


def test_interrupt_exits_130_and_writes_nothing(mot, tmp_path, monkeypatch):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(report_write, "write_timeseries", interrupt)
    line = one_line_error(squatlab("analyze", mot, "--out", tmp_path / "r", "--quiet"), code=130)
    assert "interrupted" in line
    assert nothing_written(tmp_path / "r")


def test_unwritable_output_is_a_usage_error_not_a_bug(mot, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    line = one_line_error(squatlab("analyze", mot, "--out", blocker / "result", "--quiet"))
    assert "cannot write the results" in line and "a_file is a file" in line  # found before any analysis


def test_demo_and_compare_are_guarded_too(tmp_path, monkeypatch):
    monkeypatch.setattr(demo_module, "demo_clip", boom)
    line = one_line_error(squatlab("demo", "--out", tmp_path / "d", "--quiet"), code=1)
    assert line.startswith("error: internal error (RuntimeError: template")
    monkeypatch.setattr(compare_module, "load_results", boom)
    line = one_line_error(squatlab("compare", tmp_path / "a", tmp_path / "b", "--out", tmp_path / "c.html"), code=1)
    assert "please report it" in line
    assert not (tmp_path / "c.html").exists()


def test_no_traceback_from_the_real_entry_point(mot, tmp_path):
    """The same through ``python -m squatlab`` in a fresh process, as a user runs it."""
    script = (
        "import sys, squatlab.report.write as w\n"
        "def boom(*a, **k): raise ValueError('no')\n"
        "w.render_report = boom\n"
        "from squatlab.cli import app\n"
        "app(sys.argv[1:], prog_name='squatlab')\n"
    )
    out = tmp_path / "r"
    run = subprocess.run(
        [sys.executable, "-c", script, "analyze", str(mot), "--out", str(out), "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 1
    assert run.stderr.strip() == "error: internal error (ValueError: no); please report it"
    assert run.stdout == ""
    assert nothing_written(out)
