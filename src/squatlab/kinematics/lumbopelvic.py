"""Pelvis tilt and lumbar flexion from the back's outline in a side-view video.

BlazePose has no pelvis or lumbar points, so the shoulder-hip line measures the trunk,
not the low back. The low back shows in the silhouette: the outline of the sacrum and the
buttocks tips with the pelvis, the upper back's with the thorax, and the lumbar spine's
flexion is the difference (Campos et al. 2016 read the lumbar spine's geometric curvature
from the back's surface).

The estimate reads only the back's own shape, never the depth of the squat. Per frame:

1. the posterior outline points sampled from the person mask during the pose pass
   (:mod:`squatlab.pose.outline`), smoothed over time without lag;
2. re-sampled at heights counted down from the upper trunk (halfway between the
   shoulder and ear points) in the standing trunk length, because the pose model's hip
   point rides up the body in a deep squat (:func:`shoulder_levels`);
3. the inclination from vertical of chords of that outline (0.15-0.3 trunk lengths long):
   the sacrum's and the buttocks' for the pelvis, the upper back's and the trunk line
   for the thorax (pelvis + lumbar);
4. their changes from the lifter's standing posture feed a linear model
   (``lumbopelvic_model.json``): thorax from the upper chords; pelvis by inverting the
   sacrum chords' calibrated response to pelvis and lumbar spine, given the thorax;
   lumbar flexion = thorax - pelvis (trunk = pelvis + lumbar + thoracic spine: the
   identity the benchmark checks). It is fitted on rendered squats whose pelvis and
   lumbar paths are set independently of the depth (:mod:`squatlab.synth.loo`) and
   scored leaving out whole bodies, clothing and movement patterns
   (``python -m squatlab.bench.loo``). Hip and knee angles are not inputs: with them a
   model learns how the training squats tend to move instead of reading the back.

When the standing outline shows no lumbar hollow, it belongs to cloth hanging from the
shoulder blades, not to the back: neither angle is measured, and a notice says so. Each
frame gets a confidence from whether the needed stretch of the back was seen (and not
hidden by the arms), how smooth it is (a bar, a hand or another person make it bulge),
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
from squatlab.kinematics.filtering import fill_gaps, lowpass
from squatlab.kinematics.video import view_trust
from squatlab.kinematics.withhold import out_of_range
from squatlab.pose.outline import LEVELS
from squatlab.settings import OutlineSettings
from squatlab.trial import Channel, Landmarks, Notice, Trial

MODEL_RESOURCE = "lumbopelvic_model.json"
# The outline is a slow signal; 3 Hz keeps a squat's shape and removes mask flicker.
OUTLINE_CUTOFF_HZ = 3.0
# Missing outlines bridged by interpolation: shorter than a wink's last part (~0.3 s).
OUTLINE_MAX_GAP_S = 0.1
# Heights of the profile used for the smoothness check and the loose-clothing check
# (trunk lengths above the hip).
PROFILE_LEVELS = tuple(round(float(a), 2) for a in np.arange(-0.2, 0.91, 0.05))
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
SMOOTH_TOP = 0.7
# Standing frames below this outline quality (smoothness, size, view, landmarks) are not
# used as the reference: the same floor as the reports' (settings.outline.min_conf).
MIN_STANDING_QUALITY = 0.3
# Where the loose-clothing check looks, in trunk lengths above the hip: the buttocks' crest,
# the lumbar hollow, the shoulder blades.
BUTTOCKS_SPAN = (-0.2, 0.1)
HOLLOW_SPAN = (0.1, 0.55)
BLADES_SPAN = (0.55, 0.9)
# The waist: where a loose top hangs furthest from a back it does not follow.
WAIST_SPAN = (0.3, 0.4)
TRUNK = cv.TRUNK_INCLINATION
# Heights are counted from halfway between the shoulder and ear points (see _upper_anchor).
ANCHOR = "shoulder+ear"


def chord_name(start: float, span: float) -> str:
    """The feature name of the back's chord from ``start`` to ``start + span`` (trunk lengths)."""
    return f"chord_{round(start, 3) + 0.0:+.3f}_{span:.3f}"  # + 0.0: no "-0.000"


