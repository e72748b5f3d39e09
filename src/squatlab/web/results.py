"""What the pages show from an analysis's results.json: the rep table, keyframes, trend points.

The report itself is the ``report.html`` that :mod:`squatlab.report` wrote; these are the
few numbers the workspace's own pages need (a table that fits a phone, points over time).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

KEYFRAMES = "keyframes"
# JPEG quality of the keyframe pictures: the report's keyframes use the same kind of compression.
_JPEG_QUALITY = 85


def write_keyframes(out_dir: Path, trial) -> None:
    """One picture per rep at its bottom, taken from the overlay video (skeleton and angles drawn in)."""
    from squatlab.io.video import iter_frames

    overlay = out_dir / "overlay.mp4"
    wanted = {r.bottom_frame: r.index for r in trial.reps}
    if not overlay.exists() or not wanted:
        return
    folder = out_dir / KEYFRAMES
    folder.mkdir(exist_ok=True)
    last = max(wanted)
    for frame in iter_frames(overlay):
        if frame.index in wanted:
            Image.fromarray(frame.rgb).save(folder / f"rep{wanted[frame.index]}.jpg", quality=_JPEG_QUALITY)
        if frame.index >= last:
            break


def keyframe_reps(out_dir: Path) -> list[int]:
    folder = out_dir / KEYFRAMES
    if not folder.is_dir():
        return []
    return sorted(int(p.stem[3:]) for p in folder.glob("rep*.jpg") if p.stem[3:].isdigit())


def load(out_dir: Path) -> dict[str, Any]:
    return json.loads((out_dir / "results.json").read_text(encoding="utf-8"))


def _value(obj: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def rep_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per rep: the numbers a coach scans first."""
    rows = []
    for rep in results.get("reps", []):
        wink, arch = rep.get("butt_wink"), rep.get("over_arch")
        rows.append(
            {
                "index": rep["index"],
                "bottom_s": rep["bottom_s"],
                "measurable": rep["measurable"],
                "reason": rep.get("reason") or "",
                "partial": rep.get("partial", False),
                "hip_flexion": _value(rep, "angles_at_bottom", "hip_flexion_deg", "value"),
                "hip_depth": _value(rep, "angles_at_bottom", "hip_depth_thigh", "value"),
                "pelvis_range": _value(rep, "pelvis_tilt_deg", "range"),
                "wink": wink.get("grade") if isinstance(wink, dict) else None,
                "wink_deg": wink.get("magnitude_deg") if isinstance(wink, dict) else None,
                "wink_onset_hip": _value(wink, "onset", "hip_flexion_deg") if _detected(wink) else None,
                "arch": arch.get("grade") if isinstance(arch, dict) else None,
                "arch_deg": arch.get("magnitude_deg") if isinstance(arch, dict) else None,
                "why_not": rep.get("butt_wink_reason") or "",
            }
        )
    return rows


def _detected(finding: Any) -> bool:
    return isinstance(finding, dict) and bool(finding.get("detected"))


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str
    meaning: str


TREND_METRICS = (
    Metric("wink_deg", "Largest butt wink", "deg", "posterior pelvic tilt at the bottom; 0 = none measured"),
    Metric("onset_hip_deg", "Wink onset (hip flexion)", "deg", "the earliest onset in the set; higher = deeper"),
    Metric("safe_hip_deg", "Suggested depth (hip flexion)", "deg", "just above the earliest wink onset"),
    Metric("arch_deg", "Largest over-arching", "deg", "extension beyond standing"),
)


def trend_point(results: dict[str, Any]) -> dict[str, float | None]:
    """The set's trend values; None where the set gives none (no measurable rep, no wink)."""
    reps = results.get("reps", [])
    winks = [r["butt_wink"] for r in reps if isinstance(r.get("butt_wink"), dict)]
    arches = [r["over_arch"] for r in reps if isinstance(r.get("over_arch"), dict)]
    onsets = [_value(w, "onset", "hip_flexion_deg") for w in winks if _detected(w)]
    onsets = [v for v in onsets if v is not None]
    wink_sizes = [w["magnitude_deg"] if _detected(w) else 0.0 for w in winks if w.get("magnitude_deg") is not None]
    arch_sizes = [a["magnitude_deg"] if _detected(a) else 0.0 for a in arches if a.get("magnitude_deg") is not None]
    return {
        "wink_deg": max(wink_sizes, default=None),
        "onset_hip_deg": min(onsets, default=None),
        "safe_hip_deg": _value(results, "findings", "safe_depth", "hip_flexion_deg"),
        "arch_deg": max(arch_sizes, default=None),
    }
