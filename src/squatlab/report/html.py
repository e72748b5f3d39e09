"""report.html: one self-contained page (images embedded) that opens offline."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import numpy as np
from jinja2 import Environment, PackageLoader, select_autoescape
from PIL import Image

from squatlab import conventions as cv
from squatlab.report.plots import time_series_png
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
    "small model fitted on rendered squats: on rendered side views it is within about 4 degrees (pelvis) and 5 "
    "degrees (lumbar) of the truth. On real bodies in real clothes it has not been checked against a reference: "
    "treat the lumbar numbers as indicative.",
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


def method_lines(kind: str) -> list[str]:
    """The method and limits paragraph for a source kind."""
    if kind == "video":
        return METHOD_VIDEO
    return [*METHOD_LAB.get(kind, []), *COMMON_METHOD]


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    try:
        return f"{float(value):.{digits}f}"
    except (TypeError, ValueError):
        return str(value)


def _jpeg_b64(rgb: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=85)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def render_report(trial: Trial, results: dict[str, Any], keyframes: dict[int, np.ndarray]) -> str:
    env = Environment(
        loader=PackageLoader("squatlab.report", "templates"), autoescape=select_autoescape(["html", "j2"])
    )
    env.globals["fmt"] = _fmt
    lumbo_absent = {
        name: ch.absent_reason
        for name in cv.LUMBO_PELVIC
        if (ch := trial.channels.get(name)) is not None and ch.is_absent
    }
    context = trial.context
    context_rows = [
        f"{label} {value}"
        for label, value in (
            ("sex", context.sex),
            ("load", f"{context.load_kg:g} kg" if context.load_kg is not None else None),
            ("body weight", f"{context.bodyweight_kg:g} kg" if context.bodyweight_kg is not None else None),
            ("stance", context.stance),
        )
        if value is not None
    ]
    frames = [
        {"index": r.index, "time_s": r.bottom_s, "jpeg": _jpeg_b64(keyframes[r.index])}
        for r in trial.reps
        if r.index in keyframes
    ]
    return env.get_template("report.html.j2").render(
        name=Path(trial.source.path).name,
        results=results,
        findings=trial.findings.get("set"),
        rep_findings=trial.findings.get("reps", []),
        lumbo_absent=lumbo_absent,
        labels={name: spec.label for name, spec in cv.CHANNELS.items()},
        context_rows=context_rows,
        plot_png=base64.b64encode(time_series_png(trial)).decode("ascii"),
        keyframes=frames,
        method=method_lines(trial.source.kind),
    )
