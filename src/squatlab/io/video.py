"""Reading videos with PyAV: probe, then stream upright RGB frames with their real timestamps.

Phones write a display-rotation tag instead of rotating the pixels, and record at a
variable frame rate, so every frame is turned upright here and carries its own
presentation time. Frames are streamed one at a time; a video is never held in memory.
A frame is converted to RGB only when its pixels are asked for: a pass that looks at a
few frames (the people scan, the keyframes) decodes the rest without paying for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import av
import numpy as np

from squatlab.errors import InputError
from squatlab.timing import stage
from squatlab.trial import Notice

# A frame-to-frame interval this far from the median marks a variable frame rate.
_VFR_TOLERANCE = 0.05
# A file counts as cut short when at least this share of the frames and of the duration its
# header declares, and at least _TRUNCATED_MIN_FRAMES frames, cannot be decoded. Both,
# because MKV/WebM do not count their frames: the estimate from duration x nominal rate is
# far off for a variable frame rate, while the duration holds. Intact files decode every
# declared frame (checked on the real clips).
_TRUNCATED_SHARE = 0.05
_TRUNCATED_MIN_FRAMES = 3
# FFmpeg demuxers that read single pictures (png_pipe, jpeg_pipe, webp_pipe, ...).
_IMAGE_DEMUXERS = ("image2", "image2pipe")


@dataclass(frozen=True)
class VideoInfo:
    path: Path
    codec: str
    width: int  # upright, after the rotation tag is applied
    height: int
    fps: float  # nominal (average) frame rate
    duration_s: float
    frames: int  # as declared by the container, or estimated from duration x fps
    rotation_deg: int  # counter-clockwise rotation applied to make frames upright
    still_image: bool = False  # a picture (PNG, JPEG, ...) opened as a one-frame video


class VideoFrame:
    """One decoded frame: its index, its time (s) and, on first use, its upright RGB pixels."""

    def __init__(self, index: int, time_s: float, decoded: av.VideoFrame, turns: int = 0) -> None:
        self.index = index
        self.time_s = time_s
        self._decoded: av.VideoFrame | None = decoded
        self._turns = turns

    @cached_property
    def rgb(self) -> np.ndarray:
        """(height, width, 3) uint8, upright."""
        with stage("decode"):
            rgb = self._decoded.to_ndarray(format="rgb24")
            if self._turns:
                rgb = np.ascontiguousarray(np.rot90(rgb, self._turns))
        self._decoded = None  # the decoder's buffer is no longer needed
        return rgb


def _open(path: Path) -> av.container.InputContainer:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a video file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty (0 bytes)")
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{path}: not a readable video ({_reason(exc)}){_mp4_hint(path)}") from exc
    if not container.streams.video:
        container.close()
        raise InputError(f"{path}: the file has no video stream")
    return container


def _mp4_hint(path: Path) -> str:
    """Why an MP4/MOV that FFmpeg cannot open is most likely unreadable.

    An MP4 written without "faststart" keeps its index (the moov box) at the end, so a
    file cut short while recording, copying or downloading starts well but cannot be read.
    """
    try:
        with path.open("rb") as f:
            head = f.read(12)
    except OSError:
        return ""
    if head[4:8] != b"ftyp":
        return ""
    return "; an MP4/MOV file without its index: probably cut short while copying or recording"


def _reason(exc: Exception) -> str:
    """FFmpeg's own words for the error, without the errno and the file name."""
    text = getattr(exc, "strerror", None) or str(exc).split(": '")[0]
    return str(text).strip().rstrip(".").lower() or type(exc).__name__


def _quarter_turns(rotation_deg: float) -> int:
    """Counter-clockwise quarter turns that make a frame upright."""
    return round(rotation_deg / 90.0) % 4


