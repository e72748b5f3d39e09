"""Where the pose model may skip frames: every k-th frame while the lifter stands, every frame in a rep.

The people scan (a few frames a second) already shows how high the followed person's
hips are. Where the hips stay at standing height across neighbouring samples, the body
barely moves, and the model runs on every ``slow_stride``-th frame only; the frames in
between get landmarks and outline points interpolated from the two frames around them.
From ``full_rate_margin_s`` before the hips leave standing height until that long after
they are back, that is over every rep with its bottom, the model runs on every frame.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from squatlab.pose.people import Track


def full_rate_zones(track: Track | None, *, stand_tolerance: float, margin_s: float) -> list[tuple[float, float]]:
    """``(start, end)`` times (s) where every frame needs the model; ``[(-inf, inf)]`` without a track.

    >>> from squatlab.pose.people import Detection
    >>> heights = [1.0, 1.0, 1.0, 0.6, 0.5, 0.9, 1.0, 1.0, 1.0, 1.0]
    >>> track = Track([Detection(t / 4, (0, 0, 1, 1), (0, 0), h) for t, h in enumerate(heights)])
    >>> full_rate_zones(track, stand_tolerance=0.03, margin_s=0.25)
    [(0.25, 1.75)]
    """
    if track is None or len(track.detections) < 3:
        return [(-np.inf, np.inf)]
    times = np.array([d.time_s for d in track.detections])
    heights = np.array([d.hip_height for d in track.detections])
    known = np.isfinite(heights)
    if known.sum() < 3:
        return [(-np.inf, np.inf)]
    standing_level = np.percentile(heights[known], 90)
    moving = ~known | (heights < standing_level - stand_tolerance)
    zones: list[tuple[float, float]] = []
    for i in np.flatnonzero(moving):
        # The body may have left standing anywhere since the previous sample, and be back
        # anywhere before the next one.
        start = (times[i - 1] if i > 0 else times[i]) - margin_s
        end = (times[i + 1] if i + 1 < len(times) else np.inf) + margin_s
        if zones and start <= zones[-1][1]:
            zones[-1] = (zones[-1][0], max(zones[-1][1], end))
        else:
            zones.append((float(start), float(end)))
    return zones


def pacer(zones: list[tuple[float, float]], stride: int) -> Callable[[float, int], bool]:
    """``needs_pose(time_s, frames_since_last_pose)``: whether the model must run on this frame.

    >>> needs = pacer([(1.0, 2.0)], 3)
    >>> [needs(t, n) for t, n in ((0.0, 1), (0.0, 3), (1.5, 1))]
    [False, True, True]
    """
    starts = np.array([z[0] for z in zones])
    ends = np.array([z[1] for z in zones])

    def needs_pose(time_s: float, since: int) -> bool:
        if stride <= 1 or since >= stride:
            return True
        k = int(np.searchsorted(starts, time_s, side="right")) - 1
        return bool(k >= 0 and time_s < ends[k])

    return needs_pose


def fill_skipped(
    time_s: np.ndarray, posed: np.ndarray, arrays: Mapping[str, np.ndarray], *, max_gap: int
) -> dict[str, np.ndarray]:
    """Linear interpolation in time of every array over the frames the model skipped.

    ``posed`` marks the frames the model ran on; a skipped frame takes its values from the
    posed frames just before and after it (at most ``max_gap`` frames apart), and stays as
    it was (NaN) where either lacks a value or it lies outside them. Arrays are per frame
    along their first axis.

    >>> t = np.arange(5.0)
    >>> posed = np.array([True, False, False, True, True])
    >>> fill_skipped(t, posed, {"x": np.array([0.0, np.nan, np.nan, 3.0, 9.0])}, max_gap=3)["x"].tolist()
    [0.0, 1.0, 2.0, 3.0, 9.0]
    """
    skipped = np.flatnonzero(~posed)
    posed_at = np.flatnonzero(posed)
    if skipped.size == 0 or posed_at.size == 0:
        return dict(arrays)
    after = np.searchsorted(posed_at, skipped)
    inside = (after > 0) & (after < posed_at.size)
    skipped, after = skipped[inside], after[inside]
    left, right = posed_at[after - 1], posed_at[after]
    near = right - left <= max_gap
    skipped, left, right = skipped[near], left[near], right[near]
    weight = (time_s[skipped] - time_s[left]) / (time_s[right] - time_s[left])
    filled = {}
    for key, values in arrays.items():
        out = values.astype(float if values.dtype.kind != "f" else values.dtype, copy=True)
        w = weight.reshape((-1,) + (1,) * (values.ndim - 1))
        out[skipped] = (1 - w) * values[left] + w * values[right]
        filled[key] = out
    return filled
