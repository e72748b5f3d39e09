"""The second pass over the video: the overlay video and the keyframes of each rep.

Each rep gets two keyframes, cut from the full-resolution frame around the lifter with the
same box so that they sit side by side: the descent peak (where the pelvis tipped furthest
forward on the way down; the reference a butt wink is measured from) and the bottom. Each
shows the skeleton, the trunk line, the back's outline and the two angles read there.

The overlay is encoded on its own thread while the next frames are decoded and drawn
(FFmpeg works outside the GIL), a few frames in flight at most.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np

from squatlab import conventions as cv
from squatlab.io.video import iter_frames
from squatlab.report.draw import draw_labels, draw_pose, draw_text_block, frame_caption
from squatlab.timing import stage
from squatlab.trial import Rep, Trial

# Longest side of the overlay video: enough to see the skeleton, small enough to encode quickly.
# 960 rather than 1280 halves the encoding time (measured: 4.9 against 8.9 ms a frame, docs/speed.md).
OVERLAY_MAX_SIDE = 960
# Longest side of a keyframe: the lifter at full resolution up to this, scaled down beyond it
# (a 4K clip) to keep the report light.
KEYFRAME_MAX_SIDE = 900
# Space left around the lifter in a keyframe, as a share of the lifter's box.
_MARGIN = 0.12
ROLE_TITLES = {"descent_peak": "On the way down", "bottom": "Bottom"}


@dataclass(frozen=True)
class Keyframe:
    """One picture of a rep: ``role`` is ``descent_peak`` or ``bottom``; ``image`` is RGB with
    ``labels`` (the angles read there) drawn in."""

    rep: int
    role: str
    frame: int
    time_s: float
    image: np.ndarray
    labels: tuple[str, ...] = ()


def _scale_for(width: int, height: int, max_side: int) -> float:
    return min(1.0, max_side / max(width, height))


def _resize(rgb: np.ndarray, scale: float, *, even: bool = False) -> np.ndarray:
    h, w = rgb.shape[:2]
    nw, nh = max(2, round(w * scale)), max(2, round(h * scale))
    if even:
        nw, nh = nw - nw % 2, nh - nh % 2
    if (nw, nh) == (w, h):
        return rgb
    return cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_AREA)


def descent_peak_frame(trial: Trial, rep: Rep, *, min_conf: float) -> int:
    """The frame where the pelvis tipped furthest forward on the way down.

    The butt-wink finding's own descent peak where it was judged; else the most anterior
    confident pelvis tilt of the descent; else the middle of the descent.
    """
    row = next((r for r in trial.findings.get("reps", []) if r.get("index") == rep.index), {})
    wink = row.get("butt_wink") or {}
    for f in (wink.get("evidence") or {}).get("frames", []):
        if f.get("role") == "descent_peak":
            return int(f["frame"])
    pelvis = trial.channels.get(cv.PELVIS_TILT)
    if pelvis is not None and not pelvis.is_absent:
        sl = slice(rep.start_frame, rep.bottom_frame + 1)
        values = np.where(pelvis.conf[sl] >= min_conf, pelvis.values[sl], np.nan)
        if np.isfinite(values).any():
            return rep.start_frame + int(np.nanargmax(values))
    return (rep.start_frame + rep.bottom_frame) // 2


def keyframe_plan(trial: Trial, *, min_conf: float) -> list[tuple[int, str, int]]:
    """(rep, role, frame) of every keyframe, in rep order."""
    plan = []
    for rep in trial.reps:
        plan.append((rep.index, "descent_peak", descent_peak_frame(trial, rep, min_conf=min_conf)))
        plan.append((rep.index, "bottom", rep.bottom_frame))
    return plan


def crop_box(trial: Trial, frames: list[int]) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) around the lifter in all ``frames`` (landmarks and back outline), with a margin."""
    width, height = trial.landmarks.image_size
    points = [trial.landmarks.xy[frames].reshape(-1, 2)]
    outline = trial.extras.get(cv.TRUNK_OUTLINE_XY)
    if outline is not None:
        points.append(np.asarray(outline)[frames].reshape(-1, 2))
    pts = np.concatenate(points)
    pts = pts[np.isfinite(pts).all(axis=1)]
    if pts.size == 0:
        return 0, 0, width, height
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    pad = _MARGIN * max(x1 - x0, y1 - y0)
    box = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(width, int(np.ceil(box[2]))), min(height, int(np.ceil(box[3])))
    return (x0, y0, x1, y1) if x1 - x0 >= 8 and y1 - y0 >= 8 else (0, 0, width, height)


