"""Over-arching: the low back extended (and the pelvis tipped forward) beyond standing.

In a squat the pelvis tips forward with the trunk as the lifter leans, so anterior pelvis
tilt alone is not over-arching. squatlab judges the *extension of the low back beyond the
lifter's standing posture*, from the best evidence the source has:

1. ``lumbar``: lumbar flexion measured: extension = -lumbar flexion, at the set-up and
   through the rep.
2. ``pelvis_minus_trunk``: no lumbar channel, but pelvis tilt and trunk inclination: in the
   sagittal plane lumbar flexion ~ (trunk lean - its standing value) - pelvis tilt, so the
   pelvis tipping forward *more than the trunk leans* is extension. Through the rep.
3. ``pelvis_setup_only``: pelvis tilt only (e.g. a single sacral IMU): at the set-up the
   trunk is still upright and in standing the low back arches about degree for degree with
   the pelvis (Levine & Whittle 1996), so pelvis tilt beyond standing is read as arching
   there. Through the rep it cannot be told from the normal forward lean: not judged. Nor
   is the set-up when the knees are already bent there (the lifter is not standing tall),
   or when the pelvis tips forward more than arching alone can (``arch_setup_max_deg``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from squatlab import conventions as cv
from squatlab.findings import _curves as c
from squatlab.findings import text
from squatlab.findings.claims import cite
from squatlab.settings import FindingSettings
from squatlab.trial import Rep, Trial

METHODS = ("lumbar", "pelvis_minus_trunk", "pelvis_setup_only")


@dataclass(frozen=True)
class ExtensionCurve:
    """Low-back extension beyond standing (deg, + = arched) and how it was obtained."""

    values: np.ndarray
    method: str
    error_deg: float
    first: int  # the judged window, inclusive
    last: int
    covered: float
    conf: float
    channels: tuple[str, ...]  # the channels the curve is read from

    @property
    def label(self) -> str:
        return " and ".join(cv.CHANNELS[name].label.lower() for name in self.channels)


def extension_curve(
    trial: Trial, rep: Rep, frames: c.RepFrames, s: FindingSettings, smoothed: c.Smoothed
) -> tuple[ExtensionCurve | None, str | None]:
    """The best available extension-beyond-standing curve for one rep (``frames``), or None and why not."""
    setup_first = max(0, frames.start - smoothed.width)
    lumbar = c.usable(trial, cv.LUMBAR_FLEXION)
    pelvis = c.usable(trial, cv.PELVIS_TILT)
    trunk = c.usable(trial, cv.TRUNK_INCLINATION)
    reasons = []
    if lumbar is not None:
        covered, conf = c.coverage(lumbar, setup_first, frames.end)
        if covered >= s.min_coverage:
            values = -smoothed[cv.LUMBAR_FLEXION]
            return ExtensionCurve(
                values,
                "lumbar",
                trial.source.lumbar_error_deg,
                setup_first,
                frames.end,
                covered,
                conf,
                (cv.LUMBAR_FLEXION,),
            ), None
        reasons.append(f"lumbar flexion measured with enough confidence in only {covered:.0%} of the rep")
    if pelvis is None:
        missing = (cv.PELVIS_TILT,) if lumbar is not None else (cv.LUMBAR_FLEXION, cv.PELVIS_TILT)
        return None, "; ".join([*reasons, c.why_missing(trial, *missing)])
    if lumbar is None:
        reasons.append(c.why_missing(trial, cv.LUMBAR_FLEXION))
    reference = _trunk_reference(trial, rep, frames.start) if trunk is not None else None
    if trunk is not None and reference is not None:
        cov_p, conf_p = c.coverage(pelvis, setup_first, frames.end)
        cov_t, conf_t = c.coverage(trunk, setup_first, frames.end)
        if min(cov_p, cov_t) >= s.min_coverage:
            values = smoothed[cv.PELVIS_TILT] - (smoothed[cv.TRUNK_INCLINATION] - reference)
            error = c.noise_sd(trial.source.pelvis_error_deg, s.trunk_error_deg)
            return ExtensionCurve(
                values,
                "pelvis_minus_trunk",
                error,
                setup_first,
                frames.end,
                min(cov_p, cov_t),
                min(conf_p, conf_t),
                (cv.PELVIS_TILT, cv.TRUNK_INCLINATION),
            ), None
    curve, reason = _setup_only(trial, rep, setup_first, frames.start, smoothed, s)
    return curve, (None if curve else "; ".join([*reasons, reason]))


def _setup_only(
    trial: Trial, rep: Rep, first: int, start: int, smoothed: c.Smoothed, s: FindingSettings
) -> tuple[ExtensionCurve | None, str]:
    """Pelvis tilt at the set-up as the arch, if the lifter stood tall there (knees near straight)
    and the standing reference still holds."""
    pelvis = trial.channels[cv.PELVIS_TILT]
    covered, conf = c.coverage(pelvis, first, start)
    if covered < s.min_coverage:
        return None, f"pelvis tilt measured with enough confidence in only {covered:.0%} of the set-up"
    knee = c.usable(trial, cv.KNEE_FLEXION)
    if knee is not None:
        window = knee.values[first : start + 1]
        bent = float(np.nanmedian(window)) if np.isfinite(window).any() else None
        if bent is not None and bent > s.setup_max_knee_deg:
            return None, (
                f"at the set-up the knees were already bent {bent:.0f} deg, so the pelvis's forward tilt cannot be "
                "told from the lean of the squat without a low-back or trunk measurement"
            )
        # Knees cannot straighten much past relaxed standing; reading them well past it
        # between reps means the angles no longer share the standing reference (sensor
        # drift, a changed stance), and pelvis tilt against that reference is not an arch.
        before = knee.values[_stand_before(trial, rep, start) : start + 1]
        straightest = float(np.nanmin(before)) if np.isfinite(before).any() else None
        if straightest is not None and straightest < -s.setup_knee_drift_deg:
            return None, (
                f"before this rep the knees read {-straightest:.0f} deg straighter than in the standing reference, "
                "so that reference no longer holds (the sensors drifted or the stance changed) and the pelvis's "
                "tilt at the set-up cannot be read as arching"
            )
    values = smoothed[cv.PELVIS_TILT]
    return ExtensionCurve(
        values, "pelvis_setup_only", trial.source.pelvis_error_deg, first, start, covered, conf, (cv.PELVIS_TILT,)
    ), ""


def _stand_before(trial: Trial, rep: Rep, start: int) -> int:
    """First frame of the stand before a rep: after the previous rep's end, at most ``start`` frames back."""
    ends = [other.end_frame for other in trial.reps if other.end_frame <= start and other.index != rep.index]
    return max(ends) if ends else 0


