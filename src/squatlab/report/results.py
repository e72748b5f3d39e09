"""results.json: the analysis as a versioned, documented JSON document (docs/results-schema.md)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import numpy as np

from squatlab import __version__
from squatlab import conventions as cv
from squatlab.settings import Settings, describe
from squatlab.trial import Channel, Rep, Trial

SCHEMA_VERSION = "1.0"

DISCLAIMER = (
    "squatlab measures and explains movement; it does not diagnose. A little pelvic and lumbar motion in "
    "either direction is normal during a squat. Talk to a qualified professional about pain or injury."
)

# Channels summarised at the bottom of each rep.
BOTTOM_CHANNELS = (
    cv.HIP_FLEXION,
    cv.KNEE_FLEXION,
    cv.SHIN_ANGLE,
    cv.TRUNK_INCLINATION,
    cv.HIP_DEPTH,
    cv.KNEE_PAST_TOES,
    cv.HIP_HEIGHT,
    cv.PELVIS_TILT,
    cv.LUMBAR_FLEXION,
)


def _num(value: float | None, digits: int = 2) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def _at(channel: Channel | None, rep: Rep, *, min_conf: float) -> dict[str, Any] | None:
    """``{value, conf, reason}`` of a channel at the rep's deepest frame; ``reason`` says why a
    withheld value is null (null when there is a value)."""
    if channel is None or channel.is_absent:
        return None
    frame = rep.bottom_frame
    value = _num(channel.values[frame]) if channel.conf[frame] >= min_conf else None
    reason = None
    if value is None:
        reason = (
            f"rep not measurable: {rep.reason}"
            if not rep.measurable
            else f"not measured with a confidence of at least {min_conf:g} at the deepest frame"
        )
    return {"value": value, "conf": _num(channel.conf[frame]), "reason": reason}


def lumbo_pelvic_summary(
    channel: Channel | None, rep: Rep, *, min_conf: float, min_share: float
) -> tuple[dict[str, Any] | None, str | None]:
    """Summary of pelvis tilt or lumbar flexion over one rep, or (None, why not).

    Frames whose confidence is below ``min_conf`` (``settings.outline.min_conf``) do not count
    (the pipeline has already withheld them); at least ``min_share`` of the rep's frames
    (``settings.findings.min_coverage``) must count.
    """
    if channel is None:
        return None, "this source does not measure it"
    if channel.is_absent:
        return None, channel.absent_reason
    if not rep.measurable:
        return None, f"rep not measurable: {rep.reason}"
    sl = slice(rep.start_frame, rep.end_frame + 1)
    values, conf = channel.values[sl], channel.conf[sl]
    good = np.isfinite(values) & (conf >= min_conf)
    if good.mean() < min_share:
        return None, f"measured with confidence in only {good.mean():.0%} of the rep's frames"
    v = np.where(good, values, np.nan)
    bottom = rep.bottom_frame - rep.start_frame
    descent = v[: bottom + 1]
    return {
        "at_start": _num(v[0]),
        "at_bottom": _num(v[bottom]),
        "max": _num(np.nanmax(v)),
        "min": _num(np.nanmin(v)),
        "range": _num(np.nanmax(v) - np.nanmin(v)),
        "max_during_descent": _num(np.nanmax(descent)) if np.isfinite(descent).any() else None,
        "mean_conf": _num(float(np.mean(conf[good]))),
    }, None


def rep_dict(trial: Trial, rep: Rep, depth_unit: str, *, min_conf: float, min_share: float) -> dict[str, Any]:
    not_measured: dict[str, str] = {}
    summaries = {}
    for name in (cv.PELVIS_TILT, cv.LUMBAR_FLEXION):
        summary, reason = lumbo_pelvic_summary(trial.channels.get(name), rep, min_conf=min_conf, min_share=min_share)
        summaries[name] = summary
        if reason:
            not_measured[name] = reason
    findings = next((f for f in trial.findings.get("reps", []) if f.get("index") == rep.index), {})
    hip_depth = trial.channels.get(cv.HIP_DEPTH)
    return {
        "index": rep.index,
        "start_s": _num(rep.start_s, 3),
        "bottom_s": _num(rep.bottom_s, 3),
        "end_s": _num(rep.end_s, 3),
        "phases": {
            "descent_s": _num(rep.bottom_start_s - rep.start_s, 3),
            "bottom_s": _num(rep.bottom_end_s - rep.bottom_start_s, 3),
            "ascent_s": _num(rep.end_s - rep.bottom_end_s, 3),
            "bottom_start_s": _num(rep.bottom_start_s, 3),
            "bottom_end_s": _num(rep.bottom_end_s, 3),
        },
        "frames": {"start": rep.start_frame, "bottom": rep.bottom_frame, "end": rep.end_frame},
        "measurable": rep.measurable,
        "reason": rep.reason,
        "partial": rep.partial,
        "depth": {
            "signal": _num(rep.depth, 3),
            "signal_unit": depth_unit,
            cv.HIP_DEPTH: _num(hip_depth.values[rep.bottom_frame], 3)
            if hip_depth is not None and not hip_depth.is_absent and hip_depth.conf[rep.bottom_frame] >= min_conf
            else None,
        },
        "standing_baseline_s": list(rep.standing) if rep.standing else None,
        "angles_at_bottom": {
            name: _at(trial.channels.get(name), rep, min_conf=min_conf)
            for name in BOTTOM_CHANNELS
            if name in trial.channels and not trial.channels[name].is_absent
        },
        cv.PELVIS_TILT: summaries[cv.PELVIS_TILT],
        cv.LUMBAR_FLEXION: summaries[cv.LUMBAR_FLEXION],
        "not_measured": not_measured,
        "butt_wink": findings.get("butt_wink"),
        "butt_wink_reason": findings.get("butt_wink_reason"),
        "over_arch": findings.get("over_arch"),
        "over_arch_reason": findings.get("over_arch_reason"),
        "rhythm": findings.get("rhythm"),
        "rhythm_text": findings.get("rhythm_text"),
    }


def results_dict(trial: Trial, settings: Settings, outputs: dict[str, str] | None = None) -> dict[str, Any]:
    """The whole results document."""
    src = trial.source
    view = trial.view
    depth_unit = "leg lengths" if cv.HIP_HEIGHT in trial.channels else "deg"
    channels = {
        name: {
            "unit": ch.unit,
            "measured": not ch.is_absent,
            "absent_reason": ch.absent_reason,
            "mean_conf": None if ch.is_absent else _num(float(np.mean(ch.conf))),
        }
        for name, ch in trial.channels.items()
    }
    return {
        "schema_version": SCHEMA_VERSION,
        "squatlab_version": __version__,
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "disclaimer": DISCLAIMER,
        "input": {
            "path": src.path,
            "kind": src.kind,
            "fps": _num(src.fps, 3),
            "duration_s": _num(src.duration_s, 3),
            "frames": trial.n_frames,
            "width": src.width,
            "height": src.height,
            "rotation_deg": src.rotation_deg,
            "codec": src.codec,
            "variable_frame_rate": src.variable_frame_rate,
            "pelvis_error_deg": src.pelvis_error_deg,
            "lumbar_error_deg": src.lumbar_error_deg,
            "wink_error_deg": src.wink_error_deg,
            "details": dict(src.details),
        },
        "context": {
            "sex": trial.context.sex,
            "load_kg": trial.context.load_kg,
            "bodyweight_kg": trial.context.bodyweight_kg,
            "stance": trial.context.stance,
        },
        "view": None
        if view is None
        else {
            "kind": view.overall,
            "facing": view.facing,
            "near_side": view.near_side,
            "side_fraction": _num(view.side_fraction, 3),
        },
        "warnings": [
            {"code": n.code, "message": n.message, "start_s": _num(n.start_s, 3), "end_s": _num(n.end_s, 3)}
            for n in trial.notices
        ],
        "baseline": {k: _num(v) for k, v in trial.baseline.items()},
        "channels": channels,
        "summary": {
            "reps": len(trial.reps),
            "measurable_reps": sum(r.measurable for r in trial.reps),
            "partial_reps": sum(r.partial for r in trial.reps),
        },
        "reps": [
            rep_dict(trial, r, depth_unit, min_conf=settings.outline.min_conf, min_share=settings.findings.min_coverage)
            for r in trial.reps
        ],
        "findings": trial.findings.get("set"),
        "settings": describe(settings),
        "outputs": outputs or {},
    }
