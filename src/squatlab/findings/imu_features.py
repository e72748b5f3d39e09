"""Per-rep measures of how the pelvis, hip and knee move together, from body-worn IMUs.

The wearable butt-wink detector (:mod:`squatlab.findings.imu_wink`) reads each rep through
a few physically plain numbers, all counted from the start of the rep's descent (where the
rep finder puts it: 12 % of the rep's depth below standing), so that how a sensor was
strapped on, and a reference posture that was not quite upright, drop out:

- ``knee_flexion_descent_deg``: depth, as the knee flexion gained from the start of the
  descent to the bottom. A wink happens at depth, where the hip runs out of flexion and the
  pelvis must tuck under for the descent to go on (DOMAIN.md).
- ``pelvis_share``: the pelvis sensor's forward rotation at the bottom per degree of knee
  flexion. The pelvis keeps tipping forward with the thigh in a sound squat, tips far
  forward when the lifter leans, and stops or comes back when it tucks under.
- ``hip_knee_slope``: degrees of hip flexion (thigh + pelvis) gained per degree of knee
  flexion over the last ``late_knee_deg`` of the descent. When the hip reaches its limit
  and the pelvis tucks under, the hip stalls while the knee still bends.

The posterior-tilt range (the wink's operational definition) is not among them: the
findings engine reads it on the pelvis channel (:mod:`squatlab.findings.wink`), and the
report and the call quote that one number.

Segment rotations within a rep come from the integrated gyroscope, anchored to the fused
angle (:func:`squatlab.kinematics.imu.rep_rotation`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

import numpy as np

from squatlab import conventions as cv
from squatlab.kinematics.imu import rep_rotation
from squatlab.trial import Rep, Trial

ROLES = ("pelvis", "thigh", "shank")
# The measures the model reads, in its order (the model file lists them too).
MODEL_MEASURES = ("knee_flexion_descent_deg", "pelvis_share", "hip_knee_slope")
# Fewer samples than this in the late descent cannot carry a slope.
_MIN_SLOPE_SAMPLES = 4


@dataclass(frozen=True)
class RepMeasures:
    """One rep's measures (deg unless stated), each from the start of the descent to the bottom."""

    knee_flexion_descent_deg: float
    pelvis_share: float  # pelvis rotation / knee flexion at the bottom
    hip_knee_slope: float  # deg of hip flexion per deg of knee flexion, late descent
    pelvis_descent_deg: float
    thigh_descent_deg: float
    shank_descent_deg: float
    hip_flexion_descent_deg: float

    def model_vector(self) -> np.ndarray:
        return np.array([getattr(self, name) for name in MODEL_MEASURES])

    def as_dict(self, digits: int = 3) -> dict[str, float]:
        return {k: round(float(v), digits) + 0.0 for k, v in asdict(self).items()}


def has_leg_sensors(trial: Trial) -> bool:
    """Whether the trial holds the pelvis, thigh and shank rotations and rates the measures need."""
    keys = [cv.imu_rotation_key(r) for r in ROLES] + [cv.imu_rate_key(r) for r in ROLES]
    return trial.source.kind == "imu" and all(k in trial.extras for k in keys)


def rotations(trial: Trial, rep: Rep) -> dict[str, np.ndarray] | None:
    """Each segment's rotation over the rep from its first sample, or None if a gap leaves part unmeasured."""
    start, end = rep.start_frame, rep.end_frame
    pelvis = trial.channels.get(cv.PELVIS_TILT_ABS)
    if pelvis is not None and not np.all(pelvis.conf[start : end + 1] > 0):
        return None
    out = {}
    for role in ROLES:
        fused = trial.extras[cv.imu_rotation_key(role)]
        rate = trial.extras[cv.imu_rate_key(role)]
        out[role] = rep_rotation(rate, fused, start, end, trial.source.fps)
        if not np.isfinite(out[role]).all():
            return None
    return out


def measures_from_rotations(
    pelvis: np.ndarray,
    thigh: np.ndarray,
    shank: np.ndarray,
    bottom: int,
    *,
    late_knee_deg: float,
    share_min_knee_deg: float,
) -> RepMeasures:
    """The measures of one rep from its segment rotations (from the rep's start) and its bottom sample.

    ``share_min_knee_deg`` floors the knee flexion that the pelvis share is divided by, so that
    a very shallow rep cannot blow the ratio up.

    Examples
    --------
    A rep in which the pelvis tips 30 deg forward with the thigh, then 10 deg back while the
    knee bends on (a wink):

    >>> knee_path = np.r_[np.linspace(0, 90, 91), np.linspace(91, 120, 30)]
    >>> thigh, shank = knee_path * 0.75, knee_path * 0.25
    >>> pelvis = np.r_[np.linspace(0, 30, 91), np.linspace(29.7, 20, 30)]
    >>> m = measures_from_rotations(pelvis, thigh, shank, 120, late_knee_deg=30, share_min_knee_deg=30)
    >>> round(m.knee_flexion_descent_deg), round(m.pelvis_descent_deg), round(m.pelvis_share, 2)
    (120, 20, 0.17)
    >>> round(m.hip_knee_slope, 2)  # the thigh adds 0.75 deg per knee deg, the pelvis takes 0.33 back
    0.42
    """
    knee = thigh + shank
    hip = thigh + pelvis
    descent = slice(0, bottom + 1)
    knee_bottom = float(knee[bottom])
    late = np.flatnonzero(knee[descent] >= knee_bottom - late_knee_deg)
    if late.size < _MIN_SLOPE_SAMPLES or np.ptp(knee[late]) < 0.25 * late_knee_deg:
        late = np.arange(bottom + 1)
    slope = _slope(knee[late], hip[late])
    return RepMeasures(
        knee_flexion_descent_deg=knee_bottom,
        pelvis_share=float(pelvis[bottom]) / max(knee_bottom, share_min_knee_deg),
        hip_knee_slope=slope,
        pelvis_descent_deg=float(pelvis[bottom]),
        thigh_descent_deg=float(thigh[bottom]),
        shank_descent_deg=float(shank[bottom]),
        hip_flexion_descent_deg=float(hip[bottom]),
    )


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of y on x (1.0, "moves together", when x does not vary)."""
    dx = x - x.mean()
    denom = float(dx @ dx)
    return float(dx @ (y - y.mean()) / denom) if denom > 0 else 1.0


def rep_measures(
    trial: Trial, rep: Rep, *, late_knee_deg: float, share_min_knee_deg: float
) -> tuple[RepMeasures | None, str | None]:
    """(measures, None) for a rep, or (None, why not)."""
    if not has_leg_sensors(trial):
        return None, "needs pelvis, thigh and shank sensors"
    rot = rotations(trial, rep)
    if rot is None:
        return None, "a gap in the sensor data leaves part of the rep unmeasured"
    bottom = rep.bottom_frame - rep.start_frame
    m = measures_from_rotations(
        rot["pelvis"],
        rot["thigh"],
        rot["shank"],
        bottom,
        late_knee_deg=late_knee_deg,
        share_min_knee_deg=share_min_knee_deg,
    )
    return m, None


def reference_summary(measures: Iterable[RepMeasures]) -> dict[str, float]:
    """The lifter's normal: the median of each model measure over the reference set's reps."""
    rows = np.array([m.model_vector() for m in measures])
    return {name: float(np.median(rows[:, k])) for k, name in enumerate(MODEL_MEASURES)}


def deltas(m: RepMeasures, reference: Mapping[str, float]) -> np.ndarray:
    """The rep's model measures minus the lifter's normal, in the model's order."""
    return m.model_vector() - np.array([reference[name] for name in MODEL_MEASURES])
