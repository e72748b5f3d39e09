"""The analysis, stage by stage: input -> pose -> kinematics -> reps -> baseline -> (findings).

Each stage is a function that takes a trial (or arrays) and returns a new one; this
module only calls them in order.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np

from squatlab import conventions as cv
from squatlab.errors import InputError, NoPersonError
from squatlab.findings.assess import assess
from squatlab.findings.imu_wink import judge_reps, reference_from_trial
from squatlab.io.video import VideoInfo, check_clip_length, decoded_notices, is_variable_frame_rate, probe
from squatlab.kinematics.baseline import apply_baseline
from squatlab.kinematics.lumbopelvic import LumboPelvicModel, lumbo_pelvic
from squatlab.kinematics.video import clean_landmarks, joint_channels, leg_length
from squatlab.kinematics.withhold import withhold, withhold_out_of_range
from squatlab.pose.blazepose import BlazePose, native_stderr_silenced
from squatlab.pose.identity import track_segments
from squatlab.pose.outline import OutlineSampler
from squatlab.pose.run import PosePass, run_pose
from squatlab.reps.stage import find_squat_reps
from squatlab.scene.bar import DiscSampler, bar_notices, find_bar
from squatlab.scene.checks import frame_notices, view_notices
from squatlab.scene.view import assess_view, body_yaw
from squatlab.settings import OutlineSettings, Settings
from squatlab.timing import stage
from squatlab.trial import Context, Landmarks, Notice, Source, Trial

# Each pose worker holds its own MediaPipe model (about 210 MB resident, measured with
# the speed benchmark); beyond a few, a machine runs out of memory before it runs out of cores.
MAX_POSE_WORKERS = 4


def video_source(info: VideoInfo, *, variable_frame_rate: bool, details: dict) -> Source:
    return Source(
        path=str(info.path),
        kind="video",
        fps=info.fps,
        duration_s=info.duration_s,
        frames=info.frames,
        width=info.width,
        height=info.height,
        rotation_deg=info.rotation_deg,
        codec=info.codec,
        variable_frame_rate=variable_frame_rate,
        details=details,
    )


def with_outline_errors(source: Source, outline: OutlineSettings) -> Source:
    """``source`` carrying the outline estimator's measured errors, which the findings' thresholds use."""
    return replace(
        source,
        pelvis_error_deg=outline.pelvis_error_deg,
        lumbar_error_deg=outline.lumbar_error_deg,
        wink_error_deg=outline.wink_error_deg,
    )


def analyze_video(
    path: Path,
    *,
    settings: Settings | None = None,
    context: Context | None = None,
    person: int | None = None,
    on_start: Callable[[VideoInfo], None] | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> Trial:
    """Analyse one squat video and return the trial with its reps, findings and warnings.

    ``workers``: cores the pose model runs on (default: this machine's; at most
    :data:`MAX_POSE_WORKERS`).
    """
    settings = settings or Settings()
    trial = track_video(
        path, settings=settings, context=context, person=person, on_start=on_start, progress=progress, workers=workers
    )
    return finish_video(trial, settings)


def finish_video(trial: Trial, settings: Settings, *, model: LumboPelvicModel | None = None) -> Trial:
    """Everything after the pose pass: reps, pelvis tilt and lumbar flexion (which need the
    reps' standing windows), withholding what was not measured, the baseline and the findings.

    ``model`` replaces the shipped outline model (the benchmark scores models fitted
    without the clip at hand).
    """
    with stage("reps and findings"):
        trial = find_squat_reps(trial, settings.reps, settings.view, settings.bar)
    with stage("kinematics"):
        # The errors belong to the estimator that runs here, not to the pose pass (a cached
        # pass may come from other settings).
        o = settings.outline
        channels, notices = lumbo_pelvic(trial, model=model, settings=o)
        trial = replace(trial, source=with_outline_errors(trial.source, o))
        trial = trial.with_channels(**channels).with_notices(*notices)
        trial = withhold(trial, o.min_conf)
        trial = withhold_out_of_range(apply_baseline(trial), o)
    with stage("reps and findings"):
        return assess(trial, settings)


def track_video(
    path: Path,
    *,
    settings: Settings,
    context: Context | None = None,
    person: int | None = None,
    on_start: Callable[[VideoInfo], None] | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> Trial:
    """The pose pass and what follows from the landmarks alone: view, joint angles, the bar, warnings."""
    info = probe(path)
    check_clip_length(info, min_duration_s=settings.reps.min_rep_s)
    if on_start is not None:
        on_start(info)
    lanes = max(1, min(workers if workers is not None else os.cpu_count() or 1, MAX_POSE_WORKERS))
    with native_stderr_silenced():
        # One (tracking model, detector) pair per core; each follows the lifter on its own part.
        models = [(BlazePose(tracking=True, settings=settings.pose), BlazePose(tracking=False)) for _ in range(lanes)]
        names = models[0][0].landmark_names

        def analyzers() -> list:
            return [OutlineSampler(names), DiscSampler(names, min_rim=settings.bar.min_rim)]

        try:
            pose = run_pose(
                path,
                info,
                models,
                settings.pose,
                person=person,
                analyzers=analyzers,
                progress=progress,
                stand_tolerance_leg=settings.reps.stand_tolerance_leg,
            )
        finally:
            for tracker, finder in models:
                tracker.close()
                finder.close()
    return trial_from_pose(pose, info, settings=settings, context=context, pose_model=models[0][0].name)


def trial_from_pose(
    pose: PosePass, info: VideoInfo, *, settings: Settings, context: Context | None = None, pose_model: str = ""
) -> Trial:
    """What follows from the pose pass alone: clean landmarks, view, joint angles, the bar, warnings."""
    with stage("kinematics"):
        time_s = pose.time_s
        cut_short = decoded_notices(info, time_s, min_duration_s=settings.reps.min_rep_s)
        f = settings.filter
        segments = track_segments(pose.landmarks)
        landmarks, _ = clean_landmarks(
            pose.landmarks, time_s, cutoff_hz=f.cutoff_hz, order=f.order, max_gap_s=f.max_gap_s, segments=segments
        )
        v = settings.view
        view = assess_view(
            landmarks, time_s, side_min_yaw_deg=v.side_min_yaw_deg, front_max_yaw_deg=v.front_max_yaw_deg
        )
        leg_px = leg_length(landmarks, time_s, view.leg_side)
        channels = joint_channels(landmarks, time_s, view, leg_ref=leg_px, settings=v)
        bar = find_bar(landmarks, pose.extras.get(DiscSampler.key), settings.bar)
        notices = [
            *cut_short,
            *pose.notices,
            *view_notices(view, time_s),
            *frame_notices(landmarks, view, time_s, margin_frac=settings.view.edge_margin_frac),
            *bar_notices(bar),
        ]
        details = {"pose_model": pose_model, "people_in_view": pose.people, "followed_person": pose.followed}
        if bar is not None:
            details |= {"bar_on_back": bar.on_back, "bar_seen_fraction": round(bar.seen_fraction, 3)}
            if bar.on_back:
                details["bar_radius_px"] = round(bar.radius_px, 1)
        return Trial(
            time_s=time_s,
            source=video_source(info, variable_frame_rate=is_variable_frame_rate(time_s), details=details),
            channels=channels,
            landmarks=landmarks,
            view=view,
            notices=tuple(notices),
            context=context or Context(),
            extras={
                **pose.extras,
                cv.LEG_LENGTH_PX: leg_px,
                cv.TRACK_SEGMENT: segments,
                **({cv.BAR_XY: bar.xy} if bar is not None and bar.on_back else {}),
            },
        )


def after_kinematics(trial: Trial, settings: Settings, reference: dict | None = None) -> Trial:
    """The stages every lab source shares: reps, withholding what was not measured, the
    standing baseline, the findings.

    IMU recordings with pelvis, thigh and shank sensors also get the wearable butt-wink
    model's per-rep scores (``reference``: the lifter's normal, from :func:`imu_reference`).
    """
    trial = find_squat_reps(trial, settings.reps, settings.view, settings.bar)
    trial = withhold(trial, settings.outline.min_conf)
    trial = apply_baseline(trial)
    trial = judge_reps(trial, settings.imu, reference)
    return assess(trial, settings)


def analyze_lab(
    path: Path,
    *,
    fmt: str | None = None,
    static: Path | None = None,
    imu_sensors: Mapping[str, str] | None = None,
    marker_map: Path | None = None,
    settings: Settings | None = None,
    context: Context | None = None,
    reference: Path | None = None,
) -> Trial:
    """Analyse a C3D, TRC, OpenSim .mot/.sto or IMU recording.

    ``reference``: an IMU recording of a set the same lifter performed well, with the same
    sensors; the wearable butt-wink detector then reads each rep against it.
    """
    from squatlab.io.lab import load_lab_trial

    settings = settings or Settings()
    trial = load_lab_trial(
        path, fmt=fmt, static=static, imu_sensors=imu_sensors, marker_map=marker_map, settings=settings
    )
    trial = replace(trial, context=context or Context())
    normal = None
    if reference is not None:
        if trial.source.kind != "imu":
            raise InputError("--reference is read by the wearable (IMU) butt-wink detector; the input is not IMU data")
        normal = imu_reference(reference, fmt=fmt, imu_sensors=imu_sensors, settings=settings)
    return after_kinematics(trial, settings, normal)


def imu_reference(path: Path, *, fmt: str | None, imu_sensors: Mapping[str, str] | None, settings: Settings) -> dict:
    """The lifter's normal rep from a reference IMU set (:func:`squatlab.findings.imu_wink.reference_from_trial`)."""
    from squatlab.io.lab import load_lab_trial

    trial = load_lab_trial(path, fmt=fmt, imu_sensors=imu_sensors, settings=settings)
    if trial.source.kind != "imu":
        raise InputError(f"{path}: the reference set must be an IMU recording like the input")
    return reference_from_trial(find_squat_reps(trial, settings.reps, settings.view), settings.imu)


