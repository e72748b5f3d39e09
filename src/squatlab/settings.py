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


def param(default: Any, unit: str, source: str, *, allowed: tuple[float, float]) -> Any:
    """A setting with its unit, the reason for its value and the range a config file may set (inclusive)."""
    return field(default=default, metadata={"unit": unit, "source": source, "allowed": allowed})


@dataclass(frozen=True)
class PoseSettings:
    min_visibility: float = param(
        0.5,
        "0-1",
        "BlazePose's own convention for a landmark that is in view and not occluded.",
        allowed=(0.0, 1.0),
    )
    prescan_hz: float = param(
        3.0,
        "Hz",
        "Frames sampled to count the people in view; a squat rep lasts >= 1 s, so 3 Hz sees it.",
        allowed=(0.5, 30.0),
    )
    max_people: int = param(
        3,
        "people",
        "Gyms rarely show more; each extra person costs one model run per sampled frame.",
        allowed=(1, 10),
    )
    min_person_fraction: float = param(
        0.15,
        "fraction of sampled frames",
        "A person seen in fewer sampled frames is passing through, not in view.",
        allowed=(0.0, 1.0),
    )
    track_min_presence: float = param(
        0.5,
        "0-1",
        "BlazePose's pose-presence score from which a pose is fully trusted and followed into the next frame "
        "(MediaPipe's own min_tracking_confidence); below it, landmark visibility is scaled down by the score.",
        allowed=(0.0, 1.0),
    )
    keep_min_presence: float = param(
        0.2,
        "0-1",
        "Lowest pose-presence score kept while the detector cannot find the lifter (a plate over the face); "
        "below it the pose is taken as not found.",
        allowed=(0.0, 1.0),
    )
    reseed_s: float = param(
        2.0,
        "s",
        "How long after the last confident pose the follower keeps looking where the lifter was; "
        "longer than the bottom of a paused rep.",
        allowed=(0.0, 30.0),
    )
    slow_stride: int = param(
        3,
        "frames",
        "While the lifter stands still the pose model runs on every 3rd frame and the 2 between are interpolated "
        "(0.07 s at 30 fps; standing sway is far slower); every frame in a rep. 1 = every frame. Measured: the "
        "rendered clips' pelvis and lumbar RMSE moved by under 0.5 deg (docs/speed.md).",
        allowed=(1, 10),
    )
    full_rate_margin_s: float = param(
        0.6,
        "s",
        "Every frame from this long before the people scan (3 Hz) sees the hips leave standing height until this "
        "long after they are back: a rep can start up to 1/3 s before the scan sees it. Where the scan does not "
        "see the lifter (a plate over the face), every frame.",
        allowed=(0.0, 5.0),
    )
    pace_min_presence: float = param(
        0.9,
        "0-1",
        "Frames are skipped only while the follower holds the lifter steadily: the last pose followed from the "
        "frame before with at least this pose-presence score. Where it struggles (a plate over the head: scores "
        "of 0.6-0.9 on the rendered barbell side view) every frame counts: 3 frames skipped there while standing "
        "cost a rep later.",
        allowed=(0.0, 1.0),
    )
    still_max_move: float = param(
        0.02,
        "body heights per people-scan sample",
        "The model skips frames only where the hips moved less than this between neighbouring people-scan samples "
        "(1/3 s apart). Measured on the shared clips: standing still, a median of 0.001-0.010 and a 90th "
        "percentile of 0.015-0.028; walking 0.06-0.11; a slow squat filmed from the front (where the hips' height "
        "over the legs' length stays at standing) 0.015-0.037.",
        allowed=(0.0, 1.0),
    )
    part_overlap_s: float = param(
        2.0,
        "s",
        "With the video cut into parts for the cores, each part but the last is posed this long past its end, "
        "beside the next part's first frames; the next part's poses count from the first of 3 frames in a row "
        "where both followers are on the same body. A follower starting mid-clip with a plate over the face may "
        "first take the plate for a head (kavya_squats.mp4: for 0.4 s); 0 = cut without overlap.",
        allowed=(0.0, 10.0),
    )


