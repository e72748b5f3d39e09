"""The analysis, stage by stage: input -> pose -> kinematics -> reps -> baseline -> (findings).

Each stage is a function that takes a trial (or arrays) and returns a new one; this
module only calls them in order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np

from squatlab.errors import NoPersonError
from squatlab.findings.assess import assess
from squatlab.io.video import VideoInfo, check_clip_length, decoded_notices, is_variable_frame_rate, probe
from squatlab.kinematics.baseline import apply_baseline
from squatlab.kinematics.lumbopelvic import LumboPelvicModel, lumbo_pelvic
from squatlab.kinematics.video import clean_landmarks, joint_channels, leg_length
from squatlab.pose.blazepose import BlazePose, native_stderr_silenced
from squatlab.pose.identity import track_segments
from squatlab.pose.outline import OutlineSampler
from squatlab.pose.run import run_pose
from squatlab.reps.stage import find_squat_reps
from squatlab.scene.checks import frame_notices, view_notices
from squatlab.scene.view import assess_view, body_yaw
from squatlab.settings import Settings
from squatlab.trial import Context, Landmarks, Notice, Source, Trial


def video_source(info: VideoInfo, *, variable_frame_rate: bool, details: dict, settings: Settings) -> Source:
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
        pelvis_error_deg=settings.outline.pelvis_error_deg,
        lumbar_error_deg=settings.outline.lumbar_error_deg,
        details=details,
    )


def analyze_video(
    path: Path,
    *,
    settings: Settings | None = None,
    context: Context | None = None,
    person: int | None = None,
    on_start: Callable[[VideoInfo], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Trial:
    """Analyse one squat video and return the trial with its reps, findings and warnings."""
    settings = settings or Settings()
    trial = track_video(path, settings=settings, context=context, person=person, on_start=on_start, progress=progress)
    return finish_video(trial, settings)


def finish_video(trial: Trial, settings: Settings, *, model: LumboPelvicModel | None = None) -> Trial:
    """Everything after the pose pass: reps, pelvis tilt and lumbar flexion (which need the
    reps' standing windows), the baseline and the findings.

    ``model`` replaces the shipped outline model (the benchmark scores models fitted
    without the clip at hand).
    """
    trial = find_squat_reps(trial, settings.reps, settings.view)
    o = settings.outline
    source = replace(trial.source, pelvis_error_deg=o.pelvis_error_deg, lumbar_error_deg=o.lumbar_error_deg)
    channels, notices = lumbo_pelvic(trial, model=model, limits=o)
    trial = apply_baseline(replace(trial, source=source).with_channels(**channels).with_notices(*notices))
    return assess(trial, settings)


def track_video(
    path: Path,
    *,
    settings: Settings,
    context: Context | None = None,
    person: int | None = None,
    on_start: Callable[[VideoInfo], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Trial:
    """The pose pass and what follows from the landmarks alone: view, joint angles, warnings."""
    info = probe(path)
    check_clip_length(info, min_duration_s=settings.reps.min_rep_s)
    if on_start is not None:
        on_start(info)
    with native_stderr_silenced():
        model, detector = BlazePose(tracking=True), BlazePose(tracking=False)
        try:
            analyzers = [OutlineSampler(model.landmark_names)]
            pose = run_pose(
                path, info, model, detector, settings.pose, person=person, analyzers=analyzers, progress=progress
            )
        finally:
            model.close()
            detector.close()

    time_s = pose.time_s
    cut_short = decoded_notices(info, time_s, min_duration_s=settings.reps.min_rep_s)
    f = settings.filter
    segments = track_segments(pose.landmarks)
    landmarks, _ = clean_landmarks(
        pose.landmarks, time_s, cutoff_hz=f.cutoff_hz, order=f.order, max_gap_s=f.max_gap_s, segments=segments
    )
    v = settings.view
    view = assess_view(landmarks, time_s, side_min_yaw_deg=v.side_min_yaw_deg, front_max_yaw_deg=v.front_max_yaw_deg)
    leg_px = leg_length(landmarks, time_s, view.leg_side)
    channels = joint_channels(landmarks, time_s, view, leg_ref=leg_px)
    notices = [
        *cut_short,
        *pose.notices,
        *view_notices(view, time_s),
        *frame_notices(landmarks, view, time_s, margin_frac=settings.view.edge_margin_frac),
    ]
    return Trial(
        time_s=time_s,
        source=video_source(
            info,
            variable_frame_rate=is_variable_frame_rate(time_s),
            details={"pose_model": model.name, "people_in_view": pose.people, "followed_person": pose.followed},
            settings=settings,
        ),
        channels=channels,
        landmarks=landmarks,
        view=view,
        notices=tuple(notices),
        context=context or Context(),
        extras={**pose.extras, "leg_length_px": leg_px, "track_segment": segments},
    )


def after_kinematics(trial: Trial, settings: Settings) -> Trial:
    """The stages every source shares: reps, the standing baseline, the findings."""
    trial = find_squat_reps(trial, settings.reps, settings.view)
    trial = apply_baseline(trial)
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
) -> Trial:
    """Analyse a C3D, TRC, OpenSim .mot/.sto or IMU recording."""
    from squatlab.io.lab import load_lab_trial

    settings = settings or Settings()
    trial = load_lab_trial(
        path, fmt=fmt, static=static, imu_sensors=imu_sensors, marker_map=marker_map, settings=settings
    )
    return after_kinematics(replace(trial, context=context or Context()), settings)


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
                result = model(frame.rgb)
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
