"""Every threshold squatlab uses, with its unit and its source, in one place.

The analysis functions take these values as keyword arguments or as their settings
group (the findings take :class:`FindingSettings`); the pipeline passes them from one
:class:`Settings`. The report prints :func:`describe` so that a reader
sees each value and why it is what it is. A TOML file can override any of them
(``squatlab analyze --config my.toml``), e.g.::

    [reps]
    min_depth_leg = 0.12
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from squatlab.errors import InputError


def param(default: Any, unit: str, source: str) -> Any:
    """A setting with its unit and the reason for its value."""
    return field(default=default, metadata={"unit": unit, "source": source})


@dataclass(frozen=True)
class PoseSettings:
    min_visibility: float = param(
        0.5, "0-1", "BlazePose's own convention for a landmark that is in view and not occluded."
    )
    prescan_hz: float = param(
        3.0, "Hz", "Frames sampled to count the people in view; a squat rep lasts >= 1 s, so 3 Hz sees it."
    )
    max_people: int = param(
        3, "people", "Gyms rarely show more; each extra person costs one model run per sampled frame."
    )
    min_person_fraction: float = param(
        0.15, "fraction of sampled frames", "A person seen in fewer sampled frames is passing through, not in view."
    )


@dataclass(frozen=True)
class FilterSettings:
    cutoff_hz: float = param(
        6.0,
        "Hz",
        "Squat motion lies below 3 Hz; 6 Hz is a usual Butterworth cut-off for video kinematics (Winter 2009).",
    )
    order: int = param(2, "", "Second order run forwards and backwards: 4th-order zero-lag response (Winter 2009).")
    max_gap_s: float = param(
        0.3, "s", "Gaps up to a tenth of a rep are bridged by interpolation; longer ones stay missing."
    )


@dataclass(frozen=True)
class ViewSettings:
    side_min_yaw_deg: float = param(
        60.0, "deg", "Body yaw to the camera above which 2-D sagittal angles err little (cos 30 deg = 0.87)."
    )
    front_max_yaw_deg: float = param(
        30.0, "deg", "Below this the camera sees the lifter mostly from the front or back."
    )
    min_side_fraction: float = param(
        0.7, "fraction of rep frames", "A rep with fewer side-view frames is counted but not measured."
    )
    edge_margin_frac: float = param(
        0.01, "fraction of image size", "A landmark this close to the border is taken as cut off by the frame."
    )


@dataclass(frozen=True)
class RepSettings:
    min_depth_leg: float = param(
        0.12, "leg lengths", "Hip drop that starts a rep; walking moves the hip by < 0.05 leg lengths (Perry 1992)."
    )
    stand_tolerance_leg: float = param(
        0.06, "leg lengths", "Within this of the standing hip height the lifter counts as standing."
    )
    min_rep_s: float = param(
        0.8, "s", "Even fast bodyweight squats take about 1 s per rep; quicker dips are bounces, jumps or noise."
    )
    max_rep_s: float = param(25.0, "s", "Slow-tempo and paused reps (6-count descents) stay well below.")
    max_foot_travel_leg: float = param(
        0.25, "leg lengths", "Feet stay planted during a squat; more travel is walking, stepping or a jump."
    )
    partial_depth_thigh: float = param(
        -0.5, "thigh lengths", "Hip more than half a thigh above the knee (thigh < 30 deg below level): a partial rep."
    )
    partial_relative: float = param(
        0.6, "fraction of the set's deepest rep", "A rep much shallower than the lifter's own deepest one is partial."
    )
    bottom_band_leg: float = param(
        0.03, "leg lengths", "Frames within this of the deepest point form the bottom phase (covers pauses)."
    )
    knee_flexion_min_deg: float = param(
        35.0, "deg", "Rep threshold for lab and sensor data, where knee flexion is the depth signal."
    )
    stand_tolerance_knee_deg: float = param(
        12.0, "deg", "Knee flexion within this of standing counts as standing (quiet standing sways a few degrees)."
    )


@dataclass(frozen=True)
class FindingSettings:
    """Thresholds of the findings: butt wink, over-arching, likely cause, safe depth, comparison.

    No published cut-off for an "excessive" wink or arch exists (DOMAIN.md); these values are
    ours, chosen from the cited physiology and the noise of the measurement, and explained in
    docs/findings.md.
    """

    postural_drift_deg: float = param(
        3.0,
        "deg",
        "Median drift of lordosis and sacral orientation in one minute of quiet standing (Pan et al. 2021): "
        "the floor below which a change cannot be told from posture noise.",
    )
    noise_k: float = param(
        2.0,
        "SD",
        "Detection threshold = max(minimum, k * sqrt(drift^2 + source error^2)). k >= 1.41 keeps it above "
        "drift + error (DOMAIN.md's rule); k = 2 adds margin: < 1 % false alarms on simulated noise (tests).",
    )
    smooth_s: float = param(
        0.2,
        "s",
        "Centred moving average before peaks are read: averages frame noise, shorter than the last part of "
        "a 1-3 s descent in which a wink happens (our choice).",
    )
    min_coverage: float = param(
        0.6,
        "fraction of the window's frames",
        "With fewer frames measured the descent peak or the bottom may be missed; the rep is not judged.",
    )
    wink_min_deg: float = param(
        5.0,
        "deg",
        "Smallest butt-wink threshold whatever the source: above the 3 deg postural drift (Pan et al. 2021).",
    )
    wink_moderate_deg: float = param(
        10.0,
        "deg",
        "Posterior rotation about the maximal voluntary posterior tilt from standing (8.7 deg, "
        "Levine & Whittle 1996). No published cut-off exists.",
    )
    wink_marked_deg: float = param(
        20.0,
        "deg",
        "Posterior rotation about the full voluntary anterior-to-posterior tilt range in standing "
        "(11.4 + 8.7 = 20.1 deg, Levine & Whittle 1996). No published cut-off exists.",
    )
    onset_drop_frac: float = param(
        0.1,
        "fraction of the wink",
        "The onset is the last frame before the bottom within this fraction of the wink of the descent peak: "
        "robust to noise on a flat peak, late by about 0.2 of the wink's duration on a smooth rotation.",
    )
    arch_min_deg: float = param(
        5.0,
        "deg",
        "Smallest over-arching threshold whatever the source: above the 3 deg postural drift (Pan et al. 2021).",
    )
    arch_moderate_deg: float = param(
        6.0,
        "deg",
        "Extension beyond standing of more than half the maximal voluntary arch from standing "
        "(+10.8 deg lordosis, Levine & Whittle 1996). No published cut-off exists.",
    )
    arch_marked_deg: float = param(
        11.0,
        "deg",
        "Extension beyond standing about the full maximal voluntary arch from standing "
        "(+10.8 deg lordosis, Levine & Whittle 1996). No published cut-off exists.",
    )
    arch_hold_s: float = param(
        0.3,
        "s",
        "Only extension held this long counts: an arch that loads the back is held at the set-up or through a "
        "phase (the bottom pause alone lasts about this long); a briefer excursion is noise (our choice).",
    )
    setup_max_knee_deg: float = param(
        15.0,
        "deg",
        "With pelvis tilt alone the set-up is judged only if the knees are within this of straight: the lifter "
        "stands tall, so a forward pelvis is an arch and not the start of the squat's lean (our choice).",
    )
    arch_setup_max_deg: float = param(
        20.0,
        "deg",
        "With pelvis tilt alone, more forward tilt than this at the set-up is not read as arching: the maximal "
        "voluntary anterior tilt in standing is 11.4 deg (Levine & Whittle 1996); beyond about twice that the "
        "lifter is leaning, which pelvis tilt alone cannot tell from arching.",
    )
    trunk_error_deg: float = param(
        4.0,
        "deg",
        "Error of a trunk inclination from keypoints, used when over-arching is judged from pelvis tilt minus "
        "trunk lean: sagittal keypoint angles err by 4-7 deg (hip 4.0 deg MAE, Stenum et al. 2021).",
    )
    shin_still_deg: float = param(
        2.0,
        "deg",
        "Shin advance after the wink onset below which the shin had stopped (ankle pattern): about the noise "
        "of a smoothed shin angle within one rep (our choice).",
    )
    shin_moving_deg: float = param(
        5.0,
        "deg",
        "Shin advance after the wink onset above which the shin was still moving (hip pattern): well above "
        "that noise, well below the shin's travel in a squat (tens of degrees) (our choice).",
    )
    cause_min_reps: int = param(2, "reps", "A likely cause needs a pattern; one rep with a wink is not a pattern.")
    cause_min_agreement: float = param(
        0.67, "fraction of reps", "Two thirds of the reps with a wink must show the same pattern."
    )
    onset_hip_sd_max_deg: float = param(
        8.0,
        "deg",
        "Wink onsets whose hip flexion varies less than this (SD) across reps count as consistent. The onset "
        "itself is uncertain by ~0.05 s (synthetic tests) x ~100 deg/s of hip motion = 5 deg; with a keypoint "
        "hip error of 4 deg (Stenum et al. 2021) in quadrature, 6.4 deg; 8 leaves a margin.",
    )
    safe_margin_thigh: float = param(
        0.1,
        "thigh lengths",
        "Suggested depth sits this far above the earliest wink onset: 4-5 cm for a 40-50 cm thigh, about "
        "6 deg of thigh angle, just above the keypoint angle error (Stenum et al. 2021).",
    )
    safe_margin_deg: float = param(
        5.0, "deg", "Suggested hip flexion this far below the earliest wink onset: above the 4 deg hip angle error."
    )
    stance_narrow_max_ratio: float = param(
        1.75,
        "ankle distance / hip-point distance",
        "McKean 2010: narrow = feet at ASIS width, wide = twice it. Hip points sit near the hip joint centres, "
        "0.72 ASIS widths apart (14 % medial of each ASIS, Bell et al. 1989), so narrow = 1.4, wide = 2.8; "
        "boundary at 1.25 ASIS widths.",
    )
    stance_wide_min_ratio: float = param(
        2.45,
        "ankle distance / hip-point distance",
        "Boundary at 1.75 ASIS widths (see stance_narrow_max_ratio).",
    )
    foot_to_shank: float = param(
        0.62,
        "foot length / shank length",
        "Foot length 0.152 H, knee-to-ankle 0.246 H (Drillis & Contini, in Winter 2009): the foot's length in a "
        "front view, where it points at the camera and cannot be measured.",
    )
    compare_alpha: float = param(
        0.05,
        "p",
        "Level for a per-rep metric to differ between two sets: Welch's t-test, Holm-corrected over all the "
        "metrics compared so that the chance of any false flag in a comparison stays at 5 % (convention).",
    )
    compare_error_k: float = param(
        1.0,
        "x source error",
        "A change must exceed this many source errors (and the pooled SD). 1 follows the brief: measured 1 false "
        "comparison in 40 on synthetic sets. 2.77 (= 1.96 x sqrt 2) is the 95 % minimal detectable change when "
        "the error is wholly systematic between recordings (different days, cameras, sensor placement).",
    )
    compare_angle_error_deg: float = param(
        4.0,
        "deg",
        "Smallest change of a joint angle reported between two recordings: keypoint sagittal angles err by "
        "4-7 deg (Stenum et al. 2021); lab sources are better, so this is conservative for them.",
    )
    compare_onset_error_deg: float = param(
        8.0,
        "deg",
        "Smallest change of a wink-onset angle reported: the onset's timing uncertainty (~0.05 s, synthetic "
        "tests) at ~100 deg/s of hip motion is 5 deg; with the 4 deg keypoint error in quadrature 6.4; 8 as "
        "onset_hip_sd_max_deg.",
    )
    compare_onset_error_thigh: float = param(
        0.1,
        "thigh lengths",
        "Smallest change of the wink-onset hip depth reported: ~0.05 s of onset uncertainty at ~1 thigh length/s "
        "of hip descent near parallel (0.05) and the 0.07 depth error in quadrature, rounded up.",
    )
    compare_depth_error_thigh: float = param(
        0.07,
        "thigh lengths",
        "Smallest change of hip depth reported between two recordings: a 4 deg thigh angle error "
        "(Stenum et al. 2021) moves the hip by sin(4 deg) = 0.07 thigh lengths.",
    )


@dataclass(frozen=True)
class LabSettings:
    """Marker, keypoint and OpenSim inputs (C3D, TRC, .mot/.sto)."""

    max_gap_s: float = param(
        0.2,
        "s",
        "Marker gaps up to a fifth of the fastest squat descent (about 1 s) are bridged by a cubic "
        "spline; squat motion lies below 3 Hz, so 0.2 s is under a quarter of its shortest period. "
        "Longer gaps stay missing and are reported.",
    )
    marker_cutoff_hz: float = param(
        6.0,
        "Hz",
        "Zero-lag low-pass for marker trajectories; 6 Hz is the usual cut-off for whole-body "
        "kinematics (Winter 2009, Biomechanics and Motor Control of Human Movement).",
    )
    marker_pelvis_error_deg: float = param(
        2.0,
        "deg",
        "Pelvis tilt from skin markers on ASIS/PSIS: sagittal pelvic angles repeat within about 2 deg "
        "between sessions (McGinley et al. 2009, Gait Posture 29:360); soft-tissue shift in deep "
        "flexion can add more.",
    )
    marker_lumbar_error_deg: float = param(
        3.0,
        "deg",
        "Lumbar flexion from L1/T12 and sacral markers: one more segment's marker error on top of the "
        "pelvis's (2 deg), rounded up.",
    )
    thorax_proxy_error_deg: float = param(
        5.0,
        "deg",
        "Thorax-to-pelvis flexion used as lumbar flexion when there are no lumbar markers: it adds the "
        "lower thoracic spine's motion, so it is a looser estimate of lumbar flexion (our judgement).",
    )
    opensim_pelvis_error_deg: float = param(
        5.0,
        "deg",
        "OpenCap-style video-to-OpenSim kinematics: mean error 5.3 deg with OpenCap's original marker "
        "enhancer, 4.1 deg with the 2024 one (Falisse et al. 2024, bioRxiv 2024.07.13.603382).",
    )
    opensim_lumbar_error_deg: float = param(
        7.0,
        "deg",
        "No published lumbar-only figure; OpenCap's mean RMSE across joints in squats is 7.0 deg "
        "(range 2.9-13.6, independent validation of trunk and lower-limb kinematics), so we take that.",
    )


@dataclass(frozen=True)
class ImuSettings:
    """Wearable IMUs (accelerometer + gyroscope CSV)."""

    mahony_kp: float = param(
        0.5,
        "1/s",
        "Proportional gain of the Mahony filter (ahrs). Chosen on simulated squats (gyro bias, noise, fast "
        "reps, thigh lever arm): lowest RMS inclination error of the gains tried; see docs/lab-inputs.md.",
    )
    mahony_ki: float = param(
        0.05,
        "1/s^2",
        "Integral gain of the Mahony filter: estimates the gyroscope's bias, which a squat set's 20-60 s "
        "would otherwise turn into drift (same simulation as mahony_kp).",
    )
    still_gyro_rad_s: float = param(
        0.2,
        "rad/s",
        "Every sensor turning slower than this counts as still: quiet standing sways well below "
        "0.1 rad/s, a squat descent turns the thigh at 1-3 rad/s.",
    )
    min_still_s: float = param(
        0.5, "s", "Shortest still period taken as the standing reference; shorter pauses are the turn at the bottom."
    )
    flag_gap_s: float = param(
        0.05,
        "s",
        "A step between samples longer than this (5 samples at 100 Hz) is a dropped-sample gap and is "
        "reported; it is bridged by linear interpolation.",
    )
    max_fill_s: float = param(
        0.5,
        "s",
        "Gaps longer than this are still bridged for the sensor fusion, but the angles inside them are "
        "left missing: half a descent is too long to guess.",
    )
    min_planarity: float = param(
        0.6,
        "fraction of gyroscope variance",
        "Share of the rotation about the principal (medio-lateral) axis below which the motion is not a "
        "sagittal-plane squat and the angles are flagged as unreliable.",
    )
    pelvis_error_deg: float = param(
        3.0,
        "deg",
        "Sacral IMU: fusion error 1-2 deg on simulated squats (docs/lab-inputs.md) plus sensor-on-skin "
        "motion over the sacrum; rounded up.",
    )
    lumbar_error_deg: float = param(
        4.0, "deg", "Difference of two sensors (L1 minus sacrum): both sensors' errors, combined and rounded up."
    )


@dataclass(frozen=True)
class OutlineSettings:
    """Pelvis tilt and lumbar flexion from the back's outline (video)."""

    lumbar_min_deg: float = param(
        -15.0,
        "deg vs standing",
        "A squat does not extend the low back much past standing: maximal voluntary arching adds about 11 deg "
        "(Levine & Whittle 1996); lower estimates mean the outline misled the model.",
    )
    lumbar_max_deg: float = param(
        45.0,
        "deg vs standing",
        "Beyond the lumbar spine's whole flexion range in adults (about 50 deg); McKean 2010 measured 26 deg "
        "of descent range in men's loaded squats.",
    )
    pelvis_min_deg: float = param(
        -30.0,
        "deg vs standing",
        "Beyond the pelvis's voluntary posterior tilt (-9 deg, Levine & Whittle 1996) by a wide margin.",
    )
    pelvis_max_deg: float = param(
        60.0,
        "deg vs standing",
        "Beyond the anterior tilt of deep squats in the field (about 40 deg in OpenCap's example trial).",
    )
    min_conf: float = param(
        0.3, "0-1", "Frames below this confidence do not count towards a rep's pelvis and lumbar summary."
    )
    pelvis_error_deg: float = param(
        5.2,
        "deg",
        "The outline model's pelvis tilt RMSE on rendered clear side views of bodies, clothing and movement "
        "patterns it was not fitted on (python -m squatlab.bench.loo, strict protocol, docs/validation.md); the "
        "findings keep their thresholds above it plus the postural noise floor.",
    )
    lumbar_error_deg: float = param(
        5.7,
        "deg",
        "The outline model's lumbar flexion RMSE on the same leave-one-out benchmark (docs/validation.md).",
    )
    loose_hollow_pct: float = param(
        5.0,
        "% of trunk length",
        "Standing, a back in fitted clothes shows its lumbar hollow below the line from the buttocks to the "
        "shoulder blades: 7.8-12 % of the trunk length on the rendered bodies, 8-11 % on real lifters in fitted "
        "tops; a shirt hanging from the shoulder blades bridges it (1.4-2.5 % rendered, 1.1-2.8 % real loose "
        "T-shirts, 3.9-4.1 % a tank top and a T-shirt worn loose). Below this the outline is cloth, and lumbar "
        "flexion is not measured.",
    )


