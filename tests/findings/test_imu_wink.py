"""The wearable butt-wink detector on simulated pelvis, thigh and shank sensors (known answers)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from squatlab import conventions as cv
from squatlab.findings import imu_features as feat
from squatlab.findings.imu_wink import (
    FINDINGS_KEY,
    Logistic,
    WinkModel,
    delta_names,
    explanation,
    judge_reps,
    load_model,
)
from squatlab.io.imu import read_imu
from squatlab.kinematics.imu import rep_rotation
from squatlab.pipeline import analyze_lab
from squatlab.settings import ImuSettings
from squatlab.testing.imu import simulate_squat_imu

ROLES = {"pelvis": "s0", "thigh": "s1", "shank": "s2"}
REPS, REP_S, STAND_S = 5, 3.0, 2.0


def sensors(*, pelvis: float, thigh: float, shank: float, wink: float = 0.0, thigh_gain=(1.0, 1.0, 1.0)):
    kw = {"n_reps": REPS, "rep_s": REP_S, "standing_s": STAND_S}
    sims = {
        "s0": simulate_squat_imu(seed=0, amplitude_deg=pelvis, wink_deg=wink, **kw),
        "s1": simulate_squat_imu(seed=1, amplitude_deg=thigh, lever_m=0.25, **kw),
        "s2": simulate_squat_imu(seed=2, amplitude_deg=shank, lever_m=0.2, drop_m=0.0, **kw),
    }
    cols = {"time": sims["s0"].time_s}
    for name, s in sims.items():
        gain = np.asarray(thigh_gain) if name == "s1" else np.ones(3)
        for i, ax in enumerate("xyz"):
            cols[f"{name}_a{ax}"] = s.acc[:, i] * gain[i]
        for i, ax in enumerate("xyz"):
            cols[f"{name}_g{ax}"] = s.gyr[:, i]
    return pd.DataFrame(cols), sims


def write(tmp_path, name, **kw):
    frame, sims = sensors(**kw)
    path = tmp_path / f"{name}.csv"
    frame.to_csv(path, index=False)
    return path, sims


def wink_rows(trial):
    return [r["butt_wink"] for r in trial.findings["reps"]]


def test_rep_rotation_follows_the_segment_when_the_accelerometer_gains_are_unequal(tmp_path):
    # The shared thigh sensor reads ~1.2 and ~1.5 times gravity along two axes: the fused angle is
    # warped by how it is mounted; the gyroscope, integrated within the rep, is not.
    path, sims = write(tmp_path, "gains", pelvis=30, thigh=95, shank=30, thigh_gain=(1.16, 1.5, 1.0))
    trial = read_imu(path, imu_sensors=ROLES)
    truth = np.interp(trial.time_s, sims["s1"].time_s, sims["s1"].angle_deg)
    fused = trial.extras[cv.imu_rotation_key("thigh")]
    rate = trial.extras[cv.imu_rate_key("thigh")]
    errors_rep, errors_fused = [], []
    for k in range(REPS):
        start = int(np.searchsorted(trial.time_s, STAND_S + k * REP_S))
        end = int(np.searchsorted(trial.time_s, STAND_S + (k + 1) * REP_S)) - 1
        rot = rep_rotation(rate, fused, start, end, trial.source.fps)
        want = truth[start : end + 1] - truth[start]
        errors_rep.append(np.abs(rot - want).max())
        errors_fused.append(np.abs(fused[start : end + 1] - fused[start] - want).max())
    assert max(errors_rep) < 3.0  # the first rep carries what the filter had not yet learned of the gyro bias
    assert np.median(errors_rep) < 0.5 * np.median(errors_fused)


def test_measures_of_simulated_squats():
    knee = np.linspace(0, 100, 101)
    m = feat.measures_from_rotations(0.3 * knee, 0.7 * knee, 0.3 * knee, 100, late_knee_deg=30, share_min_knee_deg=30)
    assert m.knee_flexion_descent_deg == pytest.approx(100)
    assert m.pelvis_share == pytest.approx(0.3)
    assert m.hip_knee_slope == pytest.approx(1.0)  # thigh 0.7 + pelvis 0.3 per knee degree
    shallow = feat.measures_from_rotations(
        0.3 * knee[:11], 0.7 * knee[:11], 0.3 * knee[:11], 10, late_knee_deg=30, share_min_knee_deg=30
    )
    assert shallow.pelvis_share == pytest.approx(3.0 / 30.0)  # floored denominator: no blow-up


def moved(trial, start_s: float, end_s: float, bottom_s: float = 0.0):
    """The trial with every rep's start, end and bottom frames moved (as another rep finder might put them)."""
    step = lambda s: round(s * trial.source.fps)  # noqa: E731
    reps = tuple(
        replace(
            r,
            start_frame=max(r.start_frame + step(start_s), 0),
            end_frame=min(r.end_frame + step(end_s), trial.n_frames - 1),
            bottom_frame=r.bottom_frame + step(bottom_s),
        )
        for r in trial.reps
    )
    return replace(trial, reps=reps)


