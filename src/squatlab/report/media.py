"""The second pass over the video: the overlay video and the bottom-of-rep keyframes.

The overlay is encoded on its own thread while the next frames are decoded and drawn
(FFmpeg works outside the GIL), a few frames in flight at most.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from pathlib import Path

import av
import cv2
import numpy as np

from squatlab.io.video import iter_frames
from squatlab.report.draw import draw_pose, draw_text_block, frame_caption
from squatlab.timing import stage
from squatlab.trial import Trial

# Longest side of the overlay video and of the keyframes, pixels: enough to see the
# skeleton, small enough to encode quickly and keep the report light. 960 rather than
# 1280 halves the encoding time (measured: 4.9 against 8.9 ms a frame, docs/speed.md).
OVERLAY_MAX_SIDE = 960
KEYFRAME_MAX_SIDE = 640


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


def render_media(
    trial: Trial,
    video_path: Path,
    *,
    overlay_path: Path | None,
    progress: Callable[[int], None] | None = None,
) -> dict[int, np.ndarray]:
    """Write the overlay video (unless ``overlay_path`` is None) and return keyframes by rep index."""
    wanted = {r.bottom_frame: r.index for r in trial.reps}
    last_needed = max(wanted, default=-1)
    keyframes: dict[int, np.ndarray] = {}
    encoder: _Encoder | None = None
    try:
        for frame in iter_frames(video_path):
            if frame.index >= trial.n_frames:
                break
            if frame.index in wanted:
                rgb = frame.rgb
                with stage("report"):
                    scale = _scale_for(rgb.shape[1], rgb.shape[0], KEYFRAME_MAX_SIDE)
                    keyframes[wanted[frame.index]] = draw_pose(_resize(rgb, scale), trial, frame.index, scale=scale)
            if overlay_path is not None:
                rgb = frame.rgb
                with stage("overlay"):
                    scale = _scale_for(rgb.shape[1], rgb.shape[0], OVERLAY_MAX_SIDE)
                    image = draw_pose(_resize(rgb, scale, even=True), trial, frame.index, scale=scale)
                    image = draw_text_block(image, frame_caption(trial, frame.index))
                if encoder is None:
                    encoder = _Encoder(overlay_path, image, trial.source.fps)
                encoder.put(image)
            elif frame.index >= last_needed:
                break
            if progress is not None:
                progress(1)
        if encoder is not None:
            encoder.finish()
    finally:
        if encoder is not None:
            encoder.close()
    return keyframes


class _Encoder:
    """H.264 encoding of RGB frames on a thread of its own."""

    _END = None

    def __init__(self, path: Path, first: np.ndarray, fps: float) -> None:
        self._container = av.open(str(path), mode="w")
        stream = self._container.add_stream("libx264", rate=max(1, round(fps or 30)))
        stream.width, stream.height = first.shape[1], first.shape[0]
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "23", "preset": "veryfast"}
        self._stream = stream
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=4)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="overlay-encoder", daemon=True)
        self._thread.start()

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

    def put(self, image: np.ndarray) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(image)

    def finish(self) -> None:
        """Encode what is queued and flush the encoder."""
        self._queue.put(self._END)
        self._thread.join()
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        if self._thread.is_alive():  # stopped by an error on the caller's side
            self._queue.put(self._END)
            self._thread.join()
        self._container.close()
