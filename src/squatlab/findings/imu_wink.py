"""Butt wink from body-worn IMUs (pelvis, thigh and shank), for people the detector never saw.

A pelvis sensor alone sees a wink only when the pelvis visibly tips back at the bottom. In
the shared study the wink reps' posterior-tilt range was 25.6 deg for one person, 10.2 for
another and 0.0 for the third: where the sensor sits on the low back and how the lumbar
spine rounds over it can hide the tuck. The hip and knee sensors show what goes with it: the squat goes deep, the
hip stops gaining flexion while the knee still bends, and the pelvis stops tipping forward
with the thigh (:mod:`squatlab.findings.imu_features`).

A rep is called a wink when either

1. the pelvis channel's posterior-tilt range passes the findings' noise-based threshold
   (the call :func:`squatlab.findings.wink.butt_wink` makes for every source), or
2. a small logistic model of the hip-knee-pelvis pattern gives a probability of at least
   ``settings.imu.wink_probability``. The model (``imu_wink_model.json``: means, scales,
   weights; no pickle) was fitted by ``python -m squatlab.bench.imu_wink`` on the study's
   labelled reps; its files are listed in the model file and docs/validation.md.

With a reference set (``--reference``, a set the lifter performed well) the model also reads
each measure against that person's own normal. The grade and the magnitude always come from
the pelvis channel's posterior-tilt range: a wink called from the hip-knee pattern with a
range of 3 deg is a small (mild) wink, said so in plain words.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from squatlab import conventions as cv
from squatlab.findings import _curves as c
from squatlab.findings import imu_features as feat
from squatlab.settings import FindingSettings, ImuSettings
from squatlab.trial import Notice, Rep, Trial

MODEL_RESOURCE = "imu_wink_model.json"
# /2: the measures are taken between events of the rep's own knee flexion (onset_knee_deg,
# top_search_s), no longer from the rep finder's start and end.
MODEL_SCHEMA = "squatlab.imu_wink_model/2"
FINDINGS_KEY = "imu_wink"


@dataclass(frozen=True)
class Logistic:
    """A standardised logistic model: p = 1 / (1 + exp(-(w . (x - mean) / scale + b)))."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    intercept: float

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Logistic:
        model = cls(
            features=tuple(data["features"]),
            mean=np.asarray(data["mean"], dtype=float),
            scale=np.asarray(data["scale"], dtype=float),
            weights=np.asarray(data["weights"], dtype=float),
            intercept=float(data["intercept"]),
        )
        n = len(model.features)
        if not model.mean.size == model.scale.size == model.weights.size == n or np.any(model.scale <= 0):
            raise ValueError("inconsistent logistic model: features, mean, scale and weights must match")
        return model

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            "weights": [round(float(v), 6) for v in self.weights],
            "intercept": round(self.intercept, 6),
        }

    def probability(self, x: np.ndarray) -> float:
        """The model's probability for one feature vector (in ``features`` order).

        >>> m = Logistic(("a",), np.array([1.0]), np.array([2.0]), np.array([3.0]), 0.0)
        >>> m.probability(np.array([1.0])), round(m.probability(np.array([3.0])), 3)
        (0.5, 0.953)
        """
        z = float(self.weights @ ((np.asarray(x, dtype=float) - self.mean) / self.scale)) + self.intercept
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


@dataclass(frozen=True)
class WinkModel:
    """The two models (without and with a reference set) and how their measures are taken."""

    alone: Logistic
    with_reference: Logistic
    spec: feat.MeasureSpec
    provenance: Mapping[str, Any]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WinkModel:
        if data.get("schema") != MODEL_SCHEMA:
            raise ValueError(f"not a {MODEL_SCHEMA} file")
        model = cls(
            alone=Logistic.from_dict(data["alone"]),
            with_reference=Logistic.from_dict(data["with_reference"]),
            spec=feat.MeasureSpec.from_dict(data["measures"]),
            provenance=dict(data.get("provenance", {})),
        )
        expected = (feat.MODEL_MEASURES, (*feat.MODEL_MEASURES, *delta_names()))
        if (model.alone.features, model.with_reference.features) != expected:
            raise ValueError("the wearable wink model does not match this version's measures; refit it")
        return model

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": MODEL_SCHEMA,
            "measures": self.spec.as_dict(),
            "alone": self.alone.to_dict(),
            "with_reference": self.with_reference.to_dict(),
            "provenance": dict(self.provenance),
        }

    def probability(self, m: feat.RepMeasures, reference: Mapping[str, float] | None) -> float:
        if reference is None:
            return self.alone.probability(m.model_vector())
        return self.with_reference.probability(np.r_[m.model_vector(), feat.deltas(m, reference)])


def delta_names() -> tuple[str, ...]:
    """Names of the measures read against the reference set ("<measure>_vs_reference")."""
    return tuple(f"{name}_vs_reference" for name in feat.MODEL_MEASURES)