def parse_chord(name: str) -> tuple[float, float] | None:
    """(start, span) of a chord feature name, None for another feature.

    >>> parse_chord(chord_name(-0.2, 0.15)), parse_chord("trunk_inclination_deg")
    ((-0.2, 0.15), None)
    """
    if not name.startswith("chord_"):
        return None
    start, span = name.removeprefix("chord_").split("_")
    return float(start), float(span)


@dataclass(frozen=True)
class LinearModel:
    """An output as a weighted sum of feature changes from standing (no intercept)."""

    features: tuple[str, ...]
    weights: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.features) != len(self.weights):
            raise ValueError("the outline model has as many weights as features; refit it")
        for name in self.features:
            if name != TRUNK and parse_chord(name) is None:
                raise ValueError(f"the outline model uses an unknown feature {name!r}; refit it")

    def chords(self) -> list[tuple[float, float]]:
        return [c for c in (parse_chord(n) for n in self.features) if c is not None]

    def needed(self) -> tuple[float, float]:
        """The stretch of the back (trunk lengths above the hip) the model reads."""
        ends = [e for a, s in self.chords() for e in (a, a + s)]
        return min(ends), max(ends)


@dataclass(frozen=True)
class LumboPelvicModel:
    """Pelvis tilt and lumbar flexion from the back's shape; ``pelvis_cloth`` reads the buttocks alone.

    ``guard``: chords the model does not read but that must be seen, unhidden and smooth, for
    a frame to be measured. The thorax comes from the trunk line, whose top is the pose
    model's shoulder point; where the upper back's outline is hidden (a bar's plates, arms,
    dumbbells) that point is a guess, and on real barbell squats it made the trunk lean
    a third of what it did.
    """

    pelvis: LinearModel
    lumbar: LinearModel
    pelvis_cloth: LinearModel | None
    provenance: dict[str, Any]
    guard: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self._guard_part()  # its names are checked as a part's are

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LumboPelvicModel:
        def linear(key: str) -> LinearModel | None:
            part = data.get(key)
            if part is None:
                return None
            return LinearModel(tuple(part["features"]), tuple(float(w) for w in part["weights"]))

        pelvis, lumbar = linear("pelvis"), linear("lumbar")
        if pelvis is None or lumbar is None:
            raise ValueError("the outline model needs 'pelvis' and 'lumbar' parts; refit it")
        guard = tuple(data.get("guard", ()))
        return cls(pelvis, lumbar, linear("pelvis_cloth"), dict(data.get("provenance", {})), guard)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in ("pelvis", "lumbar", "pelvis_cloth"):
            part = getattr(self, key)
            if part is not None:
                out[key] = {"features": list(part.features), "weights": list(part.weights)}
        if self.guard:
            out["guard"] = list(self.guard)
        out["provenance"] = self.provenance
        return out

    def parts(self) -> list[LinearModel]:
        """The parts that give values, and the guard as a part without weight: every one must be seen."""
        return [p for p in (self.pelvis, self.lumbar, self.pelvis_cloth, self._guard_part()) if p is not None]

    def _guard_part(self) -> LinearModel | None:
        return LinearModel(self.guard, (0.0,) * len(self.guard)) if self.guard else None

    def span(self) -> tuple[float, float]:
        """The stretch of the back (trunk lengths above the hip) the parts read or guard."""
        ends = [p.needed() for p in self.parts()]
        return min(e[0] for e in ends), max(e[1] for e in ends)

    def seen(self) -> tuple[str, ...]:
        """The features a frame needs seen to be measured by the pelvis and lumbar parts."""
        return tuple(dict.fromkeys((*self.pelvis.features, *self.lumbar.features, *self.guard)))


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
    """Zero-lag low-pass of every outline point over time.

    Gaps of up to :data:`OUTLINE_MAX_GAP_S` (a frame or two without a pose, as in small
    or blurred clips) are bridged first, as the landmarks are; longer gaps stay gaps.
    """
    filled, _ = fill_gaps(points, time_s, max_gap_s=OUTLINE_MAX_GAP_S)
    return lowpass(filled, time_s, cutoff_hz=cutoff_hz)


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
    landmarks: Landmarks,
    hip: np.ndarray,
    shoulder: np.ndarray,
    facing: str,
    profile: np.ndarray,
    levels: tuple[float, ...] = PROFILE_LEVELS,
) -> np.ndarray:
    """(n_frames, n_levels) True where an elbow or a wrist lies at the back's surface near that height."""
    heights = np.asarray(levels)
    hidden = np.zeros(profile.shape, dtype=bool)
    for side in cv.SIDES:
        for part in ("elbow", "wrist"):
            point = landmarks.point(f"{side}_{part}")[:, None, :]
            along, offset = in_trunk_frame(point, hip, shoulder, facing)
            at_back = (offset > profile - OCCLUSION_MARGIN_PCT) & (offset > OCCLUSION_BEHIND_PCT)
            near = np.abs(heights[None, :] - along) < OCCLUSION_SPAN
            hidden |= at_back & near
    return hidden