def test_knee_events_are_the_reps_own():
    # Standing, a rep to 110 deg with a pause at the bottom, a turn that overshoots standing, a second rep.
    knee = np.r_[np.zeros(100), np.linspace(0, 110, 111), np.full(30, 110.0), np.linspace(110, -8, 119),
                 np.linspace(-8, 100, 109), np.linspace(100, 0, 101), np.zeros(100)]  # fmt: skip
    first = feat.knee_events(knee, 250, 0, 400, onset_knee_deg=12)
    assert first.bottom in range(210, 241) and knee[first.bottom] == 110
    assert knee[first.start] <= 12 < knee[first.start + 1]  # 12 deg past standing
    assert knee[first.end] <= -8 + 12 < knee[first.end - 1]  # 12 deg short of the overshooting turn
    assert first.top_after == 359 and knee[first.top_after] == -8
    second = feat.knee_events(knee, 470, 240, knee.size - 1, onset_knee_deg=12)
    assert second.top_before == first.top_after and knee[second.start] <= 4 < knee[second.start + 1]


@pytest.mark.parametrize(("start_s", "end_s", "bottom_s"), [(-0.3, 0.3, 0.0), (0.3, -0.3, 0.0), (0.2, 0.2, 0.15)])
def test_the_calls_do_not_depend_on_where_the_rep_finder_puts_a_rep(tmp_path, start_s, end_s, bottom_s):
    # The measures are taken between events of the rep's own knee flexion: a rep finder that puts
    # a rep's start and end a few tenths of a second elsewhere (as a new one did) changes nothing.
    path, _ = write(tmp_path, "wink", pelvis=25, thigh=100, shank=25, wink=15)
    trial = analyze_lab(path, imu_sensors=ROLES)
    settings = ImuSettings()
    here = judge_reps(trial, settings).findings[FINDINGS_KEY]["reps"]
    there = judge_reps(moved(trial, start_s, end_s, bottom_s), settings).findings[FINDINGS_KEY]["reps"]
    assert len(here) == REPS and all(row["scored"] for row in here.values())
    assert here == there


def test_the_shipped_model_loads_and_round_trips():
    model = load_model()
    assert model.alone.features == feat.MODEL_MEASURES
    assert model.with_reference.features == (*feat.MODEL_MEASURES, *delta_names())
    again = WinkModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert np.allclose(again.alone.weights, model.alone.weights)
    assert model.provenance["files"] and model.provenance["subjects"] >= 3
    # Deeper squats with the hip stalling read as more wink-like.
    p = model.alone.probability
    base, deeper, stalled = (np.array(v) for v in ([90, 0.25, 1.0], [115, 0.25, 1.0], [90, 0.25, 0.7]))
    assert p(deeper) > p(base)
    assert p(stalled) > p(base)
    # Against the lifter's own normal, a pelvis tipping further forward than usual reads as less
    # wink-like (without a reference the pelvis share carries almost no weight: docs/validation.md).
    against_normal = lambda v: model.with_reference.probability(np.r_[v, v - base])  # noqa: E731
    leaning = np.array([90, 0.45, 1.0])
    assert against_normal(leaning) < against_normal(base) < against_normal(deeper)


