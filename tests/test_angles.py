import numpy as np
import pytest

from squatlab.kinematics import angles


def pts(*xy):
    return np.array([xy], dtype=float)


@pytest.mark.parametrize("facing", [1, -1])
def test_standing_straight_is_zero_in_both_directions(facing):
    shoulder, hip, knee, ankle = pts(0, 0), pts(0, 50), pts(0, 100), pts(0, 150)
    assert angles.hip_flexion(hip, knee, shoulder, facing)[0] == pytest.approx(0)
    assert angles.knee_flexion(hip, knee, ankle, facing)[0] == pytest.approx(0)
    assert angles.shin_angle(ankle, knee, facing)[0] == pytest.approx(0)
    assert angles.trunk_inclination(hip, shoulder, facing)[0] == pytest.approx(0)


@pytest.mark.parametrize("facing", [1, -1])
def test_deep_squat_geometry_mirrors(facing):
    # Lifter facing +x (facing=1) or mirrored: knee ahead of ankle, hip behind and level with the knee.
    f = facing
    ankle, knee, hip, shoulder = pts(0, 100), pts(f * 30, 60), pts(f * -20, 60), pts(f * 0, 10)
    shin = np.degrees(np.arctan2(30, 40))
    assert angles.shin_angle(ankle, knee, f)[0] == pytest.approx(shin)
    assert angles.knee_flexion(hip, knee, ankle, f)[0] == pytest.approx(90 + shin)
    trunk = np.degrees(np.arctan2(20, 50))
    assert angles.trunk_inclination(hip, shoulder, f)[0] == pytest.approx(trunk)
    assert angles.hip_flexion(hip, knee, shoulder, f)[0] == pytest.approx(90 + trunk)
    assert angles.hip_depth(hip, knee, 50.0)[0] == pytest.approx(0)


def test_hip_depth_sign_and_knee_past_toes():
    assert angles.hip_depth(pts(0, 110), pts(40, 100), 50.0)[0] == pytest.approx(0.2)
    assert angles.hip_depth(pts(0, 80), pts(40, 100), 50.0)[0] == pytest.approx(-0.4)
    assert angles.knee_past_toes(pts(-30, 0), pts(-20, 0), -1, 20.0)[0] == pytest.approx(0.5)


def test_hip_height():
    assert angles.hip_height(pts(0, 20), np.array([120.0]), 100.0)[0] == pytest.approx(1.0)