@cache
def load_model() -> WinkModel:
    """The model shipped with squatlab."""
    text = resources.files("squatlab.findings").joinpath(MODEL_RESOURCE).read_text()
    return WinkModel.from_dict(json.loads(text))


def measure_reps(trial: Trial, model: WinkModel) -> dict[int, tuple[feat.RepMeasures | None, str | None]]:
    """Each rep's measures (or why they could not be taken), by rep number."""
    return {rep.index: feat.rep_measures(trial, rep, model.spec) for rep in trial.reps}


def reference_from_trial(trial: Trial, settings: ImuSettings, model: WinkModel | None = None) -> dict[str, Any]:
    """The lifter's normal from a reference set's trial (with its reps found): medians and rep count.

    Returns ``{"measures": {...} or None, "reps": n, "path": ..., "reason": ... or None}``;
    ``measures`` is None when fewer than ``settings.reference_min_reps`` reps could be measured.
    """
    model = model or load_model()
    measured = [m for m, _ in measure_reps(trial, model).values() if m is not None]
    out: dict[str, Any] = {"path": trial.source.path, "reps": len(measured), "measures": None, "reason": None}
    if len(measured) < settings.reference_min_reps:
        out["reason"] = (
            f"only {len(measured)} rep(s) of the reference set could be measured "
            f"(at least {settings.reference_min_reps} needed)"
        )
        return out
    out["measures"] = {k: round(v, 4) for k, v in feat.reference_summary(measured).items()}
    return out


def judge_reps(
    trial: Trial, settings: ImuSettings, reference: Mapping[str, Any] | None = None, model: WinkModel | None = None
) -> Trial:
    """Score every rep with the hip-knee-pelvis model; the findings stage merges it into the wink call.

    Stores ``trial.findings["imu_wink"]`` (``reps``: rep number -> measures and probability, or
    the reason the rep was not scored; ``reference``) and adds a notice naming the method. A
    trial without pelvis, thigh and shank sensors is returned unchanged.
    """
    if not feat.has_leg_sensors(trial) or not trial.reps:
        return trial
    model = model or load_model()
    normal = reference.get("measures") if reference else None
    rows: dict[int, dict[str, Any]] = {}
    for index, (m, reason) in measure_reps(trial, model).items():
        if m is None:
            rows[index] = {"scored": False, "reason": reason}
            continue
        p = model.probability(m, normal)
        row: dict[str, Any] = {
            "scored": True,
            "probability": round(p, 4),
            "measures": m.as_dict(),
            "measured_from": _measured_from(trial, m),
        }
        if normal is not None:
            row["vs_reference"] = dict(zip(delta_names(), np.round(feat.deltas(m, normal), 3).tolist(), strict=True))
        rows[index] = row
    notices = [_method_notice(model, reference, settings)]
    if reference and normal is None:
        notices.append(Notice("imu_reference_unused", f"Reference set not used: {reference['reason']}."))
    info = {
        "reps": rows,
        "reference": dict(reference) if reference else None,
        "threshold": settings.wink_probability,
        "pattern_only_max_confidence": settings.wink_pattern_only_max_confidence,
    }
    return replace(trial, findings={**trial.findings, FINDINGS_KEY: info}).with_notices(*notices)


def _measured_from(trial: Trial, m: feat.RepMeasures) -> dict[str, Any]:
    """Where the measures were taken: the knee flexion's own events, in seconds (evidence)."""
    ev = m.events
    if ev is None:
        return {}
    at = {"descent_start": ev.start, "bottom": ev.bottom, "ascent_end": ev.end}
    return {f"{name}_s": round(float(trial.time_s[frame]), 3) for name, frame in at.items()}


def _method_notice(model: WinkModel, reference: Mapping[str, Any] | None, settings: ImuSettings) -> Notice:
    people = model.provenance.get("subjects", "?")
    used = reference is not None and reference.get("measures") is not None
    against = (
        f" and against this lifter's own normal from the reference set {reference['path']} ({reference['reps']} reps)"
        if used
        else ""
    )
    return Notice(
        "imu_wink_model",
        f"Butt wink judged from the pelvis tilt and from the hip-knee-pelvis pattern{against}: a model fitted on "
        f"{people} people's labelled squats (probability >= {settings.wink_probability:.2f} calls a wink; "
        "docs/validation.md gives its accuracy on people it was not fitted on).",
    )


