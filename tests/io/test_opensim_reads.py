"""Exports that OpenSim opens and that analyse to the same result.

OpenSim 4.6's own readers (the `opensim` wheel from PyPI, installed by `make test`) load the
.mot and the .trc squatlab writes, and analysing the exported .mot again gives the same reps,
measurability and findings: on a real video, on an OpenCap file and on the built-in demo.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import opensim
import pytest

from conftest import analysed_clip, analysed_demo, shared_file
from squatlab import conventions as cv
from squatlab.demo import demo_clip
from squatlab.io.export import opensim_coordinates, write_mot, write_trc
from squatlab.io.opensim import read_mot
from squatlab.pipeline import analyze_lab
from squatlab.report.write import write_outputs
from squatlab.settings import Settings
from squatlab.trial import Channel, Source, Trial, View

OPENSIM_KEYS = {"header", "inDegrees", "nColumns", "nRows"}


def opensim_mot(path: Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Columns (time first) and metadata of a .mot as OpenSim's own reader sees them."""
    table = opensim.TimeSeriesTable(str(path))
    cols = {"time": np.array(table.getIndependentColumn())}
    cols.update({label: table.getDependentColumn(label).to_numpy() for label in table.getColumnLabels()})
    meta = {key: table.getTableMetaDataAsString(key) for key in table.getTableMetaDataKeys()}
    return cols, meta


def opensim_trc(path: Path) -> np.ndarray:
    """(frames, markers, 3) as OpenSim's TRC reader sees them."""
    table = opensim.TimeSeriesTableVec3(str(path))
    flat = table.flatten()  # kept in a name: the matrix is a view into it (a temporary would be freed)
    matrix = flat.getMatrix()
    return np.array(matrix.to_numpy()).reshape(table.getNumRows(), table.getNumColumns(), 3)


def assert_clean_header(meta: dict[str, str]) -> None:
    assert set(meta) - OPENSIM_KEYS == {k for k in meta if k.startswith("squatlab_")}, sorted(meta)
    assert "=" not in meta["header"]


def rep_rows(trial: Trial) -> list[tuple]:
    return [(r.start_frame, r.bottom_frame, r.end_frame, r.measurable, r.partial, r.reason) for r in trial.reps]


def finding_rows(trial: Trial) -> list[tuple]:
    rows = []
    for r in trial.findings["reps"]:
        row: list = [r["index"], r["rhythm"], r["butt_wink_reason"], r["over_arch_reason"]]
        for key, fields in (
            ("butt_wink", ("detected", "grade", "magnitude_deg", "onset_s", "confidence_label", "threshold_deg")),
            ("over_arch", ("detected", "grade", "magnitude_deg", "method", "phase", "confidence_label")),
        ):
            row.append(None if r[key] is None else tuple(r[key][f] for f in fields))
        rows.append(tuple(row))
    return rows


def assert_same_analysis(original: Trial, again: Trial) -> None:
    assert rep_rows(again) == rep_rows(original)
    assert finding_rows(again) == finding_rows(original)
    assert again.findings["set"]["counts"] == original.findings["set"]["counts"]
    assert again.findings["set"]["cause"]["label"] == original.findings["set"]["cause"]["label"]


def export(trial: Trial, folder: Path) -> Path:
    path = write_mot(trial, folder / "angles.mot")
    cols, meta = opensim_mot(path)
    assert_clean_header(meta)
    assert meta["inDegrees"] == "yes"
    for name, ch in trial.channels.items():  # every squatlab channel and its confidence, NaN where missing
        if ch.is_absent:
            assert name not in cols and f"squatlab_absent_{name}" in meta
            continue
        assert np.allclose(cols[name], ch.values, rtol=1e-6, atol=1e-6, equal_nan=True), name
        assert np.allclose(cols[cv.conf_column(name)], ch.conf, atol=1e-6), name
    for name, ch in opensim_coordinates(trial).items():
        assert np.allclose(cols[name], ch.values, rtol=1e-6, atol=1e-6, equal_nan=True), name
    return path