def shoulder_levels(
    points: np.ndarray,
    hip: np.ndarray,
    shoulder: np.ndarray,
    standing_length: float,
    levels: np.ndarray = LEVELS,
    top_above: float = 0.0,
) -> np.ndarray:
    """The outline points at heights counted down from the shoulders, in standing trunk lengths.

    The pose pass samples the outline at heights along the line from the pose model's hip
    to its shoulder. In a deep squat that hip point rides up the body (by about a tenth of
    the trunk's length on rendered bodies, where the true hip joint is known), so a fixed
    height from it slides down the back with the depth, and a chord that covered the
    sacrum standing covers the lumbar spine at the bottom. The shoulders stay put on the
    body, and the trunk does not change length, so heights measured from the shoulders in
    the standing trunk length stay on the same part of the back. ``levels`` keeps its
    meaning (0 = the hip, 1 = the shoulder, when standing); points are interpolated along
    the outline. ``shoulder`` may be another point fixed on the upper trunk that stood
    ``top_above`` standing trunk lengths above the shoulders (see :func:`_upper_anchor`).

    >>> hip, shoulder = np.array([[0.0, 80.0]]), np.array([[0.0, 0.0]])  # the trunk looks 80 long, is 100
    >>> pts = np.stack([np.zeros(LEVELS.size), 80 - 80 * LEVELS], axis=1)[None]  # sampled from the hip point
    >>> out = shoulder_levels(pts, hip, shoulder, 100.0)
    >>> float(out[0, list(np.round(LEVELS, 3)).index(0.0), 1])  # 100 below the shoulder, not 80
    100.0
    """
    axis = shoulder - hip
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = axis / np.linalg.norm(axis, axis=1)[:, None]
    along = 1.0 + top_above - np.einsum("nkc,nc->nk", shoulder[:, None, :] - points, unit) / standing_length
    out = np.full((points.shape[0], levels.size, 2), np.nan)
    for i in range(points.shape[0]):
        ok = np.isfinite(along[i]) & np.isfinite(points[i]).all(axis=1)
        if ok.sum() < 3:
            continue
        source = np.flatnonzero(ok)
        order = np.argsort(along[i][ok])
        a, p, source = along[i][ok][order], points[i][ok][order], source[order]
        inside = (levels >= a[0]) & (levels <= a[-1])
        # Never bridge a gap (an arm, the edge of the picture): both neighbours must be
        # neighbouring samples of the outline.
        j = np.clip(np.searchsorted(a, levels[inside]), 1, a.size - 1)
        joined = np.abs(source[j] - source[j - 1]) == 1
        rows = np.flatnonzero(inside)[joined]
        out[i, rows, 0] = np.interp(levels[rows], a, p[:, 0])
        out[i, rows, 1] = np.interp(levels[rows], a, p[:, 1])
    return out


