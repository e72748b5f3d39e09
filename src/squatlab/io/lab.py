"""Entry points for lab and wearable inputs: format detection and one loader for all.

``detect_format`` tells video, C3D, TRC, OpenSim .mot/.sto and IMU CSV (or a phone export
folder/zip) apart by extension and by content; ``load_lab_trial`` reads any of the
non-video kinds into a :class:`~squatlab.trial.Trial`, with an optional static standing
trial as the baseline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from squatlab import conventions as cv
from squatlab.errors import InputError
from squatlab.io.c3d import read_c3d
from squatlab.io.imu import read_imu
from squatlab.io.imu_files import is_phone_export
from squatlab.io.marker_names import load_marker_map
from squatlab.io.markerset import standing_baseline, trial_from_markers
from squatlab.io.opensim import read_mot
from squatlab.io.trc import read_trc
from squatlab.settings import Settings
from squatlab.trial import Notice, Trial

FORMATS = ("video", "c3d", "trc", "mot", "imu")
_ALIASES = {"sto": "mot", "csv": "imu", "opensim": "mot"}
_EXTENSIONS = {
    ".c3d": "c3d",
    ".trc": "trc",
    ".mot": "mot",
    ".sto": "mot",
    ".csv": "imu",
    ".tsv": "imu",
    ".txt": "imu",
    ".zip": "imu",
    **dict.fromkeys((".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".wmv", ".3gp"), "video"),
}
_C3D_MAGIC = 0x50  # second byte of every C3D file
# The first byte of a C3D file points to its parameter block (2 in practice); text never
# starts with a control character, so "EPOCH,..." is not taken for a C3D file.
_C3D_POINTERS = frozenset(range(1, 32)) - {0x09, 0x0A, 0x0D}
_NAMES = {
    "video": "a video",
    "c3d": "a C3D motion-capture file",
    "trc": "a TRC marker file",
    "mot": "an OpenSim .mot/.sto file",
    "imu": "a sensor (IMU) table",
}
# Still-picture formats, by their first bytes; HEIF/AVIF by the brand of their ftyp box.
_IMAGE_MAGIC = {b"\x89PNG": "PNG", b"\xff\xd8\xff": "JPEG"}
_IMAGE_BRANDS = {b"heic": "HEIC", b"heix": "HEIC", b"mif1": "HEIF", b"avif": "AVIF"}


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as f:
            return f.read(4096)
    except OSError:
        return b""


def _image_kind(head: bytes) -> str | None:
    """``"PNG"``, ``"JPEG"``, ``"HEIC"``, ... when the first bytes are those of a still picture."""
    for magic, name in _IMAGE_MAGIC.items():
        if head.startswith(magic):
            return name
    return _IMAGE_BRANDS.get(head[8:12]) if head[4:8] == b"ftyp" else None


def _text_kind(head: bytes) -> str | None:
    """``"table"`` or ``"text"`` when the first bytes are readable text, else None."""
    if not head or b"\x00" in head:
        return None
    try:
        text = head[:-3].decode("utf-8") if len(head) > 3 else head.decode("utf-8")  # may end mid-character
    except UnicodeDecodeError:
        return None
    first = text.lstrip().split("\n", 1)[0]
    return "table" if any(sep in first for sep in ",;\t") else "text"


def _sniff(head: bytes, suffix: str) -> str | None:
    """The format the first bytes show, or None."""
    if len(head) >= 2 and head[1] == _C3D_MAGIC and head[0] in _C3D_POINTERS and suffix.lower() != ".csv":
        return "c3d"
    if head[4:8] == b"ftyp" or head[:4] == b"\x1a\x45\xdf\xa3" or (head[:4] == b"RIFF" and head[8:12] == b"AVI "):
        return "video"
    text = head.decode("utf-8", errors="ignore")
    if text.lstrip().startswith("PathFileType"):
        return "trc"
    if any(line.strip().lower() == "endheader" for line in text.splitlines()[:60]):
        return "mot"
    return None


def _mismatch(path: Path, head: bytes, sniffed: str | None, by_ext: str | None) -> str | None:
    """Why the content contradicts a video extension (or a video a lab extension), or None.

    Inside the lab formats content simply wins (a TRC saved as .csv is common); across the
    video/lab line a wrong extension more likely means the wrong file, so it is named.
    """
    ext = path.suffix.lower()
    image = _image_kind(head)
    if image is not None:
        return f"{path}: a still image ({image}), not a video; squatlab needs a video of the set"
    if by_ext == "video" and sniffed not in (None, "video"):
        wrong = f"the {ext} extension is wrong"
        return f"{path}: {_NAMES[sniffed]}, not a video ({wrong}); rename it or pass --format {sniffed}"
    if sniffed == "video" and by_ext not in (None, "video"):
        return f"{path}: a video, not {_NAMES[by_ext]} (the {ext} extension is wrong); rename it or pass --format video"
    if by_ext == "video" and sniffed is None:
        text = _text_kind(head)
        if text == "table":
            return (
                f"{path}: not a readable video: a CSV text table (the {ext} extension is wrong); "
                "for a sensor recording rename it to .csv or pass --format imu"
            )
        if text == "text":
            return f"{path}: not a readable video: a text file (the {ext} extension is wrong)"
    return None


def detect_format(path: str | Path, fmt: str | None = None) -> str:
    """``"video"``, ``"c3d"``, ``"trc"``, ``"mot"`` or ``"imu"`` for a file (or export folder).

    An explicit ``fmt`` wins (``sto`` and ``csv`` are accepted as ``mot`` and ``imu``);
    otherwise the content decides where it is recognisable, then the extension.

    Raises
    ------
    InputError
        Missing file, unknown ``fmt``, or a file whose format cannot be told.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "squat.txt"
    >>> _ = p.write_text("Coordinates\\nversion=1\\ninDegrees=yes\\nendheader\\ntime\\tpelvis_tilt\\n0\\t-3\\n")
    >>> detect_format(p), detect_format(p, "csv")
    ('mot', 'imu')
    """
    path = Path(path)
    if fmt is not None:
        key = _ALIASES.get(fmt.strip().lower(), fmt.strip().lower())
        if key not in FORMATS:
            raise InputError(f"unknown format {fmt!r}; allowed: {', '.join(FORMATS)} (or sto, csv)")
        return key
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        if is_phone_export(path):
            return "imu"
        raise InputError(f"{path}: a folder without IMU export tables")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: empty file")
    head = _head(path)
    sniffed = _sniff(head, path.suffix)
    by_ext = _EXTENSIONS.get(path.suffix.lower())
    problem = _mismatch(path, head, sniffed, by_ext)
    if problem is not None:
        raise InputError(problem)
    if sniffed is not None:
        return sniffed
    if by_ext is not None:
        return by_ext
    raise InputError(f"{path}: cannot tell the format (extension {path.suffix or 'none'}); pass --format")


def _read_markers_or_mot(path: Path, kind: str, marker_map: Mapping[str, str] | None, settings: Settings) -> Trial:
    if kind == "c3d":
        return trial_from_markers(read_c3d(path), marker_map=marker_map, settings=settings.lab)
    if kind == "trc":
        return trial_from_markers(read_trc(path), marker_map=marker_map, settings=settings.lab)
    return read_mot(path, settings=settings.lab)


def load_lab_trial(
    path: str | Path,
    *,
    fmt: str | None = None,
    static: str | Path | None = None,
    imu_sensors: Mapping[str, str] | None = None,
    marker_map: Mapping[str, str] | str | Path | None = None,
    settings: Settings | None = None,
) -> Trial:
    """Read a C3D, TRC, OpenSim .mot/.sto or IMU recording into a trial.

    Parameters
    ----------
    path : str or Path
        The recording (an IMU phone export may be a folder or a zip).
    fmt : str, optional
        Force the format (``c3d``, ``trc``, ``mot``/``sto``, ``imu``/``csv``).
    static : str or Path, optional
        A static standing trial of the same kind. Markers/.mot: the mean of each channel
        over it goes into ``trial.baseline`` (keys: channel names; absolute pelvis tilt and
        lumbar flexion under ``pelvis_tilt_abs_deg``/``lumbar_flexion_abs_deg``). IMU: its
        gravity direction becomes each sensor's reference, so the baseline is 0.
    imu_sensors : mapping, optional
        IMU roles to sensor names, e.g. ``{"pelvis": "s0", "thigh": "s1", "shank": "s2"}``
        (see :func:`squatlab.io.imu.parse_imu_sensor_args` for the CLI strings).
    marker_map : mapping or path, optional
        ``canonical -> label`` for marker sets the built-in names miss, or a JSON/TOML file of it.
    settings : Settings, optional
        Uses the ``lab`` and ``imu`` groups.

    Raises
    ------
    InputError
        Unusable input, with a one-line message naming the file and the problem.
    """
    settings = settings or Settings()
    path = Path(path)
    kind = detect_format(path, fmt)
    if kind == "video":
        raise InputError(f"{path}: a video; lab loading reads c3d, trc, mot/sto and IMU files")
    if isinstance(marker_map, str | Path):
        marker_map = load_marker_map(marker_map)
    if kind == "imu":
        trial = read_imu(path, imu_sensors=imu_sensors, settings=settings.imu, static=static)
        if static is not None:
            zero = {name: 0.0 for name, ch in trial.channels.items() if not ch.is_absent and name != cv.HIP_HEIGHT}
            trial = replace(trial, baseline=zero)
        return trial
    trial = _read_markers_or_mot(path, kind, marker_map, settings)
    if static is None:
        return trial
    static_path = Path(static)
    static_kind = detect_format(static_path)
    if static_kind not in ("c3d", "trc", "mot"):
        raise InputError(f"{static_path}: a static trial must be c3d, trc or mot/sto, not {static_kind}")
    baseline = standing_baseline(_read_markers_or_mot(static_path, static_kind, marker_map, settings))
    note = Notice("static_baseline", f"standing baseline from the static trial {static_path.name}")
    return replace(trial, baseline=baseline).with_notices(note)