def _trunk_reference(trial: Trial, rep: Rep, start: int) -> float | None:
    """Standing trunk inclination: the trial's baseline, else the rep's standing window, else the rep start."""
    if cv.TRUNK_INCLINATION in trial.baseline:
        return float(trial.baseline[cv.TRUNK_INCLINATION])
    values = trial.channels[cv.TRUNK_INCLINATION].values
    if rep.standing is not None:
        window = values[trial.frame_at(rep.standing[0]) : trial.frame_at(rep.standing[1]) + 1]
        if np.isfinite(window).any():
            return float(np.nanmedian(window))
    return c.value_at(values, start)


def over_arch(
    trial: Trial, rep: Rep, s: FindingSettings, smoothed: c.Smoothed | None = None
) -> tuple[dict | None, str | None]:
    """Judge one rep for over-arching (low-back extension beyond standing).

    ``smoothed`` is the trial's channels smoothed over ``s.smooth_s`` (built when None), so
    that a set's reps share one smoothing.

    Returns
    -------
    (finding, reason)
        The finding dict documented in docs/findings.md, or None with the reason.

    Examples
    --------
    >>> from squatlab.testing.sets import synthetic_set
    >>> trial = synthetic_set(n_reps=1, arch_deg=12.0)
    >>> s = FindingSettings(postural_drift_deg=3.0, noise_k=2.0, smooth_s=0.2, min_coverage=0.6, arch_min_deg=5.0,
    ...     arch_moderate_deg=6.0, arch_marked_deg=11.0, arch_hold_s=0.3, trunk_error_deg=4.0, setup_max_knee_deg=15.0,
    ...     arch_setup_max_deg=20.0)
    >>> arch, _ = over_arch(trial, trial.reps[0], s)
    >>> arch["detected"], arch["method"], arch["phase"]
    (True, 'lumbar', 'set-up')
    """
    frames = c.rep_frames(trial, rep)
    smoothed = smoothed if smoothed is not None else c.Smoothed(trial, s.smooth_s)
    curve, reason = extension_curve(trial, rep, frames, s, smoothed)
    if curve is None:
        return None, reason
    # Only extension held for arch_hold_s counts: an arch that loads the back is held at
    # the set-up or through a phase, a brief excursion is noise.
    level = c.held(curve.values, c.smooth_frames(trial.time_s, s.arch_hold_s))
    window = level[curve.first : curve.last + 1]
    if not np.isfinite(window).any():
        return None, "no frame of the rep could be measured"
    peak = curve.first + int(np.nanargmax(window))
    gap = c.withheld_near(curve.values, peak, curve.first, curve.last, smoothed.reach)
    if gap is not None:
        # Next to withheld frames (often withheld because the estimate ran out of range) the
        # extension read may be the edge of a misreading rather than the rep's.
        return None, (
            f"{curve.label} was not measured with enough confidence at {trial.time_s[gap]:.2f} s, next to the "
            f"largest extension read at {trial.time_s[peak]:.2f} s, so the rep's real extension may lie among "
            "the withheld frames"
        )
    setup = level[curve.first : frames.start + 1]
    setup_deg = float(np.nanmax(setup)) if np.isfinite(setup).any() else None
    magnitude = max(0.0, float(level[peak]))
    if curve.method == "pelvis_setup_only" and magnitude > s.arch_setup_max_deg:
        return None, (
            f"the pelvis tipped forward {magnitude:.0f} deg at the set-up, more than arching alone can (about 11 deg "
            f"at most when standing, {cite('rhythm_coupling')}): the lifter was probably leaning forward, which "
            "cannot be told from arching without a low-back or trunk measurement"
        )
    noise = c.noise_sd(s.postural_drift_deg, curve.error_deg)
    thresh = c.threshold(s.arch_min_deg, s.noise_k, noise)
    detected = magnitude >= thresh
    trust = c.confidence(curve.conf, curve.covered, magnitude, thresh, noise)
    finding = {
        "detected": bool(detected),
        "grade": c.grade(magnitude, detected, s.arch_moderate_deg, s.arch_marked_deg),
        "magnitude_deg": c.rounded(magnitude),
        "method": curve.method,
        "setup_extension_deg": c.rounded(setup_deg),
        "peak_extension_deg": c.rounded(float(level[peak])),
        "peak_s": c.rounded(float(trial.time_s[peak]), 3),
        "phase": _phase(peak, frames),
        "through_rep_judged": curve.method != "pelvis_setup_only",
        "threshold_deg": c.rounded(thresh),
        "noise_deg": c.rounded(noise),
        "confidence": trust["value"],
        "confidence_label": trust["label"],
        "evidence": {
            "frames": [
                {
                    "role": "peak_extension",
                    "frame": peak,
                    "time_s": c.rounded(float(trial.time_s[peak]), 3),
                    "conf": c.conf_at(trial, curve.channels, peak),
                }
            ],
            "values": {"source_error_deg": c.rounded(curve.error_deg)},
            "threshold_deg": c.rounded(thresh),
            "noise_deg": c.rounded(noise),
            "confidence_parts": trust["parts"],
        },
    }
    finding["explanation"] = text.arch_explanation(finding)
    return finding, None


def _phase(frame: int, frames: c.RepFrames) -> str:
    """set-up / descent / bottom / ascent for a frame of the rep."""
    if frame <= frames.start:
        return "set-up"
    if frame < frames.bottom_start:
        return "descent"
    return "bottom" if frame <= frames.bottom_end else "ascent"
