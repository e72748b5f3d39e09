"""Run a pose model over a whole video: count the people, follow the one who squats."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from squatlab.errors import InputError, NoPersonError
from squatlab.io.video import VideoFrame, VideoInfo, iter_frames
from squatlab.pose.base import PoseModel, PoseResult
from squatlab.pose.lanes import map_parts, split
from squatlab.pose.pace import fill_skipped, full_rate_zones, pacer
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


def scan_people(
    path: Path,
    detector: PoseModel,
    settings: PoseSettings,
    *,
    more_detectors: Sequence[PoseModel] = (),
    duration_s: float = 0.0,
) -> list[Track]:
    """Detect everyone in frames sampled at ``settings.prescan_hz``.

    With ``more_detectors`` (and the video's ``duration_s``), the video is cut into one
    part per detector and the parts scanned at once (:mod:`squatlab.pose.lanes`).
    """
    step = 1.0 / settings.prescan_hz
    detectors = (detector, *more_detectors)

    def scan(k: int, start_s: float, end_s: float | None) -> Iterator[list]:
        next_t = start_s
        for frame in iter_frames(path, start_s=start_s, end_s=end_s):
            if frame.time_s + 1e-6 >= next_t:
                next_t = frame.time_s + step
                yield detect_people(detectors[k], frame.rgb, frame.time_s, max_people=settings.max_people)

    samples = list(map_parts(split(duration_s, len(detectors)), scan))
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
    progress: Callable[[int], None] | None = None,  # called from several threads
    more_models: Sequence[tuple[PoseModel, PoseModel]] = (),
    stand_tolerance_leg: float = 0.06,
) -> PosePass:
    """Landmarks of the person who squats, per frame, plus what the analyzers measured.

    ``more_models``: further (tracking model, detector) pairs, one per extra core; the
    video is cut into one part per model (:mod:`squatlab.pose.lanes`). While the lifter
    stands (hips within half ``stand_tolerance_leg`` of standing height in the people
    scan), the model runs on every ``settings.slow_stride``-th frame only
    (:mod:`squatlab.pose.pace`).
    """
    people = scan_people(
        path, detector, settings, more_detectors=[d for _, d in more_models], duration_s=info.duration_s
    )
    for finder in (detector, *(d for _, d in more_models)):
        finder.close()  # not needed again: the trackers, made on first use, can reuse their memory
    # A small or dim figure can escape the sampled frames and still be tracked in the
    # full pass; only that pass finding nobody means there is nobody.
    if person is not None and not 1 <= person <= max(len(people), 1):
        raise InputError(
            f"--person {person}: only {len(people)} person(s) in view, numbered 1 to {len(people)} from the left"
        )
    chosen = choose_squatter(people, person) if people else 0
    follow = _Follow(people[chosen] if people else None, [t for k, t in enumerate(people) if k != chosen], settings)

    models = (model, *(m for m, _ in more_models))
    needs_pose = pacer(
        full_rate_zones(follow.followed, stand_tolerance=stand_tolerance_leg / 2, margin_s=settings.full_rate_margin_s),
        settings.slow_stride,
    )

    def track(k: int, start_s: float, end_s: float | None) -> Iterator[_Row]:
        """One part of the video on its own model; the frame and the mask are not kept."""
        since = settings.slow_stride  # frames since the model last ran: it runs on the first
        for frame in iter_frames(path, start_s=start_s, end_s=end_s):
            if progress is not None:  # from every part as it goes (the parts run at once)
                progress(1)
            if not needs_pose(frame.time_s, since):
                since += 1
                yield _Row(frame.time_s, posed=False)
                continue
            since = 1
            result, lost = follow.pose(models[k], frame)
            measured = {key: v for analyzer in analyzers for key, v in analyzer(frame.rgb, result).items()}
            pose = None if result is None else (result.xy, result.z, result.visibility)
            yield _Row(frame.time_s, True, pose, lost, measured)

    rows = list(map_parts(split(info.duration_s, len(models)), track))
    if not rows:
        raise InputError(f"{path}: the video has no frames")
    times, arrays = _stack(rows, len(model.landmark_names), max_gap=settings.slow_stride)
    visibility = arrays.pop("visibility")
    if not np.any(visibility > 0):
        raise NoPersonError(f"{path}: no person found in the video")
    landmarks = Landmarks(
        names=model.landmark_names,
        xy=arrays.pop("xy"),
        visibility=visibility,
        image_size=(info.width, info.height),
        z=arrays.pop("z"),
    )
    dropped = sum(row.lost for row in rows)
    extras = arrays
    notices = _people_notices(len(people), chosen, person, dropped, len(times))
    return PosePass(
        time_s=times,
        landmarks=landmarks,
        people=len(people),
        followed=chosen + 1 if len(people) > 1 else None,
        notices=notices,
        extras=extras,
    )


@dataclass
class _Row:
    """What the pose pass keeps of one frame."""

    time_s: float
    posed: bool  # False: the model skipped it (the lifter stood still); filled in afterwards
    pose: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # xy, z, visibility
    lost: bool = False  # the pose found was someone else's and was dropped
    measured: dict[str, np.ndarray] | None = None  # the analyzers' values


def _stack(rows: list[_Row], n_names: int, *, max_gap: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Per-frame arrays (xy, z, visibility and the analyzers' keys), skipped frames interpolated."""
    times = np.array([r.time_s for r in rows])
    posed = np.array([r.posed for r in rows])
    missing = (np.full((n_names, 2), np.nan), np.full(n_names, np.nan), np.zeros(n_names))
    poses = [r.pose or missing for r in rows]
    arrays = {
        "xy": np.array([p[0] for p in poses]),
        "z": np.array([p[1] for p in poses]),
        "visibility": np.array([p[2] for p in poses]),
    }
    template = next((r.measured for r in rows if r.measured), {})
    for key, value in template.items():
        blank = np.full_like(value, np.nan)
        arrays[key] = np.array([r.measured[key] if r.measured else blank for r in rows])
    return times, fill_skipped(times, posed, arrays, max_gap=max_gap)


class _Follow:
    """Keeping the pose on the followed person: the others painted out, someone else's pose dropped."""

    def __init__(self, followed: Track | None, others: list[Track], settings: PoseSettings) -> None:
        self.followed = followed
        self.others = others
        # The followed person's typical size in the picture, the scale of an identity jump.
        self.size = float(np.median([d.size for d in followed.detections])) if followed is not None else 0.0
        self.max_gap = 1.5 / settings.prescan_hz

    def pose(self, model: PoseModel, frame: VideoFrame) -> tuple[PoseResult | None, bool]:
        """The followed person's pose in ``frame`` (None if the model found someone else), and whether dropped."""
        rgb = frame.rgb
        if self.others:
            boxes = [b for b in (t.box_at(frame.time_s, self.max_gap) for t in self.others) if b is not None]
            keep = self.followed.box_at(frame.time_s, self.max_gap) if self.followed is not None else None
            rgb = paint_out(rgb, boxes, keep=keep) if boxes else rgb
        result = model(rgb)
        if (
            result is not None
            and self.others
            and self.followed
            and not _is_followed(mid_hip(result, model.landmark_names), self.followed, self.size, frame.time_s)
        ):
            return None, True
        return result, False


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