@dataclass(frozen=True)
class FilterSettings:
    cutoff_hz: float = param(
        6.0,
        "Hz",
        "Squat motion lies below 3 Hz; 6 Hz is a usual Butterworth cut-off for video kinematics (Winter 2009).",
        allowed=(1.0, 12.0),
    )
    order: int = param(
        2, "", "Second order run forwards and backwards: 4th-order zero-lag response (Winter 2009).", allowed=(1, 8)
    )
    max_gap_s: float = param(
        0.3,
        "s",
        "Gaps up to a tenth of a rep are bridged by interpolation; longer ones stay missing.",
        allowed=(0.0, 2.0),
    )


@dataclass(frozen=True)
class ViewSettings:
    side_min_yaw_deg: float = param(
        60.0,
        "deg",
        "Body yaw to the camera above which 2-D sagittal angles err little (cos 30 deg = 0.87).",
        allowed=(30.0, 90.0),
    )
    front_max_yaw_deg: float = param(
        30.0,
        "deg",
        "Below this the camera sees the lifter mostly from the front or back.",
        allowed=(0.0, 60.0),
    )
    min_side_fraction: float = param(
        0.7,
        "fraction of rep frames",
        "A rep with fewer side-view frames is counted but not measured.",
        allowed=(0.0, 1.0),
    )
    edge_margin_frac: float = param(
        0.01,
        "fraction of image size",
        "A landmark this close to the border is taken as cut off by the frame.",
        allowed=(0.0, 0.2),
    )

    joint_trust_oblique: float = param(
        0.4,
        "0-1",
        "Multiplies a joint angle's confidence in oblique frames: 2-D sagittal angles seen 30-60 deg off the side "
        "err by up to 1/cos(yaw) on the segments' projection; 0.4 keeps them above the confidence floor (0.3) when "
        "the landmarks are sure, so oblique reps are counted and measured but marked less trustworthy.",
        allowed=(0.0, 1.0),
    )
    joint_trust_front: float = param(
        0.1,
        "0-1",
        "The same in front views: sagittal angles are foreshortened out of the image, so they fall below the "
        "confidence floor and are not reported.",
        allowed=(0.0, 1.0),
    )


@dataclass(frozen=True)
class RepSettings:
    min_depth_leg: float = param(
        0.12,
        "leg lengths",
        "Hip drop that starts a rep; walking moves the hip by < 0.05 leg lengths (Perry 1992).",
        allowed=(0.02, 0.8),
    )
    stand_tolerance_leg: float = param(
        0.06,
        "leg lengths",
        "Within this of the standing hip height the lifter counts as standing.",
        allowed=(0.005, 0.3),
    )
    min_rep_s: float = param(
        0.6,
        "s",
        "From 12 % of the way down to 12 % from the top: a quick quarter squat with a bar takes 0.75 s (measured on "
        "a real set); bouncing to music (0.45-0.55 s, measured), a jump's landing or a push press's dip are quicker.",
        allowed=(0.1, 10.0),
    )
    max_rep_s: float = param(
        25.0, "s", "Slow-tempo and paused reps (6-count descents) stay well below.", allowed=(1.0, 300.0)
    )
    max_foot_travel_leg: float = param(
        0.15,
        "leg lengths",
        "Feet stay planted during a squat: the near ankle and the stance width moved at most 0.11 in ten real "
        "squat clips (estimation noise); a step moves a foot 0.3 or more, jumping jacks 0.5.",
        allowed=(0.01, 2.0),
    )
    min_tracked_fraction: float = param(
        0.6,
        "fraction of the rep's frames",
        "A rep needs the lifter's pose in this share of its frames; the gaps between (up to 1 s, a plate over the "
        "face at the bottom) are bridged.",
        allowed=(0.05, 1.0),
    )
    planted_margin_s: float = param(
        0.3,
        "s",
        "The feet must also be planted this long before the descent and after the ascent: a dip straight after "
        "stepping or landing (walking into the rack to re-rack, a jump) is not a squat.",
        allowed=(0.0, 3.0),
    )
    partial_depth_thigh: float = param(
        -0.5,
        "thigh lengths",
        "Hip more than half a thigh above the knee (thigh < 30 deg below level): a partial rep.",
        allowed=(-2.0, 1.0),
    )
    partial_relative: float = param(
        0.6,
        "fraction of the set's deepest rep",
        "A rep much shallower than the lifter's own deepest one is partial.",
        allowed=(0.0, 1.0),
    )
    partial_knee_deg: float = param(
        70.0,
        "deg",
        "Knee flexion at the bottom below which a rep is partial (read in side views only): partial squats reach "
        "about 40 deg, half squats 70-100 deg (Schoenfeld 2010).",
        allowed=(0.0, 180.0),
    )
    pickup_wrist_shank: float = param(
        0.5,
        "shank lengths below the knee",
        "Hands this far below the knees at the bottom, with the trunk bent over, reach for the floor: picking up a "
        "bar, a plate or a bottle, not a squat (in real squats the wrists stayed 0.4-2.4 shanks above the knees).",
        allowed=(-2.0, 2.0),
    )
    pickup_trunk_deg: float = param(
        45.0,
        "deg",
        "Trunk inclination from which a low reach counts as bending over; squats with hands low (dumbbells at the "
        "sides, sumo) keep the trunk more upright.",
        allowed=(0.0, 90.0),
    )
    segment_cutoff_hz: float = param(
        2.0,
        "Hz",
        "The depth signal is low-passed here before reps are found: a quick quarter squat repeats at about 1 Hz, "
        "while the pose's jitter where a plate hides the body lasts 0.1-0.3 s.",
        allowed=(0.2, 15.0),
    )
    bottom_band_leg: float = param(
        0.03,
        "leg lengths",
        "Frames within this of the deepest point form the bottom phase (covers pauses).",
        allowed=(0.0, 0.3),
    )
    bottom_band_knee_deg: float = param(
        3.0,
        "deg",
        "Knee-flexion counterpart of bottom_band_leg, for reps found from the knee angle (IMU, lab "
        "files without hip heights): frames within this of the deepest flexion form the bottom phase.",
        allowed=(0.0, 30.0),
    )
    knee_flexion_min_deg: float = param(
        35.0,
        "deg",
        "Rep threshold for lab and sensor data, where knee flexion is the depth signal.",
        allowed=(5.0, 150.0),
    )
    stand_tolerance_knee_deg: float = param(
        12.0,
        "deg",
        "Knee flexion within this of standing counts as standing (quiet standing sways a few degrees).",
        allowed=(1.0, 60.0),
    )


