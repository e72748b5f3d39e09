"""The rep stage: pick the depth signal of a trial, find the reps, check them, give them phases."""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np

from squatlab import conventions as cv
from squatlab.kinematics.filtering import fill_gaps, rolling_percentile
from squatlab.reps.detect import Candidate, find_excursions, set_baseline_window, smoothed, to_reps
from squatlab.settings import BarSettings, RepSettings, ViewSettings
from squatlab.trial import Notice, Rep, Trial

# The standing hip height is a high percentile of the hip height: most of a set is spent
# standing or near it, and the top of each rep is standing.
_STANDING_PERCENTILE = 90
# Below the ankles or far above standing height is not a squat (the pose flipped or
# the person jumped or lay down).
_MIN_PLAUSIBLE_HIP_HEIGHT = 0.1
# Frames with both the hips and the bar's plate needed to scale the bar's drop to the hips'.
_MIN_BAR_FIT_FRAMES = 20
# The bar's lowest point times a rep's bottom when its plate was seen in this share of the rep.
_MIN_BAR_SHARE_FOR_BOTTOM = 0.6
# The plate moves smoothly with the lifter: frames where it was missed, up to this long, are interpolated.
_MAX_BAR_GAP_S = 0.5
# A wrist counts as seen from BlazePose's own visibility convention.
_MIN_WRIST_VISIBILITY = 0.5
# Long enough to hold standing on both sides of a slow (6-count) rep.
_KNEE_STANDING_WINDOW_S = 12.0


def depth_signal(trial: Trial, settings: RepSettings) -> tuple[np.ndarray, float, float, float]:
    """(depth, min_depth, stand_tolerance, bottom_band) for the trial's best depth channel."""
    hip = trial.channels.get(cv.HIP_HEIGHT)
    if hip is not None and not hip.is_absent and np.isfinite(hip.values).sum() > 0.5 * trial.n_frames:
        standing = np.nanpercentile(hip.values, _STANDING_PERCENTILE)
        depth = _filled_from_bar(trial, standing - hip.values)
        return depth, settings.min_depth_leg, settings.stand_tolerance_leg, settings.bottom_band_leg
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
            settings.bottom_band_knee_deg,
        )
    return np.full(trial.n_frames, np.nan), np.inf, 0.0, settings.bottom_band_knee_deg


def _filled_from_bar(trial: Trial, depth: np.ndarray) -> np.ndarray:
    """``depth`` with the frames where the hips are lost but the bar's plate is seen filled in
    from the bar's drop, scaled to the hips' by a straight-line fit over the frames with both."""
    bar = trial.extras.get(cv.BAR_XY)
    leg = trial.extras.get(cv.LEG_LENGTH_PX)
    if bar is None or leg is None:
        return depth
    bar_y = fill_gaps(bar[:, 1], trial.time_s, max_gap_s=_MAX_BAR_GAP_S)[0]
    drop = (bar_y - np.nanpercentile(bar_y, 100 - _STANDING_PERCENTILE)) / leg
    both = np.isfinite(depth) & np.isfinite(drop)
    fill = ~np.isfinite(depth) & np.isfinite(drop)
    if both.sum() < _MIN_BAR_FIT_FRAMES or not fill.any():
        return depth
    slope, intercept = np.polyfit(drop[both], depth[both], 1)
    if slope <= 0:  # the bar does not go down with the hips: no cue
        return depth
    out = depth.copy()
    out[fill] = slope * drop[fill] + intercept
    return out


def _rejection(trial: Trial, c: Candidate, settings: RepSettings) -> str | None:
    """Why this excursion is not a squat rep, or None when it is one."""
    for check in (_timing, _hips_below_feet, _pick_up, _feet_moved, _tracking):
        reason = check(trial, c, settings)
        if reason is not None:
            return reason
    return None


def _timing(trial: Trial, c: Candidate, settings: RepSettings) -> str | None:
    duration = trial.time_s[c.end] - trial.time_s[c.start]
    if c.started_before:  # only the ascent was filmed: it takes at least half a rep
        ascent = trial.time_s[c.end] - trial.time_s[c.bottom]
        if ascent < settings.min_rep_s / 2:
            return f"too quick ({ascent:.2f} s from the bottom to standing) for a squat"
    elif duration < settings.min_rep_s:
        return f"too quick ({duration:.2f} s) for a squat"
    if duration > settings.max_rep_s:
        return f"too long ({duration:.0f} s) for one rep"
    return None


def _hips_below_feet(trial: Trial, c: Candidate, settings: RepSettings) -> str | None:
    hip = trial.channels.get(cv.HIP_HEIGHT)
    if hip is not None and not hip.is_absent:
        low = np.nanmin(hip.values[c.start : c.end + 1])
        if low < _MIN_PLAUSIBLE_HIP_HEIGHT:
            return "the hips went below the feet: not a squat (a fall, a roll or a lost pose)"
    return None


