"""report.html: one self-contained page (pictures and plots embedded) that opens offline.

:func:`render_report` returns the page as a string from the trial, its results document and
the keyframes, so the command line and the web workspace show the same report. A number
measured with a confidence below ``outline.min_conf`` is shown as a dash, like a missing one.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from jinja2 import Environment, PackageLoader, select_autoescape
from PIL import Image

from squatlab import conventions as cv
from squatlab.report.media import ROLE_TITLES, Keyframe
from squatlab.report.plots import figure_svg, overview_figure
from squatlab.report.verdicts import (
    NAMES,
    finding_limit,
    set_lines,
    setting_value,
    summary_text,
    verdict,
    view_sentence,
)
from squatlab.settings import OutlineSettings
from squatlab.trial import Trial

METHOD_VIDEO = [
    "Pose: BlazePose (full model, MediaPipe 0.10.21) finds 33 body landmarks and the person's silhouette in every "
    "frame, on this computer; nothing is uploaded.",
    "Landmark tracks are gap-filled (short gaps only) and low-pass filtered without lag (Butterworth, run forwards "
    "and backwards); angles come from the leg nearer the camera.",
    "Each angle carries a confidence: the lowest landmark visibility involved, lowered for oblique and front views "
    "and for interpolated frames.",
    "Reps: the hip height (in leg lengths) must drop from standing by the threshold below and come back, with the "
    "feet planted; the deepest frame is the bottom, frames within a small band of it form the bottom phase.",
    "2-D joint angles from a pose model err by about 4-7 degrees in good side views (Stenum et al. 2021) and by far "
    "more in oblique or front views, with loose clothing or when body parts are hidden; on rendered squats "
    "BlazePose read hip and knee flexion about 8-10 degrees low at depth.",
    "BlazePose has no pelvis or lumbar points; the shoulder-hip line measures the trunk, not the low back. Pelvis "
    "tilt and lumbar flexion are read from the back's outline in the person mask (yellow in the pictures) by a "
    "small model fitted on rendered squats: on rendered side views of bodies, clothing and movements it was not "
    "fitted on it is within about {pelvis:g} degrees (pelvis) and {lumbar:g} degrees (lumbar) RMS of the truth. On "
    "real bodies in real clothes it has not been checked against a reference: treat the numbers as indicative.",
    "Frames where an arm hides the low back, the view is not a side view, the lifter is small in the picture or "
    "the estimate leaves the physiological range are not measured; the warnings say which.",
]


METHOD_LAB = {
    "c3d": [
        "Marker motion capture (C3D): pelvis tilt from the ASIS and PSIS markers (Plug-in Gait / ISB), trunk and "
        "lumbar flexion from trunk markers relative to the pelvis, hip, knee and shin angles from the leg markers "
        "(docs/lab-inputs.md gives the exact definitions).",
        "Short marker gaps are interpolated; long gaps stay missing and are listed in the warnings.",
    ],
    "trc": [
        "Marker or keypoint trajectories (TRC): angles from the markers present (docs/lab-inputs.md); pelvis tilt "
        "needs pelvic markers beyond the hip centres.",
    ],
    "mot": [
        "OpenSim coordinates (.mot/.sto, e.g. OpenCap): pelvis_tilt and lumbar_extension converted to squatlab's "
        "signs (OpenSim: negative = anterior tilt, negative = flexion); OpenSim's pelvis angles are not in the "
        "clinical rotation order (Baker 2001).",
    ],
    "imu": [
        "Inertial sensors (IMU CSV): each sensor's sagittal angle from accelerometer and gyroscope fusion (Mahony "
        "filter, the ahrs library); the plane of the squat and the signs are found from the motion itself.",
        "Pelvis tilt from the sensor on the sacrum or low back; lumbar flexion, when a sensor sits on L1, as the "
        "difference of the two; hip, knee and shin angles from thigh and shank sensors.",
    ],
}
COMMON_METHOD = [
    "Reps: the depth signal (hip height, or knee flexion for lab and sensor data) must leave standing by the "
    "threshold below and come back; pelvis tilt and lumbar flexion are relative to the standing posture before "
    "each rep (or a static calibration trial).",
]
EXPORTED_FROM_VIDEO = (
    "This file was exported by squatlab from a video: its angles, their confidence and the view per frame are "
    "the video analysis's, so the video's limits apply (pelvis tilt and lumbar flexion from the back's outline "
    "are indicative)."
)
# Columns of the per-rep table: channel, header, digits.
TABLE_ANGLES = (
    (cv.HIP_FLEXION, "hip flex.", 0),
    (cv.KNEE_FLEXION, "knee flex.", 0),
    (cv.SHIN_ANGLE, "shin", 0),
    (cv.TRUNK_INCLINATION, "trunk", 0),
)
DASH = "–"


def method_lines(kind: str, details: dict[str, Any] | None = None, errors: tuple[Any, Any] = (None, None)) -> list[str]:
    """The method and limits paragraph for a source kind; ``errors``: the source's pelvis and lumbar errors (deg)."""
    if kind == "video":
        outline = OutlineSettings()  # results from before the errors were written fall back to today's
        pelvis = errors[0] if errors[0] is not None else outline.pelvis_error_deg
        lumbar = errors[1] if errors[1] is not None else outline.lumbar_error_deg
        return [line.format(pelvis=pelvis, lumbar=lumbar) for line in METHOD_VIDEO]
    lines = [*METHOD_LAB.get(kind, []), *COMMON_METHOD]
    if (details or {}).get("exported_from") == "video":
        lines.append(EXPORTED_FROM_VIDEO)
    return lines


