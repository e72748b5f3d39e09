"""TRC reader: anatomical markers, pose keypoints (Pose2Sim/Sports2D names), 2-D pixels, bad files."""

from pathlib import Path

import numpy as np
import pytest

from squatlab import conventions as cv
from squatlab.errors import InputError
from squatlab.io.markerset import trial_from_markers
from squatlab.io.trc import read_trc
from squatlab.testing.markers import PELVIS_SHAPE_TILT_DEG, squat_markers

RATE = 60.0
N = 120
T = np.arange(N) / RATE
DEPTH = 0.5 * (1 - np.cos(2 * np.pi * T / 2.0))
PELVIS, THIGH, SHANK, TRUNK = 15 * DEPTH, 80 * DEPTH, 25 * DEPTH, 5 + 30 * DEPTH

OPENCAP = {
    "LASI": "L.ASIS_study", "RASI": "r.ASIS_study", "LPSI": "L.PSIS_study", "RPSI": "r.PSIS_study",
    "LKNE": "L_knee_study", "RKNE": "r_knee_study", "LANK": "L_ankle_study", "RANK": "r_ankle_study",
    "LHEE": "L_calc_study", "RHEE": "r_calc_study", "LTOE": "L_toe_study", "RTOE": "r_toe_study",
    "C7": "C7_study", "LHJC": "LHJC_study", "RHJC": "RHJC_study",
}  # fmt: skip
HALPE = {"LHJC": "LHip", "RHJC": "RHip", "LKNE": "LKnee", "RKNE": "RKnee", "LANK": "LAnkle", "RANK": "RAnkle",
         "LHEE": "LHeel", "RHEE": "RHeel", "LTOE": "LBigToe", "RTOE": "RBigToe"}  # fmt: skip


def trc_text(markers: dict[str, np.ndarray], names: dict[str, str], unit: str = "mm", scale: float = 1000.0) -> str:
    labels = list(names.values())
    lines = [
        "PathFileType\t4\t(X/Y/Z)\tsquat.trc",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
        f"{RATE}\t{RATE}\t{N}\t{len(labels)}\t{unit}\t{RATE}\t1\t{N}",
        "Frame#\tTime\t" + "\t\t\t".join(labels),
        "\t\t" + "\t".join(f"X{i + 1}\tY{i + 1}\tZ{i + 1}" for i in range(len(labels))),
        "",
    ]
    for i in range(N):
        cells = [str(i + 1), f"{T[i]:.5f}"]
        for key in names:
            cells += ["" if not np.isfinite(v) else f"{v:.4f}" for v in markers[key][i] * scale]
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


def markers(**kw):
    return squat_markers(pelvis_deg=PELVIS, thigh_deg=THIGH, shank_deg=SHANK, trunk_deg=TRUNK, up_axis="y", **kw)


def test_opencap_style_markers(tmp_path):
    path = tmp_path / "opencap.trc"
    m = markers(heading_deg=-70)
    m["C7"] = (m["C7"] + m["CLAV"]) / 2  # OpenCap has C7 only; put it on the trunk line for the check
    path.write_text(trc_text(m, OPENCAP))
    data = read_trc(path)
    assert data.unit == "mm" and data.rate_hz == RATE and data.labels[0] == "L.ASIS_study"
    trial = trial_from_markers(data)
    assert np.allclose(trial.channels[cv.PELVIS_TILT_ABS].values, PELVIS + PELVIS_SHAPE_TILT_DEG, atol=0.3)
    assert np.allclose(trial.channels[cv.KNEE_FLEXION].values, THIGH + SHANK, atol=0.5)
    assert np.allclose(trial.channels[cv.TRUNK_INCLINATION].values, TRUNK, atol=0.5)
    assert trial.source.details["angles"]["up_axis"] == "Y+"
    # C7 alone is not a thorax: no lumbar estimate.
    assert trial.channels[cv.LUMBAR_FLEXION_ABS].is_absent


def test_pose_keypoints_have_no_pelvis_tilt(tmp_path):
    path = tmp_path / "pose2sim.trc"
    path.write_text(trc_text(markers(heading_deg=10), HALPE, unit="m", scale=1.0))
    trial = trial_from_markers(read_trc(path))
    tilt = trial.channels[cv.PELVIS_TILT_ABS]
    assert tilt.is_absent and "no pelvic landmarks beyond hip centres" in tilt.absent_reason
    assert trial.channels[cv.LUMBAR_FLEXION_ABS].is_absent
    assert np.allclose(trial.channels[cv.KNEE_FLEXION].values, THIGH + SHANK, atol=0.5)
    assert np.allclose(trial.channels[cv.SHIN_ANGLE].values, SHANK, atol=0.5)


def test_two_d_pixels_y_down(tmp_path):
    # Sports2D's *_px.trc: pixel coordinates, y pointing down, Z = 0 (it writes Units 'm' regardless).
    m = markers(heading_deg=180)
    px = {}
    for key in HALPE:
        xyz = m[key]
        px[key] = np.column_stack([400 + 500 * xyz[:, 0], 1000 - 500 * xyz[:, 1], np.zeros(N)])
    path = tmp_path / "sports2d_px.trc"
    path.write_text(trc_text(px, HALPE, unit="px", scale=1.0))
    data = read_trc(path)
    assert data.unit == "px" and data.scale_m is None
    trial = trial_from_markers(data)
    assert trial.source.details["angles"]["planar"]
    assert np.allclose(trial.channels[cv.KNEE_FLEXION].values, THIGH + SHANK, atol=0.5)


def test_missing_fields_and_short_gaps(tmp_path):
    m = markers()
    m["LKNE"][30:33] = np.nan
    path = tmp_path / "gappy.trc"
    text = trc_text(m, OPENCAP)
    path.write_text(text)
    data = read_trc(path)
    assert np.isnan(data.xyz[30:33, data.labels.index("L_knee_study")]).all()
    trial = trial_from_markers(data)
    assert np.isfinite(trial.channels[cv.KNEE_FLEXION].values).all()


def write(tmp_path: Path, text: str, name: str = "bad.trc") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_bad_trc_files(tmp_path):
    good = trc_text(markers(), OPENCAP)
    lines = good.splitlines()
    with pytest.raises(InputError, match="empty"):
        read_trc(write(tmp_path, ""))
    with pytest.raises(InputError, match="not a TRC"):
        read_trc(write(tmp_path, "hello\nworld\n"))
    text_cell = [*lines[:10], lines[10].replace(lines[10].split("\t")[3], "abc", 1), *lines[11:]]
    with pytest.raises(InputError, match=r"row 11: 'abc' is not a number"):
        read_trc(write(tmp_path, "\n".join(text_cell)))
    backwards = [*lines[:8], lines[9], lines[8], *lines[10:]]
    with pytest.raises(InputError, match="time goes backwards"):
        read_trc(write(tmp_path, "\n".join(backwards)))
    with pytest.raises(InputError, match="no data rows"):
        read_trc(write(tmp_path, "\n".join(lines[:6])))
    with pytest.raises(InputError, match="Units"):
        read_trc(write(tmp_path, good.replace("\tmm\t", "\tfurlong\t", 1)))
