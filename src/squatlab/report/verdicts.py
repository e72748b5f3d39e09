"""What the report says in words: one verdict line per rep and the source's limits beside each finding.

Everything here reads the results document (``results.json``), so any page that has it (the
report, the web workspace) says the same. The verdict never prints a number measured with too
little confidence, and calls a rep "not measured" rather than guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

GRADE_ORDER = ("none", "mild", "moderate", "marked")
CONFIDENCE_ORDER = ("low", "medium", "high")
NAMES = {"butt_wink": "Butt wink", "over_arch": "Over-arched low back"}

# What each source's pelvis and lumbar numbers rest on, said beside the finding that uses them.
_VIDEO_PELVIS = (
    "From video, pelvis tilt is read from the back's outline by a model that is within about {pelvis:g}° "
    "(a wink's size within about {wink:g}°) on rendered bodies and has not been checked against a lab "
    "reference on real lifters: treat the size as indicative."
)
_VIDEO_MISSED = (
    "On rendered squats of bodies it was not fitted on, {share:.0%} of the butt winks of 10° or more were read "
    "large enough to be flagged: from video, finding none does not rule one out."
)
_VIDEO_LUMBAR = (
    "From video, lumbar numbers are indicative: the low back's outline model has not been checked against a "
    "lab reference on real bodies."
)
_VIDEO_PELVIS_TRUNK = (
    "Judged from pelvis tilt and trunk lean because the low back itself was not measured; from video both are "
    "indicative."
)
_SOURCE_NAMES = {
    "c3d": "marker motion capture",
    "trc": "the marker trajectories",
    "mot": "the OpenSim file's kinematics",
    "imu": "the sensors",
}


@dataclass(frozen=True)
class Verdict:
    """One rep at a glance: ``tone`` (normal, mild, moderate, marked, not-measured, not-judged) and a line."""

    tone: str
    text: str


def _conf_words(label: str | None) -> str:
    return f"{label} confidence" if label else "confidence unknown"


def _lowest(labels: list[str]) -> str | None:
    known = [x for x in labels if x in CONFIDENCE_ORDER]
    return min(known, key=CONFIDENCE_ORDER.index) if known else None


def verdict(rep: dict[str, Any]) -> Verdict:
    """The one-line verdict of a rep from its results.json entry.

    >>> verdict({"measurable": True, "partial": False, "butt_wink": {"detected": True, "grade": "moderate",
    ...     "magnitude_deg": 10.7, "confidence_label": "low"}, "over_arch": None,
    ...     "over_arch_reason": "lumbar flexion not measured"}).text
    'Butt wink 11° (moderate, low confidence)'
    """
    if not rep.get("measurable", True):
        return Verdict("not-measured", f"Not measured: {rep.get('reason') or 'the rep could not be measured'}")
    judged = {key: rep.get(key) for key in NAMES if rep.get(key)}
    found = {key: f for key, f in judged.items() if f.get("detected")}
    partial = " · partial rep" if rep.get("partial") else ""
    if found:
        parts = [
            f"{NAMES[key]} {f['magnitude_deg']:.0f}° ({f['grade']}, {_conf_words(f.get('confidence_label'))})"
            for key, f in found.items()
        ]
        tone = max((f["grade"] for f in found.values()), key=GRADE_ORDER.index)
        return Verdict(tone, "; ".join(parts) + partial)
    if judged:
        what = " and ".join(
            {"butt_wink": "the pelvis at the bottom", "over_arch": "the low back"}[key] for key in judged
        )
        confidence = _lowest([f.get("confidence_label") for f in judged.values()])
        return Verdict("normal", f"Normal: {what} within normal limits ({_conf_words(confidence)}){partial}")
    reason = rep.get("butt_wink_reason") or rep.get("over_arch_reason") or "no finding could be judged"
    return Verdict("not-judged", f"Not judged: {reason}{partial}")


def _from_video(results: dict[str, Any]) -> bool:
    source = results.get("input", {})
    return source.get("kind") == "video" or (source.get("details") or {}).get("exported_from") == "video"


def setting_value(results: dict[str, Any], group: str, name: str, default: Any) -> Any:
    """A setting as the results document recorded it (``default`` for documents without it)."""
    rows = results.get("settings") or []
    return next((r["value"] for r in rows if r["group"] == group and r["name"] == name), default)


def finding_limit(results: dict[str, Any], key: str, finding: dict[str, Any] | None) -> str | None:
    """The limit of the source that a rep's finding rests on, in one sentence (None when nothing to say)."""
    if not finding:
        return None
    source = results.get("input", {})
    pelvis, lumbar = source.get("pelvis_error_deg"), source.get("lumbar_error_deg")
    method = finding.get("method", "lumbar")
    if _from_video(results):
        if key == "butt_wink":
            text = _VIDEO_PELVIS.format(pelvis=pelvis or 4, wink=source.get("wink_error_deg") or pelvis or 4)
            share = setting_value(results, "outline", "wink_found_share", None)
            if not finding.get("detected") and share is not None:
                text += " " + _VIDEO_MISSED.format(share=share)
            return text
        return _VIDEO_LUMBAR if method == "lumbar" else _VIDEO_PELVIS_TRUNK
    name = _SOURCE_NAMES.get(source.get("kind"), "this source")
    what, error = ("pelvis tilt", pelvis) if key == "butt_wink" or method != "lumbar" else ("lumbar flexion", lumbar)
    if key == "butt_wink" and source.get("wink_error_deg") is not None:
        what, error = "a butt wink's size", source["wink_error_deg"]
    return f"From {name}, {what} is measured to about {error:g}° (1 SD); the threshold sits above that."


