import numpy as np

from squatlab.kinematics.filtering import fill_gaps, lowpass, rolling_percentile, valid_runs


def test_fill_gaps_bridges_short_gaps_only():
    t = np.arange(10) / 10.0
    x = np.arange(10, dtype=float)
    x[2] = np.nan
    x[5:9] = np.nan
    filled, mask = fill_gaps(x, t, max_gap_s=0.25)
    assert filled[2] == 2.0
    assert np.isnan(filled[5:9]).all()
    assert mask.tolist() == [False, False, True] + [False] * 7


def test_fill_gaps_never_extrapolates_at_the_ends():
    t = np.arange(5.0)
    x = np.array([np.nan, 1.0, 2.0, np.nan, np.nan])
    filled, _ = fill_gaps(x, t, max_gap_s=10)
    assert np.isnan(filled[0]) and np.isnan(filled[-1])


def test_lowpass_has_zero_lag_and_removes_noise():
    rng = np.random.default_rng(0)
    t = np.arange(600) / 30.0
    clean = 40 * np.sin(2 * np.pi * 0.4 * t)
    noisy = clean + rng.normal(0, 3, t.size)
    smooth = lowpass(noisy, t, cutoff_hz=6.0)
    inner = slice(30, -30)
    assert np.std(smooth[inner] - clean[inner]) < 0.65 * np.std(noisy[inner] - clean[inner])
    lag = np.argmax(np.correlate(smooth - smooth.mean(), clean - clean.mean(), "full")) - (t.size - 1)
    assert lag == 0


def test_lowpass_filters_runs_separately_across_nan():
    t = np.arange(200) / 50.0
    x = np.where(t < 2, 0.0, 100.0)
    x[95:105] = np.nan
    y = lowpass(x, t, cutoff_hz=3.0)
    assert np.isnan(y[95:105]).all()
    assert np.allclose(y[:95], 0.0, atol=1e-6) and np.allclose(y[105:], 100.0, atol=1e-6)


def test_lowpass_handles_uneven_sampling():
    rng = np.random.default_rng(1)
    t = np.cumsum(rng.uniform(0.02, 0.045, 400))
    clean = np.sin(2 * np.pi * 0.5 * t)
    y = lowpass(clean + rng.normal(0, 0.05, t.size), t, cutoff_hz=5.0)
    assert np.abs(y - clean)[20:-20].max() < 0.1


def test_rolling_percentile_and_runs():
    t = np.arange(6.0)
    assert rolling_percentile(np.array([0, 0, 9, 0, 0, 0.0]), t, window_s=2, q=100).tolist() == [0, 9, 9, 9, 0, 0]
    assert valid_runs(np.array([1, 1, 0, 1], dtype=bool)) == [(0, 2), (3, 4)]
