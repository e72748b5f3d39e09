"""Synthetic marker sets with known sagittal angles, for tests and examples.

A lifter stands in the lab with a given heading; the pelvis is tilted, the thigh, shank
and trunk inclined by given angles (per frame), and Plug-in Gait-style markers are placed
on the segments. The expected angles follow from the definitions in
:mod:`squatlab.kinematics.markers`:

- pelvis tilt = ``pelvis_deg`` + :data:`PELVIS_SHAPE_TILT_DEG` (the PSIS-to-ASIS line of
  this pelvis already dips that much when ``pelvis_deg`` = 0);
- knee flexion = thigh + shank; hip flexion = thigh + pelvis tilt; shin angle = shank;
  trunk inclination = trunk; lumbar flexion (thorax or lumbar markers) = trunk - pelvis tilt.
"""

from __future__ import annotations

import numpy as np

# Pelvis landmarks in the pelvis frame (anterior, superior, lateral), metres from the
# hip-centre midpoint.
_ASIS = (0.06, 0.09, 0.12)
_PSIS = (-0.12, 0.12, 0.05)
PELVIS_SHAPE_TILT_DEG = float(np.degrees(np.arctan2(_PSIS[1] - _ASIS[1], _ASIS[0] - _PSIS[0])))
THIGH_M, SHANK_M, TRUNK_M = 0.42, 0.40, 0.50


def _lab(body: np.ndarray, heading_deg: float, up_axis: str) -> np.ndarray:
    """Body (forward, left, up) coordinates to lab coordinates."""
    h = np.radians(heading_deg)
    fwd, left = np.array([np.cos(h), np.sin(h)]), np.array([-np.sin(h), np.cos(h)])
    horiz = body[..., 0:1] * fwd + body[..., 1:2] * left
    lab = np.zeros(body.shape)
    if up_axis == "z":
        lab[..., 0:2], lab[..., 2] = horiz, body[..., 2]
    else:  # OpenSim-style Y up: lab X, Z horizontal (Z = -second horizontal for right-handedness)
        lab[..., 0], lab[..., 2], lab[..., 1] = horiz[..., 0], -horiz[..., 1], body[..., 2]
    return lab


def squat_markers(
    *,
    pelvis_deg: np.ndarray | float = 0.0,
    thigh_deg: np.ndarray | float = 0.0,
    shank_deg: np.ndarray | float = 0.0,
    trunk_deg: np.ndarray | float = 0.0,
    lumbar_chord_deg: np.ndarray | float | None = None,
    heading_deg: float = 0.0,
    up_axis: str = "z",
    scale: float = 1.0,
) -> dict[str, np.ndarray]:
    """Plug-in Gait markers (plus explicit hip centres ``LHJC``/``RHJC``) for given angles.

    Angles in degrees from vertical, + = forward (knee ahead of hip for the thigh, knee ahead
    of ankle for the shank); ``pelvis_deg`` = anterior tilt of the pelvis frame. With
    ``lumbar_chord_deg`` set, ``SACR`` and ``L1`` markers are added with the sacrum-to-L1
    chord at that inclination. ``scale`` converts metres to the output unit (1000 for mm).

    >>> m = squat_markers(thigh_deg=np.array([0.0, 60.0]), shank_deg=np.array([0.0, 30.0]))
    >>> sorted(m)[:4], m["LKNE"].shape
    (['C7', 'CLAV', 'LANK', 'LASI'], (2, 3))
    """
    pelvis, thigh, shank, trunk = np.broadcast_arrays(
        *map(np.atleast_1d, (pelvis_deg, thigh_deg, shank_deg, trunk_deg))
    )
    n = pelvis.size
    rad = {k: np.radians(v)[:, None] for k, v in {"p": pelvis, "t": thigh, "s": shank, "k": trunk}.items()}
    f, left, u = np.array([1.0, 0, 0]), np.array([0, 1.0, 0]), np.array([0, 0, 1.0])
    out: dict[str, np.ndarray] = {}
    hips = []
    for side, sign in (("L", 1.0), ("R", -1.0)):
        ankle = np.tile(0.08 * u + sign * 0.1 * left, (n, 1))
        knee = ankle + SHANK_M * (np.sin(rad["s"]) * f + np.cos(rad["s"]) * u)
        hip = knee - THIGH_M * (np.sin(rad["t"]) * f - np.cos(rad["t"]) * u)
        out.update({f"{side}ANK": ankle, f"{side}KNE": knee, f"{side}HJC": hip})
        out[f"{side}HEE"] = ankle - 0.06 * f - 0.05 * u
        out[f"{side}TOE"] = ankle + 0.14 * f - 0.06 * u
        hips.append(hip)
    mid = (hips[0] + hips[1]) / 2
    anterior = np.cos(rad["p"]) * f - np.sin(rad["p"]) * u
    superior = np.sin(rad["p"]) * f + np.cos(rad["p"]) * u
    for side, sign in (("L", 1.0), ("R", -1.0)):
        out[f"{side}ASI"] = mid + _ASIS[0] * anterior + _ASIS[1] * superior + sign * _ASIS[2] * left
        out[f"{side}PSI"] = mid + _PSIS[0] * anterior + _PSIS[1] * superior + sign * _PSIS[2] * left
    trunk_dir = np.sin(rad["k"]) * f + np.cos(rad["k"]) * u
    top = mid + TRUNK_M * trunk_dir
    out["C7"], out["CLAV"] = top - 0.07 * np.cos(rad["k"]) * f, top + 0.07 * np.cos(rad["k"]) * f
    out["STRN"] = top - 0.2 * trunk_dir
    if lumbar_chord_deg is not None:
        chord = np.radians(np.broadcast_to(np.atleast_1d(lumbar_chord_deg), (n,)))[:, None]
        sacr = (out["LPSI"] + out["RPSI"]) / 2 - 0.02 * anterior
        out["SACR"], out["L1"] = sacr, sacr + 0.18 * (np.sin(chord) * f + np.cos(chord) * u)
    return {k: _lab(v, heading_deg, up_axis) * scale for k, v in sorted(out.items())}
