"""Run a pose model over a whole video: count the people, follow the one who squats."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from squatlab import conventions as cv
from squatlab.errors import InputError, NoPersonError
from squatlab.io.video import VideoInfo, iter_frames
from squatlab.pose.base import PoseModel, PoseResult
from squatlab.pose.people import (
    Track,
    choose_squatter,
    detect_people,
    link_tracks,
    mid_hip,
    paint_out,
    people_in_view,
)
from squatlab.settings import PoseSettings
from squatlab.trial import Landmarks, Notice

# A tracked pose whose hips are further than this (in body sizes) from where the
# followed person should be belongs to someone else and is dropped.
_MAX_IDENTITY_JUMP = 0.5


class FrameAnalyzer(Protocol):
    """Per-frame measurements taken while the frame and the mask are at hand.

    Returns arrays of a fixed shape per key (NaN when ``result`` is None); they are
    stacked over frames into ``Trial.extras``.
    """

    def __call__(self, rgb: np.ndarray, result: PoseResult | None) -> dict[str, np.ndarray]: ...


@dataclass
class PosePass:
    time_s: np.ndarray
    landmarks: Landmarks
    people: int
    followed: int | None  # 1-based, numbered from the left, when several people are in view
    notices: list[Notice] = field(default_factory=list)
    extras: dict[str, np.ndarray] = field(default_factory=dict)


def scan_people(path: Path, detector: PoseModel, settings: PoseSettings) -> list[Track]:
    """Detect everyone in frames sampled at ``settings.prescan_hz``."""
    step = 1.0 / settings.prescan_hz
    next_t = 0.0
    samples = []
    for frame in iter_frames(path):
        if frame.time_s + 1e-6 < next_t:
            continue
        next_t = frame.time_s + step
        samples.append(detect_people(detector, frame.rgb, frame.time_s, max_people=settings.max_people))
    tracks = link_tracks(samples)
    return people_in_view(tracks, len(samples), min_fraction=settings.min_person_fraction)


def run_pose(
    path: Path,
    info: VideoInfo,
    model: PoseModel,
    detector: PoseModel,
    settings: PoseSettings,
    *,
    person: int | None = None,
    analyzers: Sequence[FrameAnalyzer] = (),
    progress: Callable[[int], None] | None = None,
) -> PosePass:
    """Landmarks of the person who squats, per frame, plus what the analyzers measured."""
    people = scan_people(path, detector, settings)
    # A small or dim figure can escape the sampled frames and still be tracked in the
    # full pass; only that pass finding nobody means there is nobody.
    if person is not None and not 1 <= person <= max(len(people), 1):
        raise InputError(
            f"--person {person}: only {len(people)} person(s) in view, numbered 1 to {len(people)} from the left"
        )
    chosen = choose_squatter(people, person) if people else 0
    others = [t for k, t in enumerate(people) if k != chosen]
    followed = people[chosen] if people else None
    # The followed person's typical size in the picture, the scale of an identity jump.
    followed_size = float(np.median([d.size for d in followed.detections])) if followed is not None else 0.0
    max_gap = 1.5 / settings.prescan_hz

    n_names = len(model.landmark_names)
    times: list[float] = []
    xy: list[np.ndarray] = []
    z: list[np.ndarray] = []
    vis: list[np.ndarray] = []
    extras: dict[str, list[np.ndarray]] = {}
    presence: list[float] = []
    sources: list[int] = []
    dropped = 0
    for frame in iter_frames(path):
        rgb = frame.rgb
        if others:
            boxes = [b for b in (t.box_at(frame.time_s, max_gap) for t in others) if b is not None]
            keep = followed.box_at(frame.time_s, max_gap) if followed is not None else None
            rgb = paint_out(rgb, boxes, keep=keep) if boxes else rgb
        result = model(rgb, frame.time_s)
        if (
            result is not None
            and others
            and followed
            and not _is_followed(mid_hip(result, model.landmark_names), followed, followed_size, frame.time_s)
        ):
            result, dropped = None, dropped + 1
        times.append(frame.time_s)
        if result is None:
            xy.append(np.full((n_names, 2), np.nan))
            z.append(np.full(n_names, np.nan))
            vis.append(np.zeros(n_names))
            presence.append(np.nan)
            sources.append(cv.POSE_SOURCES["none"])
        else:
            xy.append(result.xy)
            z.append(result.z)
            # A pose the model itself doubts (a low presence score) is trusted that much less.
            vis.append(result.visibility * min(1.0, result.presence / settings.track_min_presence))
            presence.append(result.presence)
            sources.append(cv.POSE_SOURCES[result.source])
        for analyzer in analyzers:
            for key, value in analyzer(frame.rgb, result).items():
                extras.setdefault(key, []).append(value)
        if progress is not None:
            progress(1)

    if not times:
        raise InputError(f"{path}: the video has no frames")
    visibility = np.array(vis)
    if not np.any(visibility > 0):
        raise NoPersonError(f"{path}: no person found in the video")
    landmarks = Landmarks(
        names=model.landmark_names,
        xy=np.array(xy),
        visibility=visibility,
        image_size=(info.width, info.height),
        z=np.array(z),
    )
    notices = _people_notices(len(people), chosen, person, dropped, len(times))
    return PosePass(
        time_s=np.array(times),
        landmarks=landmarks,
        people=len(people),
        followed=chosen + 1 if len(people) > 1 else None,
        notices=notices,
        extras={
            **{k: np.array(v) for k, v in extras.items()},
            cv.POSE_PRESENCE: np.array(presence),
            cv.POSE_SOURCE: np.array(sources, dtype=np.int8),
        },
    )


def _is_followed(hip: np.ndarray, track: Track, size: float, time_s: float) -> bool:
    """Whether the hips at ``hip`` lie where ``track`` (of typical ``size``) should be at ``time_s``."""
    hx, hy = track.hip_at(time_s)
    return bool(np.hypot(float(hip[0]) - hx, float(hip[1]) - hy) <= _MAX_IDENTITY_JUMP * size)


def _people_notices(n_people: int, chosen: int, person: int | None, dropped: int, n_frames: int) -> list[Notice]:
    notices = []
    if n_people > 1:
        how = "as asked with --person" if person is not None else "the one whose hips move the most"
        notices.append(
            Notice(
                "several_people",
                f"{n_people} people are in view. The analysis follows person {chosen + 1} of {n_people} "
                f"(numbered from the left), {how}; use --person N to follow another.",
            )
        )
    if dropped > 0.05 * n_frames:
        notices.append(
            Notice(
                "identity_lost",
                f"In {dropped} of {n_frames} frames the pose found belonged to someone else and was dropped.",
            )
        )
    return notices
