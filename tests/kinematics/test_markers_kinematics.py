"""Known-answer tests of the marker angle definitions on hand-made marker sets."""

import numpy as np
import pytest

from squatlab import conventions as cv
from squatlab.kinematics import markers as mk
from squatlab.testing.markers import PELVIS_SHAPE_TILT_DEG, squat_markers

PELVIS = np.array([0.0, 10.0, 25.0, 15.0])
THIGH = np.array([0.0, 40.0, 85.0, 100.0])
SHANK = np.array([2.0, 20.0, 30.0, 35.0])
TRUNK = np.array([3.0, 20.0, 45.0, 50.0])


def expected():
    tilt = PELVIS + PELVIS_SHAPE_TILT_DEG
    return {
        cv.PELVIS_TILT_ABS: tilt,
        cv.KNEE_FLEXION: THIGH + SHANK,
        cv.HIP_FLEXION: THIGH + tilt,
        cv.SHIN_ANGLE: SHANK,
        cv.TRUNK_INCLINATION: TRUNK,
        cv.LUMBAR_FLEXION_ABS: TRUNK - tilt,
    }


@pytest.mark.parametrize("up_axis", ["z", "y"])
@pytest.mark.parametrize("heading", [0.0, 33.0, 145.0, 270.0])
def test_angles_whatever_the_lab_axes(up_axis, heading):
    pts = squat_markers(
        pelvis_deg=PELVIS, thigh_deg=THIGH, shank_deg=SHANK, trunk_deg=TRUNK, heading_deg=heading, up_axis=up_axis
    )
    out = mk.sagittal_angles(pts)
    for name, want in expected().items():
        assert np.allclose(out.channels[name], want, atol=1e-6), name
    assert out.method["up_axis"] == ("Z+" if up_axis == "z" else "Y+")
    assert out.method["lumbar"] == "thorax_relative_to_pelvis"


def test_units_do_not_change_angles():
    metres = mk.sagittal_angles(squat_markers(pelvis_deg=PELVIS, thigh_deg=THIGH, shank_deg=SHANK, trunk_deg=TRUNK))
    mm = mk.sagittal_angles(
        squat_markers(pelvis_deg=PELVIS, thigh_deg=THIGH, shank_deg=SHANK, trunk_deg=TRUNK, scale=1000.0)
    )
    for name in metres.channels:
        assert np.allclose(metres.channels[name], mm.channels[name])


def test_lumbar_markers_preferred_over_thorax():
    chord = np.array([5.0, 20.0, 40.0, 30.0])
    pts = squat_markers(pelvis_deg=PELVIS, thigh_deg=THIGH, shank_deg=SHANK, trunk_deg=TRUNK, lumbar_chord_deg=chord)
    out = mk.sagittal_angles(pts)
    assert out.method["lumbar"] == "lumbar_markers"
    assert np.allclose(out.channels[cv.LUMBAR_FLEXION_ABS], chord - (PELVIS + PELVIS_SHAPE_TILT_DEG), atol=1e-6)


def test_swapped_left_right_labels_are_caught_by_the_knee():
    pts = squat_markers(pelvis_deg=PELVIS, thigh_deg=THIGH, shank_deg=SHANK, trunk_deg=TRUNK, heading_deg=20)
    swapped = dict(pts)
    for a, b in (("LASI", "RASI"), ("LPSI", "RPSI")):
        swapped[a], swapped[b] = pts[b], pts[a]
    out = mk.sagittal_angles(swapped)
    assert "forward_flipped" in out.method
    assert np.allclose(out.channels[cv.PELVIS_TILT_ABS], PELVIS + PELVIS_SHAPE_TILT_DEG, atol=1e-6)


def test_one_side_missing_uses_the_other():
    pts = squat_markers(pelvis_deg=PELVIS, thigh_deg=THIGH, shank_deg=SHANK, trunk_deg=TRUNK)
    pts["RKNE"] = np.full_like(pts["RKNE"], np.nan)
    out = mk.sagittal_angles(pts)
    assert np.allclose(out.channels[cv.KNEE_FLEXION], THIGH + SHANK, atol=1e-6)


def test_harrington_hip_centres_used_without_explicit_hjc():
    pts = squat_markers(pelvis_deg=PELVIS, thigh_deg=THIGH, shank_deg=SHANK, trunk_deg=TRUNK)
    del pts["LHJC"], pts["RHJC"]
    out = mk.sagittal_angles(pts)
    assert out.method["hip_centre_L"] == "Harrington 2007 regression"
    # The regression centre is not the simulated one: angles differ a little, not grossly.
    assert np.allclose(out.channels[cv.KNEE_FLEXION], THIGH + SHANK, atol=12)
    assert np.allclose(out.channels[cv.PELVIS_TILT_ABS], PELVIS + PELVIS_SHAPE_TILT_DEG, atol=1e-6)


def test_keypoints_only_pelvis_absent_with_reason():
    pts = squat_markers(pelvis_deg=PELVIS, thigh_deg=THIGH, shank_deg=SHANK, trunk_deg=TRUNK)
    keypoints = {"LHIP": pts["LHJC"], "RHIP": pts["RHJC"], "LKNE": pts["LKNE"], "RKNE": pts["RKNE"]}
    keypoints |= {"LANK": pts["LANK"], "RANK": pts["RANK"], "NECK": (pts["C7"] + pts["CLAV"]) / 2}
    out = mk.sagittal_angles(keypoints)
    assert "no pelvic landmarks beyond hip centres" in out.absent[cv.PELVIS_TILT_ABS]
    assert cv.LUMBAR_FLEXION_ABS in out.absent
    assert np.allclose(out.channels[cv.KNEE_FLEXION], THIGH + SHANK, atol=1e-6)
    # Without a pelvis, hip flexion is trunk-to-thigh: thigh + trunk inclination.
    assert np.allclose(out.channels[cv.HIP_FLEXION], THIGH + TRUNK, atol=1e-6)


def test_planar_image_keypoints_with_y_down():
    # A side view in pixels: x right, y down, z = 0; the lifter faces -x.
    pts = squat_markers(thigh_deg=THIGH, shank_deg=SHANK, trunk_deg=TRUNK, heading_deg=180.0)
    planar = {}
    pts["NECK"] = (pts["C7"] + pts["CLAV"]) / 2
    for name in ("LHJC", "LKNE", "LANK", "NECK"):
        xyz = pts[name] * 500.0
        planar[{"LHJC": "LHIP"}.get(name, name)] = np.column_stack(
            [xyz[:, 0] + 300, 900 - xyz[:, 2], np.zeros(len(xyz))]
        )
    out = mk.sagittal_angles(planar)
    assert out.method["planar"] and out.method["up_axis"] == "Y-"
    assert np.allclose(out.channels[cv.KNEE_FLEXION], THIGH + SHANK, atol=1e-6)
    assert np.allclose(out.channels[cv.SHIN_ANGLE], SHANK, atol=1e-6)
    assert np.allclose(out.channels[cv.TRUNK_INCLINATION], TRUNK, atol=1e-6)
    assert "planar" in out.absent[cv.PELVIS_TILT_ABS] or "pelvic" in out.absent[cv.PELVIS_TILT_ABS]


def test_no_legs_is_an_error():
    with pytest.raises(ValueError, match="hip"):
        mk.sagittal_angles({"C7": np.zeros((3, 3))})
