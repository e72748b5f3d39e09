"""Sagittal angles from 3-D (or planar 2-D) marker and keypoint trajectories.

Arrays in, arrays out. Positions are ``(n_frames, 3)`` in metres (any length unit
works for angles), NaN where a marker is missing. Points are keyed by the canonical
names of :mod:`squatlab.io.marker_names` (Plug-in Gait names plus ``LHJC``/``RHJC``
for explicit hip-joint centres, ``LHIP``/``RHIP`` for keypoint hips, ``NECK``).

The definitions, with our signs (see ``conventions.py`` and docs/lab-inputs.md):

- lab vertical ``up``: the lab axis (±X, ±Y or ±Z) that points from the ankles to the
  hips, found from the data;
- body forward ``f``: horizontal, perpendicular to the pelvis's (else the hips' or the
  shoulders') left-right line, ``f = up x right``; its sign is checked against the knee,
  which always bends forward of the hip-ankle line;
- pelvis tilt ``atan2(-a.up, a.f)`` with ``a`` = ASIS midpoint minus PSIS midpoint (or
  SACR): the angle of the PSIS-to-ASIS line below horizontal in the sagittal plane,
  + = anterior (ASIS lower than PSIS). About +10 deg in quiet standing with these
  landmarks;
- segment inclination ``atan2(v.f, v.up)`` from vertical, + = top of the segment forward;
- trunk inclination: hip-centre midpoint to upper-thorax point (C7/CLAV midpoint, else
  shoulders, else neck);
- lumbar flexion: lumbar chord (sacrum/PSIS to L1 or T12) inclination minus pelvis tilt;
  without lumbar markers, thorax (STRN/T10 to C7/CLAV) inclination minus pelvis tilt,
  reported as ``thorax_relative_to_pelvis``;
- hip flexion: thigh (hip centre to knee) in the pelvis's sagittal plane, from the pelvis's
  inferior axis, + = knee forward; hip centres by Harrington et al. (2007) regression
  when only ASIS/PSIS are known. Without pelvis markers: 180 deg minus the trunk-thigh angle;
- knee flexion: 180 deg minus the 3-D hip-knee-ankle angle (unsigned);
- shin angle: shank (ankle to knee) inclination in the vertical plane of the foot
  (heel-to-toe), else of the body;
- hip height: vertical hip-centre-to-ankle distance over leg length (thigh + shank).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from squatlab import conventions as cv

Points = Mapping[str, np.ndarray]

# Harrington et al. 2007 (J Biomech 40:595) hip-joint-centre regression, in metres, in the
# ISB pelvis frame (x anterior, y superior, z right, origin at the ASIS midpoint); PW = ASIS
# distance, PD = ASIS-midpoint to PSIS-midpoint distance. Published in mm: x = -0.24 PD - 9.9,
# y = -0.30 PW - 10.9, z = +-(0.33 PW + 7.3).
_HJC_X = (-0.24, -0.0099)
_HJC_Y = (-0.30, -0.0109)
_HJC_Z = (0.33, 0.0073)


def unit(v: np.ndarray) -> np.ndarray:
    """Unit vectors along the last axis (NaN where the length is 0 or NaN).

    >>> unit(np.array([3.0, 4.0, 0.0]))
    array([0.6, 0.8, 0. ])
    """
    v = np.asarray(v, dtype=float)
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, v / n, np.nan)


def dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise dot product (broadcasting)."""
    return np.sum(np.asarray(a) * np.asarray(b), axis=-1)


def _mean(*points: np.ndarray | None) -> np.ndarray | None:
    present = [p for p in points if p is not None]
    if not present:
        return None
    return np.mean(np.stack(present), axis=0)


def _nanmedian_rows(v: np.ndarray) -> np.ndarray:
    good = np.isfinite(v).all(axis=-1)
    return np.median(v[good], axis=0) if good.any() else np.full(v.shape[-1], np.nan)


