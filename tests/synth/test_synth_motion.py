"""The motion model's truth is self-consistent (no rendering, NumPy only)."""

import numpy as np
import pytest

from squatlab import conventions as cv
from squatlab.synth.motion import SquatParams, centre_of_mass_y, squat_motion
from squatlab.synth.truth import posterior_tilt_range, truth_channels

FAST = {"fps": 30.0, "descent_s": 1.0, "bottom_s": 0.2, "ascent_s": 0.8, "pause_s": 0.3}


def motion(**kw):
    return squat_motion(SquatParams(**{**FAST, **kw}))


def bottoms(m):
    return [ev["bottom_frame"] for ev in m.schedule.events]


@pytest.mark.parametrize("pelvis_anterior_deg", [0.0, 12.0, 30.0])
def test_no_wink_means_no_posterior_rotation_from_the_descents_max(pelvis_anterior_deg):
    m = motion(n_reps=3, wink_deg=0.0, pelvis_anterior_deg=pelvis_anterior_deg)
    assert np.all(posterior_tilt_range(m) >= -1e-9)


@pytest.mark.parametrize("wink", [5.0, 10.0, 18.0, 25.0])
@pytest.mark.parametrize("onset", [0.5, 0.7, 0.9])
def test_wink_gives_that_posterior_range(wink, onset):
    m = motion(n_reps=2, wink_deg=wink, wink_onset=onset)
    np.testing.assert_allclose(posterior_tilt_range(m), -wink, atol=0.5)


def test_wink_per_rep():
    m = motion(n_reps=3, wink_deg=(0.0, 12.0, 22.0))
    np.testing.assert_allclose(posterior_tilt_range(m), [0.0, -12.0, -22.0], atol=0.5)


def test_lumbar_flexion_takes_up_the_wink_so_the_thorax_keeps_its_path():
    plain, winking = motion(wink_deg=0.0), motion(wink_deg=20.0)
    a, b = truth_channels(plain), truth_channels(winking)
    np.testing.assert_allclose(
        a[cv.PELVIS_TILT] + a[cv.LUMBAR_FLEXION], b[cv.PELVIS_TILT] + b[cv.LUMBAR_FLEXION], atol=1e-9
    )
    for f in bottoms(winking):
        # At the bottom the lumbar spine is flexed by the wink beyond the no-wink path.
        assert b[cv.LUMBAR_FLEXION][f] - a[cv.LUMBAR_FLEXION][f] > 0.5 * 20.0


def test_overarch_is_anterior_tilt_with_matching_extension_from_setup_on():
    m = motion(overarch_deg=15.0, lumbar_rhythm_deg=0.0, pelvis_anterior_deg=0.0)
    ch = truth_channels(m)
    lead = m.schedule.time_s < m.params.lead_in_s
    np.testing.assert_allclose(ch[cv.PELVIS_TILT][lead], 0.0, atol=1e-9)  # the baseline stays neutral
    first_rep_start = m.schedule.events[0]["start_frame"]
    assert ch[cv.PELVIS_TILT][first_rep_start] == pytest.approx(15.0, abs=1e-6)  # set up before the descent
    assert ch[cv.LUMBAR_FLEXION][first_rep_start] == pytest.approx(-15.0, abs=1e-6)
    np.testing.assert_allclose(ch[cv.PELVIS_TILT][m.schedule.rep > 0], 15.0, atol=1e-6)
    np.testing.assert_allclose(ch[cv.PELVIS_TILT] + ch[cv.LUMBAR_FLEXION], 0.0, atol=1e-9)


def test_standing_baseline_is_zero_and_abs_keeps_the_standing_tilt():
    m = motion(standing_tilt_deg=-3.0)
    ch = truth_channels(m)
    lead = m.schedule.time_s < m.params.lead_in_s
    np.testing.assert_allclose(ch[cv.PELVIS_TILT][lead], 0.0, atol=1e-9)
    np.testing.assert_allclose(ch[cv.PELVIS_TILT_ABS][lead], -3.0, atol=1e-9)
    np.testing.assert_allclose(ch[cv.LUMBAR_FLEXION][lead], 0.0, atol=1e-9)


@pytest.mark.parametrize("arms", ["forward", "bar", "hips", "crossed"])
@pytest.mark.parametrize(("stance", "toe_out"), [(1.0, 0.0), (1.6, 15.0), (2.2, 35.0)])
def test_feet_stay_planted_and_legs_keep_their_length(arms, stance, toe_out):
    m = motion(arms=arms, stance_width=stance, toe_out_deg=toe_out, depth=1.0, bar_mass_ratio=0.8)
    sk = m.skeleton
    for side in ("l", "r"):
        for point in ("ankle", "heel", "toe"):
            track = m.points[f"{point}_{side}"]
            assert np.ptp(track, axis=0).max() < 0.01  # within 1 cm
        thigh = np.linalg.norm(m.points[f"knee_{side}"] - m.points[f"hip_{side}"], axis=1)
        shank = np.linalg.norm(m.points[f"ankle_{side}"] - m.points[f"knee_{side}"], axis=1)
        np.testing.assert_allclose(thigh, sk.length(f"hip_{side}", f"knee_{side}"), atol=1e-6)
        np.testing.assert_allclose(shank, sk.length(f"knee_{side}", f"ankle_{side}"), atol=1e-6)
    assert m.points["heel_l"][:, 2].min() > -1e-6  # nothing sinks through the floor


