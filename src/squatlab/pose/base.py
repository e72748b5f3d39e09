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
class Region:
    """The square, rotated part of the frame a landmark model looks at (pixels, radians).

    ``rotation`` turns the region clockwise in the image so that the body stands upright in it.
    """

    x: float  # centre
    y: float
    size: float  # side length
    rotation: float = 0.0

    def moved(self, dx: float, dy: float, scale: float = 1.0) -> Region:
        return Region(self.x + dx, self.y + dy, self.size * scale, self.rotation)


@dataclass(frozen=True)
class PoseResult:
    xy: np.ndarray  # (n_landmarks, 2) pixels, x right, y down
    z: np.ndarray  # (n_landmarks,) relative depth, same scale as x; smaller = nearer
    visibility: np.ndarray  # (n_landmarks,) 0-1
    mask: np.ndarray | None  # (height, width) float32 0-1, the person's silhouette
    # The model's own score that a body fills the region it looked at (0-1); BlazePose
    # drops a pose below 0.5. Low when plates, a rack or the frame's edge hide much of it.
    presence: float = 1.0
    # Where to look in the next frame, from this pose (None when the model gives none).
    next_region: Region | None = None
    # How the region was found: "tracked" (from the previous frame), "detected" (the
    # person detector), "reseeded" (from the last good frame and the body's motion),
    # "scanned" (a grid search where the detector finds no face).
    source: str = "detected"

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

    def __call__(self, rgb: np.ndarray, time_s: float | None = None) -> PoseResult | None:
        """The pose in ``rgb`` (upright uint8 image, taken at ``time_s`` when known), or None when nobody is found."""
        ...

    def reset(self) -> None:
        """Forget tracking state (call between unrelated frames)."""
        ...

    def close(self) -> None: ...


class RegionPoseModel(Protocol):
    """A pose model whose caller chooses where it looks: a person detector and a landmark
    model run on a given region (used to follow a lifter whom the detector cannot find)."""

    name: str
    landmark_names: tuple[str, ...]

    def detect(self, rgb: np.ndarray) -> list[tuple[float, Region]]:
        """(score, region) of every person the detector finds, best first."""
        ...

    def landmarks_in(self, rgb: np.ndarray, region: Region) -> PoseResult:
        """The pose found in ``region``, whatever its presence score."""
        ...