def probe(path: Path | str) -> VideoInfo:
    """Read a video's stream properties and decode its first frame.

    Raises :class:`InputError` naming the problem when the file cannot be used.
    """
    path = Path(path)
    container = _open(path)
    try:
        stream = container.streams.video[0]
        try:
            first = next(container.decode(stream))
        except (StopIteration, av.error.FFmpegError) as exc:
            raise InputError(f"{path}: no decodable video frame ({_reason(exc)})") from exc
        rotation = round(first.rotation or 0)
        turns = _quarter_turns(rotation)
        width, height = (first.width, first.height) if turns % 2 == 0 else (first.height, first.width)
        fps = float(stream.average_rate or stream.guessed_rate or 0.0)
        duration = _duration_s(container, stream)
        frames = stream.frames or (round(duration * fps) if fps else 0)
        if fps <= 0 and duration > 0 and frames:
            fps = frames / duration
        return VideoInfo(
            path=path,
            codec=stream.codec_context.name,
            width=width,
            height=height,
            fps=fps,
            duration_s=duration,
            frames=int(frames),
            rotation_deg=rotation,
            still_image=_is_still_image(container),
        )
    finally:
        container.close()


def _is_still_image(container: av.container.InputContainer) -> bool:
    name = container.format.name
    return name in _IMAGE_DEMUXERS or name.endswith("_pipe")


def check_clip_length(info: VideoInfo, *, min_duration_s: float) -> None:
    """Refuse a still image or a clip too short to hold one squat, before any decoding.

    ``min_duration_s`` is the shortest rep (``reps.min_rep_s``). A container that gives
    no duration passes here; :func:`decoded_notices` checks what was actually decoded.

    Raises
    ------
    InputError
        Naming the problem: a still image, or the clip's length against the minimum.

    Examples
    --------
    >>> from pathlib import Path
    >>> info = VideoInfo(Path("a.mp4"), "h264", 64, 48, 30.0, 0.3, 9, 0)
    >>> check_clip_length(info, min_duration_s=0.8)
    Traceback (most recent call last):
    ...
    squatlab.errors.InputError: a.mp4: too short (0.30 s, 9 frames); one squat takes at least 0.8 s
    """
    if info.still_image:
        kind = info.codec.upper()
        raise InputError(f"{info.path}: a still image ({kind}), not a video; squatlab needs a video of the set")
    if info.frames == 1:
        raise InputError(f"{info.path}: a single frame, not a video; squatlab needs a video of the set")
    if 0 < info.duration_s < min_duration_s:
        frames = f", {info.frames} frames" if info.frames else ""
        raise InputError(
            f"{info.path}: too short ({info.duration_s:.2f} s{frames}); one squat takes at least {min_duration_s:g} s"
        )


def decoded_notices(info: VideoInfo, time_s: np.ndarray, *, min_duration_s: float) -> list[Notice]:
    """A ``truncated_video`` warning when far fewer frames decode than the container declares.

    ``time_s`` are the times of the frames actually decoded. The part that could not be
    decoded is not analysed, and the warning says so.

    Raises
    ------
    InputError
        When what decoded is shorter than ``min_duration_s`` (the shortest rep).

    Examples
    --------
    >>> import numpy as np
    >>> from pathlib import Path
    >>> info = VideoInfo(Path("a.mp4"), "h264", 64, 48, 30.0, 4.0, 120, 0)
    >>> [n.code for n in decoded_notices(info, np.arange(60) / 30.0, min_duration_s=0.8)]
    ['truncated_video']
    >>> decoded_notices(info, np.arange(120) / 30.0, min_duration_s=0.8)
    []
    """
    n = int(time_s.size)
    frame_s = 1.0 / info.fps if info.fps > 0 else 0.0  # the last frame is shown for one interval
    decoded_s = float(time_s[-1]) + frame_s if n else 0.0
    frames_missing = info.frames - n >= max(_TRUNCATED_MIN_FRAMES, _TRUNCATED_SHARE * info.frames)
    time_missing = info.duration_s <= 0 or info.duration_s - decoded_s >= _TRUNCATED_SHARE * info.duration_s
    cut = frames_missing and time_missing
    if decoded_s < min_duration_s:
        what = f"only {n} of {info.frames} frames could be decoded" if cut else f"{n} frame{'s' * (n != 1)}"
        raise InputError(
            f"{info.path}: too short ({what}, {decoded_s:.2f} s); one squat takes at least {min_duration_s:g} s"
        )
    if not cut:
        return []
    return [
        Notice(
            "truncated_video",
            f"Only {n} of the {info.frames} frames in the file's header could be decoded ({decoded_s:.1f} s of "
            f"{info.duration_s:.1f} s): the file looks cut short or damaged. The rest was not analysed.",
            start_s=decoded_s,
            end_s=info.duration_s if info.duration_s > decoded_s else None,
        )
    ]


