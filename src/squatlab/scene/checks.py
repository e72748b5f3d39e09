"""Warnings about the scene: the view, and the lifter leaving the frame."""

from __future__ import annotations

import numpy as np

from squatlab.kinematics.filtering import valid_runs
from squatlab.trial import Landmarks, Notice, View

_KEY_PARTS = ("shoulder", "hip", "knee", "ankle")
# Warn about a condition only when it covers at least this share of the recording.
_MIN_SHARE = 0.05


def view_notices(view: View, time_s: np.ndarray) -> list[Notice]:
    notices = []
    known = view.kind != "unknown"
    if not known.any():
        return notices
    side = view.side_fraction
    if side < 1.0 - _MIN_SHARE:
        other = known & (view.kind != "side")
        notices.append(
            Notice(
                "not_side_view",
                f"The lifter is seen from the side in {side:.0%} of the frames where they were tracked; front and "
                f"oblique views ({_ranges(time_s, other)}) make 2-D joint angles unreliable, so reps filmed mostly "
                "that way are not measured.",
                *_span(time_s, other),
            )
        )
    if view.facing == "unknown":
        notices.append(Notice("facing_unknown", "Could not tell which way the lifter faces; angles may be mirrored."))
    return notices


def out_of_frame(landmarks: Landmarks, side: str, *, margin_frac: float) -> np.ndarray:
    """Per frame: a key landmark of the near side lies outside the image (or within the margin)."""
    width, height = landmarks.image_size
    mx, my = margin_frac * width, margin_frac * height
    out = np.zeros(landmarks.xy.shape[0], dtype=bool)
    for part in _KEY_PARTS:
        x, y = landmarks.point(f"{side}_{part}").T
        out |= (x < mx) | (x > width - mx) | (y < my) | (y > height - my)
    tracked = np.isfinite(landmarks.xy[:, :, 0]).any(axis=1)
    return out & tracked


def frame_notices(landmarks: Landmarks, view: View, time_s: np.ndarray, *, margin_frac: float) -> list[Notice]:
    out = out_of_frame(landmarks, view.leg_side, margin_frac=margin_frac)
    notices = []
    if out.mean() >= _MIN_SHARE:
        notices.append(
            Notice(
                "out_of_frame",
                f"Part of the lifter (head, hips, knees or feet) is outside the picture in {out.mean():.0%} of the "
                f"frames ({_ranges(time_s, out)}); angles there rest on guessed points and carry low confidence.",
                *_span(time_s, out),
            )
        )
    lost = ~np.isfinite(landmarks.xy[:, :, 0]).any(axis=1)
    if lost.mean() >= _MIN_SHARE:
        notices.append(
            Notice(
                "not_tracked",
                f"No person was tracked in {lost.mean():.0%} of the frames ({_ranges(time_s, lost)}).",
                *_span(time_s, lost),
            )
        )
    return notices


def _span(time_s: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    """(first, last) time the condition holds: the warning's start_s and end_s."""
    frames = np.flatnonzero(mask)
    return float(time_s[frames[0]]), float(time_s[frames[-1]])


def _ranges(time_s: np.ndarray, mask: np.ndarray, limit: int = 4) -> str:
    runs = valid_runs(mask)
    text = ", ".join(f"{time_s[a]:.1f}-{time_s[b - 1]:.1f} s" for a, b in runs[:limit])
    return text + (f" and {len(runs) - limit} more" if len(runs) > limit else "")
