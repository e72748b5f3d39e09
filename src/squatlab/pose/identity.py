"""Breaks in a pose track: where the model jumped to another person or lost the lifter.

A body cannot move half its height between two frames; when the tracked hips do, the
model has switched to someone else (or re-found the lifter elsewhere). Filtering and
rep finding must not join the pieces on either side of such a break.
"""

from __future__ import annotations

import warnings

import numpy as np

from squatlab.trial import Landmarks

_HIPS = ("left_hip", "right_hip")


def body_size(landmarks: Landmarks) -> np.ndarray:
    """Per frame: the larger side of the box around all landmarks, in pixels (NaN if none)."""
    xy = landmarks.xy
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # untracked frames are all NaN
        span = np.nanmax(xy, axis=1) - np.nanmin(xy, axis=1)
    return np.max(span, axis=1)


def track_segments(landmarks: Landmarks, *, max_jump: float = 0.5) -> np.ndarray:
    """Segment number per frame: a new segment starts where the hips jump by more than
    ``max_jump`` body sizes from the last tracked frame (untracked frames in between are
    skipped over; short gaps are bridged later by gap filling).

    >>> names = ("left_hip", "right_hip", "nose")
    >>> xy = np.array([[[0, 0], [0, 0], [0, -100]], [[1, 0], [1, 0], [1, -100]],
    ...                [[300, 0], [300, 0], [300, -100]]], dtype=float)
    >>> track_segments(Landmarks(names, xy, np.ones((3, 3)), (640, 480))).tolist()
    [0, 0, 1]
    """
    hip = np.mean([landmarks.point(n) for n in _HIPS], axis=0)
    size = body_size(landmarks)
    segment = np.zeros(len(hip), dtype=int)
    current = 0
    previous = None
    for i in range(len(hip)):
        if not np.all(np.isfinite(hip[i])):
            segment[i] = current
            continue
        if previous is not None:
            jump = np.hypot(*(hip[i] - hip[previous]))
            if jump > max_jump * max(size[previous], 1.0):
                current += 1
        segment[i] = current
        previous = i
    return segment