def _pick_up(trial: Trial, c: Candidate, settings: RepSettings) -> str | None:
    if _reached_for_the_floor(trial, c.bottom, settings):
        return "the hands reached toward the floor with the trunk bent over: picking something up, not a squat"
    return None


def _feet_moved(trial: Trial, c: Candidate, settings: RepSettings) -> str | None:
    moved = _foot_travel_leg(trial, c.start, c.end, settings.planted_margin_s)
    if moved > settings.max_foot_travel_leg:
        return f"the feet moved {moved:.2f} leg lengths: walking, stepping or jumping, not a squat"
    return None


def _tracking(trial: Trial, c: Candidate, settings: RepSettings) -> str | None:
    if trial.landmarks is not None:
        seen = trial.landmarks.visibility[c.start : c.end + 1].max(axis=1) > 0
        bar = trial.extras.get(cv.BAR_XY)
        if bar is not None:  # the bar's plate, seen where the lifter is not, follows the rep too
            seen = seen | np.isfinite(bar[c.start : c.end + 1, 1])
        seen = float(np.mean(seen))
        if seen < settings.min_tracked_fraction:
            return f"the person was tracked in only {seen:.0%} of its frames"
    return None


def _bottom_from_bar(trial: Trial, c: Candidate) -> Candidate:
    """The rep with its bottom where the bar was lowest, when the bar's plate was seen in most of
    it: the plate is sharper than the hips it hides, so its lowest point times the bottom better."""
    xy = trial.extras.get(cv.BAR_XY)
    if xy is None:
        return c
    y = xy[c.start : c.end + 1, 1]
    if np.isfinite(y).mean() < _MIN_BAR_SHARE_FOR_BOTTOM:
        return c
    return replace(c, bottom=c.start + int(np.nanargmax(y)))


def _bar_only_reps(trial: Trial, accepted: list[Candidate], reps: RepSettings, bar: BarSettings) -> list[Candidate]:
    """Reps that only the bar's path shows: where a plate over the head made the pose wrong.

    With a bar on the back, its plate is the clearest thing in the picture. Reps are found on
    its drop, measured in plate radii; one whose bottom lies in no rep the hips gave, that
    lasts like a rep and keeps the bar over one spot (no walking), is a rep the pose missed.
    It is counted but not measured: the pose there cannot be trusted.
    """
    xy = trial.extras.get(cv.BAR_XY)
    radius = trial.source.details.get("bar_radius_px")
    if xy is None or not radius:
        return []
    t = trial.time_s
    x = fill_gaps(xy[:, 0], t, max_gap_s=_MAX_BAR_GAP_S)[0]
    y = fill_gaps(xy[:, 1], t, max_gap_s=_MAX_BAR_GAP_S)[0]
    drop = (y - np.nanpercentile(y, 100 - _STANDING_PERCENTILE)) / radius
    candidates, _ = find_excursions(
        t,
        drop,
        min_depth=bar.min_depth_radii,
        stand_tolerance=bar.min_depth_radii / 2,
        min_separation_s=reps.min_rep_s,
        cutoff_hz=reps.segment_cutoff_hz,
    )
    taken = [(c.start, c.end) for c in accepted]
    found = []
    for c in candidates:
        if any(a <= c.bottom <= b for a, b in taken) or _timing(trial, c, reps) is not None:
            continue
        lo = int(np.searchsorted(t, t[c.start] - reps.planted_margin_s))
        hi = int(np.searchsorted(t, t[c.end] + reps.planted_margin_s, side="right"))
        if _spread(x[lo:hi]) / radius <= bar.max_travel_radii:
            found.append(replace(c, from_bar=True))
    return found


