"""Receiving files: a size limit while the bytes arrive, the type from the content, generated names.

No part of the name a browser sends reaches a filesystem path: a file is stored as
``<random hex><suffix>``, the suffix taken from a fixed list (it only tells the format
detector that a text table is a table). The sent name is kept, cleaned, for people to read.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from squatlab.errors import InputError

# Suffixes the format detector understands; anything else is stored without one.
_KNOWN_SUFFIXES = frozenset(
    {".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".3gp", ".c3d", ".trc", ".mot", ".sto", ".csv", ".tsv",
     ".txt", ".zip"}
)  # fmt: skip
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAX_DISPLAY = 120
_CHUNK = 1 << 20
# The detector's advice for the command line ("pass --format ...") means nothing on a web page.
_CLI_ADVICE = re.compile(r"(;|,)? *(rename it or |for a sensor recording rename it to \.csv or )?pass --format( \w+)?")


class TooLargeError(InputError):
    """The upload is larger than the limit."""


class UnsupportedFileError(InputError):
    """The content is not a squat video or a lab/IMU recording squatlab reads."""


def display_name(sent: str | None) -> str:
    """The last part of the sent name, without control characters, for showing only.

    >>> display_name("../../etc/passwd"), display_name("C:\\\\Users\\\\me\\\\squat.mp4"), display_name("/abs/x.mov")
    ('passwd', 'squat.mp4', 'x.mov')
    """
    name = PurePosixPath((sent or "").replace("\\", "/")).name
    name = _CONTROL.sub("", name).strip()
    return name[:_MAX_DISPLAY] or "upload"


def stored_name(sent: str | None) -> str:
    """A fresh name for a stored file: random hex and, when it is one the detector knows, the suffix.

    >>> n = stored_name("../../x.MP4"); len(n), n.endswith(".mp4"), "/" not in n
    (36, True, True)
    >>> stored_name("evil.sh/..").count(".")
    0
    """
    suffix = PurePosixPath(display_name(sent)).suffix.lower()
    return uuid.uuid4().hex + (suffix if suffix in _KNOWN_SUFFIXES else "")


@dataclass(frozen=True)
class Saved:
    path: Path
    size: int
    sha256: str


def save_stream(source: BinaryIO, folder: Path, name: str, *, limit: int) -> Saved:
    """Copy ``source`` into ``folder/name``, stopping (and deleting) past ``limit`` bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    digest, size = hashlib.sha256(), 0
    try:
        with path.open("xb") as out:
            while chunk := source.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise TooLargeError(too_large_message(limit))
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Saved(path, size, digest.hexdigest())


def too_large_message(limit: int) -> str:
    return (
        f"the file is larger than the upload limit of {limit / 1024 / 1024:.0f} MB; "
        "trim the clip to the set, or film at a lower resolution"
    )


def check_kind(path: Path, shown: str) -> str:
    """The format of a stored file from its content: ``"video"``, ``"c3d"``, ``"trc"``, ``"mot"`` or ``"imu"``.

    A video must also decode (its first frame) and be a clip, not a still picture. Raises
    :class:`UnsupportedFileError` with a message that names ``shown``, never the stored path.
    """
    from squatlab.io.lab import detect_format
    from squatlab.io.video import probe

    try:
        kind = detect_format(path)
        if kind == "video":
            info = probe(path)
            if info.still_image:
                raise InputError(f"{path}: a still image, not a video; squatlab needs a video of the set")
    except InputError as exc:
        message = str(exc).replace(str(path), shown).replace(path.name, shown)
        raise UnsupportedFileError(_CLI_ADVICE.sub("", message)) from None
    return kind


def remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
