"""The truth of a rendered clip: per-frame channels from a :class:`~squatlab.synth.motion.Motion`.

Pelvis tilt and lumbar flexion are bone angles of the body model, not surface shapes:
pelvis tilt is the sagittal rotation of the pelvis (root) bone in the global frame and
lumbar flexion the sagittal rotation of the thorax (spine02) bone relative to it. The
joint angles are measured on the joint centres projected on the body's sagittal (y-z)
plane, averaged over both sides (the motion is symmetric).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from squatlab import conventions as cv
from squatlab.synth.geometry import sagittal_angle
from squatlab.synth.motion import Motion

LUMBAR_ABS = cv.LUMBAR_FLEXION_ABS
TRUTH_CHANNELS = (
    cv.PELVIS_TILT,
    cv.PELVIS_TILT_ABS,
    cv.LUMBAR_FLEXION,
    LUMBAR_ABS,
    cv.HIP_FLEXION,
    cv.KNEE_FLEXION,
    cv.SHIN_ANGLE,
    cv.TRUNK_INCLINATION,
)
# Points written to the CSV in image pixels: joint centres per side, then the bone heads
# of the lumbo-pelvic chain (pelvis = root head = spine05 head, the sacral end).
JOINT_POINTS = tuple(
    f"{side}_{name}"
    for name in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "toe")
    for side in ("left", "right")
)
SPINE_POINTS = ("pelvis", "spine04", "spine03", "spine02", "spine01", "neck")

# What each CSV column means; written into every clip's JSON sidecar and docs/synth.md.
COLUMN_DOCS: dict[str, str] = {
    "frame": "frame index from 0",
    "time_s": "frame time, s",
    "rep": "rep number from 1; 0 = standing outside a rep",
    "phase": "standing | descent | bottom | ascent",
    "depth_fraction": "hip drop as a fraction of this rep's bottom (0 standing, 1 bottom)",
    cv.PELVIS_TILT: "pelvis (root bone) sagittal rotation in the global frame minus its standing value; + = anterior",
    cv.PELVIS_TILT_ABS: "the same rotation measured from the body model's rest pose, not from standing",
    cv.LUMBAR_FLEXION: "thorax (spine02 bone) sagittal rotation minus the pelvis's, minus standing; + = flexion",
    LUMBAR_ABS: "the same difference without the standing value removed (0 in the rest pose)",
    cv.HIP_FLEXION: "trunk inclination + thigh angle from straight down (sagittal projection, mean of sides)",
    cv.KNEE_FLEXION: "thigh angle + shin angle (sagittal projection, mean of sides); 0 = straight",
    cv.SHIN_ANGLE: "ankle-to-knee line from vertical (sagittal); + = knee ahead of the ankle",
    cv.TRUNK_INCLINATION: "mid-hip to mid-shoulder joint-centre line from vertical (sagittal); + = forward",
    "<point>_x, <point>_y": "image pixels (x right, y down) of joint centres (left_/right_ shoulder, elbow, "
    "wrist, hip, knee, ankle, heel, toe) and bone heads (pelvis = root/spine05 head at the sacral end, "
    "spine04, spine03, spine02 = thoracolumbar junction, spine01, neck)",
}


def point_key(name: str) -> str:
    """Motion point key of a CSV point name (``left_hip`` -> ``hip_l``)."""
    for side, suffix in (("left_", "_l"), ("right_", "_r")):
        if name.startswith(side):
            return name.removeprefix(side) + suffix
    return name


def _mean_sides(points: Mapping[str, np.ndarray], name: str) -> np.ndarray:
    return 0.5 * (points[f"{name}_l"] + points[f"{name}_r"])


def truth_channels(motion: Motion) -> dict[str, np.ndarray]:
    """The truth channels (degrees) of every frame, keyed by the names in :mod:`squatlab.conventions`.

    Examples
    --------
    >>> from squatlab.synth.motion import SquatParams, squat_motion
    >>> ch = truth_channels(squat_motion(SquatParams(n_reps=1, fps=10.0)))
    >>> round(float(ch["pelvis_tilt_deg"][0]), 6)
    0.0
    """
    pts, ang = motion.points, motion.angles
    # The standing baseline is the lead-in, where the model stands neutral by construction.
    baseline_frames = motion.schedule.time_s < motion.params.lead_in_s
    pelvis_abs, lumbar_abs = ang["pelvis"], ang["lumbar"]
    trunk = sagittal_angle(_mean_sides(pts, "shoulder") - _mean_sides(pts, "hip"))
    thighs = [sagittal_angle(pts[f"knee_{s}"] - pts[f"hip_{s}"], down=True) for s in ("l", "r")]
    shins = [sagittal_angle(pts[f"knee_{s}"] - pts[f"ankle_{s}"]) for s in ("l", "r")]
    thigh, shin = np.mean(thighs, axis=0), np.mean(shins, axis=0)
    return {
        cv.PELVIS_TILT: pelvis_abs - pelvis_abs[baseline_frames].mean(),
        cv.PELVIS_TILT_ABS: pelvis_abs.copy(),
        cv.LUMBAR_FLEXION: lumbar_abs - lumbar_abs[baseline_frames].mean(),
        LUMBAR_ABS: lumbar_abs.copy(),
        cv.HIP_FLEXION: trunk + thigh,
        cv.KNEE_FLEXION: thigh + shin,
        cv.SHIN_ANGLE: shin,
        cv.TRUNK_INCLINATION: trunk,
    }


def posterior_tilt_range(motion: Motion) -> np.ndarray:
    """Per rep: pelvis tilt at maximum depth minus the maximum anterior tilt of the descent (deg).

    The operational butt-wink measure of DOMAIN.md; 0 when the pelvis never tucks under,
    negative when it rotates posteriorly.
    """
    tilt = truth_channels(motion)[cv.PELVIS_TILT]
    out = []
    for ev in motion.schedule.events:
        descent = slice(ev["start_frame"], ev["bottom_frame"] + 1)
        out.append(tilt[ev["bottom_frame"]] - tilt[descent].max())
    return np.array(out)


def truth_table(motion: Motion, pixels: Mapping[str, np.ndarray] | None = None) -> pd.DataFrame:
    """One row per frame: time, rep, phase, the truth channels and the points' pixel positions.

    ``pixels`` maps a CSV point name (``left_hip``, ``pelvis``, ...) to ``(n, 2)`` image
    positions (x right, y down); without it the columns are left out.
    """
    sched = motion.schedule
    table = {
        "frame": np.arange(motion.n_frames),
        "time_s": np.round(sched.time_s, 6),
        "rep": sched.rep,
        "phase": sched.phase.astype(str),
        "depth_fraction": np.round(sched.depth, 6),
    }
    table.update({k: np.round(v, 4) for k, v in truth_channels(motion).items()})
    for name, xy in (pixels or {}).items():
        table[f"{name}_x"] = np.round(xy[:, 0], 2)
        table[f"{name}_y"] = np.round(xy[:, 1], 2)
    return pd.DataFrame(table)


def rep_table(motion: Motion) -> pd.DataFrame:
    """One row per rep: boundaries (s and frame) and the rep's posterior-tilt range (deg)."""
    rows = [dict(ev) for ev in motion.schedule.events]
    for row, rng in zip(rows, posterior_tilt_range(motion), strict=True):
        row["posterior_tilt_range_deg"] = round(float(rng), 4)
    return pd.DataFrame(rows)
