"""Butt wink on synthetic curves with known answers."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from squatlab import conventions as cv
from squatlab.findings import assess
from squatlab.findings.wink import posterior_tilt
from squatlab.settings import FindingSettings, Settings
from squatlab.testing.sets import synthetic_set
from squatlab.trial import Channel


def winks(trial):
    return [r["butt_wink"] for r in assess(trial).findings["reps"]]


def test_posterior_tilt_known_answer():
    curve = np.r_[np.linspace(0, 20, 11), np.linspace(20, 5, 11)[1:]]
    shape = posterior_tilt(curve, start=0, bottom=20, onset_drop_frac=0.1)
    assert shape.peak == 10
    assert shape.onset == 10
    assert shape.magnitude_deg == pytest.approx(15.0)


def test_onset_is_the_end_of_a_noisy_plateau_not_its_highest_frame():
    rng = np.random.default_rng(1)
    rise, plateau, fall = np.linspace(0, 20, 20), 20 + 0.3 * rng.standard_normal(30), np.linspace(20, 5, 15)
    curve = np.r_[rise, plateau, fall]
    shape = posterior_tilt(curve, start=0, bottom=curve.size - 1, onset_drop_frac=0.1)
    # Wherever the noise put the highest plateau frame, the onset is where the fall begins.
    assert 45 <= shape.onset <= 51
    assert shape.magnitude_deg == pytest.approx(curve.max() - 5, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(arrays(float, st.integers(3, 60), elements=st.floats(-40, 60)))
def test_posterior_tilt_invariants(curve):
    shape = posterior_tilt(curve, start=0, bottom=curve.size - 1, onset_drop_frac=0.1)
    assert shape.magnitude_deg >= 0
    assert shape.peak <= shape.onset <= shape.bottom
    assert shape.peak_deg == curve.max()


def test_no_wink_gives_none_and_normal_rhythm():
    found = assess(synthetic_set(wink_deg=0.0)).findings
    for rep in found["reps"]:
        assert rep["butt_wink"]["detected"] is False
        assert rep["butt_wink"]["grade"] == "none"
        assert rep["butt_wink"]["onset"] is None
        assert rep["rhythm"] == "normal"
    assert found["set"]["cause"]["label"] == "none"
    assert found["set"]["safe_depth"] is None


def test_late_15_deg_wink_is_detected_with_its_onset():
    trial = synthetic_set(wink_deg=15.0)
    for wink, truth in zip(winks(trial), trial.source.details["truth"], strict=True):
        assert wink["detected"] is True
        assert wink["grade"] == "moderate"
        assert wink["magnitude_deg"] == pytest.approx(15.0, abs=1.5)  # smoothing rounds the corner
        assert wink["posterior_tilt_range_deg"] == -wink["magnitude_deg"]
        assert wink["onset_s"] == pytest.approx(truth["onset_s"], abs=0.05)
        assert wink["onset"][cv.HIP_FLEXION] == pytest.approx(truth["onset_hip_flexion_deg"], abs=5.0)
        assert wink["onset"][cv.HIP_DEPTH] == pytest.approx(truth["onset_hip_depth_thigh"], abs=0.1)
        assert wink["lumbar_flexion_change_deg"] > 10  # the low back rounds with the pelvis
        assert wink["confidence"] >= 0.7


def test_wink_onset_holds_under_sensor_noise():
    errors_s, errors_hip, detected = [], [], 0
    for seed in range(40):
        trial = synthetic_set(wink_deg=15.0, noise=True, angle_noise_deg=1.0, seed=seed)
        for wink, truth in zip(winks(trial), trial.source.details["truth"], strict=True):
            if wink["detected"]:
                detected += 1
                errors_s.append(abs(wink["onset_s"] - truth["onset_s"]))
                errors_hip.append(abs(wink["onset"][cv.HIP_FLEXION] - truth["onset_hip_flexion_deg"]))
    assert detected >= 0.97 * 200
    assert np.median(errors_s) <= 0.06
    assert np.percentile(errors_s, 90) <= 0.12
    assert np.median(errors_hip) <= 6.0


@pytest.mark.parametrize(("size", "grade"), [(7.5, "mild"), (15.0, "moderate"), (26.0, "marked")])
def test_grades_follow_the_magnitude(size, grade):
    trial = synthetic_set(wink_deg=size, pelvis_error_deg=1.0)
    assert {w["grade"] for w in winks(trial)} == {grade}


def test_threshold_rises_with_the_sources_error():
    precise = winks(synthetic_set(wink_deg=10.0, pelvis_error_deg=1.0))
    rough = winks(synthetic_set(wink_deg=10.0, pelvis_error_deg=5.0))
    assert all(w["detected"] for w in precise)
    assert not any(w["detected"] for w in rough)
    assert rough[0]["threshold_deg"] == pytest.approx(2 * np.hypot(3, 5), abs=0.1)
    assert "cannot tell changes under 11.7 deg" in rough[0]["explanation"]


def test_a_sources_own_wink_error_sets_the_wink_threshold():
    """A wink is a change within one rep; where the source measured that error apart, it counts."""
    rough = synthetic_set(wink_deg=11.0, pelvis_error_deg=5.0)
    own = dataclasses.replace(rough, source=dataclasses.replace(rough.source, wink_error_deg=2.0))
    assert not any(w["detected"] for w in winks(rough))
    found = winks(own)
    assert all(w["detected"] for w in found)
    assert found[0]["threshold_deg"] == pytest.approx(2 * np.hypot(3, 2), abs=0.1)
    assert found[0]["evidence"]["values"]["wink_error_deg"] == 2.0
    assert found[0]["evidence"]["values"]["pelvis_error_deg"] == 5.0


def test_settings_are_used():
    strict = FindingSettings(noise_k=4.0)
    trial = synthetic_set(wink_deg=15.0, pelvis_error_deg=2.0)
    assert not any(r["butt_wink"]["detected"] for r in assess(trial, strict).findings["reps"])
    assert all(r["butt_wink"]["detected"] for r in assess(trial, Settings()).findings["reps"])


def test_absent_pelvis_gives_null_with_reason_and_a_notice():
    trial = assess(synthetic_set(wink_deg=15.0, omit=(cv.PELVIS_TILT,)))
    for rep in trial.findings["reps"]:
        assert rep["butt_wink"] is None
        assert "pelvis tilt could not be measured" in rep["butt_wink_reason"]
    assert any(n.code == "findings.butt_wink_not_judged" for n in trial.notices)
    assert "Butt wink was not judged in reps 1, 2, 3, 4, 5" in trial.findings["set"]["summary"]


def test_unmeasurable_rep_gets_null_findings_with_its_reason():
    trial = synthetic_set(wink_deg=15.0)
    reps = list(trial.reps)
    reps[1] = dataclasses.replace(reps[1], measurable=False, reason="lifter out of frame")
    found = assess(dataclasses.replace(trial, reps=tuple(reps))).findings["reps"][1]
    assert found["butt_wink"] is None and found["over_arch"] is None
    assert "lifter out of frame" in found["butt_wink_reason"]
    assert found["rhythm"] == "not_judged"
    summary = assess(dataclasses.replace(trial, reps=tuple(reps))).findings["set"]["summary"]
    assert "Rep 2 could not be judged: the rep could not be measured: lifter out of frame." in summary


def test_mostly_unmeasured_descent_is_not_judged():
    trial = synthetic_set(wink_deg=15.0)
    pelvis = trial.channels[cv.PELVIS_TILT].values.copy()
    rep = trial.reps[0]
    pelvis[rep.start_frame : rep.bottom_frame - 5] = np.nan
    trial = trial.with_channels(**{cv.PELVIS_TILT: Channel.measured(pelvis)})
    found = assess(trial).findings["reps"]
    assert found[0]["butt_wink"] is None
    assert "in only 13% of the descent" in found[0]["butt_wink_reason"]
    assert found[1]["butt_wink"]["detected"]


def test_low_channel_confidence_lowers_the_confidence():
    sure = winks(synthetic_set(wink_deg=15.0, conf=1.0))[0]["confidence"]
    unsure = winks(synthetic_set(wink_deg=15.0, conf=0.5))[0]["confidence"]
    assert unsure == pytest.approx(sure / 2, abs=0.02)


def test_low_back_that_does_not_round_lowers_the_confidence():
    trial = synthetic_set(wink_deg=15.0)
    flat = Channel.measured(np.zeros(trial.n_frames))
    agreeing = winks(trial)[0]
    disagreeing = winks(trial.with_channels(**{cv.LUMBAR_FLEXION: flat}))[0]
    assert agreeing["lumbar_agrees"] is True and disagreeing["lumbar_agrees"] is False
    assert disagreeing["confidence"] < agreeing["confidence"]
    assert "caution" in disagreeing["explanation"]


def test_input_trial_is_not_modified():
    trial = synthetic_set(wink_deg=15.0)
    assessed = assess(trial)
    assert trial.findings == {} and assessed.findings["reps"]
    assert trial.notices == ()