@dataclass(frozen=True)
class BarSettings:
    """Whether a barbell rides on the back: the near plates seen as a disc at the shoulders."""

    min_rim: float = param(
        0.45,
        "share of the rim",
        "A circle is a plate when this share of its rim is an edge running along it; measured on real clips: "
        "plates 0.45-0.6 in most frames, chance circles in clutter mostly below.",
        allowed=(0.0, 1.0),
    )
    min_seen: float = param(
        0.3,
        "fraction of frames with a pose",
        "A bar is on the back when its plate is seen in this share of the frames (seen: 54-58 % in two real "
        "barbell sets; 0-12 % in eight clips without a bar).",
        allowed=(0.0, 1.0),
    )
    radius_tolerance: float = param(
        0.15,
        "fraction of the radius",
        "One plate all clip long: discs of another size are something else.",
        allowed=(0.0, 1.0),
    )
    max_offset: float = param(
        1.0,
        "trunk lengths",
        "The plate's centre lies on the bar, on the upper back: within a trunk length of the (estimated) shoulders.",
        allowed=(0.0, 5.0),
    )
    min_follow: float = param(
        0.8,
        "correlation",
        "The plate moves up and down with the shoulders (0.94-0.98 in real sets); a round logo or clock on the "
        "wall behind does not (0.32).",
        allowed=(-1.0, 1.0),
    )
    min_depth_radii: float = param(
        0.5,
        "plate radii",
        "A rep on the bar's path: the bar goes down and back up at least this far (0.5 of a 45 cm plate's radius "
        "is 11 cm, about reps.min_depth_leg); the plate is the ruler, so a wrong pose cannot shrink it.",
        allowed=(0.0, 10.0),
    )
    max_travel_radii: float = param(
        0.6,
        "plate radii",
        "During a squat the bar stays over the mid-foot (sway of a few cm, 0.1-0.3 radii); walking it out or back "
        "into the rack moves it a step, 1.5 radii or more.",
        allowed=(0.0, 10.0),
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
        allowed=(0.0, 20.0),
    )
    noise_k: float = param(
        2.0,
        "SD",
        "Detection threshold = max(minimum, k * sqrt(drift^2 + source error^2)). k >= 1.41 keeps it above "
        "drift + error (DOMAIN.md's rule); k = 2 adds margin: < 1 % false alarms on simulated noise (tests).",
        allowed=(0.5, 5.0),
    )
    smooth_s: float = param(
        0.2,
        "s",
        "Centred moving average before peaks are read: averages frame noise, shorter than the last part of "
        "a 1-3 s descent in which a wink happens (our choice).",
        allowed=(0.0, 2.0),
    )
    min_coverage: float = param(
        0.6,
        "fraction of the window's frames",
        "With fewer frames measured the descent peak or the bottom may be missed; the rep is not judged.",
        allowed=(0.05, 1.0),
    )
    wink_min_deg: float = param(
        5.0,
        "deg",
        "Smallest butt-wink threshold whatever the source: above the 3 deg postural drift (Pan et al. 2021).",
        allowed=(0.0, 45.0),
    )
    wink_moderate_deg: float = param(
        10.0,
        "deg",
        "Posterior rotation about the maximal voluntary posterior tilt from standing (8.7 deg, "
        "Levine & Whittle 1996). No published cut-off exists.",
        allowed=(0.0, 60.0),
    )
    wink_marked_deg: float = param(
        20.0,
        "deg",
        "Posterior rotation about the full voluntary anterior-to-posterior tilt range in standing "
        "(11.4 + 8.7 = 20.1 deg, Levine & Whittle 1996). No published cut-off exists.",
        allowed=(0.0, 90.0),
    )
    onset_drop_frac: float = param(
        0.1,
        "fraction of the wink",
        "The onset is the last frame before the bottom within this fraction of the wink of the descent peak: "
        "robust to noise on a flat peak, late by about 0.2 of the wink's duration on a smooth rotation.",
        allowed=(0.01, 0.9),
    )
    arch_min_deg: float = param(
        5.0,
        "deg",
        "Smallest over-arching threshold whatever the source: above the 3 deg postural drift (Pan et al. 2021).",
        allowed=(0.0, 45.0),
    )
    arch_moderate_deg: float = param(
        6.0,
        "deg",
        "Extension beyond standing of more than half the maximal voluntary arch from standing "
        "(+10.8 deg lordosis, Levine & Whittle 1996). No published cut-off exists.",
        allowed=(0.0, 60.0),
    )
    arch_marked_deg: float = param(
        11.0,
        "deg",
        "Extension beyond standing about the full maximal voluntary arch from standing "
        "(+10.8 deg lordosis, Levine & Whittle 1996). No published cut-off exists.",
        allowed=(0.0, 90.0),
    )
    arch_hold_s: float = param(
        0.3,
        "s",
        "Only extension held this long counts: an arch that loads the back is held at the set-up or through a "
        "phase (the bottom pause alone lasts about this long); a briefer excursion is noise (our choice).",
        allowed=(0.0, 5.0),
    )
    setup_max_knee_deg: float = param(
        15.0,
        "deg",
        "With pelvis tilt alone the set-up is judged only if the knees are within this of straight: the lifter "
        "stands tall, so a forward pelvis is an arch and not the start of the squat's lean (our choice).",
        allowed=(0.0, 90.0),
    )
    setup_knee_drift_deg: float = param(
        10.0,
        "deg",
        "With pelvis tilt alone the set-up is not judged when, before the rep, the knees read straighter than in "
        "the standing reference by more than this: relaxed standing is already within a few degrees of full "
        "extension, so such a reading means the angles have drifted from that reference (seen on waist-IMU "
        "recordings), and pelvis tilt against it is not an arch (our choice).",
        allowed=(0.0, 90.0),
    )
    arch_setup_max_deg: float = param(
        20.0,
        "deg",
        "With pelvis tilt alone, more forward tilt than this at the set-up is not read as arching: the maximal "
        "voluntary anterior tilt in standing is 11.4 deg (Levine & Whittle 1996); beyond about twice that the "
        "lifter is leaning, which pelvis tilt alone cannot tell from arching.",
        allowed=(0.0, 90.0),
    )
    trunk_error_deg: float = param(
        4.0,
        "deg",
        "Error of a trunk inclination from keypoints, used when over-arching is judged from pelvis tilt minus "
        "trunk lean: sagittal keypoint angles err by 4-7 deg (hip 4.0 deg MAE, Stenum et al. 2021).",
        allowed=(0.0, 30.0),
    )
    shin_still_deg: float = param(
        2.0,
        "deg",
        "Shin advance after the wink onset below which the shin had stopped (ankle pattern): about the noise "
        "of a smoothed shin angle within one rep (our choice).",
        allowed=(0.0, 30.0),
    )
    shin_moving_deg: float = param(
        5.0,
        "deg",
        "Shin advance after the wink onset above which the shin was still moving (hip pattern): well above "
        "that noise, well below the shin's travel in a squat (tens of degrees) (our choice).",
        allowed=(0.0, 45.0),
    )
    cause_min_reps: int = param(
        2, "reps", "A likely cause needs a pattern; one rep with a wink is not a pattern.", allowed=(1, 50)
    )
    cause_min_agreement: float = param(
        0.67,
        "fraction of reps",
        "Two thirds of the reps with a wink must show the same pattern.",
        allowed=(0.5, 1.0),
    )
    onset_hip_sd_max_deg: float = param(
        8.0,
        "deg",
        "Wink onsets whose hip flexion varies less than this (SD) across reps count as consistent. The onset "
        "itself is uncertain by ~0.05 s (synthetic tests) x ~100 deg/s of hip motion = 5 deg; with a keypoint "
        "hip error of 4 deg (Stenum et al. 2021) in quadrature, 6.4 deg; 8 leaves a margin.",
        allowed=(0.0, 45.0),
    )
    safe_margin_thigh: float = param(
        0.1,
        "thigh lengths",
        "Suggested depth sits this far above the earliest wink onset: 4-5 cm for a 40-50 cm thigh, about "
        "6 deg of thigh angle, just above the keypoint angle error (Stenum et al. 2021).",
        allowed=(0.0, 1.0),
    )
    safe_margin_deg: float = param(
        5.0,
        "deg",
        "Suggested hip flexion this far below the earliest wink onset: above the 4 deg hip angle error.",
        allowed=(0.0, 45.0),
    )
    stance_narrow_max_ratio: float = param(
        1.75,
        "ankle distance / hip-point distance",
        "McKean 2010: narrow = feet at ASIS width, wide = twice it. Hip points sit near the hip joint centres, "
        "0.72 ASIS widths apart (14 % medial of each ASIS, Bell et al. 1989), so narrow = 1.4, wide = 2.8; "
        "boundary at 1.25 ASIS widths.",
        allowed=(0.5, 5.0),
    )
    stance_wide_min_ratio: float = param(
        2.45,
        "ankle distance / hip-point distance",
        "Boundary at 1.75 ASIS widths (see stance_narrow_max_ratio).",
        allowed=(0.5, 6.0),
    )
    foot_to_shank: float = param(
        0.62,
        "foot length / shank length",
        "Foot length 0.152 H, knee-to-ankle 0.246 H (Drillis & Contini, in Winter 2009): the foot's length in a "
        "front view, where it points at the camera and cannot be measured.",
        allowed=(0.2, 1.5),
    )
    compare_alpha: float = param(
        0.05,
        "p",
        "Level for a per-rep metric to differ between two sets: Welch's t-test, Holm-corrected over all the "
        "metrics compared so that the chance of any false flag in a comparison stays at 5 % (convention).",
        allowed=(0.001, 0.5),
    )
    compare_error_k: float = param(
        1.0,
        "x source error",
        "A change must exceed this many source errors (and the pooled SD). 1 follows the brief: measured 1 false "
        "comparison in 40 on synthetic sets. 2.77 (= 1.96 x sqrt 2) is the 95 % minimal detectable change when "
        "the error is wholly systematic between recordings (different days, cameras, sensor placement).",
        allowed=(0.0, 5.0),
    )
    compare_angle_error_deg: float = param(
        4.0,
        "deg",
        "Smallest change of a joint angle reported between two recordings: keypoint sagittal angles err by "
        "4-7 deg (Stenum et al. 2021); lab sources are better, so this is conservative for them.",
        allowed=(0.0, 30.0),
    )
    compare_onset_error_deg: float = param(
        8.0,
        "deg",
        "Smallest change of a wink-onset angle reported: the onset's timing uncertainty (~0.05 s, synthetic "
        "tests) at ~100 deg/s of hip motion is 5 deg; with the 4 deg keypoint error in quadrature 6.4; 8 as "
        "onset_hip_sd_max_deg.",
        allowed=(0.0, 45.0),
    )
    compare_onset_error_thigh: float = param(
        0.1,
        "thigh lengths",
        "Smallest change of the wink-onset hip depth reported: ~0.05 s of onset uncertainty at ~1 thigh length/s "
        "of hip descent near parallel (0.05) and the 0.07 depth error in quadrature, rounded up.",
        allowed=(0.0, 1.0),
    )
    compare_depth_error_thigh: float = param(
        0.07,
        "thigh lengths",
        "Smallest change of hip depth reported between two recordings: a 4 deg thigh angle error "
        "(Stenum et al. 2021) moves the hip by sin(4 deg) = 0.07 thigh lengths.",
        allowed=(0.0, 1.0),
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
        allowed=(0.0, 2.0),
    )
    marker_cutoff_hz: float = param(
        6.0,
        "Hz",
        "Zero-lag low-pass for marker trajectories; 6 Hz is the usual cut-off for whole-body "
        "kinematics (Winter 2009, Biomechanics and Motor Control of Human Movement).",
        allowed=(0.5, 50.0),
    )
    marker_pelvis_error_deg: float = param(
        2.0,
        "deg",
        "Pelvis tilt from skin markers on ASIS/PSIS: sagittal pelvic angles repeat within about 2 deg "
        "between sessions (McGinley et al. 2009, Gait Posture 29:360); soft-tissue shift in deep "
        "flexion can add more.",
        allowed=(0.0, 30.0),
    )
    marker_lumbar_error_deg: float = param(
        3.0,
        "deg",
        "Lumbar flexion from L1/T12 and sacral markers: one more segment's marker error on top of the "
        "pelvis's (2 deg), rounded up.",
        allowed=(0.0, 30.0),
    )
    thorax_proxy_error_deg: float = param(
        5.0,
        "deg",
        "Thorax-to-pelvis flexion used as lumbar flexion when there are no lumbar markers: it adds the "
        "lower thoracic spine's motion, so it is a looser estimate of lumbar flexion (our judgement).",
        allowed=(0.0, 30.0),
    )
    opensim_pelvis_error_deg: float = param(
        5.0,
        "deg",
        "OpenCap-style video-to-OpenSim kinematics: mean error 5.3 deg with OpenCap's original marker "
        "enhancer, 4.1 deg with the 2024 one (Falisse et al. 2024, bioRxiv 2024.07.13.603382).",
        allowed=(0.0, 30.0),
    )
    opensim_lumbar_error_deg: float = param(
        7.0,
        "deg",
        "No published lumbar-only figure; OpenCap's mean RMSE across joints in squats is 7.0 deg "
        "(range 2.9-13.6, independent validation of trunk and lower-limb kinematics), so we take that.",
        allowed=(0.0, 30.0),
    )


