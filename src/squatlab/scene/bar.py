"""A barbell on the back: the plates seen as a disc at the shoulders, and the bar's path.

Filmed from the side, the plates at the near end of a back-squat bar are a disc centred
on the bar, which rests on the upper back. Per frame, while the frame is at hand, the
part of the picture around the shoulders is searched for circles (OpenCV's Hough
transform on a copy scaled to a fixed trunk length); each circle is scored by how much
of its rim is an edge running along it, which a plate's rim is and a chance arc of
clutter is not. Over the clip, a bar is on the back when such a disc of one size is
seen in most frames, close to the shoulders; its centre, frame by frame, is the bar's path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from squatlab.pose.base import PoseResult
from squatlab.settings import BarSettings
from squatlab.trial import Landmarks, Notice

# The crop is scaled so that the trunk (hip to shoulder) is this many pixels long.
_TRUNK_PX = 60.0
# The crop reaches this many trunk lengths from the mid-shoulder.
_REACH = 1.3
# Plates of 30-45 cm across on a trunk of about 50 cm: a radius of 0.3-0.45 trunk lengths;
# the range is wider for perspective and the trunk's foreshortening.
_MIN_RADIUS = 0.35
_MAX_RADIUS = 0.8
# Circles compared per frame, circles kept per frame, and samples along each rim.
_CANDIDATES = 8
KEPT = 3
_RIM_SAMPLES = 72
_MIN_EDGE = 12.0  # gradient magnitude (grey levels per pixel, after smoothing) of a rim point
_MIN_ALIGNMENT = 0.8  # |cos| between the gradient and the rim's normal at a rim point
# Frames of trunk lengths remembered, and frames without a pose in which to look around the last plate.
_TRUNK_MEMORY = 150
_KEEP_LOOKING = 60
# A faint disc joins the bar's path when it lies at most _MAX_STEP radii per frame from where the
# plate was (a plate moving 1 m/s at 25 frames/s moves 0.2 radii per frame), at most
# _PATH_GAP frames after it was last seen.
_MAX_STEP = 0.3
_PATH_GAP = 30


def find_discs(rgb: np.ndarray, shoulder: np.ndarray, trunk_px: float) -> np.ndarray:
    """The ``KEPT`` most disc-like circles around ``shoulder``, best first: rows of (x, y, radius,
    rim score) in pixels; NaN rows where there are fewer. The rim score is the share of the rim
    that is an edge along it."""
    import cv2

    found = np.full((KEPT, 4), np.nan)
    if not (np.all(np.isfinite(shoulder)) and np.isfinite(trunk_px) and trunk_px > 4):
        return found
    reach = _REACH * trunk_px
    height, width = rgb.shape[:2]
    x0, y0 = int(max(0, shoulder[0] - reach)), int(max(0, shoulder[1] - reach))
    x1, y1 = int(min(width, shoulder[0] + reach)), int(min(height, shoulder[1] + reach))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return found
    scale = _TRUNK_PX / trunk_px
    crop = cv2.resize(rgb[y0:y1, x0:x1], None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    gray = cv2.GaussianBlur(cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY), (5, 5), 1.2)
    circles = cv2.HoughCircles(
        gray,
        cv2.HOUGH_GRADIENT,
        dp=1,
        minDist=0.15 * _TRUNK_PX,
        param1=80,
        param2=15,
        minRadius=int(_MIN_RADIUS * _TRUNK_PX),
        maxRadius=int(_MAX_RADIUS * _TRUNK_PX),
    )
    if circles is None:
        return found
    gx = cv2.Sobel(gray.astype(np.float32), cv2.CV_32F, 1, 0, ksize=3) / 8.0
    gy = cv2.Sobel(gray.astype(np.float32), cv2.CV_32F, 0, 1, ksize=3) / 8.0
    scored = [
        (cx / scale + x0, cy / scale + y0, r / scale, rim_score(gx, gy, float(cx), float(cy), float(r)))
        for cx, cy, r in circles[0][:_CANDIDATES]
    ]
    scored.sort(key=lambda c: -c[3])
    found[: min(KEPT, len(scored))] = scored[:KEPT]
    return found


def rim_score(gx: np.ndarray, gy: np.ndarray, cx: float, cy: float, r: float) -> float:
    """Share of the circle's rim (inside the image) where a strong edge runs along the rim."""
    angles = np.linspace(0, 2 * np.pi, _RIM_SAMPLES, endpoint=False)
    nx, ny = np.cos(angles), np.sin(angles)
    x = np.round(cx + r * nx).astype(int)
    y = np.round(cy + r * ny).astype(int)
    inside = (x >= 0) & (x < gx.shape[1]) & (y >= 0) & (y < gx.shape[0])
    if inside.sum() < _RIM_SAMPLES // 2:
        return 0.0
    g = np.stack([gx[y[inside], x[inside]], gy[y[inside], x[inside]]], axis=1)
    magnitude = np.hypot(g[:, 0], g[:, 1])
    alignment = np.abs(g[:, 0] * nx[inside] + g[:, 1] * ny[inside]) / np.maximum(magnitude, 1e-6)
    return float(np.mean((magnitude >= _MIN_EDGE) & (alignment >= _MIN_ALIGNMENT)))


