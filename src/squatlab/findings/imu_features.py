"""Per-rep measures of how the pelvis, hip and knee move together, from body-worn IMUs.

The wearable butt-wink detector (:mod:`squatlab.findings.imu_wink`) reads each rep through
a few physically plain numbers, all counted from the start of the rep's descent, so that how
a sensor was strapped on, and a reference posture that was not quite upright, drop out:

- ``knee_flexion_descent_deg``: depth, as the knee flexion gained from the start of the
  descent to the bottom. A wink happens at depth, where the hip runs out of flexion and the
  pelvis must tuck under for the descent to go on (DOMAIN.md).
- ``pelvis_share``: the pelvis sensor's forward rotation at the bottom per degree of knee
  flexion. The pelvis keeps tipping forward with the thigh in a sound squat, tips far
  forward when the lifter leans, and stops or comes back when it tucks under.
- ``hip_knee_slope``: degrees of hip flexion (thigh + pelvis) gained per degree of knee
  flexion over the last ``late_knee_deg`` of the descent. When the hip reaches its limit
  and the pelvis tucks under, the hip stalls while the knee still bends.

The start of the descent, the bottom and the end of the ascent are events of the rep's own
knee flexion (:func:`knee_events`), not the rep finder's start and end: the top of the rep
is the least knee flexion between the neighbouring reps' bottoms, the descent starts where
the knee has flexed ``onset_knee_deg`` beyond it (past standing sway and the wobble of the
turn between reps), and the bottom is the deepest knee flexion between the two tops. Where
the rep finder puts a rep's start and end (a choice made for counting reps, which has moved
before) then cannot move these measures.

The posterior-tilt range (the wink's operational definition) is not among them: the
findings engine reads it on the pelvis channel (:mod:`squatlab.findings.wink`), and the
report and the call quote that one number.

Segment rotations within a rep come from the integrated gyroscope, anchored to the fused
angle (:func:`squatlab.kinematics.imu.rep_rotation`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace

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
class MeasureSpec:
    """How the measures are taken; fixed with the model that reads them (its file stores them).

    ``late_knee_deg``: the last degrees of knee flexion before the bottom that the hip-knee
    slope is read over. ``share_min_knee_deg``: the least knee flexion the pelvis share is
    divided by (a very shallow rep cannot blow the ratio up). ``onset_knee_deg``: knee
    flexion beyond the rep's top at which its descent starts (and its ascent ends).
    ``top_search_s``: how far from the bottom the top is looked for when no neighbouring
    rep bounds the search.
    """

    late_knee_deg: float
    share_min_knee_deg: float
    onset_knee_deg: float
    top_search_s: float

    @classmethod
    def from_dict(cls, data: Mapping[str, float]) -> MeasureSpec:
        return cls(**{name: float(data[name]) for name in cls.__dataclass_fields__})

    def as_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class KneeEvents:
    """A rep's events on its own knee flexion, as sample indices into the trial.

    ``top_before`` and ``top_after``: the least knee flexion before and after the bottom
    (standing, or the turn between reps). ``start``: the last sample before the bottom within
    ``onset_knee_deg`` of the top before; ``end``: the first after it within as much of the top
    after. ``bottom``: the deepest knee flexion between the two tops.
    """

    top_before: int
    start: int
    bottom: int
    end: int
    top_after: int


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
    # Where the measures were taken (not a measure: left out of the vector and the dict).
    events: KneeEvents | None = field(default=None, compare=False, repr=False)

    def model_vector(self) -> np.ndarray:
        return np.array([getattr(self, name) for name in MODEL_MEASURES])

    def as_dict(self, digits: int = 3) -> dict[str, float]:
        return {f.name: round(float(getattr(self, f.name)), digits) + 0.0 for f in fields(self) if f.name != "events"}


def has_leg_sensors(trial: Trial) -> bool:
    """Whether the trial holds the pelvis, thigh and shank rotations and rates the measures need."""
    keys = [cv.imu_rotation_key(r) for r in ROLES] + [cv.imu_rate_key(r) for r in ROLES]
    return trial.source.kind == "imu" and all(k in trial.extras for k in keys)


def knee_events(knee: np.ndarray, near_bottom: int, lo: int, hi: int, *, onset_knee_deg: float) -> KneeEvents:
    """The rep's top before, descent start, bottom, ascent end and top after, from its knee flexion.

    Parameters
    ----------
    knee : ndarray, shape (n,)
        Knee flexion (any constant offset), deg.
    near_bottom : int
        A sample in the rep's deep phase (e.g. the rep finder's bottom): it tells this rep's
        bottom from its neighbours' and need not be the deepest sample.
    lo, hi : int
        The search bounds (inclusive): the neighbouring reps' bottoms, or as far as a rep lasts.
    onset_knee_deg : float
        Knee flexion beyond the top at which the descent starts and the ascent ends.

    Examples
    --------
    Standing at 0 deg, a rep to 100 deg and back, standing at 4 deg:

    >>> knee = np.r_[np.zeros(50), np.linspace(0, 100, 101), np.linspace(100, 4, 97), np.full(50, 4.0)]
    >>> ev = knee_events(knee, 140, 0, knee.size - 1, onset_knee_deg=12)
    >>> ev.start, ev.bottom, ev.end, round(float(knee[ev.start]), 1), round(float(knee[ev.end]), 1)
    (62, 150, 235, 12.0, 16.0)

    Moving the hint within the deep phase does not move the events:

    >>> knee_events(knee, 170, 0, knee.size - 1, onset_knee_deg=12) == ev
    True
    """
    k = np.asarray(knee, dtype=float)
    top_before = lo + int(np.nanargmin(k[lo : near_bottom + 1]))
    top_after = near_bottom + int(np.nanargmin(k[near_bottom : hi + 1]))
    bottom = top_before + int(np.nanargmax(k[top_before : top_after + 1]))
    rising = k[top_before : bottom + 1] <= k[top_before] + onset_knee_deg
    falling = k[bottom : top_after + 1] <= k[top_after] + onset_knee_deg
    start = top_before + int(np.flatnonzero(rising)[-1])
    end = bottom + int(np.flatnonzero(falling)[0])
    return KneeEvents(top_before, start, bottom, end, top_after)


def rep_events(trial: Trial, rep: Rep, spec: MeasureSpec) -> tuple[KneeEvents | None, str | None]:
    """The rep's events on the fused knee flexion (thigh + shank sensors), or (None, why not).

    Only the rep's bottom and its neighbours' bottoms are taken from the rep finder, to tell
    the reps apart; its start and end frames are not used.
    """
    knee = trial.extras[cv.imu_rotation_key("thigh")] + trial.extras[cv.imu_rotation_key("shank")]
    reach = round(spec.top_search_s * trial.source.fps)
    before = [r.bottom_frame for r in trial.reps if r.index < rep.index]
    after = [r.bottom_frame for r in trial.reps if r.index > rep.index]
    lo = max(max(before, default=0), rep.bottom_frame - reach, 0)
    hi = min(min(after, default=knee.size - 1), rep.bottom_frame + reach, knee.size - 1)
    if not (np.isfinite(knee[lo : rep.bottom_frame + 1]).any() and np.isfinite(knee[rep.bottom_frame : hi + 1]).any()):
        return None, "the knee flexion was not measured around this rep"
    events = knee_events(knee, rep.bottom_frame, lo, hi, onset_knee_deg=spec.onset_knee_deg)
    # A top on the recording's first (last) sample may lie before (after) it: the descent may
    # have begun before the recording, and where it started cannot be told.
    if events.top_before == 0:
        return None, "the knee is least flexed at the recording's first sample: the descent may have begun before it"
    if events.top_after == knee.size - 1:
        return None, "the knee is least flexed at the recording's last sample: the ascent may end after it"
    return events, None


def rotations(trial: Trial, start: int, end: int) -> dict[str, np.ndarray] | None:
    """Each segment's rotation from sample ``start`` to ``end``, or None if a gap leaves part unmeasured."""
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