def angle_labels(trial: Trial, frame: int, *, min_conf: float) -> list[str]:
    """Pelvis tilt and lumbar flexion at ``frame`` vs standing; a dash where not measured with confidence."""
    lines = []
    for name in cv.LUMBO_PELVIC:
        ch = trial.channels.get(name)
        label = cv.CHANNELS[name].label
        if ch is None or ch.is_absent or not np.isfinite(ch.values[frame]) or ch.conf[frame] < min_conf:
            lines.append(f"{label}: –")
        else:
            lines.append(f"{label}: {ch.values[frame]:+.0f}°")
    return lines


def _keyframe(trial: Trial, rgb: np.ndarray, frame: int, box: tuple[int, int, int, int], min_conf: float) -> np.ndarray:
    x0, y0, x1, y1 = box
    scale = _scale_for(x1 - x0, y1 - y0, KEYFRAME_MAX_SIDE)
    crop = _resize(np.ascontiguousarray(rgb[y0:y1, x0:x1]), scale)
    drawn = draw_pose(crop, trial, frame, scale=scale, origin=(x0, y0))
    return draw_labels(drawn, angle_labels(trial, frame, min_conf=min_conf))


def render_media(
    trial: Trial,
    video_path: Path,
    *,
    overlay_path: Path | None,
    min_conf: float,
    progress: Callable[[int], None] | None = None,
) -> list[Keyframe]:
    """Write the overlay video (unless ``overlay_path`` is None) and return the keyframes."""
    plan = keyframe_plan(trial, min_conf=min_conf) if trial.landmarks is not None else []
    boxes = {rep: crop_box(trial, [f for r, _, f in plan if r == rep]) for rep in dict.fromkeys(r for r, _, _ in plan)}
    wanted: dict[int, list[tuple[int, str]]] = {}
    for rep, role, frame in plan:
        wanted.setdefault(frame, []).append((rep, role))
    last_needed = max(wanted, default=-1)
    found: dict[tuple[int, str], Keyframe] = {}
    overlay = _Overlay(overlay_path, trial.source.fps) if overlay_path is not None else None
    try:
        for frame in iter_frames(video_path):
            if frame.index >= trial.n_frames or (overlay is None and frame.index > last_needed):
                break
            for rep, role in wanted.get(frame.index, []):
                rgb = frame.rgb  # converted (and timed as decoding) before the report's clock starts
                with stage("report"):
                    image = _keyframe(trial, rgb, frame.index, boxes[rep], min_conf)
                    labels = tuple(angle_labels(trial, frame.index, min_conf=min_conf))
                    time_s = float(trial.time_s[frame.index])
                    found[(rep, role)] = Keyframe(rep, role, frame.index, time_s, image, labels)
            if overlay is not None:
                rgb = frame.rgb
                with stage("overlay"):
                    scale = _scale_for(rgb.shape[1], rgb.shape[0], OVERLAY_MAX_SIDE)
                    image = draw_pose(_resize(rgb, scale, even=True), trial, frame.index, scale=scale)
                    image = draw_text_block(image, frame_caption(trial, frame.index))
                overlay.add(image)
            if progress is not None:
                progress(1)
        if overlay is not None:
            overlay.finish()
    finally:
        if overlay is not None:
            overlay.close()
    return [found[(rep, role)] for rep, role, _ in plan if (rep, role) in found]


class _Overlay:
    """overlay.mp4, opened on the first frame (its size is known then) and encoded (H.264) on a
    thread of its own."""

    _END = None

    def __init__(self, path: Path, fps: float) -> None:
        self.path, self.fps = path, fps
        self._container = self._stream = None
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=4)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def add(self, image: np.ndarray) -> None:
        if self._thread is None:
            self._container, self._stream = _open_writer(self.path, image, self.fps)
            self._thread = threading.Thread(target=self._run, name="overlay-encoder", daemon=True)
            self._thread.start()
        if self._error is not None:
            raise self._error
        self._queue.put(image)

    def _run(self) -> None:
        try:
            while (image := self._queue.get()) is not self._END:
                with stage("overlay"):
                    for packet in self._stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                        self._container.mux(packet)
            with stage("overlay"):
                for packet in self._stream.encode():
                    self._container.mux(packet)
        except BaseException as exc:  # raised on the caller's thread
            self._error = exc
            while self._queue.get() is not self._END:  # let the producer finish
                pass

    def finish(self) -> None:
        """Encode what is queued and flush the encoder."""
        if self._thread is None:
            return
        self._queue.put(self._END)
        self._thread.join()
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        if self._thread is not None and self._thread.is_alive():  # stopped by an error on the caller's side
            self._queue.put(self._END)
            self._thread.join()
        if self._container is not None:
            self._container.close()


def _open_writer(path: Path, first: np.ndarray, fps: float):  # PyAV's types are not exported
    container = av.open(str(path), mode="w")
    rate = max(1, round(fps or 30))
    stream = container.add_stream("libx264", rate=rate)
    stream.width, stream.height = first.shape[1], first.shape[0]
    stream.pix_fmt = "yuv420p"
    stream.options = {"crf": "23", "preset": "veryfast"}
    return container, stream
