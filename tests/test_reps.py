from dataclasses import replace

import numpy as np
import pytest

from squatlab import conventions as cv
from squatlab.reps.stage import find_squat_reps
from squatlab.settings import RepSettings, ViewSettings
from squatlab.trial import Channel, Landmarks, Source, Trial, View

FPS = 30.0
NAMES = cv.BLAZEPOSE_LANDMARKS


def squat_profile(t, start, down_s, bottom_s, up_s, depth):
    """Hip drop (leg lengths) of one rep: smooth descent, pause, smooth ascent."""
    drop = np.zeros_like(t)
    a, b, c, d = start, start + down_s, start + down_s + bottom_s, start + down_s + bottom_s + up_s
    descent = (t >= a) & (t < b)
    drop[descent] = depth * 0.5 * (1 - np.cos(np.pi * (t[descent] - a) / down_s))
    drop[(t >= b) & (t < c)] = depth
    ascent = (t >= c) & (t < d)
    drop[ascent] = depth * 0.5 * (1 + np.cos(np.pi * (t[ascent] - c) / up_s))
    return drop


def make_trial(t, drop, *, kind=None, ankle_x=None, seed=0):
    rng = np.random.default_rng(seed)
    hip_height = 1.0 - drop + rng.normal(0, 0.004, t.size)
    n = t.size
    channels = {cv.HIP_HEIGHT: Channel.measured(hip_height, 1.0, unit="leg lengths")}
    names = cv.BLAZEPOSE_LANDMARKS
    xy = np.zeros((n, len(names), 2))
    xy[:, names.index("left_ankle"), 0] = 100.0 if ankle_x is None else ankle_x
    landmarks = Landmarks(names, xy, np.ones((n, len(names))), (640, 480))
    kinds = np.full(n, "side") if kind is None else kind
    view = View(kind=kinds, yaw_deg=np.full(n, 85.0), facing="right", near_side="left")
    source = Source(path="synthetic", kind="synthetic", fps=FPS, duration_s=float(t[-1]), frames=n)
    return Trial(t, source, channels, landmarks=landmarks, view=view, extras={cv.LEG_LENGTH_PX: np.full(n, 300.0)})


def run(trial):
    return find_squat_reps(trial, RepSettings(), ViewSettings())


def test_walkout_then_fast_slow_and_paused_reps():
    t = np.arange(0, 40, 1 / FPS)
    walkout = 0.03 * np.abs(np.sin(2 * np.pi * 1.0 * t)) * (t < 6)  # steps bob the hips a little
    ankle_x = 100 + 150 * np.clip(t / 6, 0, 1)  # walking in, then planted
    drop = walkout + squat_profile(t, 8, 0.8, 0.0, 0.7, 0.5)  # fast
    drop += squat_profile(t, 14, 6.0, 0.2, 2.0, 0.55)  # 6-count descent
    drop += squat_profile(t, 26, 1.5, 3.0, 1.5, 0.5)  # 3 s pause at the bottom
    reps = run(make_trial(t, drop, ankle_x=ankle_x)).reps
    assert len(reps) == 3
    assert [round(r.bottom_s) for r in reps][:2] == [9, 20]
    paused = reps[2]
    assert paused.bottom_start_s == pytest.approx(27.5, abs=0.3)
    assert paused.bottom_end_s == pytest.approx(30.5, abs=0.3)
    assert reps[0].start_s == pytest.approx(8.0, abs=0.25)
    assert reps[0].end_s == pytest.approx(9.5, abs=0.25)
    assert all(r.measurable and not r.partial for r in reps)
    assert all(r.standing is not None and r.standing[1] <= r.start_s for r in reps)


def test_shallow_rep_is_partial():
    t = np.arange(0, 20, 1 / FPS)
    drop = squat_profile(t, 2, 1.5, 0.2, 1.5, 0.55) + squat_profile(t, 8, 1.0, 0.1, 1.0, 0.2)
    reps = run(make_trial(t, drop)).reps
    assert [r.partial for r in reps] == [False, True]


def test_bounce_at_the_bottom_is_one_rep():
    t = np.arange(0, 12, 1 / FPS)
    drop = squat_profile(t, 2, 1.5, 2.0, 1.5, 0.5) - 0.08 * np.exp(-(((t - 4.5) / 0.25) ** 2))
    assert len(run(make_trial(t, drop)).reps) == 1


def test_rep_cut_off_by_the_end_is_not_counted():
    t = np.arange(0, 8, 1 / FPS)
    drop = squat_profile(t, 1, 1.5, 0.2, 1.5, 0.5) + squat_profile(t, 6.5, 1.5, 0.5, 1.5, 0.5)
    trial = run(make_trial(t, drop))
    assert len(trial.reps) == 1
    assert any(n.code == "incomplete_rep" for n in trial.notices)