def _duration_s(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return 0.0


def iter_frames(
    path: Path | str, *, max_frames: int | None = None, start_s: float = 0.0, end_s: float | None = None
) -> Iterator[VideoFrame]:
    """Yield upright RGB frames with their presentation times in seconds.

    Times start at 0 at the first frame. Frames without a timestamp get one from the
    previous frame and the nominal rate. A decoding error mid-file ends the stream
    (a truncated file yields what it holds); an error before any frame raises.

    ``start_s`` and ``end_s`` read only the frames timed in ``[start_s, end_s)``, seeking
    to the keyframe before ``start_s`` instead of decoding from the start; reading
    ``[0, t)`` and then ``[t, None)`` gives every frame once. Frame indices count from the
    first frame read.
    """
    path = Path(path)
    container = _open(path)
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        nominal_dt = 1.0 / float(stream.average_rate) if stream.average_rate else 1.0 / 30.0
        t0: float | None = None
        last_t = -nominal_dt
        if start_s > 0:
            t0, last_t = _seek(container, stream, path, start_s), start_s - nominal_dt
        decoded = _decode_tolerant(container, stream, path)
        index = 0
        while max_frames is None or index < max_frames:
            with stage("decode"):
                frame = next(decoded, None)
            if frame is None:
                return
            t = frame.time
            if t is None:
                t = last_t + nominal_dt + (t0 or 0.0)
            if t0 is None:
                t0 = t
            t_rel = t - t0
            if t_rel < start_s:  # decoded from the keyframe before the start
                continue
            if end_s is not None and t_rel >= end_s:
                return
            if t_rel <= last_t:  # duplicate or reordered timestamp: keep time increasing
                t_rel = last_t + 1e-3
            last_t = t_rel
            yield VideoFrame(index, float(t_rel), frame, _quarter_turns(frame.rotation or 0))
            index += 1
    finally:
        container.close()


def _seek(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream, path: Path, at_s: float
) -> float:
    """Seek to the keyframe at or before ``at_s`` after the first frame; return the first frame's time."""
    with stage("decode"):
        first = next(_decode_tolerant(container, stream, path))
        t0 = first.time or 0.0
        container.seek(round((t0 + at_s) / stream.time_base), stream=stream, backward=True)
    return t0


def _decode_tolerant(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream, path: Path
) -> Iterator[av.VideoFrame]:
    """Decode packet by packet: a corrupt packet is skipped; a truncated file ends the stream."""
    produced = False
    error: Exception | None = None
    try:
        for packet in container.demux(stream):
            try:
                for frame in packet.decode():
                    produced = True
                    yield frame
            except av.error.InvalidDataError as exc:
                error = exc
    except av.error.FFmpegError as exc:
        error = exc
        try:  # flush the frames the decoder still holds
            for frame in stream.codec_context.decode(None):
                produced = True
                yield frame
        except av.error.FFmpegError:
            pass
    if not produced:
        reason = _reason(error) if error else "no frames"
        raise InputError(f"{path}: video cannot be decoded ({reason})")


def is_variable_frame_rate(time_s: np.ndarray) -> bool:
    """True when frame intervals differ from their median by more than 5 %."""
    if time_s.size < 3:
        return False
    dt = np.diff(time_s)
    median = float(np.median(dt))
    return bool(median > 0 and np.mean(np.abs(dt - median) > _VFR_TOLERANCE * median) > 0.02)