def view_sentence(results: dict[str, Any]) -> str | None:
    """How the camera saw the lifter, with the same side-view share as the warning."""
    view = results.get("view")
    if not view:
        return None
    share = view.get("side_fraction")
    seen = (
        f"filmed from the side in {share:.0%} of the frames where the lifter was tracked" if share is not None else ""
    )
    facing = view.get("facing")
    near = view.get("near_side")
    turned = (
        f"; the lifter faces {facing} in the picture, {near} side toward the camera"
        if facing in ("left", "right") and near in ("left", "right")
        else ""
    )
    return f"Camera: {seen or 'view unknown'}{turned}."


def summary_text(results: dict[str, Any]) -> str | None:
    """The set's summary without the disclaimer (the page carries it once)."""
    findings = results.get("findings") or {}
    text = findings.get("summary")
    if not text:
        return None
    for disclaimer in (findings.get("disclaimer"), results.get("disclaimer")):
        if disclaimer:
            text = text.replace(disclaimer, "")
    return " ".join(text.split()) or None


def _span(values: list[float]) -> str:
    low, high = round(min(values)), round(max(values))
    return f"{low}°" if low == high else f"{low}–{high}°"


def _finding_line(reps: list[dict[str, Any]], key: str, judged: int) -> str | None:
    found = [r[key] for r in reps if r.get(key) and r[key].get("detected")]
    name = NAMES[key]
    if found:
        worst = max((f["grade"] for f in found), key=GRADE_ORDER.index)
        sizes = _span([f["magnitude_deg"] for f in found])
        return f"{name} in {len(found)} of {judged} judged reps ({sizes}, {worst} at most)."
    if judged:
        return f"{name}: none in the {judged} judged rep{'s' if judged != 1 else ''}."
    return None


def set_lines(results: dict[str, Any]) -> list[str]:
    """The set in a few short lines: what was found across the reps, the likely cause, the depth suggestion."""
    findings = results.get("findings") or {}
    counts = findings.get("counts") or {}
    reps = results.get("reps", [])
    lines = [line for key in NAMES if (line := _finding_line(reps, key, counts.get(f"{key}_judged", 0))) is not None]
    cause = (findings.get("cause") or {}).get("label")
    if cause in ("ankle", "hip"):
        lines.append(f"Likely limit: the {cause} (the evidence and two checks below).")
    elif cause == "undetermined":
        lines.append("Likely cause: not determined from this set (two checks below would tell).")
    if findings.get("safe_depth"):
        lines.append("A depth suggestion is below.")
    return lines