def test_a_model_for_other_measures_is_refused():
    data = load_model().to_dict()
    data["alone"]["features"] = ["something", "else", "entirely"]
    with pytest.raises(ValueError, match="refit"):
        WinkModel.from_dict(data)
    # A model for the measures taken from the rep finder's start and end (schema 1) is not read.
    older = {**load_model().to_dict(), "schema": "squatlab.imu_wink_model/1"}
    with pytest.raises(ValueError, match="imu_wink_model/2"):
        WinkModel.from_dict(older)
    with pytest.raises(ValueError, match="inconsistent"):
        Logistic.from_dict({"features": ["a"], "mean": [0, 1], "scale": [1], "weights": [1], "intercept": 0})


def test_a_visible_tuck_is_called_by_the_pelvis_and_confirmed_by_the_pattern(tmp_path):
    path, _ = write(tmp_path, "wink", pelvis=25, thigh=100, shank=25, wink=15)
    trial = analyze_lab(path, imu_sensors=ROLES)
    rows = wink_rows(trial)
    assert len(rows) == REPS
    for w in rows:
        assert w["detected"] and w["imu_pattern"]["pelvis_range_called"]
        assert 7 <= w["magnitude_deg"] <= 16  # a 15 deg tuck lasting 0.5 s, read on the 0.2 s smoothed channel
        assert "tucked under" in w["explanation"] and "Confidence in this call" in w["explanation"]
    assert any(n.code == "imu_wink_model" for n in trial.notices)


def test_a_normal_squat_is_not_called(tmp_path):
    path, _ = write(tmp_path, "normal", pelvis=20, thigh=65, shank=25)
    trial = analyze_lab(path, imu_sensors=ROLES)
    for w in wink_rows(trial):
        assert not w["detected"]
        assert w["imu_pattern"]["probability"] < 0.5
        assert "no butt wink" in w["explanation"]


def test_a_deep_squat_with_a_stalled_pelvis_is_at_most_a_small_wink(tmp_path):
    # Deep (knee 125 deg) with the pelvis following the thigh only a little: the pattern calls a
    # wink though the pelvis channel shows no tuck; the report must not alarm.
    path, _ = write(tmp_path, "pattern", pelvis=12, thigh=100, shank=25)
    trial = analyze_lab(path, imu_sensors=ROLES)
    rows = wink_rows(trial)
    for w in rows:
        assert w["detected"] and not w["imu_pattern"]["pelvis_range_called"]
        assert w["grade"] == "mild"
        assert w["confidence"] <= ImuSettings().wink_pattern_only_max_confidence
        assert w["confidence_label"] != "high"
        assert "small wink at most" in w["explanation"]
    summary = trial.findings["set"]["summary"]
    assert "pattern of a small butt wink" in summary and "normal" in summary


def test_reference_set_is_used_and_reported(tmp_path):
    path, _ = write(tmp_path, "set", pelvis=25, thigh=100, shank=25, wink=15)
    reference, _ = write(tmp_path, "good", pelvis=20, thigh=65, shank=25)
    trial = analyze_lab(path, imu_sensors=ROLES, reference=reference)
    info = trial.findings[FINDINGS_KEY]
    assert info["reference"]["reps"] == REPS
    # Knee flexion gained in the descent: from where the knee has flexed 12 deg past standing (90 deg deep).
    assert 70 <= info["reference"]["measures"]["knee_flexion_descent_deg"] <= 85
    w = wink_rows(trial)[0]
    assert w["imu_pattern"]["reference_used"]
    assert w["imu_pattern"]["vs_reference"]["knee_flexion_descent_deg_vs_reference"] == pytest.approx(30, abs=6)
    assert "against your reference set" in w["explanation"]
    assert "reference set" in next(n.message for n in trial.notices if n.code == "imu_wink_model")


