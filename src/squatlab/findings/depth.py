"""Safe depth: the depth just above the earliest wink onset in the set, as a suggestion.

Where anatomy limits the hip, mobility work does not move the point where the pelvis must
rotate back, and the useful advice is to squat to just above it (DOMAIN.md). Where the
ankle limits, the same depth is a sensible target until a set-up change (heel elevation,
stance) moves the onset deeper.
"""

from __future__ import annotations

import math

from squatlab import conventions as cv
from squatlab.findings import _curves as c
from squatlab.findings import text


def thigh_angle_deg(hip_depth_thigh: float) -> float:
    """Thigh angle below level (deg) for a hip depth in thigh lengths (+ = hip below the knee).

    >>> round(thigh_angle_deg(0.5), 1)
    30.0
    """
    return math.degrees(math.asin(max(-1.0, min(1.0, hip_depth_thigh))))


def safe_depth(
    winks: list[dict], *, safe_margin_thigh: float, safe_margin_deg: float
) -> tuple[dict | None, str | None]:
    """The suggested depth from the detected winks' onsets.

    Parameters
    ----------
    winks : list of dict
        Detected butt-wink findings, each with ``index`` added (the rep number).
    safe_margin_thigh, safe_margin_deg : float
        How far above the earliest onset to stop: in thigh lengths of hip depth and in
        degrees of hip flexion.

    Returns
    -------
    (dict or None, reason or None)
        ``hip_depth_thigh`` (+ = hip below the knee), ``thigh_angle_deg`` (below level),
        ``hip_flexion_deg``, the onset they come from (``from_rep``, ``onset_hip_depth_thigh``,
        ``onset_hip_flexion_deg``, ``onset_knee_flexion_deg``), the margins and ``text``.

    Examples
    --------
    >>> wink = {"index": 2, "onset": {"hip_depth_thigh": 0.0, "hip_flexion_deg": 100.0, "knee_flexion_deg": 110.0}}
    >>> depth, _ = safe_depth([wink], safe_margin_thigh=0.1, safe_margin_deg=5.0)
    >>> depth["hip_depth_thigh"], depth["hip_flexion_deg"]
    (-0.1, 95.0)
    """
    if not winks:
        return None, "no rep showed a butt wink"
    by_depth = [w for w in winks if w["onset"].get(cv.HIP_DEPTH) is not None]
    by_hip = [w for w in winks if w["onset"].get(cv.HIP_FLEXION) is not None]
    if not by_depth and not by_hip:
        return None, "neither hip depth nor hip flexion was measured at the wink onset"
    # The earliest onset is the shallowest one: the highest hip, else the least hip flexion.
    if by_depth:
        earliest = min(by_depth, key=lambda w: w["onset"][cv.HIP_DEPTH])
    else:
        earliest = min(by_hip, key=lambda w: w["onset"][cv.HIP_FLEXION])
    onset = earliest["onset"]
    depth = onset.get(cv.HIP_DEPTH)
    hip = min((w["onset"][cv.HIP_FLEXION] for w in by_hip), default=None)
    safe_depth_thigh = None if depth is None else depth - safe_margin_thigh
    result = {
        "hip_depth_thigh": c.rounded(safe_depth_thigh, 3),
        "thigh_angle_deg": None if safe_depth_thigh is None else c.rounded(thigh_angle_deg(safe_depth_thigh)),
        "hip_flexion_deg": None if hip is None else c.rounded(hip - safe_margin_deg),
        "from_rep": earliest["index"],
        "onset_hip_depth_thigh": depth,
        "onset_hip_flexion_deg": hip,
        "onset_knee_flexion_deg": onset.get(cv.KNEE_FLEXION),
        "margin_thigh": safe_margin_thigh,
        "margin_deg": safe_margin_deg,
    }
    result["text"] = text.safe_depth_text(result)
    return result, None
