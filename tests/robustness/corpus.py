"""Bad and hostile inputs, made on the fly: each function writes one file into ``folder`` and returns its path.

Nothing is fetched and nothing is copied from ../shared/data: clips derived from a shared
recording are cut and re-encoded here, small, into the test's temporary folder.
Cases that other test files already build (rotation tags, variable frame rate, a clip
without a person, lab files with gaps or bad cells) are not repeated here; see
docs/robustness.md for where each case is tested.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import cv2
import numpy as np
from PIL import Image

from media import pattern_frames, write_video
from squatlab.testing.markers import squat_markers

# Fixed seeds: the corpus must be the same on every run.
_SEED = 6


def zero_bytes(folder: Path, name: str = "empty.mp4") -> Path:
    path = folder / name
    path.write_bytes(b"")
    return path


def random_bytes(folder: Path, name: str = "noise.mp4", size: int = 20_000) -> Path:
    path = folder / name
    path.write_bytes(np.random.default_rng(_SEED).integers(0, 256, size, dtype=np.uint8).tobytes())
    return path


def audio_only(folder: Path, name: str = "voice.mp4") -> Path:
    """An MP4 holding one AAC stream and no video (a voice memo with a video extension)."""
    path = folder / name
    with av.open(str(path), mode="w", format="mp4") as container:
        stream = container.add_stream("aac", rate=16000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), dtype=np.float32), format="fltp", layout="mono")
        frame.sample_rate = 16000
        for _ in range(20):
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def still_image(folder: Path, name: str = "photo.png") -> Path:
    """A picture; its format follows the suffix (``.png``, ``.jpg``); any other suffix stores a PNG."""
    path = folder / name
    fmt = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}.get(path.suffix.lower(), "PNG")
    Image.fromarray(pattern_frames(1, 320, 240)[0]).save(path, format=fmt)
    return path


def one_frame(folder: Path, name: str = "one_frame.mp4") -> Path:
    return write_video(folder / name, pattern_frames(1, 320, 240))


def short_clip(folder: Path, name: str = "blink.mp4", frames: int = 12, fps: int = 30) -> Path:
    """0.4 s: shorter than the shortest squat rep."""
    return write_video(folder / name, pattern_frames(frames, 320, 240), fps=fps)


def cut_mp4(folder: Path, name: str = "cut.mp4", keep: float = 0.5) -> Path:
    """An MP4 with its index (moov) at the end, cut short: nothing in it can be read."""
    whole = write_video(folder / f"whole_{name}", pattern_frames(90))
    path = folder / name
    path.write_bytes(whole.read_bytes()[: int(whole.stat().st_size * keep)])
    return path


def cut_faststart(source: Path, folder: Path, name: str = "cut_fast.mp4", keep: float = 0.6) -> Path:
    """``source`` re-encoded with its index first ("faststart"), then cut: the start still decodes."""
    with av.open(str(source)) as src:
        stream = src.streams.video[0]
        fps = round(float(stream.average_rate or 30))
        frames = [f.to_ndarray(format="rgb24") for f in src.decode(stream)]
    frames = [f[: f.shape[0] // 2 * 2, : f.shape[1] // 2 * 2] for f in frames]
    whole = write_video(folder / f"whole_{name}", frames, fps=fps, options={"movflags": "faststart"})
    path = folder / name
    path.write_bytes(whole.read_bytes()[: int(whole.stat().st_size * keep)])
    return path


def renamed(source: Path, folder: Path, name: str) -> Path:
    """The bytes of ``source`` under another name (a content/extension mismatch)."""
    path = folder / name
    path.write_bytes(source.read_bytes())
    return path


def webm(folder: Path, name: str = "clip.webm") -> Path:
    return write_video(folder / name, pattern_frames(30, 320, 240), codec="libvpx-vp9")


def imu_table(folder: Path, name: str = "imu.csv", rows: int = 200) -> Path:
    """A small, valid-looking accelerometer/gyroscope CSV (values do not matter here)."""
    path = folder / name
    lines = ["time,s0_ax,s0_ay,s0_az,s0_gx,s0_gy,s0_gz"]
    lines += [f"{i / 100:.2f},0.1,9.8,0.2,0.01,0.02,0.0" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n")
    return path


def clip_frames(source: Path, *, start_s: float, end_s: float, max_side: int | None = None) -> Iterator[np.ndarray]:
    """RGB frames of ``source`` from ``start_s`` to ``end_s``, optionally shrunk to ``max_side``."""
    with av.open(str(source)) as src:
        stream = src.streams.video[0]
        for frame in src.decode(stream):
            if frame.time is None or frame.time < start_s:
                continue
            if frame.time >= end_s:
                break
            rgb = frame.to_ndarray(format="rgb24")
            if max_side is not None and max(rgb.shape[:2]) > max_side:
                scale = max_side / max(rgb.shape[:2])
                rgb = cv2.resize(rgb, (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale)))
            yield rgb[: rgb.shape[0] // 2 * 2, : rgb.shape[1] // 2 * 2]


def cut_clip(source: Path, folder: Path, name: str, *, start_s: float, end_s: float, max_side: int = 640) -> Path:
    """A part of a real clip, re-encoded small (e.g. where the lifter turns to face the camera)."""
    with av.open(str(source)) as src:
        fps = round(float(src.streams.video[0].average_rate or 30))
    return write_video(folder / name, clip_frames(source, start_s=start_s, end_s=end_s, max_side=max_side), fps=fps)


def upscaled_4k(source: Path, folder: Path, name: str = "uhd.mp4", seconds: float = 1.0) -> Path:
    """The first ``seconds`` of ``source`` blown up to 3840x2160, fast and rough (it only has to be big)."""
    path = folder / name
    with av.open(str(source)) as src:
        fps = round(float(src.streams.video[0].average_rate or 30))
    with av.open(str(path), mode="w") as out:
        stream = out.add_stream("libx264", rate=fps, options={"preset": "ultrafast", "crf": "35"})
        stream.width, stream.height, stream.pix_fmt = 3840, 2160, "yuv420p"
        for rgb in clip_frames(source, start_s=0.0, end_s=seconds):
            big = cv2.resize(rgb, (3840, 2160), interpolation=cv2.INTER_LINEAR)
            for packet in stream.encode(av.VideoFrame.from_ndarray(big, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def long_static(folder: Path, name: str = "long.mp4", seconds: int = 200, fps: int = 10) -> Path:
    """Minutes of one tiny still frame with nobody in it: cheap to make, long to read."""
    frame = pattern_frames(1, 64, 48)[0]
    return write_video(folder / name, (frame for _ in range(seconds * fps)), fps=fps)


C3D_RATE_HZ = 100.0


def squat_marker_set(seconds: float = 4.0) -> dict[str, np.ndarray]:
    """Plug-in-Gait-like markers (mm) of two simulated squats; no hip-centre markers, as in a real lab."""
    t = np.arange(round(seconds * C3D_RATE_HZ)) / C3D_RATE_HZ
    depth = 0.5 * (1 - np.cos(2 * np.pi * t / 2.0))
    markers = squat_markers(
        pelvis_deg=20 * depth, thigh_deg=90 * depth, shank_deg=30 * depth, trunk_deg=5 + 35 * depth, heading_deg=30.0
    )
    return {name: xyz * 1000.0 for name, xyz in markers.items() if name not in ("LHJC", "RHJC")}


def c3d_file(folder: Path, name: str = "squat.c3d", markers: dict[str, np.ndarray] | None = None) -> Path:
    """A C3D file of ``markers`` (name -> (n_frames, 3) mm; NaN = not seen) at 100 Hz."""
    import ezc3d

    markers = squat_marker_set() if markers is None else markers
    names = list(markers)
    n_frames = len(next(iter(markers.values())))
    c3d = ezc3d.c3d()
    c3d["parameters"]["POINT"]["RATE"]["value"] = [C3D_RATE_HZ]
    c3d["parameters"]["POINT"]["LABELS"]["value"] = tuple(names)
    c3d["parameters"]["POINT"]["UNITS"]["value"] = ["mm"]
    points = np.ones((4, len(names), n_frames))
    for j, label in enumerate(names):
        points[:3, j] = markers[label].T
    c3d["data"]["points"] = points
    path = folder / name
    c3d.write(str(path))
    return path