@dataclass(frozen=True)
class ImuSettings:
    """Wearable IMUs (accelerometer + gyroscope CSV)."""

    mahony_kp: float = param(
        0.5,
        "1/s",
        "Proportional gain of the Mahony filter (ahrs). Chosen on simulated squats (gyro bias, noise, fast "
        "reps, thigh lever arm): lowest RMS inclination error of the gains tried; see docs/lab-inputs.md.",
        allowed=(0.0, 10.0),
    )
    mahony_ki: float = param(
        0.05,
        "1/s^2",
        "Integral gain of the Mahony filter: estimates the gyroscope's bias, which a squat set's 20-60 s "
        "would otherwise turn into drift (same simulation as mahony_kp).",
        allowed=(0.0, 1.0),
    )
    still_gyro_rad_s: float = param(
        0.2,
        "rad/s",
        "Every sensor turning slower than this counts as still: quiet standing sways well below "
        "0.1 rad/s, a squat descent turns the thigh at 1-3 rad/s.",
        allowed=(0.01, 2.0),
    )
    min_still_s: float = param(
        0.5,
        "s",
        "Shortest still period taken as the standing reference; shorter pauses are the turn at the bottom.",
        allowed=(0.05, 10.0),
    )
    flag_gap_s: float = param(
        0.05,
        "s",
        "A step between samples longer than this (5 samples at 100 Hz) is a dropped-sample gap and is "
        "reported; it is bridged by linear interpolation.",
        allowed=(0.001, 5.0),
    )
    max_fill_s: float = param(
        0.5,
        "s",
        "Gaps longer than this are still bridged for the sensor fusion, but the angles inside them are "
        "left missing: half a descent is too long to guess.",
        allowed=(0.0, 10.0),
    )
    min_planarity: float = param(
        0.6,
        "fraction of gyroscope variance",
        "Share of the rotation about the principal (medio-lateral) axis below which the motion is not a "
        "sagittal-plane squat and the angles are flagged as unreliable.",
        allowed=(0.0, 1.0),
    )
    pelvis_error_deg: float = param(
        3.0,
        "deg",
        "Sacral IMU: fusion error 1-2 deg on simulated squats (docs/lab-inputs.md) plus sensor-on-skin "
        "motion over the sacrum; rounded up.",
        allowed=(0.0, 30.0),
    )
    lumbar_error_deg: float = param(
        4.0,
        "deg",
        "Difference of two sensors (L1 minus sacrum): both sensors' errors, combined and rounded up.",
        allowed=(0.0, 30.0),
    )
    wink_probability: float = param(
        0.5,
        "probability",
        "With pelvis, thigh and shank sensors, a rep is also called a butt wink when the hip-knee-pelvis model "
        "gives at least this probability. 0.5 with classes weighted equally in fitting; fixed before validation, "
        "not tuned (docs/validation.md). Higher: fewer false alarms, fewer winks found.",
        allowed=(0.0, 1.0),
    )
    wink_pattern_only_max_confidence: float = param(
        0.6,
        "0-1",
        "A wink called from the hip-knee-pelvis pattern while the pelvis channel shows less tilt than it resolves "
        "rests on a model of three people, not on a measured tuck: its confidence is capped at medium.",
        allowed=(0.0, 1.0),
    )
    reference_min_reps: int = param(
        3,
        "reps",
        "A reference set (--reference) needs this many measured reps for its medians to stand for the lifter's "
        "normal; with fewer it is not used, with a warning.",
        allowed=(1, 100),
    )