def merge(
    trial: Trial, rep: Rep, wink: dict | None, reason: str | None, s: FindingSettings
) -> tuple[dict | None, str | None]:
    """The rep's butt-wink finding with the hip-knee-pelvis call folded in (unchanged without one)."""
    info = trial.findings.get(FINDINGS_KEY)
    row = info["reps"].get(rep.index) if info else None
    if wink is None or row is None:
        return wink, reason
    if not row["scored"]:
        # The pelvis rule's call stands; say why the pattern could not add to it.
        return {**wink, "imu_pattern": {"scored": False, "reason": row["reason"]}}, reason
    p = float(row["probability"])
    by_pelvis = bool(wink["detected"])
    by_pattern = p >= float(info["threshold"])
    detected = by_pelvis or by_pattern
    out = dict(wink)
    out["method"] = "pelvis tilt and hip-knee-pelvis pattern (IMU)"
    out["imu_pattern"] = {
        "scored": True,
        "probability": row["probability"],
        "threshold": info["threshold"],
        "called": by_pattern,
        "pelvis_range_called": by_pelvis,
        "reference_used": bool(info["reference"] and info["reference"].get("measures")),
        "measures": row["measures"],
        "measured_from": row.get("measured_from", {}),
        **({"vs_reference": row["vs_reference"]} if "vs_reference" in row else {}),
    }
    if detected and not by_pelvis:
        out.update(_pattern_only(trial, wink, s))
    out["detected"] = detected
    out["grade"] = c.grade(max(wink["magnitude_deg"], 0.0), detected, s.wink_moderate_deg, s.wink_marked_deg)
    trust = _confidence(wink, p, by_pelvis, by_pattern, float(info["pattern_only_max_confidence"]))
    out["confidence"], out["confidence_label"] = trust["value"], trust["label"]
    out["evidence"] = {**wink["evidence"], "confidence_parts": trust["parts"], "imu_pattern_probability": p}
    out["explanation"] = explanation(out)
    return out, None


def _pattern_only(trial: Trial, wink: dict, s: FindingSettings) -> dict:
    """Onset fields for a wink the pelvis channel did not show: the pelvis's last forward peak."""
    frames = {f["role"]: f["frame"] for f in wink["evidence"]["frames"]}
    onset = int(frames.get("descent_peak", frames["bottom"]))
    values: dict[str, Any] = {"frame": onset}
    for name in (cv.HIP_FLEXION, cv.KNEE_FLEXION, cv.SHIN_ANGLE):
        channel = c.usable(trial, name)
        values[name] = c.rounded(c.value_at(channel.values if channel else None, onset))
    return {"onset_s": c.rounded(float(trial.time_s[onset]), 3), "onset": values}


def _confidence(wink: dict, p: float, by_pelvis: bool, by_pattern: bool, pattern_only_max: float) -> dict:
    """Trust in the merged call: the stronger of the two calls' own trust when they agree on a
    wink, the pattern's margin (at most ``pattern_only_max``) when it alone calls one, the
    pelvis's when only the pelvis does."""
    parts = dict(wink["evidence"]["confidence_parts"])
    coverage_trust = parts.get("channel_conf", 1.0) * parts.get("coverage", 1.0)
    pattern = coverage_trust * (0.5 + abs(p - 0.5))  # 0.5 at the model's threshold, 1.0 at p = 0 or 1
    if by_pelvis and by_pattern:
        value = max(float(wink["confidence"]), pattern)
    elif by_pattern:
        value = min(pattern, pattern_only_max)
    elif by_pelvis:
        value = float(wink["confidence"])
    else:
        value = min(float(wink["confidence"]), pattern)
    value = round(float(np.clip(value, 0.0, 1.0)), 3)
    return {"value": value, "label": c.confidence_label(value), "parts": {**parts, "pattern_margin": round(pattern, 3)}}


def explanation(f: dict) -> str:
    """Plain sentences on one rep's merged call: what the pelvis did, what the pattern says, how big."""
    pattern = f["imu_pattern"]
    m = pattern["measures"]
    resolve = f"This recording resolves pelvis tilt changes of about {f['threshold_deg']:.0f} deg."
    hip = (
        f"after {m['knee_flexion_descent_deg']:.0f} deg of knee flexion in the descent the hip gained "
        f"{m['hip_knee_slope']:.2f} deg of flexion per degree of knee flexion and the pelvis had tipped forward "
        f"{m['pelvis_descent_deg']:.0f} deg ({m['pelvis_share']:.2f} per knee degree)"
    )
    against = " and against your reference set" if pattern["reference_used"] else ""
    odds = f"probability {pattern['probability']:.2f}{against}"
    resolve += f" Confidence in this call: {f['confidence_label']} ({f['confidence']:.2f})."
    if not f["detected"]:
        return (
            f"The pelvis tipped back by {f['magnitude_deg']:.1f} deg at the bottom, and {hip}: no butt wink in "
            f"this rep ({odds}). {resolve}"
        )
    if pattern["pelvis_range_called"]:
        agree = "agrees" if pattern["called"] else "does not show it clearly"
        return (
            f"The pelvis tipped back (tucked under) by {f['magnitude_deg']:.1f} deg between its most forward tilt on "
            f"the way down and the bottom: {'a small' if f['grade'] == 'mild' else 'a ' + f['grade']} butt wink. "
            f"The hip-knee pattern {agree} ({odds}). {resolve}"
        )
    return (
        f"Near the bottom, {hip}: the pattern of a butt wink in the labelled squats this detector was fitted on "
        f"({odds}). The pelvis sensor itself tipped back by only {f['magnitude_deg']:.1f} deg, less than it can "
        f"resolve, so read this as a small wink at most; a little motion at the bottom is normal. {resolve}"
    )
