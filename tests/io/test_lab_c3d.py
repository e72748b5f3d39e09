"""C3D reader: a hand-made file with known angles, bad files, and the real AMMR recording."""

from pathlib import Path

import numpy as np
import pytest

from squatlab import conventions as cv
from squatlab.errors import InputError
from squatlab.io import load_lab_trial
from squatlab.io.c3d import read_c3d
from squatlab.io.markerset import FILLED_CONF, trial_from_markers
from squatlab.testing.markers import PELVIS_SHAPE_TILT_DEG, squat_markers

ezc3d = pytest.importorskip("ezc3d")

SHARED = Path(__file__).resolve().parents[2] / "../shared/data"
AMMR = SHARED / "mocap/ammr_flywheel_squat"
needs_ammr = pytest.mark.skipif(
    not (AMMR / "S1_FlywheelSquat.c3d").exists(), reason="../shared/data (AMMR flywheel squat C3D) is not available"
)

N = 200
RATE = 100.0
T = np.arange(N) / RATE
DEPTH = 0.5 * (1 - np.cos(2 * np.pi * T / 2.0))  # one squat per 2 s
PELVIS, THIGH, SHANK, TRUNK = 20 * DEPTH, 90 * DEPTH, 30 * DEPTH, 5 + 35 * DEPTH


def write_c3d(path: Path, markers: dict[str, np.ndarray], unit: str = "mm") -> Path:
    c3d = ezc3d.c3d()
    names = list(markers)
    c3d["parameters"]["POINT"]["RATE"]["value"] = [RATE]
    c3d["parameters"]["POINT"]["LABELS"]["value"] = tuple(names)
    c3d["parameters"]["POINT"]["UNITS"]["value"] = [unit]
    pts = np.ones((4, len(names), N))
    for j, name in enumerate(names):
        pts[:3, j] = markers[name].T
    c3d["data"]["points"] = pts
    c3d.write(str(path))
    return path


def synthetic(heading=30.0):
    m = squat_markers(pelvis_deg=PELVIS, thigh_deg=THIGH, shank_deg=SHANK, trunk_deg=TRUNK, heading_deg=heading)
    m = {k: v * 1000.0 for k, v in m.items()}  # mm
    del m["LHJC"], m["RHJC"]  # a real lab has no hip-centre markers
    return m


def test_known_angles_through_the_file(tmp_path):
    path = write_c3d(tmp_path / "squat.c3d", synthetic())
    trial = trial_from_markers(read_c3d(path))
    tilt = trial.channels[cv.PELVIS_TILT_ABS].values
    assert np.allclose(tilt, PELVIS + PELVIS_SHAPE_TILT_DEG, atol=0.3)  # 6 Hz filter on a 0.5 Hz motion
    lumbar = trial.channels[cv.LUMBAR_FLEXION_ABS].values
    assert np.allclose(lumbar, TRUNK - PELVIS - PELVIS_SHAPE_TILT_DEG, atol=0.3)
    assert trial.source.kind == "c3d" and trial.source.fps == RATE and trial.source.frames == N
    assert trial.source.details["unit"] == "mm"
    assert trial.source.details["lumbar_flexion_method"] == "thorax_relative_to_pelvis"
    assert trial.source.pelvis_error_deg == 2.0
    assert any(n.code == "lumbar_from_thorax" for n in trial.notices)
    knee = trial.channels[cv.KNEE_FLEXION].values
    assert np.nanmax(knee) == pytest.approx(120, abs=15)  # Harrington hip centres, not the simulated ones


def test_metres_and_millimetres_agree(tmp_path):
    mm = trial_from_markers(read_c3d(write_c3d(tmp_path / "mm.c3d", synthetic())))
    metres = {k: v / 1000.0 for k, v in synthetic().items()}
    m = trial_from_markers(read_c3d(write_c3d(tmp_path / "m.c3d", metres, unit="m")))
    for name, ch in mm.channels.items():
        if not ch.is_absent:
            assert np.allclose(ch.values, m.channels[name].values, atol=1e-3), name