def lab_vertical(upper: np.ndarray, lower: np.ndarray, *, axes: tuple[int, ...] = (0, 1, 2)) -> np.ndarray:
    """The lab axis (a signed unit vector) that best points from ``lower`` to ``upper``.

    The lab's vertical is one of its axes; which one (and its sign) differs between labs
    and writers (Z up in C3D, Y up in OpenSim, Y down in image pixels).

    >>> lab_vertical(np.array([[0.1, 0.2, 1.0]]), np.array([[0.0, 0.0, 0.1]]))
    array([0., 0., 1.])
    >>> lab_vertical(np.array([[0.0, 100.0, 0.0]]), np.array([[5.0, 400.0, 0.0]]))
    array([ 0., -1.,  0.])
    """
    d = _nanmedian_rows(np.asarray(upper) - np.asarray(lower))
    if not np.isfinite(d).all():
        raise ValueError("cannot find the vertical: no frame with both the hips and the ankles")
    k = max(axes, key=lambda i: abs(d[i]))
    up = np.zeros(3)
    up[k] = np.sign(d[k]) or 1.0
    return up


def planar_axis(points: Points, *, rel_tol: float = 1e-3) -> int | None:
    """The lab axis along which every point is (nearly) constant, if any: 2-D data.

    Returns None for 3-D data.

    >>> planar_axis({"a": np.array([[0.0, 1.0, 0.0], [1.0, 2.0, 0.0]])})
    2
    """
    stacked = np.concatenate([np.asarray(p).reshape(-1, 3) for p in points.values()])
    stacked = stacked[np.isfinite(stacked).all(axis=1)]
    if stacked.size == 0:
        return None
    spans = np.ptp(stacked, axis=0)
    k = int(np.argmin(spans))
    return k if spans[k] <= rel_tol * max(spans.max(), 1e-12) else None


def horizontal(v: np.ndarray, up: np.ndarray) -> np.ndarray:
    """``v`` with its vertical component removed."""
    v = np.asarray(v, dtype=float)
    return v - dot(v, up)[..., None] * up


def heading(left: np.ndarray, right: np.ndarray, up: np.ndarray) -> np.ndarray:
    """Per-frame horizontal forward unit vector ``up x (right - left)``.

    >>> heading(np.array([[0.0, 1.0, 1.0]]), np.array([[0.0, -1.0, 1.0]]), np.array([0.0, 0.0, 1.0])) + 0.0
    array([[1., 0., 0.]])
    """
    lateral = horizontal(np.asarray(right) - np.asarray(left), up)
    return unit(np.cross(up, lateral))


def knee_bend_direction(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, up: np.ndarray) -> np.ndarray:
    """Horizontal unit vector toward which the knee lies off the hip-ankle line, at its most bent.

    The knee bends one way only, forward, so this is the body's forward direction (the
    sign check for headings found from left/right labels, and the only cue in 2-D data).

    >>> hip = np.array([[0.0, 0.0, 0.9], [0.0, 0.0, 0.6]])
    >>> knee = np.array([[0.0, 0.0, 0.5], [0.3, 0.0, 0.4]])
    >>> ankle = np.array([[0.0, 0.0, 0.1], [0.0, 0.0, 0.1]])
    >>> knee_bend_direction(hip, knee, ankle, np.array([0.0, 0.0, 1.0]))
    array([1., 0., 0.])
    """
    mid = (np.asarray(hip) + np.asarray(ankle)) / 2
    off = horizontal(np.asarray(knee) - mid, up)
    size = np.linalg.norm(off, axis=-1)
    if not np.isfinite(size).any():
        return np.full(3, np.nan)
    i = int(np.nanargmax(size))
    return unit(off[i])


def sagittal_angle(v: np.ndarray, up: np.ndarray, forward: np.ndarray) -> np.ndarray:
    """Inclination of ``v`` from vertical in the plane (up, forward), degrees, + = leaning forward.

    >>> sagittal_angle(np.array([[1.0, 0.0, 1.0]]), np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0]))
    array([45.])
    """
    return np.degrees(np.arctan2(dot(v, forward), dot(v, up)))


def pelvis_tilt(asis_mid: np.ndarray, psis_mid: np.ndarray, up: np.ndarray, forward: np.ndarray) -> np.ndarray:
    """Pelvis tilt, degrees: the PSIS-to-ASIS line below horizontal, + = anterior.

    >>> up, fwd = np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0])
    >>> asis = np.array([[0.10, 0.0, 1.00]])
    >>> psis = np.array([[-0.07, 0.0, 1.03]])   # PSIS 3 cm higher, 17 cm behind
    >>> np.round(pelvis_tilt(asis, psis, up, fwd), 1)
    array([10.])
    """
    a = np.asarray(asis_mid) - np.asarray(psis_mid)
    return np.degrees(np.arctan2(-dot(a, up), dot(a, forward)))


