"""The second pass over the video: the overlay video and the bottom-of-rep keyframes."""

from __future__ import annotations

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
# skeleton, small enough to encode quickly and keep the report light.
OVERLAY_MAX_SIDE = 1280
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
    container = stream = None
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
                    if container is None:
                        container, stream = _open_writer(overlay_path, image, trial.source.fps)
                    for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                        container.mux(packet)
            elif frame.index >= last_needed:
                break
            if progress is not None:
                progress(1)
        if container is not None:
            with stage("overlay"):
                for packet in stream.encode():
                    container.mux(packet)
    finally:
        if container is not None:
            container.close()
    return keyframes


def _open_writer(path: Path, first: np.ndarray, fps: float):  # PyAV's types are not exported
    container = av.open(str(path), mode="w")
    rate = max(1, round(fps or 30))
    stream = container.add_stream("libx264", rate=rate)
    stream.width, stream.height = first.shape[1], first.shape[0]
    stream.pix_fmt = "yuv420p"
    stream.options = {"crf": "23", "preset": "veryfast"}
    return container, stream