def rep_measures(trial: Trial, rep: Rep, spec: MeasureSpec) -> tuple[RepMeasures | None, str | None]:
    """(measures, None) for a rep, or (None, why not).

    The measures run from the start of the rep's descent to its bottom, both events of the
    rep's own knee flexion (:func:`rep_events`), over the gyroscope's record of the rep from
    its descent's start to its ascent's end.
    """
    if not has_leg_sensors(trial):
        return None, "needs pelvis, thigh and shank sensors"
    if not rep.measurable:
        return None, f"rep not measurable: {rep.reason}"
    events, reason = rep_events(trial, rep, spec)
    if events is None:
        return None, reason
    rot = rotations(trial, events.start, events.end)
    if rot is None:
        return None, "a gap in the sensor data leaves part of the rep unmeasured"
    m = measures_from_rotations(
        rot["pelvis"],
        rot["thigh"],
        rot["shank"],
        events.bottom - events.start,
        late_knee_deg=spec.late_knee_deg,
        share_min_knee_deg=spec.share_min_knee_deg,
    )
    return replace(m, events=events), None


def reference_summary(measures: Iterable[RepMeasures]) -> dict[str, float]:
    """The lifter's normal: the median of each model measure over the reference set's reps."""
    rows = np.array([m.model_vector() for m in measures])
    return {name: float(np.median(rows[:, k])) for k, name in enumerate(MODEL_MEASURES)}


def deltas(m: RepMeasures, reference: Mapping[str, float]) -> np.ndarray:
    """The rep's model measures minus the lifter's normal, in the model's order."""
    return m.model_vector() - np.array([reference[name] for name in MODEL_MEASURES])