@dataclass(frozen=True)
class OutlineSettings:
    """Pelvis tilt and lumbar flexion from the back's outline (video)."""

    lumbar_min_deg: float = param(
        -15.0,
        "deg vs standing",
        "A squat does not extend the low back much past standing: maximal voluntary arching adds about 11 deg "
        "(Levine & Whittle 1996); lower estimates mean the outline misled the model.",
        allowed=(-90.0, 0.0),
    )
    lumbar_max_deg: float = param(
        45.0,
        "deg vs standing",
        "Beyond the lumbar spine's whole flexion range in adults (about 50 deg); McKean 2010 measured 26 deg "
        "of descent range in men's loaded squats.",
        allowed=(0.0, 90.0),
    )
    pelvis_min_deg: float = param(
        -30.0,
        "deg vs standing",
        "Beyond the pelvis's voluntary posterior tilt (-9 deg, Levine & Whittle 1996) by a wide margin.",
        allowed=(-90.0, 0.0),
    )
    pelvis_max_deg: float = param(
        60.0,
        "deg vs standing",
        "Beyond the anterior tilt of deep squats in the field (about 40 deg in OpenCap's example trial).",
        allowed=(0.0, 90.0),
    )
    min_conf: float = param(
        0.3,
        "0-1",
        "The confidence floor of every channel (not only the outline's): a frame below it is withheld "
        "(no value in any output, not used by the baseline or any finding). 0.3 keeps keypoint angles in side "
        "views (0.7-1) and oblique ones (x 0.4) and drops front views (x 0.1); the outline gives 0 where an arm "
        "hides the back or the estimate leaves the ranges above (our choice).",
        allowed=(0.0, 1.0),
    )
    pelvis_error_deg: float = param(
        5.5,
        "deg",
        "The outline model's pelvis tilt RMSE on rendered clear side views of bodies, clothing and movement "
        "patterns it was not fitted on (python -m squatlab.bench.loo, strict protocol, docs/validation.md); the "
        "findings keep their thresholds above it plus the postural noise floor. 5.6 with the thorax read from "
        "the upper back's chords as well as the trunk line.",
        allowed=(0.0, 30.0),
    )
    lumbar_error_deg: float = param(
        6.0,
        "deg",
        "The outline model's lumbar flexion RMSE on the same leave-one-out benchmark (docs/validation.md); 6.3 "
        "with the thorax read from the upper back's chords as well as the trunk line.",
        allowed=(0.0, 30.0),
    )
    wink_error_deg: float = param(
        4.3,
        "deg",
        "The outline model's error of a butt wink's size (descent peak minus bottom within one rep), RMSE over "
        "every judged rep of the same leave-one-out benchmark (strict protocol, docs/validation.md), winks and "
        "reps without one alike. A change within a rep escapes the slow offsets in the pelvis error above, so "
        "the wink threshold uses this one: max(wink_min_deg, noise_k * sqrt(drift^2 + this^2)).",
        allowed=(0.0, 30.0),
    )
    wink_found_share: float = param(
        0.54,
        "share of winks",
        "The share of rendered butt winks of 10 deg or more that the outline model read large enough to be flagged "
        "on the same leave-one-out benchmark (strict protocol, docs/validation.md): not a threshold, but what "
        "the report tells the reader beside a rep without a wink found from video, which does not rule one out.",
        allowed=(0.0, 1.0),
    )
    oblique_trust: float = param(
        0.3,
        "0-1",
        "Multiplies the outline's confidence in oblique frames (front views: 0, the back is not in the outline): "
        "turned away from the side, the silhouette's back edge mixes the spine with the flank, more so than a "
        "joint line (view.joint_trust_oblique 0.4), so oblique back values sit at the confidence floor (0.3) at "
        "best and count only where every other check is clean.",
        allowed=(0.0, 1.0),
    )
    min_standing_clean_s: float = param(
        0.25,
        "s",
        "Every pelvis and lumbar value is a change from the back's standing outline, so that outline must be "
        "seen cleanly (smooth, unhidden, in view) for at least this long in one standing window: a reference "
        "taken from a few frames carries their mask flicker, or a rack touching the back, into every later "
        "value (a rendered clip with 0.1 s of clean standing read the pelvis 21 deg off; 0.25 s is about 8 "
        "frames at 30 fps, enough for the median to settle). Shorter: no pelvis or lumbar values, with the reason.",
        allowed=(0.0, 5.0),
    )
    loose_hollow_pct: float = param(
        5.0,
        "% of trunk length",
        "Standing, a back in fitted clothes shows its lumbar hollow below the line from the buttocks to the "
        "shoulder blades: 7.8-12 % of the trunk length on the rendered bodies, 8-11 % on real lifters in fitted "
        "tops; a shirt hanging from the shoulder blades bridges it (1.4-2.5 % rendered, 1.1-2.8 % real loose "
        "T-shirts, 3.9-4.1 % a tank top and a T-shirt worn loose). Below this the outline is cloth, and lumbar "
        "flexion is not measured (0 turns the check off).",
        allowed=(0.0, 15.0),
    )
    loose_waist_pct: float = param(
        25.5,
        "% of trunk length",
        "Standing, a back in fitted clothes lies 12.3-24.8 % of the trunk length behind the shoulder-hip line at "
        "the waist (0.3-0.4 trunk lengths above the hip) on the 78 rendered clips in fitted tops and 15-22 % on "
        "real lifters in fitted tops; a loose T-shirt or hoodie hangs further back (26.0-34.5 % on the 20 "
        "rendered ones, 29.5-30.2 % real loose T-shirts). Midway between the rendered groups: above it the "
        "outline is cloth even where it still shows a hollow (hoodies clinging at the hips), and lumbar flexion "
        "is not measured (100 turns the check off).",
        allowed=(10.0, 100.0),
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
    bar: BarSettings = field(default_factory=BarSettings)


def describe(settings: Settings) -> list[dict[str, Any]]:
    """Every setting as a row: group, name, value, unit, source."""
    return [
        row
        for group in dataclasses.fields(settings)
        for row in describe_group(group.name, getattr(settings, group.name))
    ]


def describe_group(name: str, section: Any) -> list[dict[str, Any]]:
    """One group's settings (e.g. ``"findings"``, ``Settings().findings``) as rows: group, name, value, unit,
    source, and the allowed range ``min``, ``max``."""
    return [
        {
            "group": name,
            "name": f.name,
            "value": getattr(section, f.name),
            "unit": f.metadata["unit"],
            "source": f.metadata["source"],
            "min": f.metadata["allowed"][0],
            "max": f.metadata["allowed"][1],
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
        value = float(value)
    if not isinstance(value, expected) or isinstance(value, bool):
        raise InputError(f"setting {group}.{key} must be {expected.__name__}, got {value!r}")
    meta = allowed[key].metadata
    low, high = meta["allowed"]
    if not low <= value <= high:  # also refuses nan
        unit = f" ({meta['unit']})" if meta["unit"] else ""
        raise InputError(
            f"setting {group}.{key} = {value:g} in {path} is out of range: allowed {low:g} to {high:g}{unit}"
        )
    return value
