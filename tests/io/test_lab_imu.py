"""IMU CSV and phone-export readers on simulated sensors (known answers), bad files, and the
real waist/thigh/shank recordings (skipped when ../shared/data is absent)."""

import json
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from squatlab import conventions as cv
from squatlab.errors import InputError
from squatlab.io.imu import parse_imu_sensor_args, read_imu, read_recording
from squatlab.kinematics.imu import descents
from squatlab.testing.imu import rep_profile, simulate_squat_imu

SHARED = Path(__file__).resolve().parents[2] / "../shared/data"
IMU_DIR = SHARED / "imu/waist_thigh_shank_squats"
needs_imu = pytest.mark.skipif(
    not (IMU_DIR / "class0_subject1_set1.csv").exists(), reason="../shared/data (IMU squat recordings) is not available"
)
ROLES = {"pelvis": "s0", "thigh": "s1", "shank": "s2"}
REPS, REP_S, STAND_S = 6, 2.5, 2.0


def sims():
    kw = {"n_reps": REPS, "rep_s": REP_S, "standing_s": STAND_S}
    return {
        "s0": simulate_squat_imu(seed=0, amplitude_deg=30, **kw),
        "s1": simulate_squat_imu(seed=1, amplitude_deg=95, lever_m=0.25, **kw),
        "s2": simulate_squat_imu(seed=2, amplitude_deg=30, lever_m=0.2, drop_m=0.0, **kw),
    }


def frame(sensors, time_col="time", time_values=None, gyro_scale=1.0, acc_scale=1.0):
    t = next(iter(sensors.values())).time_s
    cols = {time_col: t if time_values is None else time_values}
    for name, s in sensors.items():
        for i, ax in enumerate("xyz"):
            cols[f"{name}_a{ax}"] = s.acc[:, i] * acc_scale
        for i, ax in enumerate("xyz"):
            cols[f"{name}_g{ax}"] = s.gyr[:, i] * gyro_scale
    return pd.DataFrame(cols)


def bottoms():
    return np.arange(REPS) * REP_S + STAND_S + REP_S / 2


def check_known_angles(trial, tol=3.0):
    t = trial.time_s
    idx = np.searchsorted(t, bottoms())
    w = rep_profile(t, n_reps=REPS, rep_s=REP_S, start_s=STAND_S)
    ch = trial.channels
    assert np.allclose(ch[cv.PELVIS_TILT_ABS].values[idx], 30, atol=tol)
    assert np.allclose(ch[cv.KNEE_FLEXION].values[idx], 125, atol=2 * tol)
    assert np.allclose(ch[cv.HIP_FLEXION].values[idx], 125, atol=2 * tol)
    assert np.allclose(ch[cv.SHIN_ANGLE].values[idx], 30, atol=tol)
    good = np.isfinite(ch[cv.PELVIS_TILT_ABS].values)
    assert np.sqrt(np.mean((ch[cv.PELVIS_TILT_ABS].values - 30 * w)[good] ** 2)) < tol


def test_generic_csv_known_angles(tmp_path):
    p = tmp_path / "imu.csv"
    frame(sims()).to_csv(p, index=False)
    trial = read_imu(p, imu_sensors=ROLES)
    check_known_angles(trial)
    assert trial.source.kind == "imu" and trial.source.fps == pytest.approx(100.0)
    assert trial.channels[cv.HIP_HEIGHT].is_absent and trial.channels[cv.LUMBAR_FLEXION_ABS].is_absent
    assert trial.source.details["sensors"]["pelvis"]["sign"].startswith("tips forward")
    assert not [n for n in trial.notices if n.code.startswith("imu_") and n.code != "imu_gap"]


def test_lumbar_from_an_l1_sensor(tmp_path):
    s = sims()
    kw = {"n_reps": REPS, "rep_s": REP_S, "standing_s": STAND_S}
    s["s3"] = simulate_squat_imu(seed=9, amplitude_deg=50, **kw)  # L1 tips 50, pelvis 30: 20 of flexion
    p = tmp_path / "imu4.csv"
    frame(s).to_csv(p, index=False)
    trial = read_imu(p, imu_sensors={**ROLES, "l1": "s3"})
    idx = np.searchsorted(trial.time_s, bottoms())
    assert np.allclose(trial.channels[cv.LUMBAR_FLEXION_ABS].values[idx], 20, atol=4)
    assert np.allclose(trial.channels[cv.TRUNK_INCLINATION].values[idx], 50, atol=4)