def find_squat_reps(trial: Trial, reps: RepSettings, view: ViewSettings, bar: BarSettings | None = None) -> Trial:
    """The trial with its reps, rejected movements as notices, and a notice when there are none."""
    bar = bar or BarSettings()
    depth, min_depth, tolerance, bottom_band = depth_signal(trial, reps)
    candidates, notices = find_excursions(
        trial.time_s,
        depth,
        min_depth=min_depth,
        stand_tolerance=tolerance,
        segments=trial.extras.get(cv.TRACK_SEGMENT),
        min_separation_s=reps.min_rep_s,
        cutoff_hz=reps.segment_cutoff_hz,
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
    signal = smoothed(trial.time_s, depth, reps.segment_cutoff_hz)
    accepted = sorted(accepted + _bar_only_reps(trial, accepted, reps, bar), key=lambda c: c.bottom)
    accepted = [_bottom_from_bar(trial, c) for c in accepted]
    found = to_reps(trial.time_s, signal, accepted, bottom_band=bottom_band)
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
    extras = {cv.DEPTH_SIGNAL: depth}
    return replace(trial, reps=found, notices=trial.notices + tuple(notices), extras={**trial.extras, **extras})


def _motion(trial: Trial, depth: np.ndarray) -> np.ndarray:
    """How much the body moves per frame: landmark speed in leg lengths per second (video),
    else the speed of the depth signal."""
    dt = np.gradient(trial.time_s) if trial.n_frames > 1 else np.ones(1)
    leg = trial.extras.get(cv.LEG_LENGTH_PX)
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
    knee = trial.channels.get(cv.KNEE_FLEXION)
    side_view = trial.view.kind == "side" if trial.view is not None else np.zeros(trial.n_frames, dtype=bool)
    out = []
    for r in reps:
        b = r.bottom_frame
        shallow = r.depth < settings.partial_relative * deepest
        if hip_depth is not None and not hip_depth.is_absent and np.isfinite(hip_depth.values[b]):
            shallow = shallow or hip_depth.values[b] < settings.partial_depth_thigh
        if knee is not None and not knee.is_absent and side_view[b] and np.isfinite(knee.values[b]):
            shallow = shallow or knee.values[b] < settings.partial_knee_deg
        out.append(replace(r, partial=bool(shallow)))
    return tuple(out)


def _mark_measurable(trial: Trial, reps: tuple[Rep, ...], settings: ViewSettings) -> tuple[Rep, ...]:
    if trial.view is None:
        return reps
    out = []
    for r in reps:
        if not r.measurable:  # already excluded, with its reason
            out.append(r)
            continue
        kinds = trial.view.kind[r.start_frame : r.end_frame + 1]
        side = float(np.mean(kinds == "side"))
        if side >= settings.min_side_fraction:
            out.append(r)
            continue
        known = kinds[kinds != "unknown"]
        common = max(set(known.tolist()), key=known.tolist().count) if known.size else "unknown"
        reason = f"filmed from the {common} ({side:.0%} of its frames in side view)"
        if common == "side":  # most frames are side views, but too few: the others unclear or oblique
            reason = f"seen from the side in only {side:.0%} of its frames"
        if common == "unknown":
            reason = "the lifter was not tracked well enough to tell the view"
        out.append(replace(r, measurable=False, reason=reason))
    return tuple(out)


def _reached_for_the_floor(trial: Trial, frame: int, settings: RepSettings) -> bool:
    """Whether at ``frame`` the lower seen wrist is far below the knee and the trunk bent over."""
    trunk = trial.channels.get(cv.TRUNK_INCLINATION)
    if trial.landmarks is None or trial.view is None or trunk is None or trunk.is_absent:
        return False
    if not np.isfinite(trunk.values[frame]) or trunk.values[frame] < settings.pickup_trunk_deg:
        return False
    lm = trial.landmarks
    seen = [lm.point(f"{s}_wrist")[frame, 1] for s in cv.SIDES if lm.vis(f"{s}_wrist")[frame] >= _MIN_WRIST_VISIBILITY]
    knee_y = lm.point(f"{trial.view.leg_side}_knee")[frame, 1]
    ankle_y = lm.point(f"{trial.view.leg_side}_ankle")[frame, 1]
    shank = ankle_y - knee_y
    if not seen or not np.isfinite(shank) or shank <= 0:
        return False
    return bool((max(seen) - knee_y) / shank > settings.pickup_wrist_shank)


def _foot_travel_leg(trial: Trial, start: int, stop: int, margin_s: float) -> float:
    """How far the feet moved from ``margin_s`` before ``start`` to ``margin_s`` after ``stop``, in leg
    lengths (0 when unknown): the larger of the near ankle's horizontal travel and the change of
    the stance width (the feet jumping apart and together, seen from the front)."""
    leg = trial.extras.get(cv.LEG_LENGTH_PX)
    if trial.landmarks is None or trial.view is None or leg is None:
        return 0.0
    lo = int(np.searchsorted(trial.time_s, trial.time_s[start] - margin_s))
    hi = int(np.searchsorted(trial.time_s, trial.time_s[stop] + margin_s, side="right"))
    leg_px = np.nanmedian(leg[lo:hi])
    if not np.isfinite(leg_px):
        return 0.0
    near = trial.landmarks.point(f"{trial.view.leg_side}_ankle")[lo:hi, 0]
    width = np.abs(trial.landmarks.point("left_ankle")[lo:hi, 0] - trial.landmarks.point("right_ankle")[lo:hi, 0])
    return max(_spread(near), _spread(width)) / float(leg_px)


def _spread(x: np.ndarray) -> float:
    """5th to 95th percentile range of the finite values (0 with fewer than two)."""
    x = x[np.isfinite(x)]
    return float(np.percentile(x, 95) - np.percentile(x, 5)) if x.size >= 2 else 0.0