def test_a_reference_without_enough_reps_is_not_used(tmp_path):
    path, _ = write(tmp_path, "set", pelvis=25, thigh=100, shank=25, wink=15)
    frame, _ = sensors(pelvis=20, thigh=65, shank=25)
    reference = tmp_path / "short.csv"
    frame[frame["time"] < STAND_S + REP_S + 1.0].to_csv(reference, index=False)  # standing and one rep
    trial = analyze_lab(path, imu_sensors=ROLES, reference=reference)
    assert "imu_reference_unused" in {n.code for n in trial.notices}
    assert not wink_rows(trial)[0]["imu_pattern"]["reference_used"]


def test_without_leg_sensors_the_pelvis_rule_stands_alone(tmp_path):
    path, _ = write(tmp_path, "pelvis", pelvis=25, thigh=100, shank=25, wink=15)
    trial = analyze_lab(path, imu_sensors={"pelvis": "s0", "thigh": "s1"})
    assert FINDINGS_KEY not in trial.findings
    assert all("imu_pattern" not in w for w in wink_rows(trial))


def test_explanation_says_how_small():
    f = {
        "detected": True,
        "grade": "mild",
        "magnitude_deg": 2.5,
        "threshold_deg": 8.5,
        "confidence": 0.6,
        "confidence_label": "medium",
        "imu_pattern": {
            "probability": 0.8,
            "called": True,
            "pelvis_range_called": False,
            "reference_used": False,
            "measures": {
                "knee_flexion_descent_deg": 118,
                "hip_knee_slope": 0.7,
                "pelvis_descent_deg": 20,
                "pelvis_share": 0.17,
            },
        },
    }
    text = explanation(f)
    assert "2.5 deg" in text and "small wink at most" in text and "normal" in text and "medium" in text


def test_cli_reference_is_for_imu_only(tmp_path):
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    reference, _ = write(tmp_path, "good", pelvis=20, thigh=65, shank=25)
    run = subprocess.run(
        [sys.executable, "-m", "squatlab", "analyze", str(video), "--reference", str(reference),
         "--out", str(tmp_path / "o")],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 2
    assert "--reference is for IMU recordings" in run.stderr


def test_a_rep_broken_by_a_gap_keeps_the_pelvis_call_and_says_why(tmp_path):
    frame, _ = sensors(pelvis=25, thigh=100, shank=25, wink=15)
    bottom = STAND_S + 1.5 * REP_S  # the second rep's bottom
    gappy = frame[(frame["time"] < bottom - 0.4) | (frame["time"] > bottom + 0.4)]  # 0.8 s without samples
    path = tmp_path / "gap.csv"
    gappy.to_csv(path, index=False)
    trial = analyze_lab(path, imu_sensors=ROLES)
    assert "imu_gap" in {n.code for n in trial.notices}
    rows = trial.findings["reps"]
    # The rep the gap cuts is not scored by the pattern (its reason names the gap), or, when the
    # gap takes its bottom, not judged at all, saying the pelvis was not measured there.
    broken = [r for r in rows if r["butt_wink"] is None or not r["butt_wink"]["imu_pattern"]["scored"]]
    assert broken
    for r in broken:
        reason = r["butt_wink_reason"] if r["butt_wink"] is None else r["butt_wink"]["imu_pattern"]["reason"]
        assert "gap" in reason or "not measured" in reason, reason
    patterns = [w["imu_pattern"] for w in wink_rows(trial) if w is not None]
    assert sum(p["scored"] for p in patterns) >= REPS - 2