def test_video_export_opens_in_opensim_and_analyses_the_same(tmp_path):
    trial = analysed_clip("ikramaliokz_crossfit_6count_air_squat_side.mp4")
    assert [r.measurable for r in trial.reps] == [True, True, False]  # rep 3 is filmed from the front
    mot = export(trial, tmp_path)
    cols, meta = opensim_mot(mot)
    side = "l" if trial.view.leg_side == "left" else "r"
    assert {f"knee_angle_{side}", f"ankle_angle_{side}"} <= set(cols)
    # His loose T-shirt hides the low back: pelvis and lumbar are not measured, so neither they
    # nor OpenSim's hip flexion (thigh relative to the pelvis) are exported.
    assert trial.channels[cv.PELVIS_TILT].is_absent
    assert not {"pelvis_tilt", "lumbar_extension", "hip_flexion_l", "hip_flexion_r"} & set(cols)
    assert meta["squatlab_source_kind"] == "video" and meta["squatlab_facing"] == trial.view.facing
    assert set(np.unique(cols["view"])) <= set(cv.VIEW_CODES.values())
    bottom = trial.reps[0].bottom_frame  # OpenSim's sign: knee flexion positive at the bottom
    assert cols[f"knee_angle_{side}"][bottom] > 0

    trc = write_trc(trial, tmp_path / "landmarks.trc")
    xyz = opensim_trc(trc)
    lm = trial.landmarks
    assert xyz.shape == (trial.n_frames, len(lm.names), 3)
    missing = ~np.isfinite(lm.xy).all(axis=2)
    assert missing.any()  # the clip has untracked frames: the case OpenSim used to refuse
    assert np.isnan(xyz[missing]).all() and np.isfinite(xyz[~missing]).all()
    assert np.allclose(xyz[~missing][:, 0], lm.xy[~missing][:, 0], atol=1e-3 * lm.image_size[0])

    again = analyze_lab(mot)
    assert again.view is not None and again.source.pelvis_error_deg == trial.source.pelvis_error_deg
    assert trial.source.wink_error_deg is not None and again.source.wink_error_deg == trial.source.wink_error_deg
    assert again.baseline == pytest.approx(dict(trial.baseline))
    assert_same_analysis(trial, again)
    assert {n.code for n in trial.notices} == {n.code for n in again.notices}


def test_video_export_of_a_measured_back_has_opensim_pelvis_and_hip(tmp_path):
    trial = analysed_clip("tommyhill_squat1.mp4")  # fitted clothes: pelvis and lumbar measured
    cols, _ = opensim_mot(export(trial, tmp_path))
    side = "l" if trial.view.leg_side == "left" else "r"
    coords = {"pelvis_tilt", "lumbar_extension", f"hip_flexion_{side}", f"knee_angle_{side}", f"ankle_angle_{side}"}
    assert coords <= set(cols)
    assert f"hip_flexion_{'r' if side == 'l' else 'l'}" not in cols  # the far leg is not measured
    bottom = trial.reps[0].bottom_frame  # OpenSim's signs: anterior tilt and knee flexion at the bottom
    assert cols["pelvis_tilt"][bottom] < 0 < cols[f"knee_angle_{side}"][bottom]
    assert 60 < cols[f"hip_flexion_{side}"][bottom] < 150
    assert_same_analysis(trial, analyze_lab(tmp_path / "angles.mot"))


def test_opencap_export_opens_in_opensim_and_analyses_the_same(tmp_path):
    source = shared_file("mocap/opencap_squat/squats1_videoAndMocap.mot")
    trial = analyze_lab(source)
    assert len(trial.reps) == 5
    mot = export(trial, tmp_path)
    cols, _ = opensim_mot(mot)
    original, _ = opensim_mot(source)
    assert np.allclose(cols["pelvis_tilt"], original["pelvis_tilt"], atol=1e-5)
    assert np.allclose(cols["lumbar_extension"], original["lumbar_extension"], atol=1e-5)
    for stem in ("hip_flexion", "knee_angle", "ankle_angle"):  # the mean of the sides, under both
        mean = (original[f"{stem}_r"] + original[f"{stem}_l"]) / 2
        assert np.allclose(cols[f"{stem}_r"], mean, atol=1e-5) and np.allclose(cols[f"{stem}_l"], mean, atol=1e-5)
    assert_same_analysis(trial, analyze_lab(mot))


