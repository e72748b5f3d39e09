"""Run a pose model over a whole video: count the people, follow the one who squats.

The pass runs on the cores: the video is cut into consecutive parts, one per core, each
posed by its own model, whose :class:`~squatlab.pose.follow.Follower` keeps the lifter
from frame to frame (:mod:`squatlab.pose.lanes`). The cuts fall where the people scan saw
the lifter standing still. Each part but the last is posed ``pose.part_overlap_s`` past its
end, beside the next part's first frames, and hands over at the first frame where both
followers are on the same body: a follower that starts mid-clip may first take a plate for
a head, the one that has followed the lifter from the start does not. While the lifter
stands still, the model runs on every ``pose.slow_stride``-th frame only and the frames
between are interpolated (:mod:`squatlab.pose.pace`).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from squatlab import conventions as cv
from squatlab.errors import InputError, NoPersonError
from squatlab.io.video import VideoFrame, VideoInfo, iter_frames
from squatlab.pose.base import PoseModel, PoseResult
from squatlab.pose.lanes import map_parts, settled, split
from squatlab.pose.pace import fill_skipped, full_rate_zones, pacer, still_spans
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
# Across a cut, the next part's poses are taken from where both parts' followers are on the
# same body: mid-hip and mid-ankle within this share of the hip-to-ankle distance (about
# 9 cm; frame-to-frame jitter is a few cm), in this many posed frames in a row.
_SAME_BODY = 0.1
_AGREE_FRAMES = 3


class FrameAnalyzer(Protocol):
    """Per-frame measurements taken while the frame and the mask are at hand.

    Returns arrays of a fixed shape per key (NaN when ``result`` is None); they are
    stacked over frames into ``Trial.extras``. An analyzer may keep state from frame to
    frame: each part of the video gets its own (see ``analyzers`` in :func:`run_pose`).
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
    path: Path, detectors: Sequence[PoseModel], settings: PoseSettings, *, duration_s: float = 0.0
) -> list[Track]:
    """Detect everyone in frames sampled at ``settings.prescan_hz``: the first frame at or after
    each multiple of the sampling interval.

    With several ``detectors`` (and the video's ``duration_s``), the video is cut into one
    part per detector, at multiples of the interval, and the parts scanned at once
    (:mod:`squatlab.pose.lanes`). The samples are the same frames as in one pass: which
    people count as in view depends on how often each was seen, and shifting the samples
    by a frame can tip a figure seen in about ``min_person_fraction`` of them either way.
    """
    step = 1.0 / settings.prescan_hz

    def scan(k: int, start_s: float, end_s: float | None) -> Iterator[list]:
        due = math.ceil(start_s / step - 1e-6)  # the next multiple of the interval to sample at
        for frame in iter_frames(path, start_s=start_s, end_s=end_s):
            if frame.time_s + 1e-6 >= due * step:
                due = math.floor((frame.time_s + 1e-6) / step) + 1
                yield detect_people(detectors[k], frame.rgb, frame.time_s, max_people=settings.max_people)

    parts = [
        (round(a / step) * step, None if b is None else round(b / step) * step)
        for a, b in split(duration_s, len(detectors))
    ]
    samples = list(map_parts(parts, scan))
    tracks = link_tracks(samples)
    return people_in_view(tracks, len(samples), min_fraction=settings.min_person_fraction)