@pytest.mark.parametrize("kind", ["ms", "iso", "ns"])
def test_time_units(tmp_path, kind):
    s = sims()
    t = s["s0"].time_s
    if kind == "ms":
        df = frame(s, "millis", np.round(t * 1000).astype(int) + 1_056_964)
    elif kind == "ns":
        df = frame(s, "t", (t * 1e9).astype(np.int64) + 1_698_501_144_401_773_000)
    else:
        start = datetime(2025, 10, 11, 16, 21, 53)
        df = frame(
            s, "timestamp", [(start + timedelta(seconds=float(x))).isoformat(timespec="milliseconds") for x in t]
        )
    p = tmp_path / f"{kind}.csv"
    df.to_csv(p, index=False)
    trial = read_imu(p, imu_sensors=ROLES)
    assert trial.source.fps == pytest.approx(100.0, rel=1e-3)
    check_known_angles(trial)


def test_device_clock_beats_host_timestamps(tmp_path):
    s = sims()
    t = s["s0"].time_s
    df = frame(s, "millis", np.round(t * 1000).astype(int))
    host = np.round(t * 1000 / 16).astype(int) * 16  # a host clock that ticks in 16 ms steps: repeats
    start = datetime(2025, 1, 1)
    df.insert(
        0, "timestamp", [(start + timedelta(milliseconds=int(x))).isoformat(timespec="milliseconds") for x in host]
    )
    p = tmp_path / "two_clocks.csv"
    df.to_csv(p, index=False)
    assert read_recording(p).details["time_column"] == "millis"


def test_gyro_in_deg_per_s_and_acc_in_g(tmp_path):
    p = tmp_path / "degs.csv"
    frame(sims(), gyro_scale=np.degrees(1.0), acc_scale=1 / 9.80665).to_csv(p, index=False)
    trial = read_imu(p, imu_sensors=ROLES)
    codes = [n.code for n in trial.notices]
    assert codes.count("imu_gyro_deg_per_s") == 3 and codes.count("imu_acc_in_g") == 3
    check_known_angles(trial)


def test_dropped_and_duplicate_samples(tmp_path):
    df = frame(sims())
    df = df.drop(index=range(700, 725))  # 0.25 s of dropped samples
    df = pd.concat([df.iloc[:300], df.iloc[[299, 299]], df.iloc[300:]])  # the same timestamp three times
    jitter = np.random.default_rng(0).normal(0, 0.0005, len(df))
    df["time"] = df["time"] + np.where(df["time"].duplicated(keep=False), 0, jitter)
    p = tmp_path / "irregular.csv"
    df.to_csv(p, index=False)
    trial = read_imu(p, imu_sensors=ROLES)
    codes = {n.code: n for n in trial.notices}
    assert "imu_duplicate_time" in codes and "2 samples" in codes["imu_duplicate_time"].message
    gap = codes["imu_gap"]
    assert gap.start_s == pytest.approx(6.99, abs=0.01) and gap.end_s == pytest.approx(7.25, abs=0.01)
    assert trial.channels[cv.PELVIS_TILT_ABS].conf[np.searchsorted(trial.time_s, 7.1)] < 1
    assert trial.source.variable_frame_rate
    check_known_angles(trial)


def test_long_gap_left_missing(tmp_path):
    df = frame(sims()).drop(index=range(900, 1000))  # 1 s without samples
    p = tmp_path / "long_gap.csv"
    df.to_csv(p, index=False)
    trial = read_imu(p, imu_sensors=ROLES)
    i = np.searchsorted(trial.time_s, 9.5)
    assert np.isnan(trial.channels[cv.PELVIS_TILT_ABS].values[i])
    assert "left missing" in next(n.message for n in trial.notices if n.code == "imu_gap")