@dataclass(frozen=True)
class Settings:
    pose: PoseSettings = field(default_factory=PoseSettings)
    filter: FilterSettings = field(default_factory=FilterSettings)
    view: ViewSettings = field(default_factory=ViewSettings)
    reps: RepSettings = field(default_factory=RepSettings)
    findings: FindingSettings = field(default_factory=FindingSettings)
    lab: LabSettings = field(default_factory=LabSettings)
    imu: ImuSettings = field(default_factory=ImuSettings)
    outline: OutlineSettings = field(default_factory=OutlineSettings)


def describe(settings: Settings) -> list[dict[str, Any]]:
    """Every setting as a row: group, name, value, unit, source."""
    return [
        row
        for group in dataclasses.fields(settings)
        for row in describe_group(group.name, getattr(settings, group.name))
    ]


def describe_group(name: str, section: Any) -> list[dict[str, Any]]:
    """One group's settings (e.g. ``"findings"``, ``Settings().findings``) as rows: group, name, value, unit, source."""
    return [
        {
            "group": name,
            "name": f.name,
            "value": getattr(section, f.name),
            "unit": f.metadata["unit"],
            "source": f.metadata["source"],
        }
        for f in dataclasses.fields(section)
    ]


def load_settings(path: Path | None = None) -> Settings:
    """Defaults, overridden by a TOML file's ``[group] name = value`` entries."""
    settings = Settings()
    if path is None:
        return settings
    try:
        data = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot read settings file {path}: {exc}") from exc
    groups = {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)}
    for group_name, values in data.items():
        if group_name not in groups or not isinstance(values, dict):
            raise InputError(f"unknown settings group [{group_name}] in {path}; allowed: {', '.join(groups)}")
        section = groups[group_name]
        allowed = {f.name: f for f in dataclasses.fields(section)}
        checked = {key: _checked(section, group_name, key, value, allowed, path) for key, value in values.items()}
        groups[group_name] = dataclasses.replace(section, **checked)
    return Settings(**groups)


def _checked(section: Any, group: str, key: str, value: Any, allowed: dict[str, Any], path: Path) -> Any:
    if key not in allowed:
        raise InputError(f"unknown setting {group}.{key} in {path}; allowed: {', '.join(allowed)}")
    expected = type(getattr(section, key))
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, expected):
        raise InputError(f"setting {group}.{key} must be {expected.__name__}, got {value!r}")
    return value
