"""Motion-capture files with missing markers or missing samples, through the whole CLI.

Truncated C3D, bad .mot/.trc files and irregular IMU tables are tested at the reader level
in tests/io/ (see docs/robustness.md); here: what the user sees for C3D files that read but
hold less than the analysis needs.
"""

from __future__ import annotations

import json
from pathlib import Path

import corpus
import numpy as np
import pytest
from clirun import nothing_written, one_line_error, squatlab


@pytest.fixture(scope="module")
def markers() -> dict[str, np.ndarray]:
    return corpus.squat_marker_set()


def analysed(path: Path, out: Path) -> dict:
    result = squatlab("analyze", path, "--out", out, "--quiet")
    assert result.exit_code == 0, result.stderr
    return json.loads((out / "results.json").read_text())


def test_nan_samples_are_gaps(tmp_path, markers):
    gappy = dict(markers)
    gappy["LASI"] = markers["LASI"].copy()
    gappy["LASI"][100:130] = np.nan  # 0.3 s unseen
    results = analysed(corpus.c3d_file(tmp_path, "nan.c3d", gappy), tmp_path / "o")
    gap = next(w for w in results["warnings"] if w["code"] == "marker_gap")
    assert "LASI" in gap["message"] and gap["start_s"] == pytest.approx(1.0)
    assert len(results["reps"]) == 2


def test_missing_thorax_markers_give_a_partial_result(tmp_path, markers):
    no_thorax = {k: v for k, v in markers.items() if k not in ("C7", "CLAV", "STRN")}
    results = analysed(corpus.c3d_file(tmp_path, "no_thorax.c3d", no_thorax), tmp_path / "o")
    assert len(results["reps"]) == 2
    for rep in results["reps"]:
        assert rep["lumbar_flexion_deg"] is None
        assert "thorax" in rep["not_measured"]["lumbar_flexion_deg"]
        assert rep["pelvis_tilt_deg"] is not None


def test_missing_pelvis_markers_are_refused(tmp_path, markers):
    no_psis = {k: v for k, v in markers.items() if k not in ("LPSI", "RPSI")}
    out = tmp_path / "o"
    line = one_line_error(squatlab("analyze", corpus.c3d_file(tmp_path, "no_psis.c3d", no_psis), "--out", out))
    assert "no_psis.c3d" in line and "hip" in line
    assert nothing_written(out)


def test_markers_never_seen_are_refused(tmp_path, markers):
    unseen = {k: np.full_like(v, np.nan) for k, v in markers.items()}
    out = tmp_path / "o"
    line = one_line_error(squatlab("analyze", corpus.c3d_file(tmp_path, "unseen.c3d", unseen), "--out", out))
    assert "unseen.c3d" in line
    assert nothing_written(out)


def test_imu_table_shorter_than_the_reference_window(tmp_path):
    path = corpus.imu_table(tmp_path, "short.csv", rows=10)  # 0.1 s
    line = one_line_error(squatlab("analyze", path, "--imu-sensor", "pelvis=s0", "--out", tmp_path / "o"))
    assert "short.csv" in line and "too short" in line
