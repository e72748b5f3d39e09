"""Small videos made on the fly for tests (nothing fetched, nothing copied)."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def pattern_frames(n: int, width: int = 64, height: int = 48) -> list[np.ndarray]:
    """Grey frames with a white block in the top-left corner (to see rotations)."""
    frames = []
    for i in range(n):
        rgb = np.full((height, width, 3), 60 + (i % 5) * 10, dtype=np.uint8)
        rgb[: height // 4, : width // 4] = 255
        frames.append(rgb)
    return frames


def write_video(
    path: Path,
    frames: Iterable[np.ndarray],
    *,
    fps: int = 30,
    codec: str = "libx264",
    rotation: int | None = None,
    times_s: list[float] | None = None,
    options: dict[str, str] | None = None,
) -> Path:
    """Encode ``frames`` (RGB uint8) to ``path``; ``times_s`` gives per-frame presentation times (VFR)."""
    frames = list(frames)
    with av.open(str(path), mode="w", options=options or {}) as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height = frames[0].shape[1], frames[0].shape[0]
        stream.pix_fmt = "yuv420p"
        if times_s is not None:
            stream.codec_context.time_base = Fraction(1, 1000)
            stream.time_base = Fraction(1, 1000)
        if rotation is not None:
            stream.set_display_rotation(rotation)
        for i, rgb in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            if times_s is not None:
                frame.pts = round(times_s[i] * 1000)
                frame.time_base = Fraction(1, 1000)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def reencode_rotated(source: Path, target: Path, *, rotation: int, max_side: int | None = None) -> Path:
    """Copy ``source`` as a phone would store it: pixels turned, plus a tag that turns them back.

    The stored frames are rotated by -rotation (counter-clockwise degrees) and the display
    matrix says to rotate them by +rotation, so a player shows the original picture.
    """
    turns = (-rotation // 90) % 4
    with av.open(str(source)) as src:
        stream_in = src.streams.video[0]
        fps = round(float(stream_in.average_rate or 30))
        frames = []
        for frame in src.decode(stream_in):
            rgb = frame.to_ndarray(format="rgb24")
            if max_side is not None:
                step = max(1, int(np.ceil(max(rgb.shape[:2]) / max_side)))
                rgb = rgb[::step, ::step]
            rgb = rgb[: rgb.shape[0] - rgb.shape[0] % 2, : rgb.shape[1] - rgb.shape[1] % 2]
            frames.append(np.ascontiguousarray(np.rot90(rgb, turns)))
    return write_video(target, frames, fps=fps, rotation=rotation)
