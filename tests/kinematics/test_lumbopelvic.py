"""The outline model's pieces on hand-made outlines with known answers."""

import numpy as np
import pytest

from squatlab.kinematics.lumbopelvic import (
    FEATURES,
    LumboPelvicModel,
    load_model,
    posterior_outline,
    smooth_outline,
    trunk_profile,
)
from squatlab.pose.outline import LEVELS, sample_outline


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
    assert model.features == FEATURES
    assert len(model.pelvis_weights) == len(FEATURES) == len(model.lumbar_weights)
    assert model.provenance["clips"] >= 15
    assert LumboPelvicModel.from_dict(model.to_dict()) == model
    with pytest.raises(ValueError, match="refit"):
        LumboPelvicModel.from_dict({**model.to_dict(), "features": ["something else"]})


def test_values_outside_the_physiological_range_are_withheld():
    from squatlab.kinematics.lumbopelvic import plausible
    from squatlab.settings import OutlineSettings

    limits = OutlineSettings()
    pelvis = np.array([10.0, 70.0, 10.0, 10.0, np.nan])
    lumbar = np.array([20.0, 10.0, 60.0, -30.0, 5.0])
    assert plausible(pelvis, lumbar, limits).tolist() == [True, False, False, False, True]
