"""Gap filling and zero-lag low-pass filtering of per-frame signals.

Missing samples are NaN. Short gaps are bridged by linear interpolation; long gaps stay
NaN, and each run of valid samples is filtered on its own so that nothing is smeared
across a gap. Samples may be unevenly spaced (phones record at a variable frame rate):
the signal is then resampled onto an even grid for filtering and back again.
"""

from __future__ import annotations

import numpy as np
from scipy import signal
from scipy.interpolate import CubicSpline


def fill_gaps(values: np.ndarray, time_s: np.ndarray, *, max_gap_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Linearly interpolate NaN runs no longer than ``max_gap_s``.

    Returns the filled values (along axis 0) and a boolean mask of the samples that
    were filled. Runs touching either end are never filled (nothing to interpolate from).

    >>> v, filled = fill_gaps(np.array([0.0, np.nan, 2.0, np.nan, np.nan, np.nan, 6.0]),
    ...                       np.arange(7.0), max_gap_s=2.0)
    >>> v.tolist()[:3], filled.tolist()
    ([0.0, 1.0, 2.0], [False, True, False, False, False, False, False])
    """
    values = np.asarray(values, dtype=float)
    out = values.copy()
    flat = out.reshape(len(out), -1)
    filled = np.zeros(len(out), dtype=bool)
    for col in range(flat.shape[1]):
        column = flat[:, col]
        for start, stop in valid_runs(np.isnan(column)):
            if start == 0 or stop == len(column):
                continue
            if time_s[stop] - time_s[start - 1] > max_gap_s + 1e-9:
                continue
            column[start:stop] = np.interp(time_s[start:stop], time_s[[start - 1, stop]], column[[start - 1, stop]])
            filled[start:stop] = True
    return out, filled


def valid_runs(valid: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) index pairs of the runs where ``valid`` is True."""
    edges = np.diff(np.concatenate(([0], valid.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def lowpass(values: np.ndarray, time_s: np.ndarray, *, cutoff_hz: float, order: int = 2) -> np.ndarray:
    """Zero-lag Butterworth low-pass (run forwards and backwards) along axis 0.

    NaN samples split the signal into runs that are filtered separately; runs too
    short for the filter are left as they are.

    >>> t = np.arange(200) / 100.0
    >>> x = np.sin(2 * np.pi * 1.0 * t) + 0.2 * np.sin(2 * np.pi * 30.0 * t)
    >>> y = lowpass(x, t, cutoff_hz=6.0)
    >>> bool(np.abs(y - np.sin(2 * np.pi * t))[20:-20].max() < 0.05)
    True
    """
    values = np.asarray(values, dtype=float)
    out = values.copy()
    flat_in = values.reshape(len(values), -1)
    flat_out = out.reshape(len(out), -1)
    for col in range(flat_in.shape[1]):
        column = flat_in[:, col]
        for start, stop in valid_runs(np.isfinite(column)):
            flat_out[start:stop, col] = _lowpass_run(column[start:stop], time_s[start:stop], cutoff_hz, order)
    return out


def _lowpass_run(x: np.ndarray, t: np.ndarray, cutoff_hz: float, order: int) -> np.ndarray:
    if x.size < 4:
        return x
    dt = np.diff(t)
    step = float(np.median(dt))
    if step <= 0:
        return x
    fs = 1.0 / step
    if cutoff_hz >= 0.5 * fs * 0.95:
        return x  # the sampling rate is too low for this cut-off: nothing to remove
    sos = signal.butter(order, cutoff_hz, fs=fs, output="sos")
    uneven = np.any(np.abs(dt - step) > 0.05 * step)
    grid = np.arange(t[0], t[-1] + step / 2, step) if uneven else t
    xs = np.interp(grid, t, x) if uneven else x
    padlen = min(3 * (2 * len(sos) + 1), xs.size - 1)
    if padlen < 1:
        return x
    ys = signal.sosfiltfilt(sos, xs, padlen=padlen)
    return np.interp(t, grid, ys) if uneven else ys


def rolling_percentile(values: np.ndarray, time_s: np.ndarray, *, window_s: float, q: float) -> np.ndarray:
    """Percentile ``q`` of the finite values within +-window_s/2 of each sample.

    >>> rolling_percentile(np.array([1.0, 5.0, 2.0, np.nan]), np.arange(4.0), window_s=2.0, q=100).tolist()
    [5.0, 5.0, 5.0, 2.0]
    """
    values = np.asarray(values, dtype=float)
    out = np.full(values.shape, np.nan)
    lo = np.searchsorted(time_s, time_s - window_s / 2, side="left")
    hi = np.searchsorted(time_s, time_s + window_s / 2, side="right")
    for i, (a, b) in enumerate(zip(lo, hi, strict=True)):
        window = values[a:b]
        window = window[np.isfinite(window)]
        if window.size:
            out[i] = np.percentile(window, q)
    return out


def fill_gaps_spline(values: np.ndarray, max_gap: int) -> tuple[np.ndarray, np.ndarray]:
    """Bridge interior NaN runs of at most ``max_gap`` samples with a cubic spline (marker data).

    A sample counts as missing when any of its components is NaN, as for a marker whose
    three coordinates vanish together.

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
    >>> filled, mask = fill_gaps_spline(x, max_gap=2)
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
    runs = [(a, b) for a, b in valid_runs(missing) if a > 0 and b < values.shape[0] and b - a <= max_gap]
    if not runs:
        return values.copy(), was_filled
    # A spline through all good samples; cubic through a short gap keeps velocity continuous.
    spline = CubicSpline(good, flat[good], axis=0)
    for a, b in runs:
        idx = np.arange(a, b)
        filled[idx] = spline(idx)
        was_filled[idx] = True
    return filled.reshape(values.shape), was_filled


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