def run_pose(
    path: Path,
    info: VideoInfo,
    models: Sequence[tuple[PoseModel, PoseModel]],
    settings: PoseSettings,
    *,
    person: int | None = None,
    analyzers: Callable[[], Sequence[FrameAnalyzer]] = tuple,
    progress: Callable[[int], None] | None = None,  # called from several threads
    stand_tolerance_leg: float = 0.06,
) -> PosePass:
    """Landmarks of the person who squats, per frame, plus what the analyzers measured.

    ``models``: one (tracking model, detector) pair per core; the video is cut into one
    part per pair. ``analyzers`` makes a fresh set of frame analyzers for each part. While
    the lifter stands (hips within half ``stand_tolerance_leg`` of standing height in the
    people scan), the tracking model runs on every ``settings.slow_stride``-th frame only.
    """
    people = scan_people(path, [d for _, d in models], settings, duration_s=info.duration_s)
    for _, finder in models:
        finder.close()  # not needed again: the trackers, made on first use, can reuse their memory
    # A small or dim figure can escape the sampled frames and still be tracked in the
    # full pass; only that pass finding nobody means there is nobody.
    if person is not None and not 1 <= person <= max(len(people), 1):
        raise InputError(
            f"--person {person}: only {len(people)} person(s) in view, numbered 1 to {len(people)} from the left"
        )
    chosen = choose_squatter(people, person) if people else 0
    crowd = _People(people[chosen] if people else None, [t for k, t in enumerate(people) if k != chosen], settings)

    still = still_spans(
        crowd.followed,
        stand_tolerance=stand_tolerance_leg / 2,
        max_gap_s=1.5 / settings.prescan_hz,
        max_move=settings.still_max_move,
    )
    parts = settled(split(info.duration_s, len(models)), still)
    ends = [end for _, end in parts]
    # Each part but the last may read on past its end, until the next part's follower is on the lifter.
    overlap_ends = [None if end is None else min(end + settings.part_overlap_s, ends[k + 1] or np.inf)
                    for k, end in enumerate(ends)]  # fmt: skip
    reads = [(start, end) for (start, _), end in zip(parts, overlap_ends, strict=True)]
    needs_pose = pacer(full_rate_zones(still, margin_s=settings.full_rate_margin_s), settings.slow_stride)
    handover = _Handover(_SameBody(models[0][0].landmark_names), [start for start, _ in parts], settings.part_overlap_s)

    def track(k: int, start_s: float, end_s: float | None) -> Iterator[tuple[int, _Row]]:
        part = _Part(path, models[k][0], analyzers(), crowd, settings, progress)
        return (
            (k, row) for row in part.rows(k, start_s, end_s, own_end=ends[k], needs_pose=needs_pose, handover=handover)
        )

    by_part: list[list[_Row]] = [[] for _ in parts]
    for k, row in map_parts(reads, track):
        by_part[k].append(row)
    rows = handover.stitch(by_part)
    if not rows:
        raise InputError(f"{path}: the video has no frames")
    n_names = len(models[0][0].landmark_names)
    times, arrays = _stack(rows, n_names, max_gap=settings.slow_stride)
    visibility = arrays.pop("visibility")
    if not np.any(visibility > 0):
        raise NoPersonError(f"{path}: no person found in the video")
    landmarks = Landmarks(
        names=models[0][0].landmark_names,
        xy=arrays.pop("xy"),
        visibility=visibility,
        image_size=(info.width, info.height),
        z=arrays.pop("z"),
    )
    dropped = sum(row.lost for row in rows)
    notices = _people_notices(len(people), chosen, person, dropped, len(times))
    return PosePass(
        time_s=times,
        landmarks=landmarks,
        people=len(people),
        followed=chosen + 1 if len(people) > 1 else None,
        notices=notices,
        extras=arrays,
    )


@dataclass
class _Part:
    """One part of the video on its own tracking model and analyzers."""

    path: Path
    tracker: PoseModel
    analyzers: Sequence[FrameAnalyzer]
    crowd: _People
    settings: PoseSettings
    progress: Callable[[int], None] | None

    @property
    def _steady(self) -> float:
        return self.settings.pace_min_presence

    def rows(
        self,
        k: int,
        start_s: float,
        end_s: float | None,
        *,
        own_end: float | None,
        needs_pose: Callable[[float, int], bool],
        handover: _Handover,
    ) -> Iterator[_Row]:
        """Part ``k``'s rows, from ``start_s``; past ``own_end`` (overlapping the next part) every
        frame is posed until the next part's follower is on the same body. The frame and the
        mask are not kept."""
        since = self.settings.slow_stride  # frames since the model last ran: it runs on the first
        steady = False  # whether the last pose was followed from the frame before, with a high score
        for frame in iter_frames(self.path, start_s=start_s, end_s=end_s):
            overlap = own_end is not None and frame.time_s >= own_end
            if overlap and handover.settled(k + 1):
                return
            if self.progress is not None and not overlap:
                self.progress(1)  # from every part as it goes (the parts run at once)
            if steady and not overlap and not needs_pose(frame.time_s, since):
                since += 1
                row = _Row(frame.time_s, posed=False)
            else:
                since = 1
                result, lost = self.crowd.pose(self.tracker, frame)
                measured = {key: v for analyzer in self.analyzers for key, v in analyzer(frame.rgb, result).items()}
                row = _Row.of(frame.time_s, result, lost, measured, self.settings.track_min_presence)
                steady = result is not None and result.source == "tracked" and result.presence >= self._steady
            if overlap:
                handover.compare(k + 1, row)
            else:
                handover.offer(k, row)
            yield row