def _upper_anchor(
    trial: Trial, hip: np.ndarray, shoulder: np.ndarray, standing_length: float
) -> tuple[np.ndarray, float]:
    """A point fixed on the upper trunk, and how far above the shoulders it sits (standing trunk lengths).

    The pose model's shoulder point follows the arms: reaching forward lifts it along the
    trunk, crossing them lowers it (by up to 0.07 trunk lengths on rendered bodies). Its ear
    point follows the head, whose nodding moves it mostly across the trunk, not along it.
    Their errors are independent, so halfway between the two stays better on the body
    (0.019 trunk lengths RMS against the true position on rendered squats, 0.03 for the
    shoulder alone). Falls back to the shoulder where the ears are not found.
    """
    lm = trial.landmarks
    assert lm is not None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ear = np.nanmean([lm.point("left_ear"), lm.point("right_ear")], axis=0)
    top = np.where(np.isfinite(ear), 0.5 * (shoulder + ear), shoulder)
    axis = shoulder - hip
    with np.errstate(invalid="ignore", divide="ignore"):
        up = np.einsum("nc,nc->n", top - shoulder, axis) / np.linalg.norm(axis, axis=1) / standing_length
    above = standing_reference(trial, up)
    return top, float(np.nanmedian(above)) if above is not None else 0.0


def chord_angles(points: np.ndarray, facing: str, chords: list[tuple[float, float]]) -> np.ndarray:
    """Angle from vertical of the back's chords (deg, + = the chord's top tipped forward).

    ``points`` (n_frames, len(LEVELS), 2) are posterior outline points at the heights
    :data:`~squatlab.pose.outline.LEVELS`; each chord (start, span) joins the points at
    two of those heights. Measured in the image, against its vertical, so a chord of the
    sacrum tips as the pelvis does whatever the rest of the trunk does.

    >>> pts = np.full((1, LEVELS.size, 2), np.nan)
    >>> k = {round(float(v), 3): i for i, v in enumerate(LEVELS)}
    >>> pts[0, k[0.0]], pts[0, k[0.15]] = (100.0, 200.0), (110.0, 190.0)  # up and to the right
    >>> chord_angles(pts, "right", [(0.0, 0.15)]).round(1).tolist()
    [[45.0]]
    >>> chord_angles(pts, "left", [(0.0, 0.15)]).round(1).tolist()
    [[-45.0]]
    """
    index = {round(float(v), 3): i for i, v in enumerate(LEVELS)}
    forward = -1.0 if facing == "left" else 1.0
    out = np.full((points.shape[0], len(chords)), np.nan)
    for k, (start, span) in enumerate(chords):
        low, high = points[:, index[round(start, 3)]], points[:, index[round(start + span, 3)]]
        out[:, k] = np.degrees(np.arctan2(forward * (high[:, 0] - low[:, 0]), low[:, 1] - high[:, 1]))
    return out


@dataclass(frozen=True)
class BackShape:
    """Per-frame measures of the back (absolute, not yet relative to standing) and their quality."""

    features: dict[str, np.ndarray]  # feature name -> (n_frames,) deg
    profile: np.ndarray  # (n_frames, len(PROFILE_LEVELS)) distance behind the trunk line, percent
    hidden: np.ndarray  # (n_frames, len(LEVELS)) an arm covers the back at that height
    hidden_needed: np.ndarray  # (n_frames,) an arm covers part of the stretch the model reads
    bend: np.ndarray  # (n_frames,) largest bend of the profile, percent
    trunk_px: np.ndarray


def _model_chords(model: LumboPelvicModel) -> list[tuple[float, float]]:
    return sorted({c for part in model.parts() for c in part.chords()})