@dataclass(frozen=True)
class PelvisFrame:
    """Per-frame pelvis axes (ISB: anterior, superior, right) and its ASIS midpoint."""

    anterior: np.ndarray
    superior: np.ndarray
    right: np.ndarray
    origin: np.ndarray
    width: np.ndarray  # ASIS distance
    depth: np.ndarray  # ASIS midpoint to PSIS midpoint


def pelvis_frame(lasi: np.ndarray, rasi: np.ndarray, posterior: np.ndarray) -> PelvisFrame:
    """ISB pelvis axes from the two ASIS and the PSIS midpoint (or SACR)."""
    origin = (np.asarray(lasi) + np.asarray(rasi)) / 2
    right = unit(np.asarray(rasi) - np.asarray(lasi))
    a0 = origin - np.asarray(posterior)
    anterior = unit(a0 - dot(a0, right)[..., None] * right)
    superior = np.cross(right, anterior)
    return PelvisFrame(
        anterior,
        superior,
        right,
        origin,
        np.linalg.norm(np.asarray(rasi) - np.asarray(lasi), axis=-1),
        np.linalg.norm(a0, axis=-1),
    )


def harrington_hip_centres(frame: PelvisFrame) -> tuple[np.ndarray, np.ndarray]:
    """Left and right hip-joint centres by the Harrington et al. (2007) regression (metres).

    >>> lasi, rasi = np.array([[0.0, 0.12, 1.0]]), np.array([[0.0, -0.12, 1.0]])
    >>> psis = np.array([[-0.16, 0.0, 1.0]])
    >>> left, right = harrington_hip_centres(pelvis_frame(lasi, rasi, psis))
    >>> np.round(right, 3)  # 4.8 cm behind, 8.6 cm right of (-y here), 8.3 cm below the ASIS midpoint
    array([[-0.048, -0.087,  0.917]])
    """
    x = _HJC_X[0] * frame.depth + _HJC_X[1]
    y = _HJC_Y[0] * frame.width + _HJC_Y[1]
    z = _HJC_Z[0] * frame.width + _HJC_Z[1]
    base = frame.origin + x[..., None] * frame.anterior + y[..., None] * frame.superior
    return base - z[..., None] * frame.right, base + z[..., None] * frame.right


def hip_flexion_pelvis(frame: PelvisFrame, hip: np.ndarray, knee: np.ndarray) -> np.ndarray:
    """Thigh angle in the pelvis's sagittal plane from its inferior axis, degrees, + = flexion."""
    d = np.asarray(knee) - np.asarray(hip)
    return np.degrees(np.arctan2(dot(d, frame.anterior), -dot(d, frame.superior)))


