"""Small signal helpers for lab and sensor data: missing runs, bounded gap filling,
zero-lag low-pass that respects gaps, resampling onto a uniform grid.

Arrays have time on axis 0. Nothing here reads files or knows channel names.
(The video pipeline has its own ``filtering`` module; these may merge with it.)
"""

from __future__ import annotations

import numpy as np
from scipy.interpolate import CubicSpline
from scipy.signal import butter, filtfilt


def nan_runs(missing: np.ndarray) -> list[tuple[int, int]]:
    """Runs of True in a 1-D boolean array, as ``(start, stop)`` index pairs (stop exclusive).

    >>> nan_runs(np.array([False, True, True, False, True]))
    [(1, 3), (4, 5)]
    """
    missing = np.asarray(missing, dtype=bool)
    edges = np.diff(np.concatenate(([0], missing.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    stops = np.flatnonzero(edges == -1)
    return [(int(a), int(b)) for a, b in zip(starts, stops, strict=True)]


def fill_gaps(values: np.ndarray, max_gap: int) -> tuple[np.ndarray, np.ndarray]:
    """Bridge interior NaN runs of at most ``max_gap`` samples with a cubic spline.

    Parameters
    ----------
    values : ndarray, shape (n,) or (n, ...)
        Samples on a uniform grid, time on axis 0. A sample is missing if any of its
        components is NaN.
    max_gap : int
        Longest run of missing samples to fill. Runs touching the start or the end
        are never filled (that would be extrapolation).

    Returns
    -------
    filled : ndarray
        A copy with the short gaps filled.
    was_filled : ndarray of bool, shape (n,)
        True where a sample was filled.

    Examples
    --------
    >>> x = np.array([0.0, 1.0, np.nan, 3.0, np.nan, np.nan, np.nan, 7.0])
    >>> filled, mask = fill_gaps(x, max_gap=2)
    >>> filled[2], bool(np.isnan(filled[5])), mask.tolist()
    (2.0, True, [False, False, True, False, False, False, False, False])
    """
    values = np.asarray(values, dtype=float)
    flat = values.reshape(values.shape[0], -1)
    missing = ~np.isfinite(flat).all(axis=1)
    filled = flat.copy()
    was_filled = np.zeros(values.shape[0], dtype=bool)
    good = np.flatnonzero(~missing)
    if good.size < 2:
        return values.copy(), was_filled
    runs = [(a, b) for a, b in nan_runs(missing) if a > 0 and b < values.shape[0] and b - a <= max_gap]
    if not runs:
        return values.copy(), was_filled
    # A spline through all good samples; cubic through a short gap keeps velocity continuous.
    spline = CubicSpline(good, flat[good], axis=0)
    for a, b in runs:
        idx = np.arange(a, b)
        filled[idx] = spline(idx)
        was_filled[idx] = True
    return filled.reshape(values.shape), was_filled


def lowpass(values: np.ndarray, rate_hz: float, *, cutoff_hz: float, order: int = 2) -> np.ndarray:
    """Zero-lag Butterworth low-pass, run separately on each stretch without NaN.

    Stretches too short for the filter's padding are returned unfiltered.

    >>> t = np.arange(0, 2, 0.01)
    >>> x = np.sin(2 * np.pi * t) + 0.1 * np.sin(2 * np.pi * 30 * t)
    >>> y = lowpass(x, 100.0, cutoff_hz=6.0)
    >>> float(np.abs(y - np.sin(2 * np.pi * t))[20:-20].max()) < 0.02
    True
    """
    values = np.asarray(values, dtype=float)
    if cutoff_hz >= rate_hz / 2:
        return values.copy()
    b, a = butter(order, cutoff_hz / (rate_hz / 2))
    pad = 3 * max(len(a), len(b))
    flat = values.reshape(values.shape[0], -1)
    out = flat.copy()
    good = np.isfinite(flat).all(axis=1)
    for start, stop in nan_runs(good):
        if stop - start > pad:
            out[start:stop] = filtfilt(b, a, flat[start:stop], axis=0)
    return out.reshape(values.shape)


def resample_uniform(time_s: np.ndarray, values: np.ndarray, grid_s: np.ndarray) -> np.ndarray:
    """Linear interpolation of ``values`` (time on axis 0) from ``time_s`` onto ``grid_s``.

    ``time_s`` must be strictly increasing.

    >>> resample_uniform(np.array([0.0, 1.0, 3.0]), np.array([0.0, 1.0, 3.0]), np.array([0.5, 2.0]))
    array([0.5, 2. ])
    """
    values = np.asarray(values, dtype=float)
    flat = values.reshape(values.shape[0], -1)
    out = np.column_stack([np.interp(grid_s, time_s, flat[:, j]) for j in range(flat.shape[1])])
    return out.reshape((grid_s.size, *values.shape[1:]))


def step_gaps(time_s: np.ndarray, min_gap_s: float) -> list[tuple[float, float]]:
    """Intervals ``(t_before, t_after)`` where consecutive samples are more than ``min_gap_s`` apart.

    >>> step_gaps(np.array([0.0, 0.01, 0.02, 0.3, 0.31]), 0.05)
    [(0.02, 0.3)]
    """
    steps = np.diff(time_s)
    idx = np.flatnonzero(steps > min_gap_s)
    return [(float(time_s[i]), float(time_s[i + 1])) for i in idx]