def test_demo_export_opens_in_opensim_and_analyses_the_same(tmp_path):
    trial = analysed_demo()
    paths = write_outputs(trial, Settings(), tmp_path / "demo", video=demo_clip(), overlay=False, exports=("mot",))
    results = json.loads(paths["results"].read_text())
    assert results["outputs"]["mot"] == "angles.mot" and results["outputs"]["trc"] == "landmarks.trc"
    cols, meta = opensim_mot(paths["mot"])
    assert_clean_header(meta)
    assert opensim_trc(paths["trc"]).shape == (len(cols["time"]), 33, 3)
    assert_same_analysis(trial, analyze_lab(paths["mot"]))


def _video_trial(side: str) -> Trial:
    t = np.linspace(0, 1, 101)
    bump = 0.5 * (1 - np.cos(np.pi * t))  # standing at 0 s, the bottom at the last frame
    channels = {
        cv.PELVIS_TILT_ABS: 30 * bump,
        cv.LUMBAR_FLEXION_ABS: 10 * bump,
        cv.HIP_FLEXION: 120 * bump,  # trunk-thigh
        cv.TRUNK_INCLINATION: 40 * bump,
        cv.KNEE_FLEXION: 110 * bump,
        cv.SHIN_ANGLE: 30 * bump,
    }
    view = View(np.full(t.size, "side"), np.full(t.size, 90.0), "right", side)
    return Trial(
        t,
        Source("x.mp4", "video", 100.0, 1.0, t.size),
        {k: Channel.measured(v) for k, v in channels.items()},
        view=view,
    )


@pytest.mark.parametrize("side", ["left", "right"])
def test_video_angles_in_opensim_terms(side):
    coords = opensim_coordinates(_video_trial(side))
    s = side[0]
    assert set(coords) == {"pelvis_tilt", "lumbar_extension", f"hip_flexion_{s}", f"knee_angle_{s}", f"ankle_angle_{s}"}
    end = -1  # the bottom: thigh 120 - 40 = 80 deg forward of vertical, pelvis 30 deg anterior
    assert coords["pelvis_tilt"].values[end] == pytest.approx(-30)
    assert coords["lumbar_extension"].values[end] == pytest.approx(-10)
    # In OpenSim the thigh's angle is pelvis_tilt + hip_flexion: the thigh the video saw.
    assert coords[f"hip_flexion_{s}"].values[end] == pytest.approx(80 + 30)
    assert coords[f"knee_angle_{s}"].values[end] == pytest.approx(110)
    assert coords[f"ankle_angle_{s}"].values[end] == pytest.approx(30)


def test_squatlab_header_keys_read_back(tmp_path):
    trial = _video_trial("left")
    trial = Trial(
        trial.time_s + 5.0,  # a clip whose first frame is not at 0 s keeps its clock
        trial.source,
        {**trial.channels, cv.KNEE_PAST_TOES: Channel.absent(trial.n_frames, "no toe = no reading")},
        view=trial.view,
        baseline={cv.PELVIS_TILT_ABS: 2.5},
    )
    back = read_mot(write_mot(trial, tmp_path / "a.mot"))
    assert np.allclose(back.time_s, trial.time_s)
    assert back.view.facing == "right" and back.view.near_side == "left" and (back.view.kind == "side").all()
    assert back.baseline == {cv.PELVIS_TILT_ABS: 2.5}
    assert back.channels[cv.KNEE_PAST_TOES].absent_reason == "no toe no reading"
    assert back.source.details["exported_from"] == "video"