def test_static_recording_as_reference(tmp_path):
    df = frame(sims())
    p, s = tmp_path / "dyn.csv", tmp_path / "static.csv"
    df.to_csv(p, index=False)
    df.iloc[:150].to_csv(s, index=False)
    trial = read_imu(p, imu_sensors=ROLES, static=s)
    assert trial.source.details["reference"].startswith("static recording")
    check_known_angles(trial)


def test_bad_imu_csvs(tmp_path):
    df = frame(sims())
    bad = df.astype(object)
    bad.loc[17, "s1_gy"] = "oops"
    p = tmp_path / "text.csv"
    bad.to_csv(p, index=False)
    with pytest.raises(InputError, match=r"column 's1_gy', data row 18: 'oops' is not a number"):
        read_imu(p, imu_sensors=ROLES)
    back = df.copy()
    back.loc[400, "time"] = 1.0
    back.to_csv(p, index=False)
    with pytest.raises(InputError, match="time goes backwards at data row 401"):
        read_imu(p, imu_sensors=ROLES)
    p.write_text("")
    with pytest.raises(InputError, match="empty"):
        read_imu(p)
    df.drop(columns=["s0_gz"]).to_csv(p, index=False)
    with pytest.raises(InputError, match="s0_gz"):
        read_imu(p, imu_sensors={"pelvis": "s0"})
    df.drop(columns=["time"]).to_csv(p, index=False)
    with pytest.raises(InputError, match="no time column"):
        read_imu(p, imu_sensors=ROLES)
    df.to_csv(p, index=False)
    with pytest.raises(InputError, match="say which is which"):
        read_imu(p)
    with pytest.raises(InputError, match="no sensor named s9"):
        read_imu(p, imu_sensors={"pelvis": "s9"})


def test_parse_imu_sensor_args():
    assert parse_imu_sensor_args(["Pelvis = s0", "shank=s2"]) == {"pelvis": "s0", "shank": "s2"}
    for bad, msg in ((["pelvis"], "role=sensor"), (["hand=s0"], "unknown role"), (["pelvis=a", "pelvis=b"], "twice")):
        with pytest.raises(InputError, match=msg):
            parse_imu_sensor_args(bad)


# ---------------------------------------------------------------- phone exports


def phone_sim():
    return simulate_squat_imu(seed=3, amplitude_deg=30, n_reps=REPS, rep_s=REP_S, standing_s=STAND_S)


def sensorlogger_tables(platform: str) -> dict[str, str]:
    sim = phone_sim()
    t = sim.time_s

    def table(xyz, offset=0.0):
        ns = ((t + offset) * 1e9).astype(np.int64) + 1_700_000_000_000_000_000
        return pd.DataFrame(
            {"time": ns, "seconds_elapsed": t + offset, "z": xyz[:, 2], "y": xyz[:, 1], "x": xyz[:, 0]}
        ).to_csv(index=False)

    tables = {"Gyroscope.csv": table(sim.gyr)}
    if platform == "android":
        tables["TotalAcceleration.csv"] = table(sim.acc, offset=0.003)
    else:  # iOS: gravity removed, and both with the opposite sign
        gravity = sim.acc.copy()
        gravity[:] = np.mean(sim.acc[:100], axis=0)
        tables["Accelerometer.csv"] = table(-(sim.acc - gravity), offset=0.002)
        tables["Gravity.csv"] = table(-gravity, offset=0.002)
    tables["metadata.csv"] = f"version,device name,recording time,platform\n3,phone,2025-01-01,{platform}\n"
    return tables


def check_phone(trial):
    idx = np.searchsorted(trial.time_s, bottoms())
    assert np.allclose(trial.channels[cv.PELVIS_TILT_ABS].values[idx], 30, atol=4)
    assert trial.channels[cv.KNEE_FLEXION].is_absent


def test_sensorlogger_folder_android(tmp_path):
    for name, text in sensorlogger_tables("android").items():
        (tmp_path / name).write_text(text)
    trial = read_imu(tmp_path)
    assert trial.source.details["layout"] == "sensorlogger" and trial.source.details["platform"] == "android"
    check_phone(trial)