def test_quick_dip_and_moving_feet_are_not_squats():
    t = np.arange(0, 16, 1 / FPS)
    drop = squat_profile(t, 2, 0.2, 0.0, 0.2, 0.4)  # a 0.4 s dip: a jump landing
    drop += squat_profile(t, 8, 1.5, 0.2, 1.5, 0.4)
    ankle_x = np.where((t > 7.5) & (t < 11.5), 100 + 60 * (t - 7.5), 100.0)  # stepping 0.8 leg lengths
    trial = run(make_trial(t, drop, ankle_x=ankle_x))
    assert trial.reps == ()
    reasons = [n.message for n in trial.notices if n.code == "not_a_squat"]
    assert any("too quick" in m for m in reasons) and any("feet moved" in m for m in reasons)
    assert any(n.code == "no_reps" for n in trial.notices)


def test_rep_filmed_from_the_front_is_counted_but_not_measurable():
    t = np.arange(0, 12, 1 / FPS)
    drop = squat_profile(t, 1, 1.5, 0.2, 1.5, 0.5) + squat_profile(t, 6, 1.5, 0.2, 1.5, 0.5)
    kind = np.where(t > 5.5, "front", "side")
    reps = run(make_trial(t, drop, kind=kind)).reps
    assert [r.measurable for r in reps] == [True, False]
    assert "front" in reps[1].reason


def test_lab_data_uses_knee_flexion():
    t = np.arange(0, 12, 0.01)
    knee = 5 + 110 * (squat_profile(t, 1, 1.5, 0.2, 1.5, 1.0) + squat_profile(t, 6, 1.5, 0.2, 1.5, 1.0))
    source = Source(path="lab", kind="mot", fps=100, duration_s=12, frames=t.size)
    trial = Trial(t, source, {cv.KNEE_FLEXION: Channel.measured(knee)})
    reps = run(trial).reps
    assert len(reps) == 2
    assert reps[0].bottom_s == pytest.approx(2.6, abs=0.15)


def test_quick_quarter_squats_without_standing_up_fully_between():
    # Four 0.3-leg-length dips, 1 s apart, rising only to 0.08 between: one rep each.
    t = np.arange(0, 6, 1 / FPS)
    drop = 0.08 * ((t > 0.8) & (t < 4.9)) + sum(squat_profile(t, 0.8 + k, 0.45, 0.05, 0.45, 0.22) for k in range(4))
    reps = run(make_trial(t, drop)).reps
    assert len(reps) == 4
    assert [round(r.bottom_s, 1) for r in reps] == [1.3, 2.3, 3.3, 4.3]


def test_a_set_that_starts_at_the_bottom_counts_its_ascent_but_does_not_measure_it():
    t = np.arange(0, 10, 1 / FPS)
    first = np.where(t < 1.0, 0.5 * 0.5 * (1 + np.cos(np.pi * t / 1.0)), 0.0)  # filmed from the bottom up
    drop = first + squat_profile(t, 2.5, 1.2, 0.2, 1.0, 0.5) + squat_profile(t, 6.0, 1.2, 0.2, 1.0, 0.5)
    reps = run(make_trial(t, drop)).reps
    assert len(reps) == 3
    assert reps[0].start_s == 0.0 and not reps[0].measurable
    assert "under way when the recording started" in reps[0].reason
    assert all(r.measurable for r in reps[1:])


@pytest.mark.parametrize("gap_s", [0.1, 0.6, 0.95])
def test_a_pose_lost_at_the_bottom_does_not_cut_the_rep(gap_s):
    t = np.arange(0, 10, 1 / FPS)
    drop = squat_profile(t, 1, 1.2, 0.8, 1.2, 0.5) + squat_profile(t, 6, 1.2, 0.8, 1.2, 0.5)
    trial = make_trial(t, drop)
    lost = (np.abs(t - 2.6) < gap_s / 2) | (np.abs(t - 7.6) < gap_s / 2)
    hip = trial.channels[cv.HIP_HEIGHT]
    values = np.where(lost, np.nan, hip.values)
    visibility = trial.landmarks.visibility.copy()
    visibility[lost] = 0.0
    trial = replace(
        trial,
        channels={cv.HIP_HEIGHT: Channel.measured(values, 1.0, unit="leg lengths")},
        landmarks=replace(trial.landmarks, visibility=visibility),
    )
    reps = run(trial).reps
    assert len(reps) == 2
    assert 2.2 <= reps[0].bottom_s <= 3.0 and 7.2 <= reps[1].bottom_s <= 8.0  # within the pauses


