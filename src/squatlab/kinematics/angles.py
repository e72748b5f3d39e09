"""Sagittal joint angles from 2-D points in a side view.

Points are (n_frames, 2) arrays in image pixels (x right, y down). ``facing`` is +1
when the lifter faces image right and -1 when they face left, so that "forward" is the
same for both. The signs are those of :mod:`squatlab.conventions`.

Hip flexion here is the angle between the trunk line (hip to shoulder) and the thigh:
BlazePose has no pelvis points, so this is trunk-thigh flexion, not femur-on-pelvis
flexion. The two differ by the lumbar flexion.
"""

from __future__ import annotations

import numpy as np


def _forward_from_up(a: np.ndarray, b: np.ndarray, facing: int) -> np.ndarray:
    """Angle of the vector a->b from straight up, + when b is ahead of a (deg)."""
    d = b - a
    return np.degrees(np.arctan2(facing * d[:, 0], -d[:, 1]))


def _forward_from_down(a: np.ndarray, b: np.ndarray, facing: int) -> np.ndarray:
    """Angle of the vector a->b from straight down, + when b is ahead of a (deg)."""
    d = b - a
    return np.degrees(np.arctan2(facing * d[:, 0], d[:, 1]))


def trunk_inclination(hip: np.ndarray, shoulder: np.ndarray, facing: int) -> np.ndarray:
    """Hip-to-shoulder line from vertical; + = leaning forward.

    >>> trunk_inclination(np.array([[0.0, 0.0]]), np.array([[1.0, -1.0]]), facing=1).round(1).tolist()
    [45.0]
    """
    return _forward_from_up(hip, shoulder, facing)


def shin_angle(ankle: np.ndarray, knee: np.ndarray, facing: int) -> np.ndarray:
    """Ankle-to-knee line from vertical; + = knee ahead of the ankle (the dorsiflexion proxy).

    >>> shin_angle(np.array([[0.0, 10.0]]), np.array([[-5.0, 0.0]]), facing=-1).round(1).tolist()
    [26.6]
    """
    return _forward_from_up(ankle, knee, facing)


def thigh_angle(hip: np.ndarray, knee: np.ndarray, facing: int) -> np.ndarray:
    """Hip-to-knee line from straight down; + = knee ahead of the hip (90 = thigh level)."""
    return _forward_from_down(hip, knee, facing)


def hip_flexion(hip: np.ndarray, knee: np.ndarray, shoulder: np.ndarray, facing: int) -> np.ndarray:
    """Trunk-thigh angle; 0 = standing straight, + = flexion.

    >>> h, k, s = np.array([[0.0, 0.0]]), np.array([[1.0, 0.0]]), np.array([[0.0, -1.0]])
    >>> hip_flexion(h, k, s, facing=1).round(1).tolist()
    [90.0]
    """
    return trunk_inclination(hip, shoulder, facing) + thigh_angle(hip, knee, facing)


def knee_flexion(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, facing: int) -> np.ndarray:
    """Angle between thigh and shank; 0 = straight, + = flexion.

    >>> h, k, a = np.array([[0.0, 0.0]]), np.array([[1.0, 0.0]]), np.array([[1.0, 1.0]])
    >>> knee_flexion(h, k, a, facing=1).round(1).tolist()
    [90.0]
    """
    return thigh_angle(hip, knee, facing) + shin_angle(ankle, knee, facing)


def hip_depth(hip: np.ndarray, knee: np.ndarray, thigh_length: np.ndarray | float) -> np.ndarray:
    """Hip below the knee in thigh lengths: 0 = thigh level, + = below parallel.

    >>> hip_depth(np.array([[0.0, 105.0]]), np.array([[40.0, 100.0]]), 50.0).tolist()
    [0.1]
    """
    return (hip[:, 1] - knee[:, 1]) / thigh_length


def knee_past_toes(knee: np.ndarray, toe: np.ndarray, facing: int, foot_length: np.ndarray | float) -> np.ndarray:
    """Horizontal distance of the knee ahead of the toes, in foot lengths (+ = ahead)."""
    return facing * (knee[:, 0] - toe[:, 0]) / foot_length


def hip_height(hip: np.ndarray, floor_y: np.ndarray, leg_length: np.ndarray | float) -> np.ndarray:
    """Height of the hip above the floor line, in leg lengths (about 1 when standing)."""
    return (floor_y - hip[:, 1]) / leg_length
