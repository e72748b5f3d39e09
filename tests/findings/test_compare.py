"""Comparing two results: real changes are flagged, noise-level differences are not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from findings_results import results_dict
from typer.testing import CliRunner

from squatlab.cli.compare import compare
from squatlab.errors import InputError
from squatlab.findings import assess
from squatlab.findings.compare import compare_metric, compare_results, load_results, metric_error, validate_results
from squatlab.findings.compare_html import render_html
from squatlab.settings import FindingSettings
from squatlab.testing.sets import synthetic_set

NOISY = {"noise": True, "angle_noise_deg": 1.0}


@pytest.fixture
def write_results(tmp_path: Path):
    """Write an assessed synthetic set as ``tmp_path/name/results.json``; returns the folder."""

    def write(name: str, **kwargs) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        trial = assess(synthetic_set(**kwargs))
        (folder / "results.json").write_text(json.dumps(results_dict(trial), allow_nan=False))
        return folder

    return write


def changed(folder_a, folder_b):
    return compare_results(load_results(folder_a), load_results(folder_b))["changed"]


def test_a_real_change_in_butt_wink_is_flagged(write_results):
    before = write_results("before", wink_deg=18.0, seed=1, **NOISY)
    after = write_results("after", wink_deg=0.0, seed=2, **NOISY)
    result = compare_results(load_results(before), load_results(after), label_a="before", label_b="after")
    assert "butt_wink.magnitude_deg" in result["changed"]
    row = next(m for m in result["metrics"] if m["key"] == "butt_wink.magnitude_deg")
    assert row["difference"] < -8 and row["p"] < 0.05
    assert result["a"]["butt_wink_reps"] == 5 and result["b"]["butt_wink_reps"] == 0
    assert any(line.startswith("Butt wink: pelvis tipping back at the bottom fell by") for line in result["summary"])


def test_a_deeper_squat_is_flagged_in_the_angles_at_the_bottom(write_results):
    flat = write_results("flat", hip_max_deg=100.0, thigh_max_deg=90.0, seed=1, **NOISY)
    wedge = write_results("wedge", hip_max_deg=120.0, thigh_max_deg=105.0, seed=2, **NOISY)
    found = changed(flat, wedge)
    assert "angles_at_bottom.hip_flexion_deg" in found
    assert "angles_at_bottom.hip_depth_thigh" in found


def test_noise_level_differences_are_rarely_flagged(write_results):
    # Two sets from the same lifter model under harsh noise: ~20 metrics each time.
    false = 0
    for pair in range(40):
        a = write_results(f"a{pair}", wink_deg=15.0, seed=100 + pair, **NOISY)
        b = write_results(f"b{pair}", wink_deg=15.0, seed=200 + pair, **NOISY)
        false += bool(changed(a, b))
    assert false <= 2  # measured when written: 1 of 40 comparisons


def test_the_false_flag_test_can_fail(write_results):
    # A loose rule (p < 0.5, no source-error floor) flags noise: the check above has teeth.
    raw = FindingSettings(compare_error_k=0.0, compare_alpha=0.5)
    false = 0
    for pair in range(40):
        a = write_results(f"a{pair}", wink_deg=15.0, seed=100 + pair, **NOISY)
        b = write_results(f"b{pair}", wink_deg=15.0, seed=200 + pair, **NOISY)
        false += bool(compare_results(load_results(a), load_results(b), settings=raw)["changed"])
    assert false > 2


def test_a_consistent_but_tiny_difference_stays_within_the_source_error():
    row = compare_metric([100.0, 100.1, 100.0], [102.0, 102.1, 102.0], error=4.0, compare_alpha=0.05)
    assert row["p"] < 0.001
    assert row["changed"] is False and row["verdict"] == "within noise"
    assert row["floor"] == 4.0


def test_a_large_but_scattered_difference_is_not_a_change():
    row = compare_metric([0.0, 20.0, 5.0, 30.0], [25.0, 5.0, 40.0, 15.0], error=2.0, compare_alpha=0.05)
    assert row["changed"] is False


def test_one_rep_is_too_few():
    row = compare_metric([10.0], [30.0, 31.0], error=1.0, compare_alpha=0.05)
    assert row["verdict"] == "too few reps" and row["changed"] is False


def test_results_contract_is_checked(tmp_path):
    with pytest.raises(InputError, match="no results file"):
        load_results(tmp_path / "nowhere")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match="cannot read"):
        load_results(bad)
    with pytest.raises(InputError, match="missing field 'reps'"):
        validate_results({"schema_version": "1", "input": {}})
    with pytest.raises(InputError, match=r"reps\[0\] lacks measurable"):
        validate_results(
            {
                "schema_version": "1",
                "input": {"path": "x", "kind": "video", "fps": 30, "duration_s": 1, "frames": 30},
                "reps": [{"index": 1, "start_s": 0, "bottom_s": 1, "end_s": 2}],
            }
        )


def test_reps_without_findings_and_null_sections_are_tolerated(write_results):
    folder = write_results("plain", wink_deg=15.0)
    data = json.loads((folder / "results.json").read_text())
    data["reps"][0]["butt_wink"] = None
    data["reps"][1]["measurable"] = False
    result = compare_results(data, data)
    row = next(m for m in result["metrics"] if m["key"] == "butt_wink.magnitude_deg")
    assert row["n_a"] == 3 and row["changed"] is False


def test_html_is_self_contained(write_results):
    a = write_results("a", wink_deg=18.0, seed=1, **NOISY)
    b = write_results("b", wink_deg=4.0, seed=2, **NOISY)
    page = render_html(compare_results(load_results(a), load_results(b), label_a="<narrow>", label_b="wide"))
    assert page.startswith("<!doctype html>")
    assert "data:image/png;base64," in page
    assert "&lt;narrow&gt;" in page and "<narrow>" not in page  # labels are escaped
    assert "does not diagnose" in page
    assert "http://" not in page and "https://" not in page  # nothing fetched from outside


@pytest.fixture
def cli():
    app = typer.Typer()
    app.command()(compare)
    app.command("noop")(lambda: None)  # two commands: typer keeps the command name
    return app


def test_cli_writes_the_report_and_prints_the_summary(cli, write_results, tmp_path):
    a = write_results("narrow", wink_deg=18.0, seed=1, **NOISY)
    b = write_results("wide", wink_deg=4.0, seed=2, **NOISY)
    out = tmp_path / "cmp" / "compare.html"
    run = CliRunner().invoke(cli, ["compare", str(a), str(b / "results.json"), "--out", str(out)])
    assert run.exit_code == 0, run.output
    assert out.read_text().startswith("<!doctype html>")
    assert "narrow vs wide" in run.output
    assert "changed" in run.output
    again = CliRunner().invoke(cli, ["compare", str(a), str(b), "--out", str(out)])
    assert again.exit_code == 2
    assert "exists; pass --force" in again.output
    assert CliRunner().invoke(cli, ["compare", str(a), str(b), "--out", str(out), "--force"]).exit_code == 0


def test_cli_bad_input_is_one_line_and_exit_2(cli, tmp_path):
    run = CliRunner().invoke(cli, ["compare", str(tmp_path), str(tmp_path), "--out", str(tmp_path / "x.html")])
    assert run.exit_code == 2
    assert run.output.strip().startswith("error: no results file")
    assert len(run.output.strip().splitlines()) == 1


def test_error_floors_come_from_the_results_and_the_settings(write_results):
    data = json.loads((write_results("x", wink_deg=15.0) / "results.json").read_text())
    s = FindingSettings()
    noise = data["reps"][0]["butt_wink"]["noise_deg"]
    assert metric_error("butt_wink.magnitude_deg", [data], s) == pytest.approx(noise, abs=0.05)
    assert metric_error("butt_wink.onset.hip_flexion_deg", [data], s) == s.compare_onset_error_deg
    assert metric_error("angles_at_bottom.hip_depth_thigh", [data], s) == s.compare_depth_error_thigh
    data["input"]["pelvis_error_deg"] = 4.0
    assert metric_error("pelvis_tilt_deg.at_bottom", [data], s) == pytest.approx(5.0)  # hypot(3 drift, 4)
    assert metric_error("depth.peak", [data], s) == 0.0  # the rep finder's own unit: no error known
