"""Small rotation and inverse-kinematics helpers on NumPy arrays.

World axes are anny's: +x to the body's left, -y forward (the way the body faces), +z up,
metres. A sagittal rotation is a rotation about +x; a positive angle tips the segment's
top forward (towards -y), which is anterior pelvic tilt, spinal flexion and forward lean.
"""

from __future__ import annotations

import numpy as np

FORWARD = np.array([0.0, -1.0, 0.0])
UP = np.array([0.0, 0.0, 1.0])


def rot_x(angle_deg: np.ndarray | float) -> np.ndarray:
    """Rotations about +x (sagittal), shape ``(..., 3, 3)``; + tips the top forward.

    Examples
    --------
    >>> import numpy as np
    >>> np.round(rot_x(90.0) @ np.array([0.0, 0.0, 1.0]), 6).tolist()
    [0.0, -1.0, 0.0]
    """
    a = np.radians(np.asarray(angle_deg, dtype=float))
    c, s = np.cos(a), np.sin(a)
    out = np.zeros((*a.shape, 3, 3))
    out[..., 0, 0] = 1.0
    out[..., 1, 1], out[..., 1, 2] = c, -s
    out[..., 2, 1], out[..., 2, 2] = s, c
    return out


def rot_z(angle_deg: np.ndarray | float) -> np.ndarray:
    """Rotations about +z (vertical), shape ``(..., 3, 3)``; + turns -y (forward) towards +x (left)."""
    a = np.radians(np.asarray(angle_deg, dtype=float))
    c, s = np.cos(a), np.sin(a)
    out = np.zeros((*a.shape, 3, 3))
    out[..., 0, 0], out[..., 0, 1] = c, -s
    out[..., 1, 0], out[..., 1, 1] = s, c
    out[..., 2, 2] = 1.0
    return out


def unit(v: np.ndarray) -> np.ndarray:
    """Vectors scaled to length 1 along the last axis."""
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def sagittal_angle(v: np.ndarray, *, down: bool = False) -> np.ndarray:
    """Angle (deg) of vectors ``(..., 3)`` from vertical in the sagittal (y-z) plane.

    Measured from straight up (or straight down with ``down=True``); + when the vector's
    end lies forward (-y) of its start.

    Examples
    --------
    >>> import numpy as np
    >>> float(sagittal_angle(np.array([0.0, -1.0, 1.0])))
    45.0
    >>> float(sagittal_angle(np.array([0.0, -1.0, -1.0]), down=True))
    45.0
    """
    vertical = -v[..., 2] if down else v[..., 2]
    return np.degrees(np.arctan2(-v[..., 1], vertical))


def frame_rotation(
    axis_from: np.ndarray, pole_from: np.ndarray, axis_to: np.ndarray, pole_to: np.ndarray
) -> np.ndarray:
    """The rotation taking a segment's (axis, pole) pair onto another, shape ``(..., 3, 3)``.

    The axis maps exactly; the pole (any vector not parallel to the axis) fixes the twist.
    """

    def basis(axis: np.ndarray, pole: np.ndarray) -> np.ndarray:
        a = unit(axis)
        p = unit(pole - np.sum(pole * a, axis=-1, keepdims=True) * a)
        return np.stack([a, p, np.cross(a, p)], axis=-1)

    axis_from, pole_from, axis_to, pole_to = np.broadcast_arrays(axis_from, pole_from, axis_to, pole_to)
    return basis(axis_to, pole_to) @ np.swapaxes(basis(axis_from, pole_from), -1, -2)


def two_link_ik(root: np.ndarray, target: np.ndarray, pole: np.ndarray, len1: float, len2: float) -> np.ndarray:
    """Middle joint (knee, elbow) of a two-link chain from ``root`` to ``target``, shape ``(..., 3)``.

    The joint bends towards ``pole`` (a direction). A target beyond reach is pulled in to
    99.9 % of the chain's length, so the chain never snaps straight.
    """
    d_vec = target - root
    d = np.linalg.norm(d_vec, axis=-1, keepdims=True)
    d = np.clip(d, abs(len1 - len2) + 1e-6, 0.999 * (len1 + len2))
    a = unit(d_vec)
    along = (len1**2 - len2**2 + d**2) / (2.0 * d)
    across = np.sqrt(np.maximum(len1**2 - along**2, 0.0))
    p = unit(pole - np.sum(pole * a, axis=-1, keepdims=True) * a)
    return root + a * along + p * across
