"""The interface every pose estimator implements.

An estimator takes one upright RGB frame and returns the landmarks of one person
(pixels) and, if it can, that person's segmentation mask. Another model (a heavier
BlazePose, RTMPose, ...) plugs in by implementing :class:`PoseModel`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class PoseResult:
    xy: np.ndarray  # (n_landmarks, 2) pixels, x right, y down
    z: np.ndarray  # (n_landmarks,) relative depth, same scale as x; smaller = nearer
    visibility: np.ndarray  # (n_landmarks,) 0-1
    mask: np.ndarray | None  # (height, width) float32 0-1, the person's silhouette

    def bbox(self, min_visibility: float = 0.5, mask_threshold: float = 0.5) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) around the visible landmarks and the mask."""
        pts = self.xy[self.visibility >= min_visibility]
        if pts.size == 0:
            pts = self.xy
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        if self.mask is not None:
            ys, xs = np.nonzero(self.mask >= mask_threshold)
            if xs.size:
                x0, x1 = min(x0, xs.min()), max(x1, xs.max())
                y0, y1 = min(y0, ys.min()), max(y1, ys.max())
        return float(x0), float(y0), float(x1), float(y1)


class PoseModel(Protocol):
    """One person's pose per frame."""

    name: str
    landmark_names: tuple[str, ...]

    def __call__(self, rgb: np.ndarray) -> PoseResult | None:
        """The pose in ``rgb`` (upright uint8 image), or None when nobody is found."""
        ...

    def reset(self) -> None:
        """Forget tracking state (call between unrelated frames)."""
        ...

    def close(self) -> None: ...
