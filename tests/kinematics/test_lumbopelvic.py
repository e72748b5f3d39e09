"""The outline model's pieces on hand-made outlines with known answers."""

import numpy as np
import pytest

from squatlab.kinematics import lumbopelvic as lp
from squatlab.kinematics.lumbopelvic import (
    PROFILE_LEVELS,
    TRUNK,
    LumboPelvicModel,
    chord_angles,
    load_model,
    lumbar_hollow,
    parse_chord,
    posterior_outline,
    smooth_outline,
    trunk_profile,
)
from squatlab.pose.outline import LEVELS, sample_outline
from squatlab.settings import OutlineSettings
from squatlab.testing.sets import synthetic_set


def test_profile_is_measured_behind_the_trunk_for_both_facings():
    hip, shoulder = np.array([[100.0, 200.0]]), np.array([[100.0, 100.0]])
    heights = np.array([0.0, 0.5, 1.0])
    for facing, sign in (("right", -1.0), ("left", 1.0)):
        back = np.array([[[100 + sign * 10.0, 200.0 - 100 * h] for h in heights]])
        assert trunk_profile(back, hip, shoulder, facing, (0.0, 0.5, 1.0))[0] == pytest.approx([10.0, 10.0, 10.0])


def test_profile_follows_a_leaning_trunk():
    # The same back, rotated 40 deg forward with the trunk: the profile does not change.
    angle = np.radians(40.0)
    rot = np.array([[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]])
    hip = np.array([0.0, 0.0])
    heights = np.linspace(-0.1, 0.6, 8)
    depth = 10 + 3 * np.sin(np.pi * heights)  # a hollow in percent of the trunk length
    upright = np.stack([-depth, -100 * heights], axis=1)  # facing right: the back at -x; up is -y
    leaning = upright @ rot.T
    shoulder_up, shoulder_lean = np.array([0.0, -100.0]), rot @ np.array([0.0, -100.0])
    a = trunk_profile(upright[None], hip[None], shoulder_up[None], "right", tuple(heights))
    b = trunk_profile(leaning[None], hip[None], shoulder_lean[None], "right", tuple(heights))
    assert np.allclose(a, b, atol=1e-9)
    assert np.allclose(a[0], depth, atol=1e-9)


def test_sampled_outline_of_a_box_body():
    mask = np.zeros((300, 200), dtype=np.float32)
    mask[50:260, 70:130] = 1.0
    points = sample_outline(mask, np.array([100.0, 200.0]), np.array([100.0, 80.0]))
    left = points[:, 0]
    seen = np.isfinite(left[:, 0])
    assert seen.sum() > 40
    assert np.allclose(left[seen, 0], 69.5, atol=0.7)  # the box's left edge, sub-pixel
    assert LEVELS.size == points.shape[0]


def test_rays_starting_outside_the_body_find_it_along_the_other_ray():
    # Deep in a squat the trunk's line, extended below the hip, leaves the body behind the
    # buttocks: the outline there is where the opposite ray enters the body.
    mask = np.zeros((300, 200), dtype=np.float32)
    mask[50:260, 70:130] = 1.0
    points = sample_outline(mask, np.array([55.0, 200.0]), np.array([55.0, 80.0]))  # the line runs left of the box
    seen = np.isfinite(points[:, 0, 0])
    assert seen.sum() > 40
    assert np.allclose(points[seen, 0, 0], 69.5, atol=0.7)  # the box's left edge, on the left side
    far = np.isfinite(points[:, 1, 0])
    assert far.any() and np.allclose(points[far, 1, 0], 129.5, atol=0.7)  # and its right edge, within reach


def test_posterior_side_and_smoothing_keep_gaps():
    outline = np.zeros((50, LEVELS.size, 2, 2))
    outline[:, :, 0, :] = 1.0
    outline[:, :, 1, :] = 2.0
    assert posterior_outline(outline, "right")[0, 0, 0] == 1.0
    assert posterior_outline(outline, "left")[0, 0, 0] == 2.0
    pts = posterior_outline(outline, "right")
    pts[20:23] = np.nan
    smooth = smooth_outline(pts, np.arange(50) / 30.0)
    assert np.isnan(smooth[20:23]).all() and np.isfinite(smooth[:20]).all()


def test_shipped_model_is_complete():
    model = load_model()
    # Under a loose top the buttocks' outline read the pelvis 10 deg RMS off: no part for it.
    assert model.pelvis_cloth is None
    assert model.provenance["clips"] >= 40 and "inverting" in model.provenance["method"]
    assert LumboPelvicModel.from_dict(model.to_dict()) == model
    with pytest.raises(ValueError, match="refit"):
        LumboPelvicModel.from_dict({**model.to_dict(), "pelvis": {"features": ["hip_flexion_deg"], "weights": [1.0]}})
    with pytest.raises(ValueError, match="refit"):
        LumboPelvicModel.from_dict({"lumbar": model.to_dict()["lumbar"]})


def test_the_shipped_model_reads_the_back_not_the_depth():
    model = load_model()
    for part in model.parts():
        assert all(name == TRUNK or parse_chord(name) for name in part.features)
    # The identity: pelvis + lumbar is the thorax, read from the upper back and the trunk line
    # alone; the sacrum's chords decide only how it splits.
    weights: dict[str, float] = {}
    for part in (model.pelvis, model.lumbar):
        for name, w in zip(part.features, part.weights, strict=True):
            weights[name] = weights.get(name, 0.0) + w
    sacrum = [n for n in model.pelvis.features if parse_chord(n) and parse_chord(n)[0] < 0.25]
    assert sacrum and all(abs(weights[n]) < 1e-5 for n in sacrum)
    assert sum(w for n, w in zip(model.pelvis.features, model.pelvis.weights, strict=True) if n in sacrum) > 0.5
    assert {n for n, w in weights.items() if abs(w) > 1e-5} >= {TRUNK}