def included_angle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angle between vectors ``a`` and ``b`` (row-wise), degrees.

    >>> included_angle(np.array([[1.0, 0.0, 0.0]]), np.array([[0.0, 2.0, 0.0]]))
    array([90.])
    """
    c = dot(unit(a), unit(b))
    return np.degrees(np.arccos(np.clip(c, -1.0, 1.0)))


def knee_flexion(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray) -> np.ndarray:
    """180 deg minus the hip-knee-ankle angle, degrees (0 = straight; hyperextension reads +).

    >>> knee_flexion(np.array([[0.0, 0, 1.0]]), np.array([[0.0, 0, 0.5]]), np.array([[0.5, 0, 0.5]]))
    array([90.])
    """
    return included_angle(np.asarray(knee) - np.asarray(hip), np.asarray(ankle) - np.asarray(knee))


@dataclass(frozen=True)
class MarkerAngles:
    """Per-frame channels computed from markers, the ones that could not be, and how."""

    channels: dict[str, np.ndarray] = field(default_factory=dict)
    absent: dict[str, str] = field(default_factory=dict)
    method: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Body:
    """The landmarks the angle definitions need, resolved from whatever markers exist."""

    up: np.ndarray
    forward: np.ndarray  # (n, 3)
    pelvis: PelvisFrame | None
    posterior: np.ndarray | None
    hips: dict[str, np.ndarray | None]
    knees: dict[str, np.ndarray | None]
    ankles: dict[str, np.ndarray | None]
    feet: dict[str, np.ndarray | None]  # heel-to-toe horizontal directions
    upper_trunk: np.ndarray | None
    method: dict[str, Any]


def _get(points: Points, name: str) -> np.ndarray | None:
    p = points.get(name)
    return None if p is None else np.asarray(p, dtype=float)


def _resolve_up(points: Points, planar: int | None) -> np.ndarray:
    upper = _mean(*(_get(points, n) for n in ("LASI", "RASI", "LHJC", "RHJC", "LHIP", "RHIP", "C7", "NECK")))
    lower = _mean(*(_get(points, n) for n in ("LANK", "RANK", "LHEE", "RHEE", "LMED", "RMED")))
    if upper is None or lower is None:
        raise ValueError("cannot find the vertical: need hip (or pelvis) and ankle markers")
    axes = tuple(i for i in range(3) if i != planar)
    return lab_vertical(upper, lower, axes=axes)


def _lateral_pair(points: Points) -> tuple[np.ndarray, np.ndarray, str] | None:
    for left, right in (("LASI", "RASI"), ("LHJC", "RHJC"), ("LHIP", "RHIP"), ("LSHO", "RSHO")):
        lp, rp = _get(points, left), _get(points, right)
        if lp is not None and rp is not None:
            return lp, rp, f"{left}-{right}"
    return None


def _resolve_forward(
    points: Points, up: np.ndarray, planar: int | None, hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray
) -> tuple[np.ndarray, dict[str, Any]]:
    n = hip.shape[0]
    bend = knee_bend_direction(hip, knee, ankle, up)
    if planar is not None:
        k = next(i for i in range(3) if i != planar and up[i] == 0)
        axis = np.zeros(3)
        axis[k] = 1.0
        sign = np.sign(dot(bend, axis)) if np.isfinite(bend).all() else 1.0
        return np.tile(axis * (sign or 1.0), (n, 1)), {"forward": "in-plane horizontal axis, sign from the knee bend"}
    pair = _lateral_pair(points)
    if pair is None:
        if not np.isfinite(bend).all():
            raise ValueError("cannot find the forward direction: no left/right pair and no knee bend")
        return np.tile(bend, (n, 1)), {"forward": "knee bend direction (no left/right markers)"}
    per_frame = heading(pair[0], pair[1], up)
    typical = unit(_nanmedian_rows(per_frame))
    per_frame = np.where(np.isfinite(per_frame).all(axis=1, keepdims=True), per_frame, typical)
    note = {"forward": f"perpendicular to {pair[2]}, per frame"}
    if np.isfinite(bend).all() and dot(typical, bend) < 0:
        # Left/right labels disagree with the way the knees bend: trust anatomy.
        per_frame = -per_frame
        note["forward_flipped"] = "left/right labels point backwards relative to the knee bend; flipped"
    return per_frame, note


def _side_joints(points: Points, side: str, pelvis: PelvisFrame | None) -> tuple[np.ndarray | None, str]:
    explicit = _get(points, f"{side}HJC")
    if explicit is not None:
        return explicit, "marker"
    if pelvis is not None:
        left, right = harrington_hip_centres(pelvis)
        return (left if side == "L" else right), "Harrington 2007 regression"
    keypoint = _get(points, f"{side}HIP")
    return keypoint, "keypoint"


def _foot_direction(points: Points, side: str, up: np.ndarray, forward: np.ndarray) -> np.ndarray | None:
    heel, toe = _get(points, f"{side}HEE"), _get(points, f"{side}TOE")
    if heel is None or toe is None:
        return None
    d = unit(_nanmedian_rows(horizontal(toe - heel, up)))
    if not np.isfinite(d).all():
        return None
    # Feet stay planted during a squat, so one direction per foot for the whole trial.
    return d if dot(d, _nanmedian_rows(forward)) > 0 else None


def _resolve_body(points: Points) -> _Body:
    planar = planar_axis(points)
    up = _resolve_up(points, planar)
    lasi, rasi = _get(points, "LASI"), _get(points, "RASI")
    psis = _mean(_get(points, "LPSI"), _get(points, "RPSI"))
    posterior = psis if psis is not None else _get(points, "SACR")
    pelvis = None
    if lasi is not None and rasi is not None and posterior is not None and planar is None:
        pelvis = pelvis_frame(lasi, rasi, posterior)
    hips, method = {}, {"up_axis": "XYZ"[int(np.flatnonzero(up)[0])] + ("+" if up.sum() > 0 else "-")}
    for side in ("L", "R"):
        hips[side], method[f"hip_centre_{side}"] = _side_joints(points, side, pelvis)
    # Joint centres: midway between the lateral and medial markers, or the one present.
    knees = {s: _mean(_get(points, f"{s}KNE"), _get(points, f"{s}KNM")) for s in ("L", "R")}
    ankles = {s: _mean(_get(points, f"{s}ANK"), _get(points, f"{s}MED")) for s in ("L", "R")}
    hip_all = _mean(hips["L"], hips["R"])
    knee_all = _mean(knees["L"], knees["R"])
    ankle_all = _mean(ankles["L"], ankles["R"])
    if hip_all is None or knee_all is None or ankle_all is None:
        missing = [
            name for name, found in (("hip", hip_all), ("knee", knee_all), ("ankle", ankle_all)) if found is None
        ]
        how = " (the hip joints are placed from LASI, RASI and LPSI/RPSI or SACR, or from hip keypoints)"
        raise ValueError(
            f"cannot place the {' and '.join(missing)} joints on either side{how if 'hip' in missing else ''}"
        )
    forward, note = _resolve_forward(points, up, planar, hip_all, knee_all, ankle_all)
    method.update(note)
    method["planar"] = planar is not None
    feet = {s: _foot_direction(points, s, up, forward) for s in ("L", "R")}
    upper = _mean(_get(points, "C7"), _get(points, "CLAV"))
    if upper is None:
        upper = _mean(_get(points, "LSHO"), _get(points, "RSHO"))
    if upper is None:
        upper = _get(points, "NECK")
    return _Body(up, forward, pelvis, posterior, hips, knees, ankles, feet, upper, method)


def _combine(left: np.ndarray | None, right: np.ndarray | None) -> np.ndarray | None:
    """Mean of the two sides where both exist, else whichever side exists."""
    sides = [s for s in (left, right) if s is not None]
    if not sides:
        return None
    stack = np.stack(sides)
    count = np.isfinite(stack).sum(axis=0)
    total = np.where(np.isfinite(stack), stack, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _knee_side(body: _Body, side: str) -> np.ndarray | None:
    h, k, a = body.hips[side], body.knees[side], body.ankles[side]
    return None if h is None or k is None or a is None else knee_flexion(h, k, a)


def _shin_side(body: _Body, side: str) -> np.ndarray | None:
    k, a = body.knees[side], body.ankles[side]
    if k is None or a is None:
        return None
    direction = body.feet[side] if body.feet[side] is not None else body.forward
    return sagittal_angle(k - a, body.up, direction)


def _hip_side(body: _Body, side: str) -> np.ndarray | None:
    h, k = body.hips[side], body.knees[side]
    if h is None or k is None:
        return None
    if body.pelvis is not None:
        return hip_flexion_pelvis(body.pelvis, h, k)
    if body.upper_trunk is None:
        return None
    # The trunk is a central segment: from the hip-centre midpoint, the same for both legs.
    trunk = body.upper_trunk - _combine(body.hips["L"], body.hips["R"])
    return 180.0 - included_angle(trunk, k - h)


def _height_side(body: _Body, side: str) -> np.ndarray | None:
    h, k, a = body.hips[side], body.knees[side], body.ankles[side]
    if h is None or k is None or a is None:
        return None
    lengths = np.linalg.norm(h - k, axis=1) + np.linalg.norm(k - a, axis=1)
    leg = np.nanmedian(lengths) if np.isfinite(lengths).any() else np.nan
    if not leg > 0:
        return None
    return dot(h - a, body.up) / leg


_LEG_CHANNELS = (
    (cv.KNEE_FLEXION, _knee_side, "needs hip, knee and ankle markers on one side"),
    (cv.SHIN_ANGLE, _shin_side, "needs knee and ankle markers on one side"),
    (cv.HIP_FLEXION, _hip_side, "needs the pelvis (or trunk), hip centre and knee on one side"),
    (cv.HIP_HEIGHT, _height_side, "needs hip, knee and ankle markers on one side"),
)


def _leg_angles(body: _Body) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Per-side leg channels, averaged over the sides present."""
    chans: dict[str, np.ndarray] = {}
    absent: dict[str, str] = {}
    for name, per_side, reason in _LEG_CHANNELS:
        values = _combine(per_side(body, "L"), per_side(body, "R"))
        if values is None:
            absent[name] = reason
        else:
            chans[name] = values
    return chans, absent