class DiscSampler:
    """A frame analyzer (see :class:`squatlab.pose.run.FrameAnalyzer`) that looks for a plate at the shoulders.

    Where the pose is lost, it looks around the plate it saw last (for ``_KEEP_LOOKING``
    frames): the plate is what hides the lifter then.
    """

    key = "bar_disc"

    def __init__(self, landmark_names: tuple[str, ...], *, min_rim: float) -> None:
        self._shoulders = [landmark_names.index(n) for n in ("left_shoulder", "right_shoulder")]
        self._hips = [landmark_names.index(n) for n in ("left_hip", "right_hip")]
        self._min_rim = min_rim
        self._trunk: list[float] = []  # recent trunk lengths: the longest is the least foreshortened
        self._last_disc: np.ndarray | None = None
        self._since = 0

    def __call__(self, rgb: np.ndarray, result: PoseResult | None) -> dict[str, np.ndarray]:
        self._since += 1
        anchor = None
        if result is not None:
            anchor = result.xy[self._shoulders].mean(axis=0)
            trunk = float(np.hypot(*(anchor - result.xy[self._hips].mean(axis=0))))
            if np.isfinite(trunk):
                self._trunk = [*self._trunk[-_TRUNK_MEMORY:], trunk]
        elif self._last_disc is not None and self._since <= _KEEP_LOOKING:
            anchor = self._last_disc
        if anchor is None or not self._trunk:
            return {self.key: np.full((KEPT, 4), np.nan)}
        discs = find_discs(rgb, anchor, float(np.percentile(self._trunk, 90)))
        if discs[0, 3] >= self._min_rim:
            self._last_disc, self._since = discs[0, :2], 0
        return {self.key: discs}


@dataclass(frozen=True)
class BarPath:
    """The plates' disc over the clip: where it was seen (NaN elsewhere) and whether a bar is on the back."""

    on_back: bool
    xy: np.ndarray  # (n_frames, 2) disc centre, pixels; NaN where not seen
    radius_px: float
    seen_fraction: float  # of the frames with a pose
    follow: float  # correlation of the disc's height with the shoulders'


