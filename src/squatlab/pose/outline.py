"""The body's outline along the trunk, sampled from the person mask while the frame is at hand.

BlazePose has no lumbar or sacral points; the shape of the low back and pelvis shows
only in the silhouette. For each frame, rays are cast perpendicular to the hip-shoulder
line at fixed levels along it (from below the hip, over the buttocks, up to the
shoulders), and the first point where the mask ends on each side is kept, with
sub-pixel precision. The points are stored in image coordinates, so later stages can
use any reference frame. A few hundred bytes per frame instead of the whole mask.
"""

from __future__ import annotations

import numpy as np

from squatlab import conventions as cv
from squatlab.pose.base import PoseResult
from squatlab.timing import stage

# Levels along the hip (0) to shoulder (1) line, in trunk lengths. Below the hip the rays
# cross the buttocks and the top of the thigh; above 0.5 the upper back.
LEVELS = np.linspace(-0.5, 1.0, 61)
# How far a ray may run from the axis, in trunk lengths.
MAX_REACH = 0.7
# Samples per ray; sub-pixel position comes from interpolating the soft mask.
_STEPS = 96
_THRESHOLD = 0.5


def _near_points(result: PoseResult, names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray] | None:
    """Mid-shoulder and mid-hip; both sides overlap in a side view, so their mean is robust."""
    idx = {n: i for i, n in enumerate(names)}
    try:
        shoulders = result.xy[[idx["left_shoulder"], idx["right_shoulder"]]].mean(axis=0)
        hips = result.xy[[idx["left_hip"], idx["right_hip"]]].mean(axis=0)
    except KeyError:
        return None
    return hips, shoulders


def sample_outline(
    mask: np.ndarray, hip: np.ndarray, shoulder: np.ndarray, *, levels: np.ndarray = LEVELS
) -> np.ndarray:
    """Outline points (n_levels, 2 sides, 2 coords) where the mask ends along each ray.

    Side 0 lies to the left of the hip->shoulder direction as drawn in the image
    (x right, y down), side 1 to the right. Where a ray starts outside the mask (below
    the hip in a deep squat the trunk's line leaves the body behind the buttocks), the
    body is looked for along the opposite ray instead: where that ray enters the mask is
    the outline on this side, where it leaves again the outline on the other. NaN where
    no edge is found within reach.
    """
    axis = shoulder - hip
    length = float(np.hypot(*axis))
    out = np.full((levels.size, 2, 2), np.nan)
    if not np.isfinite(length) or length < 4:
        return out
    unit = axis / length
    normal = np.array([unit[1], -unit[0]])  # left of the axis in image coordinates
    height, width = mask.shape
    reach = np.linspace(0.0, MAX_REACH * length, _STEPS)
    origins = hip + levels[:, None] * axis  # (L, 2)
    directions = np.stack([normal, -normal])  # (2 sides, 2)
    pts = origins[:, None, None, :] + reach[None, None, :, None] * directions[None, :, None, :]  # (L, 2, S, 2)
    values = _bilinear(mask, pts[..., 0], pts[..., 1], width, height)  # (L, 2, S)
    below = values < _THRESHOLD
    first = np.argmax(below, axis=2)  # first sample outside the mask
    valid = (~below[..., 0]) & below.any(axis=2)
    rows, sides = np.nonzero(valid)
    out[rows, sides] = _crossing(values, pts, rows, sides, first[rows, sides])
    # Rays that start outside: the body, if any, lies along one of the two rays.
    outside = below[:, 0, 0]
    inside_after = ~below
    entry = np.argmax(inside_after, axis=2)  # first sample inside the mask
    hits = outside[:, None] & inside_after.any(axis=2)
    for side in (0, 1):
        rows = np.flatnonzero(hits[:, side] & ~hits[:, 1 - side])
        if not rows.size:
            continue
        sides = np.full(rows.size, side)
        j = entry[rows, side]
        # Entering the body along this ray: the edge facing the origin, i.e. the other side's outline.
        out[rows, 1 - side] = _crossing(values, pts, rows, sides, j)
        # Leaving it again further on: this side's outline.
        after = below[rows, side] & (np.arange(below.shape[2])[None, :] > j[:, None])
        leaves = after.any(axis=1)
        k = np.argmax(after, axis=1)
        out[rows[leaves], side] = _crossing(values, pts, rows[leaves], sides[leaves], k[leaves])
    return out


def _crossing(values: np.ndarray, pts: np.ndarray, rows: np.ndarray, sides: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Sub-pixel point where the mask crosses the threshold between samples j - 1 and j of each ray."""
    v0, v1 = values[rows, sides, j - 1], values[rows, sides, j]
    frac = (v0 - _THRESHOLD) / np.where(np.abs(v0 - v1) > 1e-6, v0 - v1, 1e-6)
    p0, p1 = pts[rows, sides, j - 1], pts[rows, sides, j]
    return p0 + frac[:, None] * (p1 - p0)


def _bilinear(image: np.ndarray, x: np.ndarray, y: np.ndarray, width: int, height: int) -> np.ndarray:
    inside = (x >= 0) & (x <= width - 1) & (y >= 0) & (y <= height - 1)
    xc, yc = np.clip(x, 0, width - 1.001), np.clip(y, 0, height - 1.001)
    x0, y0 = xc.astype(int), yc.astype(int)
    fx, fy = xc - x0, yc - y0
    v = (
        image[y0, x0] * (1 - fx) * (1 - fy)
        + image[y0, x0 + 1] * fx * (1 - fy)
        + image[y0 + 1, x0] * (1 - fx) * fy
        + image[y0 + 1, x0 + 1] * fx * fy
    )
    return np.where(inside, v, 0.0)


class OutlineSampler:
    """A frame analyzer (see :class:`squatlab.pose.run.FrameAnalyzer`) that keeps the trunk outline."""

    key = cv.TRUNK_OUTLINE_XY

    def __init__(self, landmark_names: tuple[str, ...]) -> None:
        self._names = landmark_names

    def __call__(self, rgb: np.ndarray, result: PoseResult | None) -> dict[str, np.ndarray]:
        empty = np.full((LEVELS.size, 2, 2), np.nan, dtype=np.float32)
        if result is None or result.mask is None:
            return {self.key: empty}
        anchors = _near_points(result, self._names)
        if anchors is None:
            return {self.key: empty}
        hip, shoulder = anchors
        with stage("outline"):
            return {self.key: sample_outline(result.mask, hip, shoulder).astype(np.float32)}
