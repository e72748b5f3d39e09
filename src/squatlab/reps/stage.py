"""The rep stage: pick the depth signal of a trial, find the reps, check them, give them phases."""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np

from squatlab import conventions as cv
from squatlab.kinematics.filtering import rolling_percentile
from squatlab.reps.detect import Candidate, find_excursions, set_baseline_window, to_reps
from squatlab.settings import RepSettings, ViewSettings
from squatlab.trial import Notice, Rep, Trial

# The standing hip height is a high percentile of the hip height: most of a set is spent
# standing or near it, and the top of each rep is standing.
_STANDING_PERCENTILE = 90
# Below the ankles or far above standing height is not a squat (the pose flipped or
# the person jumped or lay down).
_MIN_PLAUSIBLE_HIP_HEIGHT = 0.1
_MIN_POSE_COVERAGE = 0.8
# Long enough to hold standing on both sides of a slow (6-count) rep.
_KNEE_STANDING_WINDOW_S = 12.0
# Knee-flexion counterpart of RepSettings.bottom_band_leg: frames within this many
# degrees of the deepest point form the bottom phase (covers pauses).
_BOTTOM_BAND_KNEE_DEG = 3.0


def depth_signal(trial: Trial, settings: RepSettings) -> tuple[np.ndarray, float, float, float]:
    """(depth, min_depth, stand_tolerance, bottom_band) for the trial's best depth channel."""
    hip = trial.channels.get(cv.HIP_HEIGHT)
    if hip is not None and not hip.is_absent and np.isfinite(hip.values).sum() > 0.5 * trial.n_frames:
        standing = np.nanpercentile(hip.values, _STANDING_PERCENTILE)
        return standing - hip.values, settings.min_depth_leg, settings.stand_tolerance_leg, settings.bottom_band_leg
    knee = trial.channels.get(cv.KNEE_FLEXION)
    if knee is not None and not knee.is_absent:
        # Sensor-derived knee angles drift by tens of degrees over a set, so the standing
        # level is local: the least-flexed values within the window around each sample.
        standing = rolling_percentile(
            knee.values, trial.time_s, window_s=_KNEE_STANDING_WINDOW_S, q=100 - _STANDING_PERCENTILE
        )
        return (
            knee.values - standing,
            settings.knee_flexion_min_deg,
            settings.stand_tolerance_knee_deg,
            _BOTTOM_BAND_KNEE_DEG,
        )
    return np.full(trial.n_frames, np.nan), np.inf, 0.0, _BOTTOM_BAND_KNEE_DEG


def _rejection(trial: Trial, c: Candidate, settings: RepSettings) -> str | None:
    """Why this excursion is not a squat rep, or None when it is one."""
    duration = trial.time_s[c.end] - trial.time_s[c.start]
    if duration < settings.min_rep_s:
        return f"too quick ({duration:.2f} s) for a squat"
    if duration > settings.max_rep_s:
        return f"too long ({duration:.0f} s) for one rep"
    hip = trial.channels.get(cv.HIP_HEIGHT)
    if hip is not None and not hip.is_absent:
        low = np.nanmin(hip.values[c.start : c.end + 1])
        if low < _MIN_PLAUSIBLE_HIP_HEIGHT:
            return "the hips went below the feet: not a squat (a fall, a roll or a lost pose)"
    moved = _foot_travel_leg(trial, c.start, c.end)
    if moved > settings.max_foot_travel_leg:
        return f"the feet moved {moved:.2f} leg lengths: walking or stepping, not a squat"
    if trial.landmarks is not None:
        seen = np.mean(trial.landmarks.visibility[c.start : c.end + 1].max(axis=1) > 0)
        if seen < _MIN_POSE_COVERAGE:
            return f"the person was tracked in only {seen:.0%} of its frames"
    return None