def test_chords_tip_with_the_outline():
    # A straight back leaning 30 deg forward in the image, for a lifter facing right (forward = +x).
    k = {round(float(v), 3): i for i, v in enumerate(LEVELS)}
    pts = np.full((1, LEVELS.size, 2), np.nan)
    for h, i in k.items():
        pts[0, i] = (100 + 100 * h * np.sin(np.radians(30)), 300 - 100 * h * np.cos(np.radians(30)))
    assert chord_angles(pts, "right", [(0.0, 0.15), (0.5, 0.2)]) == pytest.approx(np.array([[30.0, 30.0]]))
    mirrored = pts.copy()
    mirrored[..., 0] = 200 - pts[..., 0]
    assert chord_angles(mirrored, "left", [(0.0, 0.15)]) == pytest.approx(np.array([[30.0]]))


def test_the_hollow_of_a_fitted_back_and_of_a_hanging_shirt():
    levels = np.asarray(PROFILE_LEVELS)
    fitted = 20 + 7 * np.cos(np.pi * (levels + 0.05) / 0.9) ** 2  # crests at the buttocks and the blades
    shirt = np.where(levels < 0.0, fitted, np.interp(levels, [0.0, 0.85], [fitted[levels >= 0][0], 27.0]))
    hollow = lumbar_hollow(np.stack([fitted, shirt, np.full_like(levels, np.nan)]))
    assert hollow[0] == pytest.approx(7.0, abs=0.1)
    assert hollow[1] < 0.5
    assert np.isnan(hollow[2])
    assert OutlineSettings().loose_hollow_pct > hollow[1]


def test_values_outside_the_physiological_range_are_withheld():
    from squatlab.kinematics.withhold import out_of_range
    from squatlab.settings import OutlineSettings

    limits = OutlineSettings()
    pelvis = np.array([10.0, 70.0, 10.0, 10.0, np.nan])
    lumbar = np.array([20.0, 10.0, 60.0, -30.0, 5.0])
    assert out_of_range(pelvis, lumbar, limits).tolist() == [False, True, True, True, False]


def _clean_for(trial, seconds: float) -> np.ndarray:
    """A clean outline for ``seconds`` at the start of the first standing window, nowhere else."""
    start, _ = trial.reps[0].standing
    return (trial.time_s >= start) & (trial.time_s < start + seconds)


def test_a_standing_reference_needs_enough_clean_frames(monkeypatch):
    """A few clean frames (a rack touching the back the rest of the time) make no baseline."""
    trial = synthetic_set(n_reps=2, kind="video")
    assert trial.reps[0].standing is not None
    min_s = OutlineSettings().min_standing_clean_s
    assert lp.clean_standing_windows(trial, _clean_for(trial, 0.1), min_s) == []
    assert lp.clean_standing_windows(trial, _clean_for(trial, 0.6), min_s) == [trial.reps[0].standing]

    values = np.where(_clean_for(trial, 0.6), 4.0, 40.0)
    shape = type("Shape", (), {"features": {"chord": values}})()
    for seconds, expected in ((0.1, None), (0.6, 4.0)):
        clean = _clean_for(trial, seconds)
        monkeypatch.setattr(lp, "confidence", lambda *_a, clean=clean, **_k: np.where(clean, 1.0, 0.0))
        delta = lp.changes(trial, shape, OutlineSettings())
        if expected is None:
            assert delta is None
        else:
            assert delta is not None
            assert np.allclose(delta["chord"], values - expected)


def test_without_a_reference_the_reason_says_whether_to_stand_longer():
    """A short stand asks the lifter to stand still first; a long one whose back was covered does not."""
    from dataclasses import replace

    trial = synthetic_set(n_reps=2, kind="video")
    settings = OutlineSettings()
    long_enough = lp.no_reference_reason(trial, settings)
    assert "touching or hiding the back" in long_enough and "stand still" not in long_enough

    start, _ = trial.reps[0].standing
    short = [replace(rep, standing=(start, start + 0.1)) for rep in trial.reps]
    reason = lp.no_reference_reason(replace(trial, reps=tuple(short)), settings)
    assert "stood still for less than 0.25 s" in reason and "stand still, side on" in reason


def test_the_model_file_keeps_its_guard():
    model = load_model()
    again = LumboPelvicModel.from_dict(model.to_dict())
    assert again.guard == model.guard and model.guard
    assert set(model.guard) <= set(model.seen())
    with pytest.raises(ValueError, match="unknown feature"):
        LumboPelvicModel.from_dict({**model.to_dict(), "guard": ["elbow_angle"]})


def test_a_top_hanging_free_at_the_waist_is_loose_even_with_a_hollow():
    """Hoodies clinging at the hips keep a hollow but hang far behind the trunk line at the waist."""
    settings = OutlineSettings()
    assert lp.loose_top(7.8, 30.8, settings) and not lp.loose_top(7.8, 18.0, settings)
    message = lp.loose_clothing_notice(7.8, 30.8, False, settings).message
    assert "31 % of the trunk length behind the shoulder-hip line" in message
    assert "Lumbar flexion is not measured" in message
    assert "no lumbar hollow" in lp.loose_clothing_notice(2.0, 30.0, False, settings).message