def test_centre_of_mass_stays_over_the_feet():
    m = motion(depth=1.0, arms="bar", bar_mass_ratio=1.0)
    com = centre_of_mass_y(m.points, 1.0)
    assert np.ptp(com) < 1e-3


def test_signs_follow_the_conventions_at_the_bottom():
    m = motion(depth=0.9, pelvis_anterior_deg=15.0, lumbar_rhythm_deg=10.0)
    ch = truth_channels(m)
    for f in bottoms(m):
        assert ch[cv.PELVIS_TILT][f] > 10.0  # anterior with the trunk
        assert ch[cv.LUMBAR_FLEXION][f] > 5.0  # flexion
        assert ch[cv.HIP_FLEXION][f] > 80.0
        assert ch[cv.KNEE_FLEXION][f] > 90.0
        assert ch[cv.SHIN_ANGLE][f] > 15.0  # knee ahead of the ankle
        assert ch[cv.TRUNK_INCLINATION][f] > 10.0  # leaning forward
        # The knee is ahead of the ankle in the body's forward direction (-y).
        assert m.points["knee_l"][f, 1] < m.points["ankle_l"][f, 1]
    stand = 0
    assert abs(ch[cv.KNEE_FLEXION][stand]) < 10.0
    assert abs(ch[cv.TRUNK_INCLINATION][stand]) < 10.0


def test_depth_orders_the_knee_flexion():
    half = truth_channels(motion(depth=0.5))[cv.KNEE_FLEXION].max()
    full = truth_channels(motion(depth=1.0))[cv.KNEE_FLEXION].max()
    assert 70.0 < half < 105.0
    assert 120.0 < full < 150.0


def test_phases_and_reps_line_up():
    m = motion(n_reps=3)
    s = m.schedule
    assert [ev["rep"] for ev in s.events] == [1, 2, 3]
    for ev in s.events:
        assert s.phase[ev["bottom_frame"]] == "bottom"
        assert s.depth[ev["bottom_frame"]] == 1.0
        assert s.rep[ev["start_frame"]] == ev["rep"]
    assert s.phase[0] == "standing" and s.phase[-1] == "standing"
    assert set(s.phase[s.rep == 0]) == {"standing"}


@pytest.mark.parametrize(
    "bad",
    [{"depth": 0.3}, {"wink_deg": 30.0}, {"overarch_deg": 25.0}, {"arms": "waving"}, {"wink_deg": (1.0,)}],
)
def test_invalid_params_say_what_is_allowed(bad):
    with pytest.raises(ValueError, match="must"):
        SquatParams(**{"n_reps": 2, **bad})


def test_the_lumbar_split_moves_the_joints_not_the_truth():
    low, high = motion(lumbar_rhythm_deg=20.0, lumbar_split=0.2), motion(lumbar_rhythm_deg=20.0, lumbar_split=0.8)
    a, b = truth_channels(low), truth_channels(high)
    np.testing.assert_allclose(a[cv.LUMBAR_FLEXION], b[cv.LUMBAR_FLEXION], atol=1e-9)
    f = bottoms(low)[0]
    # spine03 sits on the lower lumbar joint: with more of the flexion there it swings further forward.
    assert low.points["spine03"][f, 1] > high.points["spine03"][f, 1] + 0.005


def test_path_shapes_and_sway_decouple_the_pattern_from_the_depth():
    early, late = motion(pelvis_power=0.6), motion(pelvis_power=1.8)
    half = np.flatnonzero(np.isclose(early.schedule.depth, 0.5, atol=0.05) & (early.schedule.phase == "descent"))[0]
    assert truth_channels(early)[cv.PELVIS_TILT][half] > truth_channels(late)[cv.PELVIS_TILT][half] + 3.0
    still, swaying = motion(), motion(sway_deg=2.0, sway_seed=3)
    wobble = truth_channels(swaying)[cv.PELVIS_TILT] - truth_channels(still)[cv.PELVIS_TILT]
    lead = still.schedule.time_s < still.params.lead_in_s
    assert 0.3 < np.abs(wobble[~lead]).max() <= 4.0  # relative to the lead-in's mean: at most twice the amplitude


def test_thoracic_flexion_bends_the_upper_thorax_only():
    plain, bent = motion(thoracic_deg=0.0), motion(thoracic_deg=15.0)
    a, b = truth_channels(plain), truth_channels(bent)
    np.testing.assert_allclose(a[cv.LUMBAR_FLEXION], b[cv.LUMBAR_FLEXION], atol=1e-9)
    f = bottoms(plain)[0]
    # The shoulders sit just above spine01: a short lever, so the trunk line turns by a fraction of it.
    assert b[cv.TRUNK_INCLINATION][f] > a[cv.TRUNK_INCLINATION][f] + 2.0
