"""Stance width and toe-out from front-view landmarks."""

from __future__ import annotations

import numpy as np
import pytest

from squatlab.conventions import BLAZEPOSE_LANDMARKS
from squatlab.findings import stance_from_front
from squatlab.trial import Landmarks


def front_view(ankle_half_width, toe_out_deg=0.0, facing_camera=True, hip_half_width=20.0, shank=100.0):
    """One frame of landmarks: hips at y=300, knees 100 px lower, ankles `shank` px below the knees."""
    side = 1.0 if facing_camera else -1.0  # the lifter's left is on the image right when facing the camera
    foot = 0.62 * shank
    pts = {}
    for name, sign in (("left", side), ("right", -side)):
        x_ankle = 100 + sign * ankle_half_width
        pts[f"{name}_hip"] = (100 + sign * hip_half_width, 300)
        pts[f"{name}_knee"] = (x_ankle, 400)
        pts[f"{name}_ankle"] = (x_ankle, 400 + shank)
        pts[f"{name}_heel"] = (x_ankle, 400 + shank + 5)
        sideways = foot * np.sin(np.radians(toe_out_deg))
        pts[f"{name}_foot_index"] = (x_ankle + sign * sideways, 400 + shank + 25)
    return np.array([pts.get(n, (np.nan, np.nan)) for n in BLAZEPOSE_LANDMARKS], dtype=float)


@pytest.mark.parametrize(("ankle_half_width", "label"), [(28.0, "narrow"), (40.0, "medium"), (56.0, "wide")])
def test_stance_width_labels(ankle_half_width, label):
    found, ratio, _ = stance_from_front(front_view(ankle_half_width))
    assert found == label
    assert ratio == pytest.approx(ankle_half_width / 20.0)


@pytest.mark.parametrize("facing_camera", [True, False])
def test_toe_out_either_way_the_lifter_faces(facing_camera):
    _, _, toe_out = stance_from_front(front_view(40.0, toe_out_deg=30.0, facing_camera=facing_camera))
    assert toe_out == pytest.approx(30.0, abs=0.5)
    _, _, toe_in = stance_from_front(front_view(40.0, toe_out_deg=-10.0, facing_camera=facing_camera))
    assert toe_in == pytest.approx(-10.0, abs=0.5)


def test_median_over_frames_ignores_unseen_points():
    frames = np.stack([front_view(56.0, 20.0), front_view(56.0, 20.0), front_view(28.0, 0.0)])
    frames[0, BLAZEPOSE_LANDMARKS.index("left_ankle")] = np.nan
    visibility = np.ones(frames.shape[:2])
    visibility[2] = 0.1  # the odd frame is not trusted
    label, ratio, toe_out = stance_from_front(frames, visibility=visibility)
    assert label == "wide" and ratio == pytest.approx(2.8)
    assert toe_out == pytest.approx(20.0, abs=0.5)


def test_nothing_seen_is_unknown():
    label, ratio, toe_out = stance_from_front(np.full((4, len(BLAZEPOSE_LANDMARKS), 2), np.nan))
    assert label == "unknown" and np.isnan(ratio) and np.isnan(toe_out)


def test_wrong_shape_is_refused():
    with pytest.raises(ValueError, match="must have shape"):
        stance_from_front(np.zeros((10, 2)))


def test_a_landmarks_object_is_accepted():
    frames = np.stack([front_view(28.0, 15.0)] * 3)
    marks = Landmarks(BLAZEPOSE_LANDMARKS, frames, np.ones(frames.shape[:2]), (200, 600))
    label, ratio, toe_out = stance_from_front(marks)
    assert label == "narrow" and ratio == pytest.approx(1.4) and toe_out == pytest.approx(15.0, abs=0.5)
