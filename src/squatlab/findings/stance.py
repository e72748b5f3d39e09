"""Stance width and toe-out from a front-view clip's landmarks.

McKean et al. (2010) compared a narrow stance (feet about ASIS width) with a wide one (about
twice ASIS width). Keypoint models give no ASIS, but their hip points sit near the hip joint
centres, which lie 14 % of the ASIS width inside each ASIS (Bell, Brand & Pedersen 1989):
0.72 ASIS widths apart. So the ankle distance over the hip-point distance is about 1.4 for
McKean's narrow stance and 2.8 for the wide one.

Toe-out is the angle between the foot and straight ahead. In a front view the foot points
at the camera and its length cannot be seen; its sideways part can. The foot's length is
taken from the shank's, which lies in the image plane (foot = 0.62 shank, Winter 2009).
"""

from __future__ import annotations

import math

import numpy as np

from squatlab.conventions import BLAZEPOSE_LANDMARKS
from squatlab.settings import FindingSettings, PoseSettings
from squatlab.trial import Landmarks

_FINDINGS = FindingSettings()
_POSE = PoseSettings()

STANCE_LABELS = ("narrow", "medium", "wide", "unknown")


def stance_from_front(
    xy: np.ndarray | Landmarks,
    *,
    names: tuple[str, ...] = BLAZEPOSE_LANDMARKS,
    visibility: np.ndarray | None = None,
    min_visibility: float = _POSE.min_visibility,
    stance_narrow_max_ratio: float = _FINDINGS.stance_narrow_max_ratio,
    stance_wide_min_ratio: float = _FINDINGS.stance_wide_min_ratio,
    foot_to_shank: float = _FINDINGS.foot_to_shank,
) -> tuple[str, float, float]:
    """Classify the stance from front-view landmarks of the lifter standing.

    Parameters
    ----------
    xy : ndarray, shape (n_frames, n_landmarks, 2) or (n_landmarks, 2), or Landmarks
        Landmark positions in pixels (x right, y down), in the order of ``names``. Pass the
        frames in which the lifter stands set up for the squat; NaN where unseen. A
        :class:`~squatlab.trial.Landmarks` brings its own names and visibility.
    names : tuple of str
        Landmark names; BlazePose's by default (needs hips, knees, ankles, heels, foot indices).
    visibility : ndarray, shape (n_frames, n_landmarks), optional
        0-1 per landmark; points below ``min_visibility`` are ignored.
    stance_narrow_max_ratio, stance_wide_min_ratio : float
        Ankle distance / hip-point distance at or below which the stance is narrow, at or
        above which it is wide (see :class:`squatlab.settings.FindingSettings`).
    foot_to_shank : float
        Foot length as a fraction of the knee-to-ankle length.

    Returns
    -------
    (label, ankle_to_hip_ratio, toe_out_deg)
        ``label`` is "narrow" | "medium" | "wide", or "unknown" (ratio NaN) when hips or
        ankles were never seen. ``toe_out_deg`` is the mean of both feet, + = toes pointing
        outwards, NaN when the feet were not seen. Medians over the frames.

    Raises
    ------
    ValueError
        When ``xy`` does not have one (x, y) pair per name.

    Examples
    --------
    >>> pts = {"left_hip": (120, 300), "right_hip": (80, 300), "left_knee": (130, 400),
    ...        "right_knee": (70, 400), "left_ankle": (140, 500), "right_ankle": (60, 500),
    ...        "left_heel": (140, 505), "right_heel": (60, 505),
    ...        "left_foot_index": (140, 530), "right_foot_index": (60, 530)}
    >>> xy = np.array([pts.get(n, (np.nan, np.nan)) for n in BLAZEPOSE_LANDMARKS], dtype=float)
    >>> label, ratio, toe_out = stance_from_front(xy)
    >>> label, round(ratio, 2), round(toe_out, 1)
    ('medium', 2.0, 0.0)
    """
    if isinstance(xy, Landmarks):
        names, visibility, xy = xy.names, (xy.visibility if visibility is None else visibility), xy.xy
    xy = np.asarray(xy, dtype=float)
    if xy.ndim == 2:
        xy = xy[None]
    if xy.ndim != 3 or xy.shape[1:] != (len(names), 2):
        raise ValueError(f"xy must have shape (n_frames, {len(names)}, 2) or ({len(names)}, 2); got {xy.shape}")
    if visibility is not None:
        vis = np.asarray(visibility, dtype=float).reshape(xy.shape[:2])
        xy = np.where((vis >= min_visibility)[..., None], xy, np.nan)

    def pt(name: str) -> np.ndarray:
        return xy[:, names.index(name)]

    across = pt("left_hip") - pt("right_hip")  # points to the lifter's left in the image
    hip_width = np.linalg.norm(across, axis=1)
    hip_width[hip_width <= 0] = np.nan
    ratio = _median(np.linalg.norm(pt("left_ankle") - pt("right_ankle"), axis=1) / hip_width)
    lateral = across / hip_width[:, None]
    toe_out = []
    for side, outward in (("left", lateral), ("right", -lateral)):
        foot = pt(f"{side}_foot_index") - pt(f"{side}_heel")
        shank = np.linalg.norm(pt(f"{side}_knee") - pt(f"{side}_ankle"), axis=1)
        sideways = np.sum(foot * outward, axis=1)
        shank[shank <= 0] = np.nan
        toe_out.append(np.degrees(np.arcsin(np.clip(sideways / (foot_to_shank * shank), -1.0, 1.0))))
    both = np.vstack(toe_out)
    seen = np.isfinite(both).sum(axis=0)
    per_frame = np.full(both.shape[1], np.nan)
    per_frame[seen > 0] = np.nansum(both, axis=0)[seen > 0] / seen[seen > 0]
    toe_out_deg = _median(per_frame)
    if not math.isfinite(ratio):
        return "unknown", float("nan"), toe_out_deg
    if ratio <= stance_narrow_max_ratio:
        label = "narrow"
    elif ratio >= stance_wide_min_ratio:
        label = "wide"
    else:
        label = "medium"
    return label, ratio, toe_out_deg


def _median(values: np.ndarray) -> float:
    values = values[np.isfinite(values)]
    return float(np.median(values)) if values.size else float("nan")