# Seconds of a front-view clip read to measure the stance: the set-up is at its start.
FRONT_CLIP_MAX_S = 10.0
# Frames whose hips stand within this share of the clip's highest hip position count as standing.
_STANDING_SHARE = 0.95


def measure_stance(path: Path, settings: Settings | None = None) -> tuple[str, float, float, list[Notice]]:
    """Stance width label, ankle-to-hip ratio and toe-out (deg) from a front-view clip of the set-up."""
    from squatlab.findings.stance import stance_from_front
    from squatlab.io.video import iter_frames

    settings = settings or Settings()
    probe(path)
    frames_xy, frames_vis, frames_z, times = [], [], [], []
    with native_stderr_silenced():
        model = BlazePose(tracking=True)
        try:
            for frame in iter_frames(path):
                if frame.time_s > FRONT_CLIP_MAX_S:
                    break
                result = model(frame.rgb, frame.time_s)
                if result is not None:
                    frames_xy.append(result.xy)
                    frames_vis.append(result.visibility)
                    frames_z.append(result.z)
                    times.append(frame.time_s)
        finally:
            model.close()
    if not frames_xy:
        raise NoPersonError(f"{path}: no person found in the front-view clip")
    names = BlazePose.landmark_names
    lm = Landmarks(names, np.array(frames_xy), np.array(frames_vis), (0, 0), np.array(frames_z))
    notices = []
    yaw = np.nanmedian(body_yaw(lm, np.array(times)))
    if yaw > settings.view.front_max_yaw_deg:
        notices.append(
            Notice(
                "front_clip_not_front",
                f"The --front clip is not a front view (body yaw {yaw:.0f} deg); "
                "the stance measured from it is approximate.",
            )
        )
    hip_y = np.nanmean([lm.point("left_hip")[:, 1], lm.point("right_hip")[:, 1]], axis=0)
    ankle_y = np.nanmean([lm.point("left_ankle")[:, 1], lm.point("right_ankle")[:, 1]], axis=0)
    height = ankle_y - hip_y
    standing = height >= _STANDING_SHARE * np.nanmax(height)
    label, ratio, toe_out = stance_from_front(
        lm.xy[standing],
        names=names,
        visibility=lm.visibility[standing],
        min_visibility=settings.pose.min_visibility,
        stance_narrow_max_ratio=settings.findings.stance_narrow_max_ratio,
        stance_wide_min_ratio=settings.findings.stance_wide_min_ratio,
        foot_to_shank=settings.findings.foot_to_shank,
    )
    return label, ratio, toe_out, notices
