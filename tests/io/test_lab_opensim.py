"""OpenSim .mot/.sto reader: signs against the real OpenCap squat, header variants, bad files."""

from pathlib import Path

import numpy as np
import pytest
from scipy.signal import find_peaks

from squatlab import conventions as cv
from squatlab.errors import InputError
from squatlab.io.opensim import read_mot

SHARED = Path(__file__).resolve().parents[2] / "../shared/data"
OPENCAP = SHARED / "mocap/opencap_squat/squats1_videoAndMocap.mot"
needs_opencap = pytest.mark.skipif(not OPENCAP.exists(), reason="../shared/data (OpenCap squat .mot) is not available")

HEADER = "Coordinates\nversion=1\nnRows={n}\nnColumns={c}\ninDegrees={deg}\n\nendheader\n"


def mot(tmp_path: Path, columns: dict[str, np.ndarray], deg: str = "yes", name: str = "t.mot") -> Path:
    names = list(columns)
    n = len(columns[names[0]])
    rows = ["\t".join(f"{columns[c][i]:.6f}" for c in names) for i in range(n)]
    text = HEADER.format(n=n, c=len(names), deg=deg) + "\t".join(names) + "\n" + "\n".join(rows) + "\n"
    p = tmp_path / name
    p.write_text(text)
    return p


T = np.arange(0, 2, 0.01)
BUMP = 0.5 * (1 - np.cos(2 * np.pi * T / 2))


def test_sign_mapping_known_answer(tmp_path):
    cols = {
        "time": T,
        "pelvis_tilt": -30 * BUMP,  # OpenSim: negative = anterior
        "lumbar_extension": -20 * BUMP,  # negative = flexion
        "hip_flexion_r": 100 * BUMP,
        "hip_flexion_l": 90 * BUMP,
        "knee_angle_r": 110 * BUMP,
        "knee_angle_l": 100 * BUMP,
        "ankle_angle_r": 30 * BUMP,
        "ankle_angle_l": 30 * BUMP,
        "pelvis_ty": 1.0 - 0.4 * BUMP,
    }
    trial = read_mot(mot(tmp_path, cols))
    ch = trial.channels
    assert np.allclose(ch[cv.PELVIS_TILT_ABS].values, 30 * BUMP, atol=1e-5)
    assert np.allclose(ch[cv.LUMBAR_FLEXION_ABS].values, 20 * BUMP, atol=1e-5)
    assert np.allclose(ch[cv.HIP_FLEXION].values, 95 * BUMP, atol=1e-5)
    assert np.allclose(ch[cv.KNEE_FLEXION].values, 105 * BUMP, atol=1e-5)
    assert np.allclose(ch[cv.SHIN_ANGLE].values, 30 * BUMP, atol=1e-5)
    assert np.allclose(ch[cv.TRUNK_INCLINATION].values, 50 * BUMP, atol=1e-5)
    assert ch[cv.HIP_HEIGHT].values.min() == pytest.approx(0.6, abs=0.01)
    assert trial.source.kind == "mot" and trial.source.fps == pytest.approx(100.0)
    assert trial.source.pelvis_error_deg == 5.0


def test_radians_and_gait2392_knee_sign(tmp_path):
    cols = {"time": T, "pelvis_tilt": np.radians(-30 * BUMP), "knee_angle_r": np.radians(-100 * BUMP)}
    trial = read_mot(mot(tmp_path, cols, deg="no", name="r.sto"))
    assert np.allclose(trial.channels[cv.PELVIS_TILT_ABS].values, 30 * BUMP, atol=1e-4)
    assert np.allclose(trial.channels[cv.KNEE_FLEXION].values, 100 * BUMP, atol=1e-4)
    assert any(n.code == "knee_sign" for n in trial.notices)
    assert trial.channels[cv.LUMBAR_FLEXION_ABS].absent_reason == "no lumbar_extension column"


def test_bad_mot_files(tmp_path):
    with pytest.raises(InputError, match="none of the expected columns"):
        read_mot(mot(tmp_path, {"time": T, "elbow_flex_r": BUMP}))
    with pytest.raises(InputError, match="endheader"):
        p = tmp_path / "noheader.mot"
        p.write_text("time\tpelvis_tilt\n0\t1\n")
        read_mot(p)
    with pytest.raises(InputError, match="empty"):
        p = tmp_path / "empty.mot"
        p.write_text("")
        read_mot(p)
    back = T.copy()
    back[50] = back[10]
    with pytest.raises(InputError, match="time goes backwards"):
        read_mot(mot(tmp_path, {"time": back, "pelvis_tilt": BUMP}))
    p = mot(tmp_path, {"time": T, "pelvis_tilt": BUMP})
    p.write_text(p.read_text().replace("0.010000\t", "0.01O000\t", 1))
    with pytest.raises(InputError, match="is not a number"):
        read_mot(p)
    p.write_text(HEADER.format(n=0, c=2, deg="yes") + "time\tpelvis_tilt\n")
    with pytest.raises(InputError, match="no data rows"):
        read_mot(p)


@needs_opencap
def test_opencap_squat_signs_and_reps():
    trial = read_mot(OPENCAP)
    knee = trial.channels[cv.KNEE_FLEXION].values
    peaks, _ = find_peaks(knee, height=45, prominence=30)
    assert len(peaks) == 5
    tilt = trial.channels[cv.PELVIS_TILT_ABS].values
    lumbar = trial.channels[cv.LUMBAR_FLEXION_ABS].values
    # Anterior tilt and lumbar flexion are positive in our convention: ~38-41 and ~45 deg at the bottoms.
    assert np.all((tilt[peaks] > 35) & (tilt[peaks] < 44))
    assert np.all((lumbar[peaks] > 42) & (lumbar[peaks] < 48))
    assert abs(np.median(tilt[:20])) < 5 and abs(np.median(lumbar[:20])) < 8  # standing
    assert np.all(trial.channels[cv.SHIN_ANGLE].values[peaks] > 15)