def _lumbar(points: Points, body: _Body, tilt: np.ndarray) -> tuple[np.ndarray | None, str]:
    upper_lumbar = _get(points, "L1")
    if upper_lumbar is None:
        upper_lumbar = _get(points, "T12")
    sacrum = _get(points, "SACR")
    if sacrum is None:
        sacrum = body.posterior
    if upper_lumbar is not None and sacrum is not None:
        return sagittal_angle(upper_lumbar - sacrum, body.up, body.forward) - tilt, "lumbar_markers"
    top = _mean(_get(points, "C7"), _get(points, "CLAV"))
    bottom = _mean(_get(points, "STRN"), _get(points, "T10"))
    if top is not None and bottom is not None:
        return sagittal_angle(top - bottom, body.up, body.forward) - tilt, "thorax_relative_to_pelvis"
    return None, "none"


def sagittal_angles(points: Points) -> MarkerAngles:
    """All the sagittal channels the given markers allow, with reasons for the others.

    Parameters
    ----------
    points : mapping of str to ndarray, shape (n_frames, 3)
        Canonical marker names to positions. Missing samples are NaN.

    Returns
    -------
    MarkerAngles
        ``channels`` keyed by the names of :mod:`squatlab.conventions` (degrees, and
        leg lengths for hip height), with absolute pelvis tilt and lumbar flexion in
        ``pelvis_tilt_abs_deg`` / ``lumbar_flexion_abs_deg``; ``absent`` names each channel
        that cannot be computed and why; ``method`` says how the frame was found.

    Raises
    ------
    ValueError
        When not even the hips, knees and ankles are there.

    Examples
    --------
    A lifter facing +X in a Z-up lab, standing with the pelvis tilted 10 deg anterior:

    >>> z = lambda x, y, h: np.array([[x, y, h]])
    >>> pts = {"LASI": z(0.10, 0.12, 1.00), "RASI": z(0.10, -0.12, 1.00),
    ...        "LPSI": z(-0.07, 0.05, 1.03), "RPSI": z(-0.07, -0.05, 1.03),
    ...        "LKNE": z(0.05, 0.10, 0.50), "RKNE": z(0.05, -0.10, 0.50),
    ...        "LANK": z(0.05, 0.10, 0.08), "RANK": z(0.05, -0.10, 0.08)}
    >>> out = sagittal_angles(pts)
    >>> round(float(out.channels["pelvis_tilt_abs_deg"][0]), 1)
    10.0
    >>> out.absent["lumbar_flexion_abs_deg"]
    'no lumbar (L1/T12) or thorax (C7, CLAV, STRN, T10) markers'
    """
    body = _resolve_body(points)
    channels, absent = _leg_angles(body)
    method = dict(body.method)
    if body.pelvis is None:
        reason = (
            "no pelvic landmarks beyond hip centres (needs ASIS and PSIS/SACR markers)"
            if not method["planar"]
            else "planar (2-D) data: the ASIS-PSIS line cannot be seen"
        )
        absent[cv.PELVIS_TILT_ABS] = reason
        absent[cv.LUMBAR_FLEXION_ABS] = "needs pelvis tilt: " + reason
    else:
        tilt = pelvis_tilt(body.pelvis.origin, body.posterior, body.up, body.forward)
        channels[cv.PELVIS_TILT_ABS] = tilt
        lumbar, how = _lumbar(points, body, tilt)
        method["lumbar"] = how
        if lumbar is None:
            absent[cv.LUMBAR_FLEXION_ABS] = "no lumbar (L1/T12) or thorax (C7, CLAV, STRN, T10) markers"
        else:
            channels[cv.LUMBAR_FLEXION_ABS] = lumbar
    hip_mid = _combine(body.hips["L"], body.hips["R"])
    if body.upper_trunk is not None and hip_mid is not None:
        channels[cv.TRUNK_INCLINATION] = sagittal_angle(body.upper_trunk - hip_mid, body.up, body.forward)
    else:
        absent[cv.TRUNK_INCLINATION] = "needs an upper-trunk marker (C7/CLAV, shoulders or neck)"
    return MarkerAngles(channels, absent, method)