def _fmt(value: Any, digits: int = 1, *, signed: bool = False) -> str:
    if value is None:
        return DASH
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not np.isfinite(number):
        return DASH
    return f"{number:+.{digits}f}" if signed else f"{number:.{digits}f}"


def bottom_value(rep: dict[str, Any], name: str, min_conf: float, digits: int = 0) -> str:
    """A channel at the rep's bottom, or a dash when not measured, not confident or the rep not measurable."""
    at = (rep.get("angles_at_bottom") or {}).get(name) or {}
    if not rep.get("measurable", True) or at.get("value") is None or (at.get("conf") or 0.0) < min_conf:
        return DASH
    return _fmt(at["value"], digits)


def lumbo_cell(rep: dict[str, Any], name: str) -> str:
    """``bottom / range`` of pelvis tilt or lumbar flexion over the rep, or a dash."""
    summary = rep.get(name)
    if not summary:
        return DASH
    return f"{_fmt(summary.get('at_bottom'), 0, signed=True)} / {_fmt(summary.get('range'), 0)}"


def _jpeg_b64(rgb: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=88)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _rep_view(results: dict[str, Any], rep: dict[str, Any], pictures: list[Keyframe], min_conf: float) -> dict:
    findings = []
    for key, name in NAMES.items():
        f = rep.get(key)
        if f:
            findings.append({"name": name, "text": f.get("explanation"), "limit": finding_limit(results, key, f)})
    not_judged = [
        f"{name} not judged: {rep[f'{key}_reason']}."
        for key, name in NAMES.items()
        if not rep.get(key) and rep.get(f"{key}_reason") and rep.get("measurable", True)
    ]
    return {
        "rep": rep,
        "verdict": verdict(rep),
        "findings": findings,
        "not_judged": not_judged,
        "angles": [(header, bottom_value(rep, name, min_conf, digits)) for name, header, digits in TABLE_ANGLES],
        "hip_depth": bottom_value(rep, cv.HIP_DEPTH, min_conf, 2),
        "pelvis": lumbo_cell(rep, cv.PELVIS_TILT),
        "lumbar": lumbo_cell(rep, cv.LUMBAR_FLEXION),
        "pictures": [
            {
                "title": ROLE_TITLES.get(k.role, k.role),
                "time_s": k.time_s,
                "labels": k.labels,
                "jpeg": _jpeg_b64(k.image),
            }
            for k in pictures
        ],
    }


def _context_rows(trial: Trial) -> list[str]:
    context = trial.context
    return [
        f"{label} {value}"
        for label, value in (
            ("sex", context.sex),
            ("load", f"{context.load_kg:g} kg" if context.load_kg is not None else None),
            ("body weight", f"{context.bodyweight_kg:g} kg" if context.bodyweight_kg is not None else None),
            ("stance", context.stance),
        )
        if value is not None
    ]


def render_report(trial: Trial, results: dict[str, Any], keyframes: Sequence[Keyframe] = ()) -> str:
    """The report page for ``trial`` and its ``results`` document, with the keyframes of its reps."""
    env = Environment(
        loader=PackageLoader("squatlab.report", "templates"), autoescape=select_autoescape(["html", "j2"])
    )
    env.filters["fmt"] = _fmt
    min_conf = setting_value(results, "outline", "min_conf", 0.3)
    reps = [
        _rep_view(results, rep, [k for k in keyframes if k.rep == rep["index"]], min_conf)
        for rep in results.get("reps", [])
    ]
    lumbo_absent = {
        cv.CHANNELS[name].label: ch.absent_reason
        for name in cv.LUMBO_PELVIC
        if (ch := trial.channels.get(name)) is not None and ch.is_absent
    }
    findings = results.get("findings") or {}
    source = results.get("input", {})
    return env.get_template("report.html.j2").render(
        name=Path(trial.source.path).name,
        results=results,
        reps=reps,
        set_lines=set_lines(results),
        summary=summary_text(results),
        view=view_sentence(results),
        findings=findings,
        sources=[c for c in findings.get("claims", []) if c.get("key") != "disclaimer"],
        lumbo_absent=lumbo_absent,
        context_rows=_context_rows(trial),
        plot_svg=figure_svg(overview_figure(trial, min_conf=min_conf), inline=True),
        method=method_lines(
            source.get("kind", trial.source.kind),
            source.get("details"),
            (source.get("pelvis_error_deg"), source.get("lumbar_error_deg")),
        ),
        min_conf=min_conf,
        keyframes_shown=bool(keyframes),
    )
