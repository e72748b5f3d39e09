"""The standing baseline: pelvis tilt and lumbar flexion relative to the lifter's own standing posture.

Each source gives pelvis tilt and lumbar flexion in its own absolute frame. What a
lifter's pelvis does is judged against how they stood, relaxed, before the set: the
reported channels subtract the median over that window (the reps' ``standing``, chosen
by the rep stage as the quietest standing before the first rep). One baseline per set:
lifters brace and arch at the set-up and stay braced between reps, and a baseline that
followed them would hide over-arching. Postural drift of about 3 deg within a minute
(Pan et al. 2021) stays in the numbers; the findings' thresholds sit above it. A static
calibration trial (lab data), when given, replaces the window.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from squatlab import conventions as cv
from squatlab.trial import Channel, Trial

PAIRS = ((cv.PELVIS_TILT_ABS, cv.PELVIS_TILT), (cv.LUMBAR_FLEXION_ABS, cv.LUMBAR_FLEXION))


def baseline_curve(time_s: np.ndarray, values: np.ndarray, windows: list[tuple[float, float]]) -> np.ndarray | None:
    """Standing value per frame: window medians, linearly interpolated between window centres.

    >>> t = np.arange(10.0)
    >>> baseline_curve(t, t * 0 + 2.0, [(0.0, 2.0)]).tolist() == [2.0] * 10
    True
    """
    centres, medians = [], []
    for start, end in windows:
        sel = (time_s >= start) & (time_s <= end) & np.isfinite(values)
        if sel.sum() >= 2:
            centres.append((start + end) / 2)
            medians.append(float(np.median(values[sel])))
    if not centres:
        return None
    order = np.argsort(centres)
    return np.interp(time_s, np.array(centres)[order], np.array(medians)[order])


def standing_windows(trial: Trial) -> list[tuple[float, float]]:
    """The reps' standing windows (start_s, end_s), each once, in time order."""
    return sorted({r.standing for r in trial.reps if r.standing is not None})


def apply_baseline(trial: Trial) -> Trial:
    """Add the relative pelvis tilt and lumbar flexion channels to ``trial``."""
    windows = standing_windows(trial)
    channels = dict(trial.channels)
    baseline = dict(trial.baseline)
    for absolute, relative in PAIRS:
        source = trial.channels.get(absolute)
        if source is None:
            continue
        if source.is_absent:
            channels[relative] = Channel.absent(trial.n_frames, source.absent_reason or "not measured", source.unit)
            continue
        if absolute in trial.baseline:
            curve = np.full(trial.n_frames, float(trial.baseline[absolute]))
        else:
            curve = baseline_curve(trial.time_s, source.values, windows)
        if curve is None:
            channels[relative] = Channel.absent(
                trial.n_frames,
                "no quiet standing before or between reps measured with enough confidence to serve as the baseline",
                source.unit,
            )
            continue
        channels[relative] = replace(source, values=source.values - curve)
        baseline[absolute] = float(np.median(curve))
    return replace(trial, channels=channels, baseline=baseline)
