"""Known answers for the signal helpers used by lab and sensor inputs (spline gap fill, resampling)."""

import numpy as np

from squatlab.kinematics.filtering import fill_gaps_spline as fill_gaps
from squatlab.kinematics.filtering import lowpass, resample_uniform, step_gaps
from squatlab.kinematics.filtering import valid_runs as nan_runs


def test_nan_runs_edges():
    assert nan_runs(np.array([True, False, True])) == [(0, 1), (2, 3)]
    assert nan_runs(np.zeros(4, bool)) == []


def test_fill_gaps_bridges_short_interior_gaps_only():
    t = np.linspace(0, 1, 101)
    x = np.column_stack([np.sin(2 * np.pi * t), t])
    holed = x.copy()
    holed[40:45] = np.nan  # 5 samples: filled
    holed[60:80] = np.nan  # 20 samples: too long
    holed[:3] = np.nan  # at the start: never extrapolated
    filled, was = fill_gaps(holed, max_gap=10)
    assert np.allclose(filled[40:45], x[40:45], atol=1e-3)
    assert np.isnan(filled[60:80]).all() and np.isnan(filled[:3]).all()
    assert was.sum() == 5


def test_fill_gaps_input_untouched():
    x = np.array([0.0, np.nan, 2.0])
    fill_gaps(x, 2)
    assert np.isnan(x[1])


def test_lowpass_keeps_nan_runs_and_filters_each_stretch():
    rate = 100.0
    t = np.arange(0, 4, 1 / rate)
    x = np.sin(2 * np.pi * 1.0 * t) + 0.2 * np.sin(2 * np.pi * 25 * t)
    x[150:160] = np.nan
    y = lowpass(x, t, cutoff_hz=6.0)
    assert np.isnan(y[150:160]).all()
    clean = np.sin(2 * np.pi * t)
    assert np.nanmax(np.abs(y - clean)[np.r_[20:130, 180:380]]) < 0.03


def test_resample_and_step_gaps():
    t = np.array([0.0, 0.01, 0.02, 0.25, 0.26])
    v = t * 2
    grid = np.arange(0, 0.26, 0.01)
    assert np.allclose(resample_uniform(t, v, grid), grid * 2)
    assert step_gaps(t, 0.05) == [(0.02, 0.25)]
