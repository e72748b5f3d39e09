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


def still_spans(
    track: Track | None, *, stand_tolerance: float, max_gap_s: float, max_move: float = np.inf
) -> list[tuple[float, float]]:
    """``(start, end)`` times (s) where the people scan saw the lifter standing still: between
    two neighbouring samples (at most ``max_gap_s`` apart) that both show the hips within
    ``stand_tolerance`` leg lengths of their standing height and between which the hips
    moved at most ``max_move`` of the person's size. Nothing is known to be still where the
    scan lost the lifter (its detector needs the face, which a plate may hide), where it
    took something for a body, or without a track.

    >>> from dataclasses import replace
    >>> from squatlab.pose.people import Detection
    >>> heights = [1.0, 1.0, 1.0, 0.6, 0.5, 0.9, 1.0, 1.0, 1.0, 1.0]
    >>> track = Track([Detection(t / 4, (0, 0, 1, 1), (0, 0), h) for t, h in enumerate(heights)])
    >>> still_spans(track, stand_tolerance=0.03, max_gap_s=0.3)
    [(0.0, 0.5), (1.5, 2.25)]
    >>> del track.detections[1]  # the scan lost the lifter at 0.25 s: 0 to 0.5 s is a gap
    >>> still_spans(track, stand_tolerance=0.03, max_gap_s=0.3)
    [(1.5, 2.25)]
    >>> track.detections[-1] = replace(track.detections[-1], hip=(0.5, 0))  # the hips slide sideways at the end
    >>> still_spans(track, stand_tolerance=0.03, max_gap_s=0.3, max_move=0.1)
    [(1.5, 2.0)]
    """
    plausible = [d for d in (track.detections if track is not None else []) if d.plausible]
    if len(plausible) < 3:
        return []
    times = np.array([d.time_s for d in plausible])
    heights = np.array([d.hip_height for d in plausible])
    hips = np.array([d.hip for d in plausible])
    sizes = np.array([d.size for d in plausible])
    standing = heights >= np.percentile(heights, 90) - stand_tolerance
    # Filmed from the front, the hips' height over the legs' (foreshortened) length stays at
    # standing all the way down; the hips' own motion does not.
    moved = np.hypot(*np.diff(hips, axis=0).T) / np.maximum(sizes[:-1], sizes[1:])
    still = standing[:-1] & standing[1:] & (np.diff(times) <= max_gap_s) & (moved <= max_move)
    return _merged([(float(times[i]), float(times[i + 1])) for i in np.flatnonzero(still)])


def full_rate_zones(still: list[tuple[float, float]], *, margin_s: float) -> list[tuple[float, float]]:
    """``(start, end)`` times (s) where every frame needs the model: everywhere but the
    ``still`` spans, and ``margin_s`` into them from both ends.

    >>> full_rate_zones([(0.0, 0.5), (1.5, 2.25)], margin_s=0.1)
    [(-inf, 0.1), (0.4, 1.6), (2.15, inf)]
    >>> full_rate_zones([], margin_s=0.1)
    [(-inf, inf)]
    """
    edges = [-np.inf, *(t for span in still for t in span), np.inf]
    rest = [(edges[k] - margin_s, edges[k + 1] + margin_s) for k in range(0, len(edges), 2)]
    return _merged([(float(a), float(b)) for a, b in rest if b > a])


def _merged(zones: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for start, end in sorted(zones):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


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