def test_pose_jitter_at_the_bottom_does_not_split_the_rep():
    t = np.arange(0, 8, 1 / FPS)
    drop = squat_profile(t, 1, 1.2, 1.0, 1.2, 0.55)
    drop[(t > 2.9) & (t < 3.05)] -= 0.2  # the hips jump up for 4 frames where a plate hides them
    trial = run(make_trial(t, drop))
    assert len(trial.reps) == 1
    assert not [n for n in trial.notices if n.code == "not_a_squat"]


def test_jumping_jacks_and_a_dip_right_after_walking_are_not_squats():
    t = np.arange(0, 12, 1 / FPS)
    # 1-5 s: dips with the feet jumping apart and together (seen from the front); 8 s: a dip
    # straight after walking in (re-racking).
    drop = sum(squat_profile(t, 1 + k, 0.4, 0.0, 0.4, 0.3) for k in range(4))
    drop += squat_profile(t, 8.2, 0.4, 0.1, 0.4, 0.2)
    trial = make_trial(t, drop)
    apart = 60 * (0.5 - 0.5 * np.cos(2 * np.pi * (t - 1))) * (t < 5)
    walk = 100 + 300 * np.clip(t - 7.0, 0, 1.2)  # walking in at 1 leg length per second until 8.2 s
    xy = trial.landmarks.xy.copy()
    xy[:, NAMES.index("left_ankle"), 0] = np.where(t < 6, 100 + apart, walk)
    xy[:, NAMES.index("right_ankle"), 0] = np.where(t < 6, 100 - apart, walk)
    trial = run(replace(trial, landmarks=replace(trial.landmarks, xy=xy)))
    assert trial.reps == ()
    reasons = [n.message for n in trial.notices if n.code == "not_a_squat"]
    assert len(reasons) == 5 and all("feet moved" in m for m in reasons)


def test_a_reach_for_the_floor_is_a_pick_up():
    t = np.arange(0, 12, 1 / FPS)
    drop = squat_profile(t, 1, 1.2, 0.3, 1.2, 0.5) + squat_profile(t, 6, 1.2, 0.3, 1.2, 0.45)
    trial = make_trial(t, drop)
    bent = (t > 7) & (t < 8.5)  # the second: trunk bent over, hands down to the shins
    xy = trial.landmarks.xy.copy()
    xy[:, NAMES.index("left_knee"), 1] = 300.0
    xy[:, NAMES.index("left_ankle"), 1] = 400.0
    for side in ("left", "right"):
        xy[:, NAMES.index(f"{side}_wrist"), 1] = np.where(bent, 380.0, 150.0)
    trunk = Channel.measured(np.where(bent, 70.0, 30.0))
    trial = replace(
        trial, landmarks=replace(trial.landmarks, xy=xy), channels={**trial.channels, cv.TRUNK_INCLINATION: trunk}
    )
    out = run(trial)
    assert [round(r.bottom_s) for r in out.reps] == [2]
    assert any("picking something up" in n.message for n in out.notices)


def test_shallow_knee_bend_in_a_side_view_is_partial():
    t = np.arange(0, 10, 1 / FPS)
    drop = squat_profile(t, 1, 1.0, 0.2, 1.0, 0.3) + squat_profile(t, 5, 1.0, 0.2, 1.0, 0.32)
    knee = Channel.measured(10 + 45 * drop / 0.3)  # about 55 deg at the bottom: a quarter squat
    trial = make_trial(t, drop)
    reps = run(replace(trial, channels={**trial.channels, cv.KNEE_FLEXION: knee})).reps
    assert len(reps) == 2 and all(r.partial for r in reps)  # neither is shallower than the other


def test_the_bar_path_stands_in_where_the_hips_are_lost():
    t = np.arange(0, 12, 1 / FPS)
    drop = squat_profile(t, 1, 1.2, 0.6, 1.2, 0.5) + squat_profile(t, 6, 1.2, 0.6, 1.2, 0.5)
    trial = make_trial(t, drop)
    lost = (np.abs(t - 2.5) < 0.8) | (np.abs(t - 7.5) < 0.8)  # 1.6 s: longer than gaps are bridged
    hip = np.where(lost, np.nan, trial.channels[cv.HIP_HEIGHT].values)
    visibility = np.where(lost[:, None], 0.0, trial.landmarks.visibility)
    trial = replace(
        trial,
        channels={cv.HIP_HEIGHT: Channel.measured(hip, 1.0, unit="leg lengths")},
        landmarks=replace(trial.landmarks, visibility=visibility),
    )
    assert run(trial).reps == ()
    bar_y = 200 + 300 * 1.1 * drop  # the plate drops a little more than the hips (the trunk leans)
    bar = np.stack([np.full(t.size, 320.0), bar_y], axis=1)
    reps = run(replace(trial, extras={**trial.extras, cv.BAR_XY: bar})).reps
    assert len(reps) == 2
    assert 2.2 <= reps[0].bottom_s <= 2.8 and 7.2 <= reps[1].bottom_s <= 7.8  # within the pauses
