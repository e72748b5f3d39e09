"""Follow one lifter through a video, also where the person detector cannot find them.

MediaPipe's own loop looks for the person where the last pose was, and as soon as the
landmark model's pose score drops below 0.5 it runs the person detector again. That
detector finds people by the face. At the bottom of a barbell squat filmed from the side
the plates cover the face (and a rack upright or the frame's edge may cover more): the
detector finds nobody, and the lifter is lost exactly at the bottom of each rep.

The follower keeps looking where the lifter was. In each frame it tries, in turn:

1. the region the last pose gives (MediaPipe's tracking), kept when the score is >= 0.5;
2. the detector, taking the person nearest to where the lifter was;
3. seeds from the last confident frame: its region, and that region moved on by the body's
   own motion over the last half second (for at most ``reseed_s`` after it);
4. with nobody seen for longer, a scan: the landmark model on a coarse grid of regions
   (after ``scan_every_s``, then after twice as long each time it finds nobody), for a
   lifter whose face never shows.

The best of these is kept when its pose score reaches ``keep_min`` and its hips lie in
the region it was found in; the score goes with the pose (``PoseResult.presence``), so
later stages know how far to trust that frame. Nothing here knows about squats.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace

import numpy as np

from squatlab.pose.base import PoseResult, Region, RegionPoseModel

_HIPS = ("left_hip", "right_hip")
_ANKLES = ("left_ankle", "right_ankle")
# How much of the recent past sets the body's velocity for a seed.
_VELOCITY_WINDOW_S = 0.5
# A seed never moves further than this share of the region's size from the last region.
_MAX_SEED_SHIFT = 0.5
# A low-score pose is followed to a region no more than this share of a region size away
# and with a size within this factor of the last confident one; otherwise the follower
# keeps looking where it was (a low-score pose may be half wrong and must not drag it away).
_MAX_DRIFT = 0.35
_MAX_SIZE_CHANGE = 1.4
# Since the last confident pose, hips and feet (their midpoints) move at most this share
# of the body's region, plus these shares per second (a region is about 2 m: the hips
# 2 m/s, the feet 1 m/s, a brisk walk); a larger jump is not the same body, or the model
# took a plate for a head and fitted a smaller body to it.
_MAX_JUMP = 0.1
_MAX_HIP_SPEED = 1.0
_MAX_FOOT_SPEED = 0.5
# The grid searched when the detector finds nobody: region sizes (in frame heights), the
# spacing of their centres (in region sizes) and the hips' heights (in frame heights);
# and how many of its best regions are followed up.
_SCAN_SIZES = np.array([0.55, 0.8, 1.15])
_SCAN_STEP = 0.3
_SCAN_HIP_HEIGHTS = np.array([0.45, 0.6])
_SCAN_FOLLOW_UP = 2
# A detection counts as the lifter when its region's centre lies within this many region
# sizes of where the lifter was, and its size within this factor of theirs.
_SAME_PERSON = 0.75
_SAME_SIZE = 2.0


@dataclass(frozen=True)
class _Seen:
    time_s: float
    region: Region


class Follower:
    """Per frame, the pose of the one person being followed (or None), with its score and source."""

    def __init__(
        self,
        model: RegionPoseModel,
        *,
        track_min: float = 0.5,
        keep_min: float = 0.2,
        reseed_s: float = 2.0,
        scan_every_s: float | None = 1.0,
    ) -> None:
        self._model = model
        self._track_min = track_min
        self._keep_min = keep_min
        self._reseed_s = reseed_s
        self._scan_every_s = scan_every_s
        self._hips = [model.landmark_names.index(n) for n in _HIPS]
        self._ankles = [model.landmark_names.index(n) for n in _ANKLES]
        self.reset()

    def reset(self) -> None:
        self._region: Region | None = None  # where to look in the next frame
        self._confident: deque[_Seen] = deque()  # recent confidently found regions
        self._next_scan = -np.inf
        self._scan_wait = self._scan_every_s or 0.0
        # The last confident pose's mid-hip and mid-ankle (pixels) and its time.
        self._anchor: tuple[np.ndarray, np.ndarray, float] | None = None

    def __call__(self, rgb: np.ndarray, time_s: float) -> PoseResult | None:
        tried: list[tuple[PoseResult, Region]] = []
        if self._region is not None:
            result = replace(self._model.landmarks_in(rgb, self._region), source="tracked")
            if result.presence >= self._track_min and self._plausible(result, self._region, time_s):
                return self._accept(result, self._region, time_s)
            tried.append((result, self._region))
        region = self._detected(rgb, time_s)
        if region is not None:
            result = replace(self._model.landmarks_in(rgb, region), source="detected")
            if result.presence >= self._track_min and self._plausible(result, region, time_s):
                return self._accept(result, region, time_s)
            tried.append((result, region))
        for seed in self._seeds(time_s):
            tried.append((replace(self._model.landmarks_in(rgb, seed), source="reseeded"), seed))
        if region is None and self._last(time_s) is None:
            found = self._scan(rgb, time_s)
            if found is not None:
                return self._accept(*found, time_s)
        kept = [(r, g) for r, g in tried if r.presence >= self._keep_min and self._plausible(r, g, time_s)]
        if not kept:
            self._region = None
            return None
        result, region = max(kept, key=lambda c: c[0].presence)
        return self._accept(result, region, time_s)

    def _scan(self, rgb: np.ndarray, time_s: float) -> tuple[PoseResult, Region] | None:
        """Look for a body where the detector finds no face: the landmark model on a coarse grid
        of regions (``scan_every_s`` after the last scan, twice as long after each empty one);
        the best is followed one step to centre it and kept when its score then reaches
        ``track_min``."""
        if self._scan_every_s is None or time_s < self._next_scan:
            return None
        # An empty scene is scanned less and less often; finding someone resets the wait.
        self._next_scan, self._scan_wait = time_s + self._scan_wait, 2 * self._scan_wait
        height, width = rgb.shape[:2]
        scored = [(self._model.landmarks_in(rgb, g), g) for g in scan_regions(width, height)]
        scored = [(r, g) for r, g in scored if r.presence >= self._keep_min and self._plausible(r, g, time_s)]
        for result, region in sorted(scored, key=lambda c: -c[0].presence)[:_SCAN_FOLLOW_UP]:
            centred = result.next_region or region
            again = replace(self._model.landmarks_in(rgb, centred), source="scanned")
            if again.presence >= self._track_min and self._plausible(again, centred, time_s):
                return again, centred
        return None

    def _accept(self, result: PoseResult, region: Region, time_s: float) -> PoseResult:
        self._scan_wait = self._scan_every_s or 0.0
        if result.presence >= self._track_min:
            self._anchor = (result.xy[self._hips].mean(axis=0), result.xy[self._ankles].mean(axis=0), time_s)
            self._region = result.next_region or region
            self._confident.append(_Seen(time_s, self._region))
            while self._confident and self._confident[0].time_s < time_s - _VELOCITY_WINDOW_S:
                self._confident.popleft()
        else:
            self._region = region if not self._close(result.next_region, region) else result.next_region
        return result

    def _close(self, candidate: Region | None, region: Region) -> bool:
        if candidate is None:
            return False
        reference = self._confident[-1].region.size if self._confident else region.size
        shift = np.hypot(candidate.x - region.x, candidate.y - region.y)
        ratio = candidate.size / reference
        return bool(shift <= _MAX_DRIFT * region.size and 1 / _MAX_SIZE_CHANGE <= ratio <= _MAX_SIZE_CHANGE)

    def _detected(self, rgb: np.ndarray, time_s: float) -> Region | None:
        """The detected person to try: the one nearest where the lifter was, or the best one."""
        detections = self._model.detect(rgb)
        if not detections:
            return None
        last = self._last(time_s)
        if last is None:
            return detections[0][1]
        near = [
            (np.hypot(r.x - last.x, r.y - last.y), r)
            for _, r in detections
            if np.hypot(r.x - last.x, r.y - last.y) <= _SAME_PERSON * last.size
            and 1 / _SAME_SIZE <= r.size / last.size <= _SAME_SIZE
        ]
        return min(near, key=lambda d: d[0])[1] if near else None

    def _last(self, time_s: float) -> Region | None:
        """The last confident region, if recent enough to seed from."""
        if not self._confident or time_s - self._confident[-1].time_s > self._reseed_s:
            return None
        return self._confident[-1].region

    def _seeds(self, time_s: float) -> list[Region]:
        last = self._last(time_s)
        if last is None:
            return []
        seeds = [last]
        first, newest = self._confident[0], self._confident[-1]
        span = newest.time_s - first.time_s
        if span > 0:
            ahead = time_s - newest.time_s
            dx = (newest.region.x - first.region.x) / span * ahead
            dy = (newest.region.y - first.region.y) / span * ahead
            shift = np.hypot(dx, dy)
            if shift > 0.05 * last.size:
                cap = min(1.0, _MAX_SEED_SHIFT * last.size / shift)
                seeds.append(last.moved(dx * cap, dy * cap))
        return [s for s in seeds if s != self._region]

    def _plausible(self, result: PoseResult, region: Region, time_s: float) -> bool:
        """Whether the pose's hips lie inside the region it was found in (else it is not a body
        there), and its hips and feet no further from the last kept ones than a body moves
        (else it is someone else, or the model took a plate for a head and fitted a body to it)."""
        hip, ankle = result.xy[self._hips].mean(axis=0), result.xy[self._ankles].mean(axis=0)
        if not (np.all(np.isfinite(hip)) and np.all(np.isfinite(ankle))):
            return False
        if np.hypot(hip[0] - region.x, hip[1] - region.y) > 0.5 * region.size:
            return False
        last = self._last(time_s)
        if self._anchor is None or last is None:
            return True
        last_hip, last_ankle, t = self._anchor
        dt = max(time_s - t, 0.0)
        hip_reach = (_MAX_JUMP + _MAX_HIP_SPEED * dt) * last.size
        ankle_reach = (_MAX_JUMP + _MAX_FOOT_SPEED * dt) * last.size
        return bool(np.hypot(*(hip - last_hip)) <= hip_reach and np.hypot(*(ankle - last_ankle)) <= ankle_reach)


def scan_regions(width: int, height: int) -> list[Region]:
    """A coarse grid of square regions over the frame, sized for a person from about 40 % to
    all of its height (a standing body fills about 0.8 of the region MediaPipe gives it)."""
    regions = []
    for size in _SCAN_SIZES * height:
        step = _SCAN_STEP * size
        xs = np.arange(step / 2, width, step) if width > step else [width / 2]
        for x in xs:
            for y in _SCAN_HIP_HEIGHTS * height:
                regions.append(Region(float(x), float(y), float(size)))
    return regions