class _SameBody:
    """Whether two rows of one frame hold poses of the same body: mid-hip and mid-ankle within
    ``_SAME_BODY`` of the hip-to-ankle distance."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self._hips = [names.index(n) for n in ("left_hip", "right_hip")]
        self._ankles = [names.index(n) for n in ("left_ankle", "right_ankle")]

    def __call__(self, a: _Row, b: _Row) -> bool:
        if a.pose is None or b.pose is None:
            return False
        hip_a, hip_b = a.pose[0][self._hips].mean(axis=0), b.pose[0][self._hips].mean(axis=0)
        ankle_a, ankle_b = a.pose[0][self._ankles].mean(axis=0), b.pose[0][self._ankles].mean(axis=0)
        reach = _SAME_BODY * np.hypot(*(hip_a - ankle_a))
        return bool(np.hypot(*(hip_a - hip_b)) <= reach and np.hypot(*(ankle_a - ankle_b)) <= reach)


class _Handover:
    """Where each part's poses take over from the previous part's: the first of
    ``_AGREE_FRAMES`` frames in a row (among those both posed) where both parts' followers are
    on the same body, within ``window_s`` of the part's start; after the window if never.
    Until then the previous part's poses count: its follower has followed the lifter from the
    start, while one that starts mid-clip may take a plate for a head.

    The parts run at once on their own threads: each part offers its first rows, and the
    previous part, reaching them later, compares and stops once they agree.
    """

    def __init__(self, same: Callable[[_Row, _Row], bool], starts: list[float], window_s: float) -> None:
        self._same = same
        self._starts = starts
        self._window = window_s
        self._lock = threading.Lock()
        self._offered: dict[int, dict[float, _Row]] = {k: {} for k in range(len(starts))}
        self._run = dict.fromkeys(range(len(starts)), 0)

    def offer(self, k: int, row: _Row) -> None:
        if k > 0 and row.time_s < self._starts[k] + self._window:
            with self._lock:
                self._offered[k][row.time_s] = row

    def compare(self, k: int, earlier: _Row) -> None:
        """Count the previous part's ``earlier`` row against part ``k``'s row of the same frame."""
        with self._lock:
            later = self._offered[k].get(earlier.time_s)
            if later is not None and later.posed and earlier.posed:
                self._run[k] = self._run[k] + 1 if self._same(earlier, later) else 0

    def settled(self, k: int) -> bool:
        with self._lock:
            return k in self._run and self._run[k] >= _AGREE_FRAMES

    def stitch(self, parts: list[list[_Row]]) -> list[_Row]:
        """One row per frame: each part's own frames, and across each cut the previous part's
        rows until the handover, the part's own from there."""
        out: list[_Row] = []
        current = parts[0]
        for k in range(1, len(parts)):
            later = parts[k]
            start = later[0].time_s if later else np.inf
            overlap = [r for r in current if r.time_s >= start]
            at = self._handover(overlap, later)
            out += [r for r in current if r.time_s < at]
            current = [r for r in later if r.time_s >= at]
        return out + current

    def _handover(self, overlap: list[_Row], later: list[_Row]) -> float:
        by_time = {r.time_s: r for r in later}
        run: list[_Row] = []
        for earlier in overlap:
            mate = by_time.get(earlier.time_s)
            if mate is None or not (mate.posed and earlier.posed):
                continue
            run = [*run, mate] if self._same(earlier, mate) else []
            if len(run) == _AGREE_FRAMES:
                return run[0].time_s
        # Never on the same body (or no overlap): the previous part's rows as far as they go.
        return np.nextafter(overlap[-1].time_s, np.inf) if overlap else (later[0].time_s if later else np.inf)


@dataclass
class _Row:
    """What the pose pass keeps of one frame."""

    time_s: float
    posed: bool  # False: the model skipped it (the lifter stood still); filled in afterwards
    pose: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # xy, z, visibility
    presence: float = np.nan
    source: int = cv.POSE_SOURCES["none"]
    lost: bool = False  # the pose found was someone else's and was dropped
    measured: dict[str, np.ndarray] | None = None  # the analyzers' values

    @classmethod
    def of(
        cls, time_s: float, result: PoseResult | None, lost: bool, measured: dict[str, np.ndarray], track_min: float
    ) -> _Row:
        if result is None:
            return cls(time_s, True, lost=lost, measured=measured)
        # A pose the model itself doubts (a low presence score) is trusted that much less.
        visibility = result.visibility * min(1.0, result.presence / track_min)
        source = cv.POSE_SOURCES[result.source]
        return cls(time_s, True, (result.xy, result.z, visibility), result.presence, source, lost, measured)


def _stack(rows: list[_Row], n_names: int, *, max_gap: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Per-frame arrays (xy, z, visibility, the pose's presence and source, the analyzers' keys),
    skipped frames interpolated."""
    times = np.array([r.time_s for r in rows])
    posed = np.array([r.posed for r in rows])
    missing = (np.full((n_names, 2), np.nan), np.full(n_names, np.nan), np.zeros(n_names))
    poses = [r.pose or missing for r in rows]
    arrays = {
        "xy": np.array([p[0] for p in poses]),
        "z": np.array([p[1] for p in poses]),
        "visibility": np.array([p[2] for p in poses]),
        cv.POSE_PRESENCE: np.array([r.presence for r in rows]),
    }
    template = next((r.measured for r in rows if r.measured), {})
    for key, value in template.items():
        blank = np.full_like(value, np.nan)
        arrays[key] = np.array([r.measured[key] if r.measured else blank for r in rows])
    filled = fill_skipped(times, posed, arrays, max_gap=max_gap)
    # Where a neighbour had no pose, a skipped frame has none either (not a share of one's visibility).
    found = np.isfinite(filled["xy"]).all(axis=2)
    filled["visibility"] = np.where(found, filled["visibility"], 0.0)
    sources = np.array([r.source for r in rows], dtype=np.int8)
    sources[~posed & found.any(axis=1)] = cv.POSE_SOURCES["interpolated"]
    filled[cv.POSE_SOURCE] = sources
    return times, filled


class _People:
    """The people scan's tracks during the full pass: the other people are painted out of each
    frame before the model looks, and a pose that lands on one of them is dropped. It keeps
    no state from frame to frame; following the lifter is the tracking model's
    :class:`~squatlab.pose.follow.Follower`'s job."""

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
        result = model(rgb, frame.time_s)
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
