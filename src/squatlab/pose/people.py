"""Who is in view, and which of them squats.

BlazePose follows one person. To see everyone, a sample of frames is scanned with
detection in every frame: after each person is found, their region is painted over
and the frame is searched again. The detections are linked into tracks by position;
the person whose hips move up and down the most (relative to their leg length) is
the one who squats. During the full pass, the other people's regions are painted over
so the tracker cannot jump to them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from squatlab.pose.base import PoseModel, PoseResult

_HIPS = ("left_hip", "right_hip")
_ANKLES = ("left_ankle", "right_ankle")
_KNEES = ("left_knee", "right_knee")
# Box padding, as a fraction of the person's height, when painting them out.
_PAD = 0.08
# Hip height over leg length of a person on their feet: about 1 standing, 0.3-0.5 at the
# bottom of a deep squat; below the feet or far above standing is no body at all.
_MIN_HIP_HEIGHT = 0.1
_MAX_HIP_HEIGHT = 1.5


@dataclass(frozen=True)
class Detection:
    time_s: float
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels
    hip: tuple[float, float]
    hip_height: float  # ankle-to-hip height over leg length

    @property
    def size(self) -> float:
        return max(self.box[2] - self.box[0], self.box[3] - self.box[1])

    @property
    def plausible(self) -> bool:
        """Whether the hips lie between the feet and a standing height (else the pose is a
        ghost fitted to a rack or a plate, or flipped upside down)."""
        return bool(_MIN_HIP_HEIGHT <= self.hip_height <= _MAX_HIP_HEIGHT)


@dataclass
class Track:
    detections: list[Detection] = field(default_factory=list)

    @property
    def median_x(self) -> float:
        return float(np.median([d.hip[0] for d in self.detections]))

    @property
    def motion(self) -> float:
        """Up-and-down range of the hips, in leg lengths (10th to 90th percentile)."""
        heights = np.array([d.hip_height for d in self.detections if d.plausible])
        if heights.size < 2:
            return 0.0
        return float(np.percentile(heights, 90) - np.percentile(heights, 10))

    def box_at(self, t: float, max_gap_s: float) -> tuple[float, float, float, float] | None:
        """The box interpolated at time ``t``, or None when the track has no sample near ``t``."""
        times = np.array([d.time_s for d in self.detections])
        if np.min(np.abs(times - t)) > max_gap_s:
            return None
        boxes = np.array([d.box for d in self.detections])
        return tuple(float(np.interp(t, times, boxes[:, k])) for k in range(4))  # type: ignore[return-value]

    def hip_at(self, t: float) -> tuple[float, float]:
        times = np.array([d.time_s for d in self.detections])
        hips = np.array([d.hip for d in self.detections])
        return float(np.interp(t, times, hips[:, 0])), float(np.interp(t, times, hips[:, 1]))


def _point(result: PoseResult, names: Iterable[str], landmark_names: tuple[str, ...]) -> np.ndarray:
    return np.mean([result.xy[landmark_names.index(n)] for n in names], axis=0)


def mid_hip(result: PoseResult, landmark_names: tuple[str, ...]) -> np.ndarray:
    """The point midway between the hips (pixels)."""
    return _point(result, _HIPS, landmark_names)


def describe(result: PoseResult, time_s: float, landmark_names: tuple[str, ...]) -> Detection:
    hip = mid_hip(result, landmark_names)
    knee = _point(result, _KNEES, landmark_names)
    ankle = _point(result, _ANKLES, landmark_names)
    leg = np.linalg.norm(hip - knee) + np.linalg.norm(knee - ankle)
    height = (ankle[1] - hip[1]) / leg if leg > 0 else np.nan
    return Detection(time_s, result.bbox(), (float(hip[0]), float(hip[1])), float(height))


def paint_out(rgb: np.ndarray, boxes: list[tuple[float, float, float, float]], keep=None) -> np.ndarray:
    """A copy of ``rgb`` with each box filled with the frame's median colour.

    Pixels inside ``keep`` (a box) are left as they were.
    """
    out = rgb.copy()
    height, width = rgb.shape[:2]
    fill = np.median(rgb.reshape(-1, 3)[:: max(1, rgb.size // 30000)], axis=0).astype(rgb.dtype)
    for x0, y0, x1, y1 in boxes:
        pad = _PAD * max(x1 - x0, y1 - y0)
        xa, ya = max(0, int(x0 - pad)), max(0, int(y0 - pad))
        xb, yb = min(width, int(x1 + pad) + 1), min(height, int(y1 + pad) + 1)
        out[ya:yb, xa:xb] = fill
    if keep is not None:
        x0, y0, x1, y1 = (int(v) for v in keep)
        x0, y0 = max(0, x0), max(0, y0)
        out[y0 : y1 + 1, x0 : x1 + 1] = rgb[y0 : y1 + 1, x0 : x1 + 1]
    return out


def detect_people(model: PoseModel, rgb: np.ndarray, time_s: float, *, max_people: int) -> list[Detection]:
    """Everyone ``model`` (in detection mode) finds in one frame, one at a time."""
    found: list[Detection] = []
    work = rgb
    for _ in range(max_people):
        result = model(work)
        if result is None:
            break
        detection = describe(result, time_s, model.landmark_names)
        if any(_overlap(detection.box, d.box) > 0.5 for d in found):
            break  # the model found the painted-over person again
        found.append(detection)
        work = paint_out(work, [detection.box])
    return found


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """Intersection over the smaller box's area."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return float(w * h / smaller) if smaller > 0 else 0.0


def link_tracks(samples: list[list[Detection]]) -> list[Track]:
    """Link per-frame detections into tracks, nearest hip first, within half a body size."""
    tracks: list[Track] = []
    for detections in samples:
        free = list(range(len(tracks)))
        for det in sorted(detections, key=lambda d: -d.size):
            best, best_dist = None, np.inf
            for k in free:
                last = tracks[k].detections[-1]
                dist = np.hypot(det.hip[0] - last.hip[0], det.hip[1] - last.hip[1]) / max(last.size, 1.0)
                if dist < best_dist:
                    best, best_dist = k, dist
            if best is not None and best_dist < 0.5:
                tracks[best].detections.append(det)
                free.remove(best)
            else:
                tracks.append(Track([det]))
    return tracks


def people_in_view(tracks: list[Track], n_samples: int, *, min_fraction: float) -> list[Track]:
    """Tracks seen as a plausible body often enough to be in view (not passing through), left to right."""
    kept = [t for t in tracks if sum(d.plausible for d in t.detections) >= max(1, min_fraction * n_samples)]
    return sorted(kept, key=lambda t: t.median_x)


def choose_squatter(people: list[Track], person: int | None = None) -> int:
    """Index into ``people`` of the person to follow: ``person`` (1 = leftmost) or the one who moves most."""
    if person is not None:
        return person - 1
    return int(np.argmax([t.motion + 1e-6 * len(t.detections) for t in people]))