def test_sensorlogger_zip_ios(tmp_path):
    z = tmp_path / "recording.zip"
    with zipfile.ZipFile(z, "w") as f:
        for name, text in sensorlogger_tables("ios").items():
            f.writestr(f"rec/{name}", text)
    trial = read_imu(z)
    assert trial.source.details["platform"] == "ios"
    check_phone(trial)


def test_phyphox_semicolon_decimal_comma(tmp_path):
    sim = phone_sim()
    acc = pd.DataFrame(
        {"Time (s)": sim.time_s, **{f"Acceleration {a} (m/s^2)": sim.acc[:, i] for i, a in enumerate("xyz")}}
    )
    gyr = pd.DataFrame(
        {"Time (s)": sim.time_s + 0.001, **{f"Gyroscope {a} (rad/s)": sim.gyr[:, i] for i, a in enumerate("xyz")}}
    )
    acc.to_csv(tmp_path / "Accelerometer.csv", sep=";", decimal=",", index=False)
    gyr.to_csv(tmp_path / "Gyroscope.csv", sep=";", decimal=",", index=False)
    trial = read_imu(tmp_path)
    assert trial.source.details["layout"] == "phyphox"
    check_phone(trial)


def test_phone_export_without_gyroscope(tmp_path):
    sim = phone_sim()
    pd.DataFrame(
        {"Time (s)": sim.time_s, **{f"Acceleration {a} (m/s^2)": sim.acc[:, i] for i, a in enumerate("xyz")}}
    ).to_csv(tmp_path / "Raw Data.csv", index=False)
    with pytest.raises(InputError, match="no gyroscope"):
        read_imu(tmp_path)


# ---------------------------------------------------------------- real recordings


def rep_table(name: str):
    trial = read_imu(IMU_DIR / f"{name}.csv", imu_sensors=ROLES)
    raw = pd.read_csv(IMU_DIR / f"{name}.csv", usecols=["millis"])
    row_time = (raw["millis"] - raw["millis"].iloc[0]).to_numpy() / 1000.0
    windows = json.loads((IMU_DIR / f"{name}_windows.json").read_text())["windows"]
    knee = trial.channels[cv.KNEE_FLEXION].values
    pelvis = trial.channels[cv.PELVIS_TILT_ABS].values
    span = np.nanpercentile(knee, 99) - np.nanpercentile(knee, 1)
    reps = []
    for start, bottom in descents(knee, trial.source.fps, min_prominence=0.4 * span):
        peak = start + int(np.nanargmax(pelvis[start : bottom + 1]))
        reps.append(
            {
                "bottom_s": trial.time_s[bottom],
                "max_anterior": pelvis[peak],
                "at_bottom": pelvis[bottom],
                "posterior_range": pelvis[bottom] - pelvis[peak],
            }
        )
    # The windows count samples (rows) of the file; their times are the rows' clock times.
    bounds = [(row_time[w["start_sample"]], row_time[min(w["end_sample"], len(row_time) - 1)]) for w in windows]
    return trial, reps, bounds


@needs_imu
@pytest.mark.parametrize("name", ["class0_subject1_set1", "class2_subject1_set1"])
def test_real_recording_reps_match_the_hand_windows(name):
    trial, reps, bounds = rep_table(name)
    assert len(reps) == len(bounds) == 10
    for rep, (a, b) in zip(reps, bounds, strict=True):
        assert a <= rep["bottom_s"] <= b
    assert all(r["max_anterior"] > 25 for r in reps)  # the pelvis tips forward in every rep
    assert trial.source.details["sensors"]["pelvis"]["planarity"] > 0.85


@needs_imu
def test_real_butt_wink_reps_separate_from_correct_reps():
    _, correct, _ = rep_table("class0_subject1_set1")
    _, wink, _ = rep_table("class2_subject1_set1")
    c = np.array([r["posterior_range"] for r in correct])
    w = np.array([r["posterior_range"] for r in wink])
    assert np.all(c > -6) and np.all(w < -12)
    assert c.min() - w.max() > 8  # every wink rep tucks more than every correct rep, with margin