def find_squat_reps(trial: Trial, reps: RepSettings, view: ViewSettings) -> Trial:
    """The trial with its reps, rejected movements as notices, and a notice when there are none."""
    depth, min_depth, tolerance, bottom_band = depth_signal(trial, reps)
    candidates, notices = find_excursions(
        trial.time_s, depth, min_depth=min_depth, stand_tolerance=tolerance, segments=trial.extras.get("track_segment")
    )
    accepted = []
    for c in candidates:
        reason = _rejection(trial, c, reps)
        if reason is None:
            accepted.append(c)
        else:
            notices.append(
                Notice(
                    "not_a_squat",
                    f"A movement at {trial.time_s[c.start]:.1f}-{trial.time_s[c.end]:.1f} s was not counted: {reason}.",
                    float(trial.time_s[c.start]),
                    float(trial.time_s[c.end]),
                )
            )
    found = to_reps(trial.time_s, depth, accepted, bottom_band=bottom_band)
    found = _mark_partial(trial, found, reps)
    found = _mark_measurable(trial, found, view)
    window = set_baseline_window(trial.time_s, depth, _motion(trial, depth), found, stand_tolerance=tolerance)
    found = tuple(replace(r, standing=window) for r in found)
    if not found:
        notices.append(
            Notice(
                "no_reps",
                "No squat repetition was found: the hips never went down and back up with the feet planted. "
                "If this is a squat set, check that the whole body is in view from the side.",
            )
        )
    extras = {"depth_signal": depth}
    return replace(trial, reps=found, notices=trial.notices + tuple(notices), extras={**trial.extras, **extras})


def _motion(trial: Trial, depth: np.ndarray) -> np.ndarray:
    """How much the body moves per frame: landmark speed in leg lengths per second (video),
    else the speed of the depth signal."""
    dt = np.gradient(trial.time_s) if trial.n_frames > 1 else np.ones(1)
    leg = trial.extras.get("leg_length_px")
    if trial.landmarks is not None and leg is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # untracked frames are all NaN
            speed = np.linalg.norm(np.gradient(trial.landmarks.xy, axis=0), axis=2) / dt[:, None]
            return np.nanmedian(speed, axis=1) / leg
    return np.abs(np.gradient(np.nan_to_num(depth), axis=0)) / dt


def _mark_partial(trial: Trial, reps: tuple[Rep, ...], settings: RepSettings) -> tuple[Rep, ...]:
    if not reps:
        return reps
    deepest = max(r.depth for r in reps)
    hip_depth = trial.channels.get(cv.HIP_DEPTH)
    out = []
    for r in reps:
        shallow = r.depth < settings.partial_relative * deepest
        if hip_depth is not None and not hip_depth.is_absent and np.isfinite(hip_depth.values[r.bottom_frame]):
            shallow = shallow or hip_depth.values[r.bottom_frame] < settings.partial_depth_thigh
        out.append(replace(r, partial=bool(shallow)))
    return tuple(out)


def _mark_measurable(trial: Trial, reps: tuple[Rep, ...], settings: ViewSettings) -> tuple[Rep, ...]:
    if trial.view is None:
        return reps
    out = []
    for r in reps:
        kinds = trial.view.kind[r.start_frame : r.end_frame + 1]
        side = float(np.mean(kinds == "side"))
        if side >= settings.min_side_fraction:
            out.append(r)
            continue
        known = kinds[kinds != "unknown"]
        common = max(set(known.tolist()), key=known.tolist().count) if known.size else "unknown"
        reason = f"filmed from the {common} ({side:.0%} of its frames in side view)"
        if common == "unknown":
            reason = "the lifter was not tracked well enough to tell the view"
        out.append(replace(r, measurable=False, reason=reason))
    return tuple(out)


def _foot_travel_leg(trial: Trial, start: int, stop: int) -> float:
    """Horizontal travel of the near ankle over the rep, in leg lengths (0 when unknown)."""
    leg = trial.extras.get("leg_length_px")
    if trial.landmarks is None or trial.view is None or leg is None:
        return 0.0
    x = trial.landmarks.point(f"{trial.view.leg_side}_ankle")[start : stop + 1, 0]
    finite = np.isfinite(x)
    if finite.sum() < 2:
        return 0.0
    leg_px = np.nanmedian(leg[start : stop + 1])
    if not np.isfinite(leg_px):
        return 0.0
    travel = np.percentile(x[finite], 95) - np.percentile(x[finite], 5)
    return float(travel / leg_px)
