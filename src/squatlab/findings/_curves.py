"""Small pure helpers on per-frame curves shared by the finding detectors.

Frames are indices into ``Trial.time_s``; windows are inclusive ``[first, last]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import minimum_filter1d

from squatlab.conventions import CHANNELS
from squatlab.trial import Channel, Rep, Trial


@dataclass(frozen=True)
class RepFrames:
    """The frames of one rep's events (inclusive indices into the trial)."""

    start: int
    bottom_start: int
    bottom: int
    bottom_end: int
    end: int


def rep_frames(trial: Trial, rep: Rep) -> RepFrames:
    """The frames of a rep's events, clipped into the trial and put in order."""
    last = trial.n_frames - 1
    start = int(np.clip(rep.start_frame, 0, last))
    end = int(np.clip(rep.end_frame, start, last))
    bottom = int(np.clip(rep.bottom_frame, start, end))
    bottom_start = int(np.clip(trial.frame_at(rep.bottom_start_s), start, bottom))
    bottom_end = int(np.clip(trial.frame_at(rep.bottom_end_s), bottom, end))
    return RepFrames(start, bottom_start, bottom, bottom_end, end)


def frame_rate_hz(time_s: np.ndarray) -> float:
    """Frames per second from the median frame interval (robust to a dropped frame).

    >>> frame_rate_hz(np.arange(10) / 30.0)
    30.0
    """
    if time_s.size < 2:
        return 1.0
    dt = float(np.median(np.diff(time_s)))
    return round(1.0 / dt, 6) if dt > 0 else 1.0


def smooth(values: np.ndarray, width: int) -> np.ndarray:
    """Centred moving average over ``width`` frames that skips NaN.

    An unmeasured (NaN) frame stays NaN: its neighbours do not lend it a value, so a peak
    read on the smoothed curve always sits on a measured frame. A measured frame stays NaN
    too when fewer than half of its window is measured. ``width`` is made odd.

    >>> smooth(np.array([0.0, 3.0, 0.0, 3.0, 0.0]), 3).round(1).tolist()
    [1.5, 1.0, 2.0, 1.0, 1.5]
    >>> smooth(np.array([0.0, 3.0, np.nan, 3.0, 0.0]), 3).round(1).tolist()
    [1.5, 1.5, nan, 1.5, 1.5]
    """
    width = max(1, int(width) | 1)
    if width == 1:
        return np.asarray(values, dtype=float).copy()
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    kernel = np.ones(width)
    sums = np.convolve(np.where(finite, values, 0.0), kernel, mode="same")
    counts = np.convolve(finite.astype(float), kernel, mode="same")
    # At the ends the window is cut short; require half of what the window could hold there.
    possible = np.convolve(np.ones(values.size), kernel, mode="same")
    out = np.full(values.size, np.nan)
    ok = finite & (counts >= np.maximum(1.0, possible / 2.0))
    out[ok] = sums[ok] / counts[ok]
    return out


def held(values: np.ndarray, width: int) -> np.ndarray:
    """The level held for ``width`` frames around each frame: a centred moving minimum that skips NaN.

    A value counts only if the curve stays at or above it for the whole window, so a brief
    excursion (noise) does not. NaN at unmeasured frames and where fewer than half of the
    window is measured.

    >>> held(np.array([0.0, 5.0, 0.0, 5.0, 5.0, 5.0, 0.0]), 3).tolist()
    [0.0, 0.0, 0.0, 0.0, 5.0, 0.0, 0.0]
    """
    values = np.asarray(values, dtype=float)
    width = max(1, int(width) | 1)
    finite = np.isfinite(values)
    out = minimum_filter1d(np.where(finite, values, np.inf), width, mode="nearest")
    counts = np.convolve(finite.astype(float), np.ones(width), mode="same")
    out[(counts < width / 2.0) | ~finite | ~np.isfinite(out)] = np.nan
    return out


def smooth_frames(time_s: np.ndarray, smooth_s: float) -> int:
    """The moving-average width in frames for ``smooth_s`` seconds (odd, at least 1)."""
    return max(1, round(smooth_s * frame_rate_hz(time_s))) | 1


