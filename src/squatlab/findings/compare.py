"""Compare two results: which per-rep metrics changed beyond their noise.

E.g. narrow vs wide stance, flat shoes vs a heel wedge, before vs after a mobility block.
Each per-rep metric (butt-wink magnitude and onset, over-arch magnitude, angles at the
bottom, the pelvis and low-back summaries) is compared between the two sets. A metric
**changed** when all three hold:

1. both sets have at least two reps with a value (one rep has no spread to judge by);
2. Welch's t-test gives p < ``compare_alpha``: the difference is unlikely under the
   rep-to-rep variation seen in each set (Welch, because two sessions need not share a
   variance or a rep count);
3. the difference is larger than both the pooled rep-to-rep SD (an effect of at least one
   SD: a very steady lifter must not turn a sub-degree shift into a "change") and the
   source's error for that metric (a re-recording moves the camera, the sensors, the
   baseline: a change within that error could be the set-up, not the lifter).

Pure functions: :func:`load_results` reads, :func:`compare_results` returns a JSON-able
dict; :mod:`squatlab.findings.compare_html` draws it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from squatlab.conventions import CHANNELS
from squatlab.errors import InputError
from squatlab.findings._curves import noise_sd
from squatlab.findings.claims import claim
from squatlab.settings import FindingSettings

_REQUIRED_INPUT = ("path", "kind", "fps", "duration_s", "frames")
_REQUIRED_REP = ("index", "start_s", "bottom_s", "end_s", "measurable")
_GENERIC_SECTIONS = ("angles_at_bottom", "depth", "pelvis_tilt_deg", "lumbar_flexion_deg")
_WINK_KEYS = (
    "magnitude_deg",
    "lumbar_flexion_change_deg",
    "onset.hip_flexion_deg",
    "onset.knee_flexion_deg",
    "onset.hip_depth_thigh",
    "onset.shin_angle_deg",
)
_ARCH_KEYS = ("magnitude_deg", "setup_extension_deg")
_FIXED_LABELS = {
    "butt_wink.magnitude_deg": "Butt wink: pelvis tipping back at the bottom",
    "butt_wink.lumbar_flexion_change_deg": "Butt wink: low-back rounding over the wink",
    "butt_wink.onset.hip_flexion_deg": "Butt wink onset: hip flexion",
    "butt_wink.onset.knee_flexion_deg": "Butt wink onset: knee flexion",
    "butt_wink.onset.hip_depth_thigh": "Butt wink onset: hip depth",
    "butt_wink.onset.shin_angle_deg": "Butt wink onset: shin angle",
    "over_arch.magnitude_deg": "Over-arching: extension beyond standing",
    "over_arch.setup_extension_deg": "Over-arching at the set-up",
}
# The metrics shown first, in this order, when present.
PRIMARY = (
    "butt_wink.magnitude_deg",
    "butt_wink.onset.hip_flexion_deg",
    "butt_wink.onset.hip_depth_thigh",
    "over_arch.magnitude_deg",
    "angles_at_bottom.hip_flexion_deg",
    "angles_at_bottom.knee_flexion_deg",
    "angles_at_bottom.shin_angle_deg",
    "angles_at_bottom.trunk_inclination_deg",
    "angles_at_bottom.hip_depth_thigh",
)


def load_results(path: str | Path) -> dict:
    """Read a results.json (or the folder holding one) and check its minimum contract.

    Raises
    ------
    InputError
        When the file is missing, not JSON, or lacks a required field (the message names it).
    """
    path = Path(path)
    if path.is_dir():
        path = path / "results.json"
    if not path.is_file():
        raise InputError(f"no results file at {path}; give a results folder or its results.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read {path} as JSON: {exc}") from exc
    validate_results(data, str(path))
    return data


def validate_results(data: Any, where: str = "results") -> None:
    """Raise InputError naming the first missing or malformed field of the minimum contract."""
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a JSON object at the top level")
    for key in ("schema_version", "input", "reps"):
        if key not in data:
            raise InputError(f"{where}: missing field {key!r}")
    if not isinstance(data["input"], dict) or any(k not in data["input"] for k in _REQUIRED_INPUT):
        raise InputError(f"{where}: 'input' must have {', '.join(_REQUIRED_INPUT)}")
    if not isinstance(data["reps"], list):
        raise InputError(f"{where}: 'reps' must be a list")
    for i, rep in enumerate(data["reps"]):
        missing = [k for k in _REQUIRED_REP if not isinstance(rep, dict) or k not in rep]
        if missing:
            raise InputError(f"{where}: reps[{i}] lacks {', '.join(missing)}")


def _numeric(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _skip(key: str) -> bool:
    """Times, frames, counts and confidences are not metrics of the movement."""
    last = key.rsplit(".", 1)[-1]
    return last.endswith(("_s", "_frame")) or last in ("frame", "index") or "conf" in last


def _leaves(obj: Any, prefix: str) -> Iterator[tuple[str, float]]:
    """Numeric leaves by dotted path; a ``{"value": v, "conf": c}`` pair counts as ``v`` under its own name."""
    if isinstance(obj, dict) and "value" in obj:
        obj = obj["value"]
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _leaves(value, f"{prefix}.{key}")
    elif _numeric(obj):
        yield prefix, float(obj)


def rep_metrics(results: dict) -> dict[str, list[float]]:
    """Per-rep metric values of the measurable reps, keyed by dotted path (e.g. ``butt_wink.magnitude_deg``)."""
    values: dict[str, list[float]] = {}
    for rep in results["reps"]:
        if not rep.get("measurable", False):
            continue
        for section in _GENERIC_SECTIONS:
            for key, value in _leaves(rep.get(section), section):
                if not _skip(key):
                    values.setdefault(key, []).append(value)
        for section, keys in (("butt_wink", _WINK_KEYS), ("over_arch", _ARCH_KEYS)):
            finding = rep.get(section)
            for key in keys if isinstance(finding, dict) else ():
                value = _get(finding, key)
                if _numeric(value):
                    values.setdefault(f"{section}.{key}", []).append(float(value))
    return values


def _get(obj: dict, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return obj


def unit_of(key: str) -> str:
    """The unit of a metric from its name (the conventions' suffixes).

    >>> unit_of("angles_at_bottom.hip_depth_thigh"), unit_of("pelvis_tilt_deg.at_bottom"), unit_of("depth.signal")
    ('thigh lengths', 'deg', '')
    """
    last = key.rsplit(".", 1)[-1]
    for suffix, unit in (
        ("_deg", "deg"),
        ("_thigh", "thigh lengths"),
        ("_foot", "foot lengths"),
        ("_leg", "leg lengths"),
    ):
        if last.endswith(suffix):
            return unit
    if key.startswith(("pelvis_tilt_deg.", "lumbar_flexion_deg.")):
        return "deg"
    return ""


def label_of(key: str) -> str:
    """A readable name for a metric key."""
    if key in _FIXED_LABELS:
        return _FIXED_LABELS[key]
    section, _, rest = key.partition(".")
    if section == "angles_at_bottom" and rest in CHANNELS:
        return f"{CHANNELS[rest].label} at the bottom"
    if section in CHANNELS:
        return f"{CHANNELS[section].label} ({rest.replace('_', ' ')})"
    return f"{section.replace('_', ' ').capitalize()} ({rest.replace('_', ' ')})"


def _mean_noise(results: dict, section: str, method: str | None = None) -> float | None:
    """Mean ``noise_deg`` of a finding over the reps (only those judged by ``method`` if given)."""
    noise = [
        r[section]["noise_deg"]
        for r in results["reps"]
        if isinstance(r.get(section), dict) and (method is None or r[section].get("method") == method)
    ]
    noise = [n for n in noise if _numeric(n)]
    return float(np.mean(noise)) if noise else None


def _lumbo_pelvic_error(results: dict, which: str, settings: FindingSettings) -> float | None:
    """Noise of a pelvis or low-back angle: drift plus the source's error, from the results when they carry it."""
    err = results["input"].get(f"{which}_error_deg")
    if _numeric(err):
        return noise_sd(settings.postural_drift_deg, err)
    if which == "pelvis":
        return _mean_noise(results, "butt_wink")
    return _mean_noise(results, "over_arch", method="lumbar")


def metric_error(key: str, results: list[dict], settings: FindingSettings) -> float:
    """The source-error floor of a metric (1 SD, the metric's unit): the larger of the two recordings'.

    Wink-onset angles and depth carry the onset's own timing uncertainty; joint angles and hip
    depth the keypoint error; pelvis and low-back metrics the recording's own noise (postural
    drift plus the source's error), read from the results. 0 when the unit is unknown.
    """
    unit = unit_of(key)
    if key.startswith("butt_wink.onset."):
        return settings.compare_onset_error_thigh if unit == "thigh lengths" else settings.compare_onset_error_deg
    if unit == "thigh lengths":
        return settings.compare_depth_error_thigh
    if unit != "deg":
        return 0.0
    lumbo_pelvic = any(name in key for name in ("pelvis_tilt", "lumbar_flexion"))
    if key.startswith("angles_at_bottom.") and not lumbo_pelvic:
        return settings.compare_angle_error_deg
    if key.startswith("over_arch."):
        found = [_mean_noise(r, "over_arch") for r in results]
    else:
        which = "lumbar" if "lumbar" in key else "pelvis"
        found = [_lumbo_pelvic_error(r, which, settings) for r in results]
    found = [f for f in found if f is not None]
    return max(found) if found else settings.compare_angle_error_deg


def holm(p_values: list[float | None]) -> list[float | None]:
    """Holm's step-down adjustment of p-values (None stays None).

    >>> holm([0.01, 0.04, None, 0.03])
    [0.03, 0.06, None, 0.06]
    """
    ranked = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    m = len(ranked)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, (p, i) in enumerate(ranked):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[i] = round(running, 6)
    return adjusted


def compare_metric(a: list[float], b: list[float], *, error: float, compare_alpha: float) -> dict:
    """Statistics and verdict for one metric.

    Returns
    -------
    dict
        ``n_a``, ``n_b``, ``mean_a``, ``mean_b``, ``sd_a``, ``sd_b``, ``difference``
        (B - A), ``pooled_sd``, ``error``, ``floor`` (max of pooled SD and error),
        ``t``, ``p`` (Welch), ``p_holm`` (here = ``p``; :func:`compare_results` adjusts it
        over all metrics), ``changed`` and ``verdict`` ("changed", "within noise",
        "too few reps").

    Examples
    --------
    >>> row = compare_metric([5.0, 6.0, 5.5], [15.0, 16.0, 15.5], error=3.0, compare_alpha=0.05)
    >>> row["changed"], row["difference"]
    (True, 10.0)
    """
    xa, xb = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    row: dict[str, Any] = {
        "n_a": int(xa.size),
        "n_b": int(xb.size),
        "mean_a": _r(xa.mean()) if xa.size else None,
        "mean_b": _r(xb.mean()) if xb.size else None,
        "sd_a": _r(xa.std(ddof=1)) if xa.size > 1 else None,
        "sd_b": _r(xb.std(ddof=1)) if xb.size > 1 else None,
        "difference": _r(xb.mean() - xa.mean()) if xa.size and xb.size else None,
        "error": _r(error),
        "pooled_sd": None,
        "floor": None,
        "t": None,
        "p": None,
        "p_holm": None,
        "changed": False,
        "verdict": "too few reps",
    }
    if xa.size < 2 or xb.size < 2:
        return row
    pooled = math.sqrt(((xa.size - 1) * xa.var(ddof=1) + (xb.size - 1) * xb.var(ddof=1)) / (xa.size + xb.size - 2))
    diff = float(xb.mean() - xa.mean())
    scale = max(1.0, abs(float(xa.mean())), abs(float(xb.mean())))
    if pooled <= 1e-9 * scale:  # no spread in either set: any difference is exact
        t, p = (math.inf if abs(diff) > 1e-9 * scale else 0.0), (0.0 if abs(diff) > 1e-9 * scale else 1.0)
    else:
        t, p = (float(v) for v in stats.ttest_ind(xb, xa, equal_var=False))
    floor = max(pooled, error)
    row.update(pooled_sd=_r(pooled), floor=_r(floor), t=_r(t, 2) if math.isfinite(t) else None, p=_r(p, 6))
    return decide(row, p_adjusted=p, compare_alpha=compare_alpha)


def decide(row: dict, *, p_adjusted: float | None, compare_alpha: float) -> dict:
    """Set ``p_holm``, ``changed`` and ``verdict`` of a metric row from its (adjusted) p-value."""
    if p_adjusted is None:
        return {**row, "p_holm": None, "changed": False, "verdict": "too few reps"}
    changed = p_adjusted < compare_alpha and abs(row["difference"]) > row["floor"]
    return {**row, "p_holm": p_adjusted, "changed": bool(changed), "verdict": "changed" if changed else "within noise"}


def _r(value: float, digits: int = 3) -> float | None:
    value = float(value)
    return round(value, digits) if math.isfinite(value) else None


def _describe(results: dict, label: str) -> dict:
    reps = results["reps"]
    measurable = [r for r in reps if r.get("measurable")]
    return {
        "label": label,
        "path": results["input"]["path"],
        "kind": results["input"]["kind"],
        "fps": results["input"]["fps"],
        "duration_s": results["input"]["duration_s"],
        "reps": len(reps),
        "measurable": len(measurable),
        "butt_wink_reps": sum(bool(_get(r, "butt_wink.detected")) for r in measurable),
        "butt_wink_judged": sum(isinstance(r.get("butt_wink"), dict) for r in measurable),
        "over_arch_reps": sum(bool(_get(r, "over_arch.detected")) for r in measurable),
        "over_arch_judged": sum(isinstance(r.get("over_arch"), dict) for r in measurable),
    }


def _order(keys: set[str]) -> list[str]:
    primary = [k for k in PRIMARY if k in keys]
    return primary + sorted(keys - set(primary))


def compare_results(
    a: dict,
    b: dict,
    *,
    label_a: str = "A",
    label_b: str = "B",
    settings: FindingSettings | None = None,
) -> dict:
    """Compare two validated results dicts metric by metric.

    Returns
    -------
    dict
        ``a`` and ``b`` (what each set is), ``metrics`` (one row per metric present in both:
        ``key``, ``label``, ``unit``, ``values_a``, ``values_b`` and the
        :func:`compare_metric` statistics), ``changed`` (keys), ``summary`` (sentences),
        ``method`` and ``disclaimer``.

    Examples
    --------
    >>> rep = {"index": 1, "start_s": 0, "bottom_s": 1, "end_s": 2, "measurable": True}
    >>> def result(wink):
    ...     reps = [{**rep, "butt_wink": {"magnitude_deg": wink + i % 2, "noise_deg": 3.6}} for i in range(5)]
    ...     return {"schema_version": "1", "input": {"path": "x", "kind": "imu", "fps": 100, "duration_s": 9,
    ...             "frames": 900}, "reps": reps}
    >>> compare_results(result(18.0), result(2.0))["changed"]
    ['butt_wink.magnitude_deg']
    """
    s = settings or FindingSettings()
    va, vb = rep_metrics(a), rep_metrics(b)
    rows = []
    for key in _order(set(va) | set(vb)):
        row = {"key": key, "label": label_of(key), "unit": unit_of(key)}
        row.update(
            compare_metric(
                va.get(key, []),
                vb.get(key, []),
                error=s.compare_error_k * metric_error(key, [a, b], s),
                compare_alpha=s.compare_alpha,
            )
        )
        row["values_a"] = [round(v, 3) for v in va.get(key, [])]
        row["values_b"] = [round(v, 3) for v in vb.get(key, [])]
        rows.append(row)
    # Many metrics are tested at once: Holm's adjustment keeps the chance of any false flag at alpha.
    adjusted = holm([r["p"] for r in rows])
    rows = [decide(r, p_adjusted=p, compare_alpha=s.compare_alpha) for r, p in zip(rows, adjusted, strict=True)]
    side_a, side_b = _describe(a, label_a), _describe(b, label_b)
    return {
        "a": side_a,
        "b": side_b,
        "metrics": rows,
        "changed": [r["key"] for r in rows if r["changed"]],
        "summary": summary_lines(side_a, side_b, rows),
        "method": method_text(s),
        "disclaimer": claim("disclaimer").text,
    }


def method_text(s: FindingSettings) -> str:
    """How a change is decided, in words, with the settings used."""
    return (
        f"A metric changed when each set has at least 2 reps with a value, Welch's t-test gives p < "
        f"{s.compare_alpha:g} after Holm's adjustment over all the metrics compared, and the difference exceeds "
        "both the pooled rep-to-rep SD and the source's error for that metric (pelvis and low-back findings: the "
        f"recording's own noise, drift included; joint angles at the bottom: {s.compare_angle_error_deg:g} deg; "
        f"hip depth: {s.compare_depth_error_thigh:g} thigh lengths; wink-onset angles: "
        f"{s.compare_onset_error_deg:g} deg; wink-onset depth: {s.compare_onset_error_thigh:g} thigh lengths; "
        f"times {s.compare_error_k:g}). "
        "A difference inside that floor may come from re-recording (camera, sensors, baseline) rather than the "
        "lifter."
    )


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    digits = 2 if unit.endswith("lengths") else 1
    short = {"deg": " deg", "": ""}.get(unit, f" {unit}")
    return f"{value:.{digits}f}{short}"


def summary_lines(a: dict, b: dict, rows: list[dict]) -> list[str]:
    """Plain sentences: the butt-wink and over-arch counts, then each changed metric."""
    lines = [
        f"Butt wink: {a['butt_wink_reps']} of {a['butt_wink_judged']} judged reps in {a['label']}, "
        f"{b['butt_wink_reps']} of {b['butt_wink_judged']} in {b['label']}.",
        f"Over-arching: {a['over_arch_reps']} of {a['over_arch_judged']} judged reps in {a['label']}, "
        f"{b['over_arch_reps']} of {b['over_arch_judged']} in {b['label']}.",
    ]
    changed = [r for r in rows if r["changed"]]
    for r in changed:
        direction = "rose" if r["difference"] > 0 else "fell"
        lines.append(
            f"{r['label']} {direction} by {_fmt(abs(r['difference']), r['unit'])} from {a['label']} to {b['label']} "
            f"({_fmt(r['mean_a'], r['unit'])} -> {_fmt(r['mean_b'], r['unit'])}; noise floor "
            f"{_fmt(r['floor'], r['unit'])}, adjusted p = {r['p_holm']:.3g})."
        )
    if not changed:
        lines.append("No per-rep metric changed beyond its noise between the two sets.")
    return lines
