"""Over-arching on synthetic curves with known answers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from squatlab import conventions as cv
from squatlab.findings import assess
from squatlab.testing.sets import synthetic_set
from squatlab.trial import Channel


def arches(trial):
    return [r["over_arch"] for r in assess(trial).findings["reps"]]


def test_normal_squat_is_not_over_arched_although_the_pelvis_tips_forward_a_lot():
    trial = synthetic_set(trunk_max_deg=50.0, pelvis_per_trunk=0.9)  # pelvis tips 45 deg forward with the trunk
    for lumbar_available in (True, False):
        omit = () if lumbar_available else (cv.LUMBAR_FLEXION,)
        found = arches(synthetic_set(trunk_max_deg=50.0, pelvis_per_trunk=0.9, omit=omit))
        assert not any(a["detected"] for a in found)
    assert max(trial.channels[cv.PELVIS_TILT].values) > 40


@pytest.mark.parametrize(
    ("omit", "method"),
    [
        ((), "lumbar"),
        ((cv.LUMBAR_FLEXION,), "pelvis_minus_trunk"),
        ((cv.LUMBAR_FLEXION, cv.TRUNK_INCLINATION), "pelvis_setup_only"),
    ],
)
def test_arched_set_up_is_found_by_every_method(omit, method):
    for arch in arches(synthetic_set(arch_deg=12.0, omit=omit)):
        assert arch["detected"] is True
        assert arch["method"] == method
        assert arch["phase"] == "set-up"
        assert arch["magnitude_deg"] == pytest.approx(12.0, abs=1.0)
        assert arch["grade"] == "marked"


def test_arch_growing_through_the_rep_peaks_at_the_bottom():
    # 30 deg of extra anterior tilt outweighs the 16 deg of normal lumbar flexion at depth:
    # 14 deg of extension beyond standing at the bottom, none at the set-up.
    for omit in ((), (cv.LUMBAR_FLEXION,)):
        for arch in arches(synthetic_set(arch_deg=30.0, arch_through=True, omit=omit)):
            assert arch["detected"] is True
            assert arch["phase"] == "bottom"
            assert arch["magnitude_deg"] == pytest.approx(14.0, abs=1.5)
            assert abs(arch["setup_extension_deg"]) < 1.0


def test_pelvis_only_source_cannot_judge_through_the_rep_and_says_so():
    found = arches(synthetic_set(arch_deg=30.0, arch_through=True, omit=(cv.LUMBAR_FLEXION, cv.TRUNK_INCLINATION)))
    for arch in found:
        assert arch["detected"] is False
        assert arch["through_rep_judged"] is False
        assert "could not be judged" in arch["explanation"]


def test_moderate_arch_grade():
    found = arches(synthetic_set(arch_deg=8.0, lumbar_error_deg=1.0))
    assert {a["grade"] for a in found} == {"moderate"}


def test_no_channels_for_the_back_gives_null_with_reasons():
    trial = assess(synthetic_set(omit=(cv.LUMBAR_FLEXION, cv.PELVIS_TILT)))
    for rep in trial.findings["reps"]:
        assert rep["over_arch"] is None
        # One cause, said once for both channels.
        assert "lumbar flexion and pelvis tilt could not be measured (" in rep["over_arch_reason"]
        assert rep["over_arch_reason"].count("could not be measured") == 1
        assert rep["rhythm"] == "not_judged"
    assert trial.findings["set"]["summary"].startswith("None of the 5 reps could be judged")


def test_pelvis_only_set_up_is_not_judged_when_the_tilt_is_beyond_any_arch():
    # 25 deg forward at a standing set-up is more than arching can do (about 11 deg): a lean.
    trial = assess(synthetic_set(arch_deg=25.0, omit=(cv.LUMBAR_FLEXION, cv.TRUNK_INCLINATION)))
    for rep in trial.findings["reps"]:
        assert rep["over_arch"] is None
        assert "more than arching alone can" in rep["over_arch_reason"]


def test_pelvis_only_set_up_is_not_judged_when_the_knees_are_already_bent():
    trial = synthetic_set(arch_deg=12.0, omit=(cv.LUMBAR_FLEXION, cv.TRUNK_INCLINATION))
    knee = trial.channels[cv.KNEE_FLEXION].values + 30.0  # never standing tall
    found = assess(trial.with_channels(**{cv.KNEE_FLEXION: Channel.measured(knee)})).findings["reps"]
    assert all(r["over_arch"] is None and "knees were already bent 30 deg" in r["over_arch_reason"] for r in found)


def test_pelvis_only_set_up_is_not_judged_when_the_standing_reference_has_drifted():
    # Between reps the knees read 20 deg straighter than standing: the sensors have drifted
    # from the standing reference, so forward pelvis tilt there is not an arch (waist IMUs).
    trial = synthetic_set(arch_deg=12.0, omit=(cv.LUMBAR_FLEXION, cv.TRUNK_INCLINATION))
    knee = trial.channels[cv.KNEE_FLEXION].values.copy()
    first = trial.reps[0]
    knee[first.end_frame :] -= 20.0 * (knee[first.end_frame :] < 10.0)
    found = assess(trial.with_channels(**{cv.KNEE_FLEXION: Channel.measured(knee)})).findings["reps"]
    assert found[0]["over_arch"] is not None and found[0]["over_arch"]["detected"]
    assert all(
        r["over_arch"] is None and "straighter than in the standing reference" in r["over_arch_reason"]
        for r in found[1:]
    )


def test_back_channels_missing_for_different_reasons_give_each_reason():
    trial = synthetic_set(omit=(cv.LUMBAR_FLEXION, cv.PELVIS_TILT))
    lumbar = trial.channels[cv.LUMBAR_FLEXION]
    channels = {**trial.channels, cv.LUMBAR_FLEXION: replace(lumbar, absent_reason="loose clothing")}
    reason = assess(replace(trial, channels=channels)).findings["reps"][0]["over_arch_reason"]
    assert "lumbar flexion could not be measured (loose clothing)" in reason
    assert "pelvis tilt could not be measured (" in reason