class Smoothed:
    """A trial's channels smoothed over ``smooth_s`` seconds, each once, shared by the detectors.

    ``smoothed[name]`` is ``smooth(trial.channels[name].values, smoothed.width)``, computed on
    first use and kept (read-only) for every later rep.

    >>> from squatlab.testing.sets import synthetic_set
    >>> trial = synthetic_set(n_reps=1)
    >>> smoothed = Smoothed(trial, 0.2)
    >>> smoothed["pelvis_tilt_deg"] is smoothed["pelvis_tilt_deg"], smoothed.width
    (True, 7)
    """

    def __init__(self, trial: Trial, smooth_s: float) -> None:
        self.trial = trial
        self.width = smooth_frames(trial.time_s, smooth_s)
        self._curves: dict[str, np.ndarray] = {}

    @property
    def reach(self) -> int:
        """Half the smoothing window (at least 1 frame): how near a withheld frame must be to make a peak doubtful.

        A peak this close to a withheld frame shares a smoothing window with it: the curve was
        still rising into the withheld frames, which often are withheld because the estimate ran
        out of range there.
        """
        return max(1, self.width // 2)

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._curves:
            curve = smooth(self.trial.channels[name].values, self.width)
            curve.flags.writeable = False
            self._curves[name] = curve
        return self._curves[name]


def withheld_near(curve: np.ndarray, frame: int, first: int, last: int, reach: int) -> int | None:
    """The unmeasured frame of ``curve`` nearest to ``frame`` within ``reach`` frames, inside ``[first, last]``.

    A peak read next to withheld frames is not a measured peak: the curve may have gone on
    rising into them (they are often withheld because the estimate ran out of range there).
    None when every frame that near is measured.

    >>> curve = np.array([1.0, 2.0, 3.0, np.nan, np.nan, 1.0])
    >>> withheld_near(curve, 2, 0, 5, 1), withheld_near(curve, 0, 0, 5, 2)
    (3, None)
    """
    lo, hi = max(first, frame - reach), min(last, frame + reach)
    gaps = lo + np.flatnonzero(~np.isfinite(curve[lo : hi + 1]))
    if gaps.size == 0:
        return None
    return int(gaps[np.argmin(np.abs(gaps - frame))])


def conf_at(trial: Trial, names: tuple[str, ...], frame: int) -> dict[str, float]:
    """The confidence of each channel in ``names`` at ``frame``: what a finding's evidence frame rests on."""
    return {name: round(float(trial.channels[name].conf[frame]), 3) for name in names if name in trial.channels}


def usable(trial: Trial, name: str) -> Channel | None:
    """The channel ``name`` if the trial has it and it is not absent, else None."""
    channel = trial.channels.get(name)
    if channel is None or channel.is_absent:
        return None
    return channel


def why_missing(trial: Trial, *names: str) -> str:
    """A plain reason why the channels ``names`` cannot be used; channels missing for the same
    reason share one sentence, so a reader is not told the same cause twice."""
    groups: dict[str | None, list[str]] = {}
    for name in names:
        spec = CHANNELS.get(name)
        channel = trial.channels.get(name)
        groups.setdefault(None if channel is None else channel.absent_reason, []).append(
            spec.label.lower() if spec else name
        )
    parts = []
    for reason, labels in groups.items():
        subject = " and ".join(labels)
        if reason is None:
            parts.append(f"{subject} {'was' if len(labels) == 1 else 'were'} not provided by this source")
        else:
            parts.append(f"{subject} could not be measured ({reason})")
    return "; ".join(parts)


def coverage(channel: Channel, first: int, last: int) -> tuple[float, float]:
    """(fraction of frames measured, mean confidence of the measured frames) in a window."""
    values = channel.values[first : last + 1]
    if values.size == 0:
        return 0.0, 0.0
    finite = np.isfinite(values)
    if not finite.any():
        return 0.0, 0.0
    return float(finite.mean()), float(np.mean(channel.conf[first : last + 1][finite]))


def value_at(values: np.ndarray | None, frame: int | None) -> float | None:
    """``values[frame]`` as a float, or None when missing."""
    if values is None or frame is None or not 0 <= frame < values.size:
        return None
    value = float(values[frame])
    return value if math.isfinite(value) else None


def rise(curve: np.ndarray, first: int, last: int) -> float | None:
    """How far the curve rose: its maximum over ``[first, last]`` minus its value at ``first``.

    None when the value at ``first`` or the whole window is unmeasured.

    >>> rise(np.array([1.0, 4.0, np.nan, 3.0]), 0, 3), rise(np.array([np.nan, 4.0]), 0, 1)
    (3.0, None)
    """
    at_first = value_at(curve, first)
    window = curve[first : last + 1]
    if at_first is None or not np.isfinite(window).any():
        return None
    return float(np.nanmax(window)) - at_first


def noise_sd(drift_deg: float, error_deg: float) -> float:
    """Combined 1-SD noise of a within-rep angle change: drift and source error added in quadrature.

    >>> noise_sd(3.0, 4.0)
    5.0
    """
    return float(math.hypot(drift_deg, error_deg))


def threshold(minimum_deg: float, k: float, noise_deg: float) -> float:
    """Detection threshold: ``max(minimum_deg, k * noise_deg)``.

    >>> threshold(5.0, 2.0, 5.0)
    10.0
    """
    return float(max(minimum_deg, k * noise_deg))


def grade(magnitude: float, detected: bool, moderate: float, marked: float) -> str:
    """none / mild / moderate / marked: none unless detected, then by magnitude.

    >>> grade(12.0, True, 10.0, 20.0), grade(25.0, False, 10.0, 20.0)
    ('moderate', 'none')
    """
    if not detected:
        return "none"
    if magnitude >= marked:
        return "marked"
    return "moderate" if magnitude >= moderate else "mild"


def confidence(channel_conf: float, coverage_frac: float, magnitude: float, thresh: float, noise: float) -> dict:
    """How much to trust a yes/no call, 0-1, with its parts.

    The product of the channel's mean confidence, the fraction of the window measured and a
    margin term: 0.5 right at the threshold (the call could go either way) rising to 1 when
    the magnitude is one noise SD or more away from the threshold, on either side.

    >>> confidence(1.0, 1.0, 20.0, 10.0, 5.0)["value"]
    1.0
    """
    margin = 0.5 + 0.5 * min(1.0, abs(magnitude - thresh) / noise) if noise > 0 else 1.0
    value = float(np.clip(channel_conf * coverage_frac * margin, 0.0, 1.0))
    return {
        "value": round(value, 3),
        "label": confidence_label(value),
        "parts": {
            "channel_conf": round(channel_conf, 3),
            "coverage": round(coverage_frac, 3),
            "margin": round(margin, 3),
        },
    }


def confidence_label(value: float) -> str:
    """high (>= 0.7), medium (>= 0.4) or low."""
    if value >= 0.7:
        return "high"
    return "medium" if value >= 0.4 else "low"


def rounded(value: float | None, digits: int = 1) -> float | None:
    """A float rounded for JSON, None for missing or non-finite values."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits) + 0.0  # + 0.0 turns -0.0 into 0.0
