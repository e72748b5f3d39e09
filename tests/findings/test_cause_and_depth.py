"""Likely cause (ankle vs hip) and the safe depth, on synthetic sets."""

from __future__ import annotations

import numpy as np
import pytest

from squatlab import conventions as cv
from squatlab.findings import assess
from squatlab.testing.sets import synthetic_set
from squatlab.trial import Channel


def cause_of(trial):
    return assess(trial).findings["set"]["cause"]


def test_ankle_limited_pattern():
    cause = cause_of(synthetic_set(wink_deg=15.0, limit="ankle", depth_jitter=0.08, seed=3))
    assert cause["label"] == "ankle"
    assert all(r["pattern"] == "ankle" for r in cause["per_rep"])
    assert all(r["shin_stop_before_onset_s"] > 0.05 for r in cause["per_rep"])
    assert cause["checks"][0]["name"].startswith("Knee-to-wall")
    assert "not firmly established" in cause["checks"][0]["what_it_means"]
    assert any("heel elevation" in step for step in cause["next_steps"])


def test_hip_limited_pattern():
    trial = synthetic_set(wink_deg=15.0, limit="hip", wink_onset_hip_deg=85.0, depth_jitter=0.08, seed=3)
    cause = cause_of(trial)
    assert cause["label"] == "hip"
    # The shallowest rep reaches 85 deg of hip flexion near its bottom: little shin travel is left.
    assert [r["pattern"] for r in cause["per_rep"]].count("hip") >= 4
    assert cause["onset_hip_flexion_sd_deg"] < 8.0
    assert cause["checks"][0]["name"].startswith("Quadruped rock-back")
    assert "consistent hip flexion" in cause["reason"]


def test_hip_pattern_with_scattered_onsets_is_undetermined():
    trial = synthetic_set(wink_deg=15.0, limit="hip", depth_jitter=0.15, seed=3)
    cause = cause_of(trial)
    assert cause["onset_hip_flexion_sd_deg"] > 8.0
    assert cause["label"] == "undetermined"
    assert "varied" in cause["reason"]


def test_ankle_and_hip_are_told_apart_on_noisy_data():
    labels = {"ankle": [], "hip": []}
    for seed in range(20):
        for limit, found in labels.items():
            trial = synthetic_set(
                wink_deg=18.0, limit=limit, wink_onset_hip_deg=85.0, noise=True, angle_noise_deg=1.0, seed=seed
            )
            found.append(cause_of(trial)["label"])
    assert labels["ankle"].count("hip") == 0 and labels["hip"].count("ankle") == 0
    assert labels["ankle"].count("ankle") >= 16
    assert labels["hip"].count("hip") >= 16


def test_disagreeing_reps_are_undetermined():
    hip = synthetic_set(wink_deg=15.0, limit="hip")
    ankle = synthetic_set(wink_deg=15.0, limit="ankle")
    shin = hip.channels[cv.SHIN_ANGLE].values.copy()
    for rep in hip.reps[:3]:
        shin[rep.start_frame : rep.end_frame + 1] = ankle.channels[cv.SHIN_ANGLE].values[
            rep.start_frame : rep.end_frame + 1
        ]
    cause = cause_of(hip.with_channels(**{cv.SHIN_ANGLE: Channel.measured(shin)}))
    assert [r["pattern"] for r in cause["per_rep"]] == ["ankle", "ankle", "ankle", "hip", "hip"]
    assert cause["label"] == "undetermined"
    assert "the reps disagree" in cause["reason"]


def test_no_shin_channel_is_undetermined_and_says_why():
    cause = cause_of(synthetic_set(wink_deg=15.0, omit=(cv.SHIN_ANGLE,)))
    assert cause["label"] == "undetermined"
    assert "needs the shin angle" in cause["reason"]
    assert len(cause["checks"]) == 2


def test_one_rep_is_not_a_pattern():
    cause = cause_of(synthetic_set(n_reps=1, wink_deg=15.0, limit="ankle"))
    assert cause["label"] == "undetermined"
    assert "only 1 rep" in cause["reason"]


def test_safe_depth_sits_just_above_the_earliest_onset():
    trial = synthetic_set(wink_deg=15.0, limit="hip", depth_jitter=0.1, seed=5)
    found = assess(trial).findings
    onsets = {r["index"]: r["butt_wink"]["onset"] for r in found["reps"]}
    earliest = min(onsets, key=lambda i: onsets[i][cv.HIP_DEPTH])
    safe = found["set"]["safe_depth"]
    assert safe["from_rep"] == earliest
    assert safe["hip_depth_thigh"] == pytest.approx(onsets[earliest][cv.HIP_DEPTH] - 0.1, abs=1e-3)
    assert safe["hip_flexion_deg"] == pytest.approx(min(o[cv.HIP_FLEXION] for o in onsets.values()) - 5.0, abs=0.1)
    truth = min(t["onset_hip_depth_thigh"] for t in trial.source.details["truth"])
    assert safe["hip_depth_thigh"] < truth  # above (shallower than) the true earliest onset
    assert "box" in safe["text"] and "not a rule" in safe["text"]


def test_safe_depth_from_hip_flexion_when_hip_depth_is_not_measured():
    found = assess(synthetic_set(wink_deg=15.0, omit=(cv.HIP_DEPTH,))).findings["set"]
    assert found["safe_depth"]["hip_depth_thigh"] is None
    assert found["safe_depth"]["hip_flexion_deg"] is not None
    assert "deg of hip flexion" in found["safe_depth"]["text"]


def test_marked_wink_summary_gives_onset_cause_checks_and_depth():
    summary = assess(synthetic_set(wink_deg=24.0, limit="ankle")).findings["set"]["summary"]
    assert "marked at most" in summary
    assert "It began earliest with the hip" in summary
    assert "The likely limit is the ankle" in summary
    assert "knee-to-wall test" in summary and "rock-back test" in summary
    assert "Suggestion: squat to" in summary
    assert "theoretical risk" in summary
    assert "does not diagnose" in summary


def test_cause_evidence_is_in_plain_sentences():
    cause = cause_of(synthetic_set(wink_deg=15.0, limit="ankle"))
    assert len(cause["evidence"]) == 6  # one per rep plus the onset consistency
    assert cause["evidence"][0].startswith("Rep 1: the shin had stopped moving forward")
    assert np.all([isinstance(line, str) for line in cause["evidence"]])
