"""Butt wink: the pelvis rotating backwards (posterior tilt) late in the descent.

Operational definition (Appl Sci 2025, 15:12526): posterior-tilt range = pelvis angle at
the bottom minus the largest anterior tilt reached during that descent, per rep, relative
to the lifter's own standing baseline. squatlab reads both on a lightly smoothed curve so
that one noisy frame cannot make or hide a wink, and calls a wink only when the range
exceeds ``max(wink_min_deg, noise_k * sqrt(drift^2 + source error^2))``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from squatlab import conventions as cv
from squatlab.findings import _curves as c
from squatlab.findings import text
from squatlab.settings import FindingSettings
from squatlab.trial import Rep, Trial


@dataclass(frozen=True)
class TiltShape:
    """Where the pelvis peaked in the descent and how far it came back by the bottom.

    ``magnitude_deg`` >= 0 is the backward rotation from the descent peak to the bottom;
    ``onset`` is the last frame before the bottom still within ``onset_drop_frac`` of the
    magnitude of the peak, i.e. where the backward rotation begins.
    """

    peak: int
    peak_deg: float
    bottom: int
    bottom_deg: float
    onset: int

    @property
    def magnitude_deg(self) -> float:
        return self.peak_deg - self.bottom_deg


def posterior_tilt(curve: np.ndarray, *, start: int, bottom: int, onset_drop_frac: float) -> TiltShape | None:
    """Descent peak, bottom value and wink onset on a (smoothed) pelvis tilt curve.

    Parameters
    ----------
    curve : ndarray, shape (n_frames,)
        Pelvis tilt in deg, + = anterior, NaN where unmeasured.
    start, bottom : int
        First frame of the descent and the deepest frame (inclusive).
    onset_drop_frac : float
        Fraction of the magnitude below the peak that counts as "still at the peak".

    Returns
    -------
    TiltShape or None
        None when the bottom frame or the whole descent is unmeasured.

    Examples
    --------
    >>> curve = np.r_[np.linspace(0, 20, 6), np.linspace(20, 10, 6)[1:]]  # rises, then falls 10
    >>> shape = posterior_tilt(curve, start=0, bottom=10, onset_drop_frac=0.1)
    >>> shape.magnitude_deg, shape.peak, shape.onset
    (10.0, 5, 5)
    """
    if bottom < start or not np.isfinite(curve[bottom]):
        return None
    descent = curve[start : bottom + 1]
    if not np.isfinite(descent).any():
        return None
    peak = start + int(np.nanargmax(descent))
    peak_deg, bottom_deg = float(curve[peak]), float(curve[bottom])
    # Anchor: the last frame still within a small fraction of the wink of the peak. A noisy
    # plateau keeps re-touching that level until the rotation really begins, so the
    # anchor does not jump to wherever noise put the highest frame.
    level = peak_deg - onset_drop_frac * (peak_deg - bottom_deg)
    after = curve[peak : bottom + 1]
    at_peak = np.flatnonzero(np.isfinite(after) & (after >= level))
    anchor = peak + int(at_peak[-1]) if at_peak.size else peak
    # Refine: a rotation starts gently, so the anchor lags it; walk back up the slope to
    # the local top, where the pelvis last stopped tipping forward. Noise can only stop the
    # walk early, never move the onset past the anchor.
    onset = anchor
    while onset > peak and curve[onset - 1] > curve[onset]:
        onset -= 1
    return TiltShape(peak, peak_deg, bottom, bottom_deg, onset)


def butt_wink(
    trial: Trial, rep: Rep, s: FindingSettings, smoothed: c.Smoothed | None = None
) -> tuple[dict | None, str | None]:
    """Judge one rep for butt wink.

    ``smoothed`` is the trial's channels smoothed over ``s.smooth_s`` (built when None), so
    that a set's reps share one smoothing.

    Returns
    -------
    (finding, reason)
        ``finding`` is the dict documented in docs/findings.md (``detected``, ``grade``,
        ``magnitude_deg``, ``onset``, ``confidence``, ``evidence``, ``explanation``...), or
        None with ``reason`` saying why the rep could not be judged.

    Examples
    --------
    >>> from squatlab.testing.sets import synthetic_set
    >>> trial = synthetic_set(n_reps=1, wink_deg=15.0)
    >>> s = FindingSettings(postural_drift_deg=3.0, noise_k=2.0, smooth_s=0.2, min_coverage=0.6, wink_min_deg=5.0,
    ...     wink_moderate_deg=10.0, wink_marked_deg=20.0, onset_drop_frac=0.1)
    >>> wink, reason = butt_wink(trial, trial.reps[0], s)
    >>> wink["detected"], wink["grade"], reason
    (True, 'moderate', None)
    """
    pelvis = c.usable(trial, cv.PELVIS_TILT)
    if pelvis is None:
        return None, c.why_missing(trial, cv.PELVIS_TILT)
    frames = c.rep_frames(trial, rep)
    covered, conf = c.coverage(pelvis, frames.start, frames.bottom)
    if covered < s.min_coverage:
        return None, (
            f"pelvis tilt was measured with enough confidence in only {covered:.0%} of the descent "
            f"(at least {s.min_coverage:.0%} needed)"
        )
    smoothed = smoothed if smoothed is not None else c.Smoothed(trial, s.smooth_s)
    curve = smoothed[cv.PELVIS_TILT]
    shape = posterior_tilt(curve, start=frames.start, bottom=frames.bottom, onset_drop_frac=s.onset_drop_frac)
    if shape is None:
        return None, "pelvis tilt was not measured with enough confidence at the bottom of the rep"

    noise = c.noise_sd(s.postural_drift_deg, trial.source.wink_error)
    thresh = c.threshold(s.wink_min_deg, s.noise_k, noise)
    magnitude = shape.magnitude_deg
    detected = magnitude >= thresh
    withheld = _withheld_near_events(trial, curve, shape, frames, smoothed.reach, detected)
    if withheld:
        return None, withheld
    lumbar_change = _lumbar_change(trial, shape, smoothed)
    trust = c.confidence(conf, covered, magnitude, thresh, noise)
    agrees = _lumbar_agrees(lumbar_change, magnitude) if detected else None
    if agrees is False:
        # The low back should round about as much as the pelvis tips back (Levine & Whittle
        # 1996); when it does not, one of the two readings is likely off.
        trust = {**trust, "value": round(trust["value"] * 0.75, 3)}
        trust["label"] = c.confidence_label(trust["value"])
        trust["parts"] = {**trust["parts"], "lumbar_agreement": 0.75}
    finding = {
        "detected": bool(detected),
        "grade": c.grade(magnitude, detected, s.wink_moderate_deg, s.wink_marked_deg),
        "magnitude_deg": c.rounded(magnitude),
        "posterior_tilt_range_deg": c.rounded(-magnitude),
        "peak_anterior_tilt_deg": c.rounded(shape.peak_deg),
        "bottom_tilt_deg": c.rounded(shape.bottom_deg),
        "lumbar_flexion_change_deg": c.rounded(lumbar_change),
        "lumbar_agrees": agrees,
        "onset_s": c.rounded(float(trial.time_s[shape.onset]), 3) if detected else None,
        "onset": _onset_values(trial, shape.onset) if detected else None,
        "threshold_deg": c.rounded(thresh),
        "noise_deg": c.rounded(noise),
        "confidence": trust["value"],
        "confidence_label": trust["label"],
        "evidence": _evidence(trial, shape, detected, thresh, noise, trust["parts"], lumbar_change is not None),
    }
    finding["explanation"] = text.wink_explanation(finding)
    return finding, None


def _withheld_near_events(
    trial: Trial, curve: np.ndarray, shape: TiltShape, frames: c.RepFrames, reach: int, detected: bool
) -> str | None:
    """Why the wink cannot be read when pelvis tilt is withheld next to the frames it rests on, else None.

    The descent peak and the bottom (and the onset of a detected wink) must each be measured
    with their neighbours within ``reach`` frames: next to withheld frames the curve may have
    gone on rising or falling into them, so the peak, the bottom or the onset read there is
    not the rep's.
    """
    events = [("descent peak", shape.peak), ("bottom", shape.bottom)]
    if detected:
        events.insert(1, ("onset of the backward rotation", shape.onset))
    for role, frame in events:
        gap = c.withheld_near(curve, frame, frames.start, frames.bottom, reach)
        if gap is not None:
            return (
                f"pelvis tilt was not measured with enough confidence at {trial.time_s[gap]:.2f} s, next to the "
                f"{role} read at {trial.time_s[frame]:.2f} s, so the rep's real {role} may lie among the "
                "withheld frames"
            )
    return None


def _lumbar_change(trial: Trial, shape: TiltShape, smoothed: c.Smoothed) -> float | None:
    """Lumbar flexion at the bottom minus at the onset (+ = the low back rounded)."""
    if c.usable(trial, cv.LUMBAR_FLEXION) is None:
        return None
    curve = smoothed[cv.LUMBAR_FLEXION]
    at_onset, at_bottom = c.value_at(curve, shape.onset), c.value_at(curve, shape.bottom)
    if at_onset is None or at_bottom is None:
        return None
    return at_bottom - at_onset


def _lumbar_agrees(lumbar_change: float | None, magnitude: float) -> bool | None:
    """Whether the low back rounded at least half as much as the pelvis tipped back."""
    if lumbar_change is None:
        return None
    return bool(lumbar_change >= 0.5 * magnitude)


def _onset_values(trial: Trial, frame: int) -> dict:
    values: dict = {"frame": int(frame)}
    digits = {cv.HIP_DEPTH: 3, cv.KNEE_PAST_TOES: 3}
    for name in (cv.HIP_FLEXION, cv.KNEE_FLEXION, cv.HIP_DEPTH, cv.SHIN_ANGLE, cv.KNEE_PAST_TOES):
        channel = c.usable(trial, name)
        values[name] = c.rounded(c.value_at(channel.values if channel else None, frame), digits.get(name, 1))
    return values


def _evidence(
    trial: Trial, shape: TiltShape, detected: bool, thresh: float, noise: float, parts: dict, lumbar_read: bool
) -> dict:
    roles = [("descent_peak", shape.peak), ("onset", shape.onset), ("bottom", shape.bottom)]
    if not (detected or lumbar_read):
        roles = [roles[0], roles[2]]
    # The lumbar flexion change is read at the onset and the bottom.
    lumbar_roles = {"onset", "bottom"} if lumbar_read else set()
    return {
        "frames": [
            {
                "role": role,
                "frame": int(f),
                "time_s": c.rounded(float(trial.time_s[f]), 3),
                "conf": c.conf_at(
                    trial, (cv.PELVIS_TILT, *((cv.LUMBAR_FLEXION,) if role in lumbar_roles else ())), int(f)
                ),
            }
            for role, f in roles
        ],
        "values": {
            "pelvis_tilt_at_descent_peak_deg": c.rounded(shape.peak_deg),
            "pelvis_tilt_at_bottom_deg": c.rounded(shape.bottom_deg),
            "pelvis_error_deg": c.rounded(trial.source.pelvis_error_deg),
            "wink_error_deg": c.rounded(trial.source.wink_error),
        },
        "threshold_deg": c.rounded(thresh),
        "noise_deg": c.rounded(noise),
        "confidence_parts": parts,
    }
