"""How the camera sees the lifter: view per frame, facing direction, near side.

The body's yaw to the camera comes from the depth difference of the left and right
shoulders and hips that BlazePose estimates: seen from the side, one shoulder is far
nearer the camera than the other and the two nearly overlap in x; seen from the front,
they lie side by side at about the same depth.
"""

from __future__ import annotations

import warnings

import numpy as np

from squatlab.kinematics.filtering import rolling_percentile
from squatlab.trial import Landmarks, View

_PAIRS = (("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"))
_LEG = ("hip", "knee", "ankle")


def body_yaw(landmarks: Landmarks, time_s: np.ndarray, *, smooth_s: float = 0.5) -> np.ndarray:
    """Yaw of the body to the camera per frame, degrees: 90 = side view, 0 = front/back.

    NaN where the landmarks are missing. Smoothed by a running median of ``smooth_s``.
    """
    if landmarks.z is None:
        return np.full(landmarks.xy.shape[0], np.nan)
    per_pair = []
    for left, right in _PAIRS:
        i, j = landmarks.index(left), landmarks.index(right)
        dx = np.abs(landmarks.xy[:, i, 0] - landmarks.xy[:, j, 0])
        dz = np.abs(landmarks.z[:, i] - landmarks.z[:, j])
        per_pair.append(np.degrees(np.arctan2(dz, dx)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # frames with no landmarks give NaN
        yaw = np.nanmean(np.vstack(per_pair), axis=0)
    return np.where(np.isfinite(yaw), rolling_percentile(yaw, time_s, window_s=smooth_s, q=50), np.nan)


def classify_view(yaw_deg: np.ndarray, *, side_min_yaw_deg: float, front_max_yaw_deg: float) -> np.ndarray:
    """'side', 'oblique', 'front' or 'unknown' (no landmarks) per frame.

    >>> classify_view(np.array([85.0, 45.0, 10.0, np.nan]), side_min_yaw_deg=60, front_max_yaw_deg=30).tolist()
    ['side', 'oblique', 'front', 'unknown']
    """
    kind = np.full(yaw_deg.shape, "unknown", dtype=object)
    kind[yaw_deg >= side_min_yaw_deg] = "side"
    kind[(yaw_deg < side_min_yaw_deg) & (yaw_deg > front_max_yaw_deg)] = "oblique"
    kind[yaw_deg <= front_max_yaw_deg] = "front"
    return kind.astype(str)


def facing_direction(landmarks: Landmarks, frames: np.ndarray | None = None) -> str:
    """'right' or 'left': the way the lifter faces in the image, from toes vs heels and nose vs ears."""
    sel = slice(None) if frames is None else frames
    votes = []
    for side in ("left", "right"):
        toe = landmarks.point(f"{side}_foot_index")[sel, 0] - landmarks.point(f"{side}_heel")[sel, 0]
        votes.append(toe)
        nose = landmarks.point("nose")[sel, 0] - landmarks.point(f"{side}_ear")[sel, 0]
        votes.append(nose)
    direction = np.nanmedian(np.sign(np.concatenate(votes)))
    if not np.isfinite(direction) or direction == 0:
        return "unknown"
    return "right" if direction > 0 else "left"


def near_side(landmarks: Landmarks, frames: np.ndarray | None = None) -> str:
    """'left' or 'right': the body side turned toward the camera (the better-seen leg)."""
    sel = slice(None) if frames is None else frames
    score = {}
    for side in ("left", "right"):
        idx = [landmarks.index(f"{side}_{part}") for part in _LEG]
        vis = np.nanmean(landmarks.visibility[sel][:, idx])
        depth = np.nanmedian(landmarks.z[sel][:, idx]) if landmarks.z is not None else 0.0
        score[side] = (vis, -depth)
    if not all(np.isfinite(v[0]) for v in score.values()):
        return "unknown"
    # Visibility decides when it differs clearly; otherwise the nearer (smaller z) side.
    if abs(score["left"][0] - score["right"][0]) > 0.05:
        return max(score, key=lambda s: score[s][0])
    return max(score, key=lambda s: score[s][1])


def assess_view(landmarks: Landmarks, time_s: np.ndarray, *, side_min_yaw_deg: float, front_max_yaw_deg: float) -> View:
    """The view per frame, and the facing direction and near side over the side-view frames."""
    yaw = body_yaw(landmarks, time_s)
    kind = classify_view(yaw, side_min_yaw_deg=side_min_yaw_deg, front_max_yaw_deg=front_max_yaw_deg)
    side_frames = np.flatnonzero(kind == "side")
    frames = side_frames if side_frames.size else None
    return View(
        kind=kind,
        yaw_deg=yaw,
        facing=facing_direction(landmarks, frames),
        near_side=near_side(landmarks, frames),
    )