def test_short_gaps_bridged_long_gaps_reported(tmp_path):
    markers = synthetic()
    markers["LASI"][50:55] = 0.0  # zeros: how some writers store a gap
    markers["RPSI"][100:150] = 0.0
    trial = trial_from_markers(read_c3d(write_c3d(tmp_path / "gaps.c3d", markers)))
    tilt = trial.channels[cv.PELVIS_TILT_ABS]
    assert np.isfinite(tilt.values[50:55]).all() and (tilt.conf[50:55] == FILLED_CONF).all()
    # The PSIS midpoint needs both PSIS markers: a long gap in one leaves the tilt missing.
    assert np.isnan(tilt.values[100:150]).all()
    gaps = [n for n in trial.notices if n.code == "marker_gap"]
    assert len(gaps) == 1 and "RPSI" in gaps[0].message
    assert gaps[0].start_s == pytest.approx(1.0) and gaps[0].end_s == pytest.approx(1.49)
    assert trial.source.details["frames_missing_any_marker"] == 55
    assert trial.source.details["short_gaps_bridged"] == 1


def test_truncated_c3d(tmp_path):
    path = write_c3d(tmp_path / "full.c3d", synthetic())
    data = path.read_bytes()
    cut = tmp_path / "cut.c3d"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"cut\.c3d.*(truncated|not a readable)"):
        read_c3d(cut)


def test_empty_and_garbage_c3d(tmp_path):
    empty = tmp_path / "empty.c3d"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        read_c3d(empty)
    junk = tmp_path / "junk.c3d"
    junk.write_bytes(b"\x02\x50" + b"no c3d here" * 30)
    with pytest.raises(InputError, match=r"junk\.c3d"):
        read_c3d(junk)


def test_unknown_marker_set_needs_a_map(tmp_path):
    markers = {f"M{i}": v for i, v in enumerate(synthetic().values())}
    path = write_c3d(tmp_path / "odd.c3d", markers)
    with pytest.raises(InputError, match="marker map"):
        trial_from_markers(read_c3d(path))
    names = dict(zip(synthetic(), markers, strict=True))
    trial = trial_from_markers(read_c3d(path), marker_map=names)
    assert not trial.channels[cv.PELVIS_TILT_ABS].is_absent


def independent_tilt(path: Path) -> np.ndarray:
    """Pelvis tilt straight from the raw ASIS/PSIS coordinates: the elevation of the
    PSIS-to-ASIS line below the horizontal (lab Z is up in this lab), no filtering."""
    c3d = ezc3d.c3d(str(path))
    labels = list(c3d["parameters"]["POINT"]["LABELS"]["value"])
    pts = c3d["data"]["points"][:3]

    def p(name):
        return pts[:, labels.index(name)].T

    asis, psis = (p("LASI") + p("RASI")) / 2, (p("LPSI") + p("RPSI")) / 2
    return np.degrees(np.arcsin((psis[:, 2] - asis[:, 2]) / np.linalg.norm(asis - psis, axis=1)))


@needs_ammr
def test_ammr_flywheel_squat_against_independent_computation():
    trial = load_lab_trial(AMMR / "S1_FlywheelSquat.c3d", static=AMMR / "S1_StandingRef.c3d")
    base = trial.baseline[cv.PELVIS_TILT_ABS]
    static = independent_tilt(AMMR / "S1_StandingRef.c3d")
    assert base == pytest.approx(static.mean(), abs=0.2)
    assert np.abs(static - base).max() < 1.0  # near 0 at standing
    ours = trial.channels[cv.PELVIS_TILT_ABS].values - base
    theirs = independent_tilt(AMMR / "S1_FlywheelSquat.c3d") - static.mean()
    assert np.nanmax(np.abs(ours - theirs)) < 1.0
    assert 5.0 < np.nanmin(ours) < 9.0 and 20.0 < np.nanmax(ours) < 26.0  # ~7-24 deg anterior
    assert trial.source.details["frames_missing_any_marker"] == 102
    summary = next(n for n in trial.notices if n.code == "marker_gaps")
    assert summary.message.startswith("102 of 317 frames")
    assert any(n.code == "marker_gap" and "RSHO" in n.message for n in trial.notices)
    assert trial.source.details["angles"]["up_axis"] == "Z+"