def back_shape(trial: Trial, model: LumboPelvicModel, *, anchor: str = ANCHOR) -> BackShape:
    """The back's chords the model reads, the trunk inclination, the profile, for every frame.

    ``anchor``: heights counted down from halfway between the shoulder and ear points
    (``"shoulder+ear"``, the default) or from the shoulder points (``"shoulder"``) in the
    standing trunk length (:func:`shoulder_levels`), or along the pose model's
    hip-shoulder line as sampled (``"hip"``); docs/validation.md compares them.
    """
    assert trial.view is not None and trial.landmarks is not None
    lm, facing = trial.landmarks, trial.view.facing
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # frames without landmarks are all NaN
        hip = np.nanmean([lm.point("left_hip"), lm.point("right_hip")], axis=0)
        shoulder = np.nanmean([lm.point("left_shoulder"), lm.point("right_shoulder")], axis=0)
    points = smooth_outline(posterior_outline(trial.extras[cv.TRUNK_OUTLINE_XY], facing), trial.time_s)
    levels = tuple(float(v) for v in np.round(LEVELS, 3))
    fine = trunk_profile(points, hip, shoulder, facing, levels)
    hidden = arm_occlusion(lm, hip, shoulder, facing, fine, levels)
    profile = trunk_profile(points, hip, shoulder, facing, PROFILE_LEVELS)
    chords = _model_chords(model)
    length = np.linalg.norm(shoulder - hip, axis=1)
    standing = standing_reference(trial, length)
    visible = np.where(hidden[..., None], np.nan, points)
    reference = float(np.nanmedian(standing if standing is not None else length))
    if anchor == "hip":
        anchored = visible
    else:
        top, above = (shoulder, 0.0) if anchor == "shoulder" else _upper_anchor(trial, hip, shoulder, reference)
        anchored = shoulder_levels(visible, hip, top, reference, top_above=above)
    angles = chord_angles(anchored, facing, chords)
    features = {chord_name(a, s): angles[:, k] for k, (a, s) in enumerate(chords)}
    features[TRUNK] = trunk_inclination(hip, shoulder, -1 if facing == "left" else 1)
    # The smoothness check covers the low back up to the lower thorax: the shoulder blades
    # bend the outline by themselves, more so with the arms forward.
    low, high = model.span()
    needed = (np.asarray(PROFILE_LEVELS) >= low - 1e-9) & (np.asarray(PROFILE_LEVELS) <= min(high, SMOOTH_TOP) + 1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        bend = np.nanmax(np.abs(np.diff(profile[:, needed], n=2, axis=1)), axis=1)
    # The lifter's size in the picture: the standing trunk length (the pose model's hip point
    # rides up at depth and would make the trunk look shorter than it is).
    size = np.full(trial.n_frames, reference) if standing is not None else length
    heights = np.asarray(LEVELS)
    read = (heights >= low - 0.05) & (heights <= high + 0.05)
    return BackShape(features, profile, hidden, hidden[:, read].any(axis=1), bend, size)


def standing_reference(trial: Trial, values: np.ndarray) -> np.ndarray | None:
    """Per frame, a measure's standing value (from the reps' standing windows); None without one."""
    return baseline_curve(trial.time_s, values, standing_windows(trial))


def changes(trial: Trial, shape: BackShape, settings: OutlineSettings | None = None) -> dict[str, np.ndarray] | None:
    """Every feature's change from standing, per frame; None when the back was never seen clearly standing.

    Only standing frames whose outline is clean count towards the reference, and only in
    windows with at least ``settings.min_standing_clean_s`` of them: a rack, a bar or a
    second person touching the back while the lifter stands, or a reference from a few
    flickering frames, would otherwise shift every later value.
    """
    settings = settings or OutlineSettings()
    clean = confidence(trial, shape, (), settings) >= MIN_STANDING_QUALITY
    windows = clean_standing_windows(trial, clean, settings.min_standing_clean_s)
    out = {}
    for name, values in shape.features.items():
        reference = baseline_curve(trial.time_s, np.where(clean, values, np.nan), windows)
        if reference is None:
            return None
        out[name] = values - reference
    return out


def clean_standing_windows(trial: Trial, clean: np.ndarray, min_s: float) -> list[tuple[float, float]]:
    """The standing windows in which the back's outline was clean for at least ``min_s`` seconds."""
    step = float(np.median(np.diff(trial.time_s))) if trial.n_frames > 1 else 0.0
    out = []
    for start, end in standing_windows(trial):
        inside = (trial.time_s >= start) & (trial.time_s <= end) & clean
        if inside.sum() >= 2 and inside.sum() * step >= min_s:
            out.append((start, end))
    return out


def no_reference_reason(trial: Trial, settings: OutlineSettings) -> str:
    """Why no standing outline could serve as the reference, in words that say what to change.

    A stand shorter than the guard asks for is the lifter's timing; a long enough stand
    whose outline was never clean means something covered the back (an arm, a plate, a
    rack or a second person).
    """
    longest = max((end - start for start, end in standing_windows(trial)), default=0.0)
    needed = f"{settings.min_standing_clean_s:g} s"
    if longest < settings.min_standing_clean_s:
        return (
            f"the lifter stood still for less than {needed} before the reps, so there is no standing outline of "
            "the low back to measure from; stand still, side on, for a second or two before the first rep"
        )
    return (
        f"the low back's outline was not seen clearly for {needed} of standing (an arm, a bar's plates, a rack "
        "or a second person touching or hiding the back), so there is no standing outline to measure from"
    )


def predict(part: LinearModel, delta: dict[str, np.ndarray]) -> np.ndarray:
    """The model part's output per frame (NaN where a feature is missing)."""
    return np.column_stack([delta[n] for n in part.features]) @ np.asarray(part.weights)


def lumbar_hollow(profile: np.ndarray) -> np.ndarray:
    """Depth of the lumbar hollow below the line from the buttocks' crest to the shoulder blades (percent).

    ``profile`` (n, len(PROFILE_LEVELS)) is the back's distance behind the trunk line. A
    back in fitted clothes shows its lordosis as a hollow of about 5-10 % of the trunk
    length in standing; a shirt hanging from the shoulder blades bridges it (about 0).
    NaN where a part is not seen.

    >>> levels = np.asarray(PROFILE_LEVELS)
    >>> back = 20 + 6 * np.cos(np.pi * (levels + 0.05) / 0.9) ** 2  # crests at -0.05 and 0.85
    >>> float(lumbar_hollow(back[None])[0].round(1))
    6.0
    """
    levels = np.asarray(PROFILE_LEVELS)
    out = np.full(profile.shape[0], np.nan)
    parts = [(levels >= lo - 1e-9) & (levels <= hi + 1e-9) for lo, hi in (BUTTOCKS_SPAN, HOLLOW_SPAN, BLADES_SPAN)]
    for i, row in enumerate(profile):
        if not all(np.isfinite(row[p]).all() for p in parts):
            continue
        b, s = parts[0], parts[2]
        kb, ks = np.flatnonzero(b)[np.argmax(row[b])], np.flatnonzero(s)[np.argmax(row[s])]
        line = np.interp(levels[parts[1]], [levels[kb], levels[ks]], [row[kb], row[ks]])
        out[i] = float(np.max(line - row[parts[1]]))
    return out


def standing_hollow(trial: Trial, shape: BackShape) -> float | None:
    """The lumbar hollow's depth over the standing windows (median, percent); None if not seen."""
    return _standing_median(trial, lumbar_hollow(shape.profile))


def standing_waist(trial: Trial, shape: BackShape) -> float | None:
    """How far the back stands behind the trunk line at the waist while standing (median, percent)."""
    levels = np.asarray(PROFILE_LEVELS)
    waist = (levels >= WAIST_SPAN[0] - 1e-9) & (levels <= WAIST_SPAN[1] + 1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # frames without the waist seen are NaN
        return _standing_median(trial, np.nanmean(shape.profile[:, waist], axis=1))


def _standing_median(trial: Trial, values: np.ndarray) -> float | None:
    inside = np.zeros(trial.n_frames, dtype=bool)
    for start, end in standing_windows(trial):
        inside |= (trial.time_s >= start) & (trial.time_s <= end)
    kept = values[inside & np.isfinite(values)]
    return float(np.median(kept)) if kept.size >= 3 else None


def loose_top(hollow: float | None, waist: float | None, settings: OutlineSettings) -> bool:
    """Whether the standing outline is a loose top's rather than the back's.

    >>> s = OutlineSettings()
    >>> loose_top(9.0, 18.0, s), loose_top(2.0, 30.0, s), loose_top(6.0, 30.0, s), loose_top(None, None, s)
    (False, True, True, False)
    """
    hanging = waist is not None and waist > settings.loose_waist_pct
    return _no_hollow(hollow, settings) or hanging


def _no_hollow(hollow: float | None, settings: OutlineSettings) -> bool:
    """The standing outline bridges the lumbar hollow: a shirt hanging from the shoulder blades."""
    return hollow is not None and hollow < settings.loose_hollow_pct


def confidence(
    trial: Trial, shape: BackShape, features: tuple[str, ...], settings: OutlineSettings | None = None
) -> np.ndarray:
    """0-1 per frame: back seen, profile smooth, lifter large enough, side view, trunk landmarks confident."""
    assert trial.view is not None
    seen = np.ones(trial.n_frames, dtype=bool)
    for name in features:
        seen &= np.isfinite(shape.features[name])
    smooth = np.clip(1.0 - (np.nan_to_num(shape.bend, nan=MAX_BEND_PCT) / MAX_BEND_PCT) ** 2, 0.0, 1.0)
    size = np.clip((np.nan_to_num(shape.trunk_px) - MIN_TRUNK_PX) / (GOOD_TRUNK_PX - MIN_TRUNK_PX), 0.0, 1.0)
    view = view_trust(trial.view.kind, oblique=(settings or OutlineSettings()).oblique_trust, front=0.0)
    joints = trial.channels[TRUNK].conf
    return seen * smooth * size * view * np.clip(joints / 0.5, 0.0, 1.0)


def lumbo_pelvic(
    trial: Trial, model: LumboPelvicModel | None = None, settings: OutlineSettings | None = None
) -> tuple[dict[str, Channel], list[Notice]]:
    """Pelvis tilt and lumbar flexion of a video trial whose reps are known, and warnings.

    The values are already relative to the standing window of the set (the baseline stage
    then removes what little remains). Absent, with the reason, when the outline was not
    recorded or there is no standing to refer to. Lumbar flexion is absent when a loose
    top hides the low back (pelvis tilt then comes from the buttocks' outline, if the
    model has a part for it). Frames whose estimates leave the physiological ranges
    (``settings``, its pelvis and lumbar ranges) get confidence 0: the outline misled the model there.
    """
    names = (cv.PELVIS_TILT_ABS, cv.LUMBAR_FLEXION_ABS)
    settings = settings or OutlineSettings()
    if trial.landmarks is None or trial.view is None or cv.TRUNK_OUTLINE_XY not in trial.extras:
        reason = "no person mask outline was recorded for this trial"
        return {n: Channel.absent(trial.n_frames, reason) for n in names}, []
    model = model or load_model()
    shape = back_shape(trial, model)
    delta = changes(trial, shape, settings)
    if delta is None:
        reason = no_reference_reason(trial, settings)
        return {n: Channel.absent(trial.n_frames, reason) for n in names}, []
    hollow, waist = standing_hollow(trial, shape), standing_waist(trial, shape)
    if loose_top(hollow, waist, settings):
        notice = loose_clothing_notice(hollow, waist, model.pelvis_cloth is not None, settings)
        return _under_cloth(trial, model, shape, delta, notice, settings)
    pelvis, lumbar = predict(model.pelvis, delta), predict(model.lumbar, delta)
    conf = confidence(trial, shape, model.seen(), settings)
    ok = ~out_of_range(pelvis, lumbar, settings)
    notices = _notices(trial, shape, conf, ok)
    conf = np.where(ok, conf, 0.0)
    return {
        cv.PELVIS_TILT_ABS: Channel.measured(pelvis, conf),
        cv.LUMBAR_FLEXION_ABS: Channel.measured(lumbar, conf),
    }, notices


def _under_cloth(
    trial: Trial,
    model: LumboPelvicModel,
    shape: BackShape,
    delta: dict[str, np.ndarray],
    notice: Notice,
    settings: OutlineSettings,
) -> tuple[dict[str, Channel], list[Notice]]:
    """A loose top over the low back: no lumbar flexion; pelvis tilt from the buttocks where they show."""
    notices = [notice]
    lumbar = Channel.absent(trial.n_frames, LOOSE_REASON)
    if model.pelvis_cloth is None:
        return {
            cv.PELVIS_TILT_ABS: Channel.absent(trial.n_frames, LOOSE_REASON),
            cv.LUMBAR_FLEXION_ABS: lumbar,
        }, notices
    pelvis = predict(model.pelvis_cloth, delta)
    conf = confidence(trial, shape, model.pelvis_cloth.features, settings)
    ok = ~out_of_range(pelvis, np.full_like(pelvis, np.nan), settings)  # no lumbar value to check
    notices += _notices(trial, shape, conf, ok)
    return {
        cv.PELVIS_TILT_ABS: Channel.measured(pelvis, np.where(ok, conf, 0.0)),
        cv.LUMBAR_FLEXION_ABS: lumbar,
    }, notices


LOOSE_REASON = "loose clothing over the low back: the outline follows the cloth, not the back"


def loose_clothing_notice(
    hollow_pct: float | None, waist_pct: float | None, pelvis_measured: bool, settings: OutlineSettings
) -> Notice:
    pelvis = (
        "Pelvis tilt is read from the buttocks' outline below the cloth."
        if pelvis_measured
        else "Pelvis tilt is not measured either."
    )
    if _no_hollow(hollow_pct, settings):
        seen = (
            f"standing, the back's outline shows no lumbar hollow ({hollow_pct:.1f} % of the trunk length), so it "
            "follows a shirt hanging from the shoulder blades, not the spine"
        )
    else:
        seen = (
            f"standing, the outline at the waist lies {waist_pct:.0f} % of the trunk length behind the "
            f"shoulder-hip line (a back in fitted clothes: up to about {settings.loose_waist_pct:g} %), so it "
            "follows a top hanging free of the back, not the spine"
        )
    return Notice(
        "loose_clothing_low_back",
        f"Loose clothing over the low back: {seen}. Lumbar flexion is not measured. {pelvis} Film in fitted "
        "clothing to measure the low back.",
    )


def _notices(trial: Trial, shape: BackShape, conf: np.ndarray, ok: np.ndarray) -> list[Notice]:
    """Why pelvis and lumbar numbers are missing in a good part of the reps."""
    in_reps = np.zeros(trial.n_frames, dtype=bool)
    for rep in trial.reps:
        in_reps[rep.start_frame : rep.end_frame + 1] |= rep.measurable
    if not in_reps.any():
        return []
    notices = []
    hidden = float(np.mean(shape.hidden_needed[in_reps]))
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
                "lumbopelvic_implausible",  # withhold.ESTIMATE_OUT_OF_RANGE
                f"In {implausible:.0%} of the rep frames the outline model gave pelvis or lumbar angles outside the "
                "physiological range; those frames are not reported. Loose clothing or a body shape unlike the "
                "rendered ones it was fitted on can mislead it.",
            )
        )
    return notices