def bar_path(discs: np.ndarray, shoulder: np.ndarray, trunk_px: float, settings: BarSettings) -> BarPath:
    """Decide from the per-frame circles (n, KEPT, 4: x, y, radius, rim score; best first) whether a
    bar rides on the back.

    A frame's disc counts when its rim score reaches ``min_rim``, its radius lies within
    ``radius_tolerance`` of the clip's median such radius, and its centre within ``max_offset``
    trunk lengths of the shoulders (``shoulder``: n x 2 pixels, ``trunk_px`` the trunk's
    length). A bar is on the back when such a disc is seen in ``min_seen`` of the frames with
    a pose and moves up and down with the shoulders.
    """
    candidates, discs = discs, discs[:, 0]  # every frame's circles; its most disc-like one
    n = len(discs)
    posed = np.all(np.isfinite(shoulder), axis=1)
    strong = np.isfinite(discs[:, 3]) & (discs[:, 3] >= settings.min_rim)
    if posed.sum() < 2 or strong.sum() < 3:
        return BarPath(False, np.full((n, 2), np.nan), float("nan"), 0.0, float("nan"))
    radius = float(np.median(discs[strong, 2]))
    with np.errstate(invalid="ignore"):
        offset = np.hypot(*(discs[:, :2] - shoulder).T) / trunk_px
        counted = strong & (np.abs(discs[:, 2] - radius) <= settings.radius_tolerance * radius)
        counted &= ~posed | (offset <= settings.max_offset)
    seen = float((counted & posed).sum() / posed.sum())
    both = counted & posed
    follow = _correlation(discs[both, 1], shoulder[both, 1])
    on_back = seen >= settings.min_seen and follow >= settings.min_follow
    xy = np.where(counted[:, None], discs[:, :2], np.nan)
    if on_back:  # the plate is known: a fainter disc of its size on its path is the plate too
        xy = _on_path(candidates, xy, radius, settings)
    return BarPath(bool(on_back), xy, radius, seen, follow)


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson's r; 0 when either does not vary, NaN with fewer than three samples."""
    if a.size < 3:
        return float("nan")
    if np.std(a) == 0 or np.std(b) == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


def _on_path(candidates: np.ndarray, xy: np.ndarray, radius: float, settings: BarSettings) -> np.ndarray:
    """``xy`` with the frames near confidently seen plates filled by following the plate from
    frame to frame (forwards, then backwards): a circle of the plate's size with a third of its
    rim score, at most ``_MAX_STEP`` radii per frame from where the plate was, for at most
    ``_PATH_GAP`` frames without one."""
    out = xy.copy()
    with np.errstate(invalid="ignore"):
        fits = (candidates[:, :, 3] >= settings.min_rim / 3) & (
            np.abs(candidates[:, :, 2] - radius) <= settings.radius_tolerance * radius
        )
    for order in (range(len(xy)), range(len(xy) - 1, -1, -1)):
        last, missed = None, 0
        for i in order:
            if np.isfinite(out[i, 0]):
                last, missed = out[i], 0
                continue
            missed += 1
            if last is None or missed > _PATH_GAP or not fits[i].any():
                continue
            step = np.where(fits[i], np.hypot(*(candidates[i, :, :2] - last).T), np.inf)
            k = int(np.argmin(step))
            if step[k] <= _MAX_STEP * radius * missed:
                out[i] = candidates[i, k, :2]
                last, missed = out[i], 0
    return out


def find_bar(landmarks: Landmarks, discs: np.ndarray | None, settings: BarSettings) -> BarPath | None:
    """:func:`bar_path` for a video's landmarks and the discs the pose pass sampled (None without them)."""
    if discs is None or len(discs) != landmarks.xy.shape[0]:
        return None
    shoulder = np.mean([landmarks.point(f"{s}_shoulder") for s in ("left", "right")], axis=0)
    hip = np.mean([landmarks.point(f"{s}_hip") for s in ("left", "right")], axis=0)
    trunk = np.hypot(*(shoulder - hip).T)
    if not np.isfinite(trunk).any():
        return None
    return bar_path(discs, shoulder, float(np.nanpercentile(trunk, 90)), settings)


def bar_notices(bar: BarPath | None) -> list[Notice]:
    if bar is None or not bar.on_back:
        return []
    return [
        Notice(
            "bar_on_back",
            f"A barbell rides on the back: its plates were seen at the shoulders in {bar.seen_fraction:.0%} of the "
            "frames. Where the plates hide the lifter, the bar's path stands in for the hips' to find the descent "
            "and the bottom of each rep.",
        )
    ]
