"""Pelvis tilt and lumbar flexion from the back's outline in a side-view video.

BlazePose has no pelvis or lumbar points, so the shoulder-hip line measures the trunk,
not the low back. The low back shows in the silhouette: as the lumbar spine flexes, the
hollow of the back between the buttocks and the shoulder blades fills in and turns into
a bulge (as in Campos et al. 2016's geometric curvature of the lumbar spine). The pelvis
then follows from the trunk: the trunk's tilt is the pelvis's tilt plus the lumbar
flexion (plus the little the thoracic spine moves).

Per frame:

1. the posterior outline points sampled from the person mask during the pose pass
   (:mod:`squatlab.pose.outline`), smoothed over time without lag;
2. the back's *profile* in the trunk's own frame: distance behind the hip-shoulder line
   (percent of the trunk length) at heights along it (trunk lengths above the hip).
   Where an elbow or a hand lies at the back's surface, the profile is not used there;
3. shape features that do not depend on where exactly the pose model puts the hip and
   the shoulder: the depth of the lumbar hollow (sagittas of the profile at several
   spans) and the angles of the lower and mid back's chords from vertical;
4. their changes from the lifter's standing posture before each rep, with the changes
   of trunk inclination, hip and knee flexion, feed a small model fitted on rendered
   squats with known angles (ridge regression, ``lumbopelvic_model.json``;
   ``python -m squatlab.bench.train`` refits it).

Each frame gets a confidence from whether the whole low back was seen (and not hidden
by the arms), how smooth the profile is (a bar, a hand or another person make it bulge),
the view and the lifter's size in the picture. docs/lumbopelvic.md has the details and
the failure modes.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from squatlab import conventions as cv
from squatlab.kinematics.angles import trunk_inclination
from squatlab.kinematics.baseline import baseline_curve, standing_windows
from squatlab.kinematics.filtering import lowpass
from squatlab.settings import OutlineSettings
from squatlab.trial import Channel, Landmarks, Notice, Trial

MODEL_RESOURCE = "lumbopelvic_model.json"
# The outline is a slow signal; 3 Hz keeps a squat's shape and removes mask flicker.
OUTLINE_CUTOFF_HZ = 3.0
# Heights of the profile (trunk lengths above the hip).
PROFILE_LEVELS = tuple(round(float(a), 2) for a in np.arange(-0.2, 0.91, 0.05))
# The stretch that must be seen: the top of the buttocks to the lower thoracic spine. The
# lumbar curve shows over this whole stretch (a shorter one, up to L1 alone, followed the
# rendered lumbar flexion poorly). Elbows held behind the back (hands on the hips, a low
# bar) hide part of it, and those frames are not measured.
NEEDED = (-0.15, 0.7)
# An elbow or a wrist hides the back near its height (within OCCLUSION_SPAN trunk
# lengths) when its centre lies within OCCLUSION_MARGIN_PCT of the back's surface (an
# arm is about that thick) and clearly behind the trunk line (BEHIND_PCT): an arm hanging
# at the side lies over the trunk, not behind it, and hides nothing of the outline.
OCCLUSION_MARGIN_PCT = 8.0
OCCLUSION_BEHIND_PCT = 10.0
OCCLUSION_SPAN = 0.1
# Below this trunk length (hip to shoulder, pixels) the outline is a few pixels wide.
MIN_TRUNK_PX = 40.0
GOOD_TRUNK_PX = 100.0
# Bend of the profile between neighbouring heights (percent of the trunk length) at
# which it counts as corrupted rather than curved.
MAX_BEND_PCT = 6.0
VIEW_TRUST = {"side": 1.0, "oblique": 0.3, "front": 0.0, "unknown": 0.0}
# The model's error on rendered clear side views (python -m squatlab.bench.accuracy,
# docs/validation.md: pelvis tilt RMSE 3.95 deg, lumbar flexion 5.05 deg). The findings
# keep their thresholds above it plus the postural noise floor.
PELVIS_ERROR_DEG = 4.0
LUMBAR_ERROR_DEG = 5.0

FEATURES = (
    "sagitta_0.35_0.35",
    "sagitta_0.25_0.25",
    "sagitta_0.45_0.25",
    "sagitta_0.05_0.15",
    "chord_low_deg",
    "chord_mid_deg",
    cv.TRUNK_INCLINATION,
    cv.HIP_FLEXION,
    cv.KNEE_FLEXION,
    "chord_bend_deg",
    "hip_x_sagitta_0.35",
    "hip_x_sagitta_0.25",
    "hip_x_chord_bend",
    "hip_squared",
    "trunk_x_hip",
)


@dataclass(frozen=True)
class LumboPelvicModel:
    """Weights from :data:`FEATURES` (changes from standing) to pelvis tilt and lumbar flexion."""

    features: tuple[str, ...]
    pelvis_weights: tuple[float, ...]
    lumbar_weights: tuple[float, ...]
    provenance: dict[str, Any]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LumboPelvicModel:
        model = cls(
            features=tuple(data["features"]),
            pelvis_weights=tuple(data["pelvis_weights"]),
            lumbar_weights=tuple(data["lumbar_weights"]),
            provenance=dict(data.get("provenance", {})),
        )
        if model.features != FEATURES or len(model.pelvis_weights) != len(FEATURES) != len(model.lumbar_weights):
            raise ValueError("the outline model does not match this version's features; refit it")
        return model

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "pelvis_weights": list(self.pelvis_weights),
            "lumbar_weights": list(self.lumbar_weights),
            "provenance": self.provenance,
        }


def load_model() -> LumboPelvicModel:
    """The model shipped with squatlab."""
    text = resources.files("squatlab.kinematics").joinpath(MODEL_RESOURCE).read_text()
    return LumboPelvicModel.from_dict(json.loads(text))


def posterior_outline(outline_xy: np.ndarray, facing: str) -> np.ndarray:
    """The outline points on the lifter's back, (n_frames, n_levels, 2).

    The sampler's side 0 lies to the left of the hip-to-shoulder direction in the image:
    the back of a lifter who faces image right.
    """
    return outline_xy[:, :, 0 if facing != "left" else 1, :].astype(float)


def smooth_outline(points: np.ndarray, time_s: np.ndarray, *, cutoff_hz: float = OUTLINE_CUTOFF_HZ) -> np.ndarray:
    """Zero-lag low-pass of every outline point over time (gaps stay gaps)."""
    return lowpass(points, time_s, cutoff_hz=cutoff_hz)


def _trunk_frame(hip: np.ndarray, shoulder: np.ndarray, facing: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit vector up the trunk, unit vector behind the lifter, trunk length (per frame)."""
    axis = shoulder - hip
    length = np.linalg.norm(axis, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = axis / length[:, None]
    sign = 1.0 if facing == "left" else -1.0
    behind = sign * np.stack([-unit[:, 1], unit[:, 0]], axis=1)
    return unit, behind, length


def in_trunk_frame(
    points: np.ndarray, hip: np.ndarray, shoulder: np.ndarray, facing: str
) -> tuple[np.ndarray, np.ndarray]:
    """Height along the trunk (trunk lengths) and distance behind it (percent of the trunk length).

    ``points`` is (n_frames, n_points, 2).
    """
    unit, behind, length = _trunk_frame(hip, shoulder, facing)
    rel = points - hip[:, None, :]
    along = np.einsum("nkc,nc->nk", rel, unit) / length[:, None]
    offset = 100.0 * np.einsum("nkc,nc->nk", rel, behind) / length[:, None]
    return along, offset


def trunk_profile(
    points: np.ndarray, hip: np.ndarray, shoulder: np.ndarray, facing: str, levels: tuple[float, ...]
) -> np.ndarray:
    """Distance of the back behind the hip-shoulder line at ``levels`` (percent of trunk length).

    ``points`` (n_frames, n_points, 2) is the posterior outline; ``hip`` and ``shoulder``
    (n_frames, 2) define the trunk line per frame. Heights are along the line from the hip
    (0) to the shoulder (1); NaN where the outline does not reach a height.

    >>> hip, shoulder = np.array([[0.0, 100.0]]), np.array([[0.0, 0.0]])
    >>> back = np.array([[[-10.0, 100.0], [-12.0, 50.0], [-8.0, 0.0]]])
    >>> trunk_profile(back, hip, shoulder, "right", (0.0, 0.5, 0.25)).round(1).tolist()
    [[10.0, 12.0, 11.0]]
    """
    along, offset = in_trunk_frame(points, hip, shoulder, facing)
    grid = np.asarray(levels, dtype=float)
    out = np.full((points.shape[0], grid.size), np.nan)
    for i in range(points.shape[0]):
        ok = np.isfinite(along[i]) & np.isfinite(offset[i])
        if ok.sum() < 3:
            continue
        order = np.argsort(along[i][ok])
        a, d = along[i][ok][order], offset[i][ok][order]
        inside = (grid >= a[0]) & (grid <= a[-1])
        out[i, inside] = np.interp(grid[inside], a, d)
    return out


def arm_occlusion(
    landmarks: Landmarks, hip: np.ndarray, shoulder: np.ndarray, facing: str, profile: np.ndarray
) -> np.ndarray:
    """(n_frames, n_levels) True where an elbow or a wrist lies at the back's surface near that height."""
    levels = np.asarray(PROFILE_LEVELS)
    hidden = np.zeros(profile.shape, dtype=bool)
    for side in cv.SIDES:
        for part in ("elbow", "wrist"):
            point = landmarks.point(f"{side}_{part}")[:, None, :]
            along, offset = in_trunk_frame(point, hip, shoulder, facing)
            at_back = (offset > profile - OCCLUSION_MARGIN_PCT) & (offset > OCCLUSION_BEHIND_PCT)
            near = np.abs(levels[None, :] - along) < OCCLUSION_SPAN
            hidden |= at_back & near
    return hidden


def _at(profile: np.ndarray, height: float) -> np.ndarray:
    return profile[:, PROFILE_LEVELS.index(round(height, 2))]


def _sagitta(profile: np.ndarray, middle: float, half_span: float) -> np.ndarray:
    """How far the profile's middle lies behind the chord of its ends (percent): + = rounded."""
    return _at(profile, middle) - (_at(profile, middle - half_span) + _at(profile, middle + half_span)) / 2


def _chord_angle(profile: np.ndarray, trunk_deg: np.ndarray, low: float, high: float) -> np.ndarray:
    """Angle from vertical of the back's chord between two heights (deg, + = top tipped forward).

    The trunk line's own angle plus the chord's angle to it: a back that lies further behind
    the line higher up leans back relative to the trunk.
    """
    rise = 100.0 * (high - low)
    return trunk_deg - np.degrees(np.arctan2(_at(profile, high) - _at(profile, low), rise))


@dataclass(frozen=True)
class OutlineMeasures:
    """Per-frame base measures (absolute) and their quality."""

    base: np.ndarray  # (n_frames, 9): sagittas, chords, trunk, hip, knee
    seen: np.ndarray  # (n_frames,) the needed stretch of the back was seen and not hidden
    hidden_by_arms: np.ndarray  # (n_frames,) an arm covered part of it
    bend: np.ndarray  # (n_frames,) largest bend of the profile, percent
    trunk_px: np.ndarray


def outline_measures(trial: Trial) -> OutlineMeasures:
    """The base measures of every frame of a video trial."""
    assert trial.view is not None and trial.landmarks is not None
    lm, facing = trial.landmarks, trial.view.facing
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # frames without landmarks are all NaN
        hip = np.nanmean([lm.point("left_hip"), lm.point("right_hip")], axis=0)
        shoulder = np.nanmean([lm.point("left_shoulder"), lm.point("right_shoulder")], axis=0)
    points = smooth_outline(posterior_outline(trial.extras["trunk_outline_xy"], facing), trial.time_s)
    profile = trunk_profile(points, hip, shoulder, facing, PROFILE_LEVELS)
    hidden = arm_occlusion(lm, hip, shoulder, facing, profile)
    needed = (np.asarray(PROFILE_LEVELS) >= NEEDED[0] - 1e-9) & (np.asarray(PROFILE_LEVELS) <= NEEDED[1] + 1e-9)
    profile = np.where(hidden, np.nan, profile)
    seen = np.isfinite(profile[:, needed]).all(axis=1)
    # The mid points' hip-shoulder line; an unknown facing counts as facing right.
    trunk_deg = trunk_inclination(hip, shoulder, -1 if facing == "left" else 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        bend = np.nanmax(np.abs(np.diff(profile[:, needed], n=2, axis=1)), axis=1)
    base = np.column_stack(
        [
            _sagitta(profile, 0.35, 0.35),
            _sagitta(profile, 0.25, 0.25),
            _sagitta(profile, 0.45, 0.25),
            _sagitta(profile, 0.05, 0.15),
            _chord_angle(profile, trunk_deg, -0.1, 0.3),
            _chord_angle(profile, trunk_deg, 0.3, 0.7),
            trial.channels[cv.TRUNK_INCLINATION].values,
            trial.channels[cv.HIP_FLEXION].values,
            trial.channels[cv.KNEE_FLEXION].values,
        ]
    )
    base[~seen] = np.nan
    return OutlineMeasures(base, seen, hidden[:, needed].any(axis=1), bend, np.linalg.norm(shoulder - hip, axis=1))


def design(delta: np.ndarray) -> np.ndarray:
    """The model's features (:data:`FEATURES`) from the base measures' changes from standing."""
    sag35, sag25, _, _, chord_low, chord_mid, trunk, hip, _ = delta.T
    bend = chord_mid - chord_low
    return np.column_stack(
        [delta, bend, hip * sag35 / 100, hip * sag25 / 100, hip * bend / 100, hip**2 / 100, trunk * hip / 100]
    )


def standing_reference(trial: Trial, base: np.ndarray) -> np.ndarray | None:
    """Per frame, the base measures' standing values (from the reps' standing windows)."""
    windows = standing_windows(trial)
    columns = [baseline_curve(trial.time_s, base[:, k], windows) for k in range(base.shape[1])]
    if any(c is None for c in columns):
        return None
    return np.column_stack(columns)


def confidence(trial: Trial, m: OutlineMeasures) -> np.ndarray:
    """0-1 per frame: back seen, profile smooth, lifter large enough, side view, joints confident."""
    assert trial.view is not None
    smooth = np.clip(1.0 - (np.nan_to_num(m.bend, nan=MAX_BEND_PCT) / MAX_BEND_PCT) ** 2, 0.0, 1.0)
    size = np.clip((np.nan_to_num(m.trunk_px) - MIN_TRUNK_PX) / (GOOD_TRUNK_PX - MIN_TRUNK_PX), 0.0, 1.0)
    view = np.vectorize(VIEW_TRUST.get)(trial.view.kind).astype(float)
    joints = np.min([trial.channels[n].conf for n in (cv.TRUNK_INCLINATION, cv.HIP_FLEXION, cv.KNEE_FLEXION)], axis=0)
    return m.seen * smooth * size * view * np.clip(joints / 0.5, 0.0, 1.0)


def plausible(pelvis: np.ndarray, lumbar: np.ndarray, limits: OutlineSettings) -> np.ndarray:
    """Frames whose estimates lie inside the physiological ranges (NaN counts as plausible).

    >>> plausible(np.array([10.0, 70.0]), np.array([5.0, 5.0]), OutlineSettings()).tolist()
    [True, False]
    """
    with np.errstate(invalid="ignore"):
        out = (pelvis < limits.pelvis_min_deg) | (pelvis > limits.pelvis_max_deg)
        out |= (lumbar < limits.lumbar_min_deg) | (lumbar > limits.lumbar_max_deg)
    return ~out


def lumbo_pelvic(
    trial: Trial, model: LumboPelvicModel | None = None, limits: OutlineSettings | None = None
) -> tuple[dict[str, Channel], list[Notice]]:
    """Pelvis tilt and lumbar flexion of a video trial whose reps are known, and warnings.

    The values are already relative to the standing window of the set (the baseline stage
    then removes what little remains). Absent, with the reason, when the outline was not
    recorded or there is no standing to refer to. Frames whose estimates leave the
    physiological ranges (``limits``) get confidence 0: the outline misled the model there.
    """
    names = (cv.PELVIS_TILT_ABS, cv.LUMBAR_FLEXION_ABS)
    limits = limits or OutlineSettings()
    if trial.landmarks is None or trial.view is None or "trunk_outline_xy" not in trial.extras:
        reason = "no person mask outline was recorded for this trial"
        return {n: Channel.absent(trial.n_frames, reason) for n in names}, []
    model = model or load_model()
    m = outline_measures(trial)
    reference = standing_reference(trial, m.base)
    if reference is None:
        reason = "the low back was never seen clearly while standing before the set, so there is no baseline"
        return {n: Channel.absent(trial.n_frames, reason) for n in names}, []
    x = design(m.base - reference)
    pelvis, lumbar = x @ np.asarray(model.pelvis_weights), x @ np.asarray(model.lumbar_weights)
    conf = confidence(trial, m)
    ok = plausible(pelvis, lumbar, limits)
    notices = _notices(trial, m, conf, ok)
    conf = np.where(ok, conf, 0.0)
    return {
        cv.PELVIS_TILT_ABS: Channel.measured(pelvis, conf),
        cv.LUMBAR_FLEXION_ABS: Channel.measured(lumbar, conf),
    }, notices


def _notices(trial: Trial, m: OutlineMeasures, conf: np.ndarray, ok: np.ndarray) -> list[Notice]:
    """Why pelvis and lumbar numbers are missing in a good part of the reps."""
    in_reps = np.zeros(trial.n_frames, dtype=bool)
    for rep in trial.reps:
        in_reps[rep.start_frame : rep.end_frame + 1] |= rep.measurable
    if not in_reps.any():
        return []
    notices = []
    hidden = float(np.mean(m.hidden_by_arms[in_reps]))
    if hidden > 0.2:
        notices.append(
            Notice(
                "back_hidden_by_arms",
                f"An elbow or a hand covers the low back's outline in {hidden:.0%} of the rep frames (hands on the "
                "hips, a low bar, dumbbells); pelvis tilt and lumbar flexion are not measured there.",
            )
        )
    implausible = float(np.mean(~ok[in_reps] & (conf[in_reps] > 0)))
    if implausible > 0.1:
        notices.append(
            Notice(
                "lumbopelvic_implausible",
                f"In {implausible:.0%} of the rep frames the outline model gave pelvis or lumbar angles outside the "
                "physiological range; those frames are not reported. Loose clothing or a body shape unlike the "
                "rendered ones it was fitted on can mislead it.",
            )
        )
    return notices
