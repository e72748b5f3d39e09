"""From the files and folders a user names to one job per recording, with a fixed output place.

Folders are searched recursively for videos and lab or IMU files. Within a folder, a CSV
with the same name as a video beside it is that video's sidecar (e.g. a rendered clip's
truth), not a recording, and plain-text files are left out (licences, notes); named
explicitly, any file is taken. A folder holding a Sensor Logger export (``Gyroscope.csv``,
``Accelerometer.csv``, ...) is one recording. Each job's outputs go to
``OUT/<path below the folder named>/<name>_<extension>/`` (a file named on its own goes to
``OUT/<name>_<extension>/``); ``a.mp4`` beside ``a.c3d`` never collide, two recordings
with the same name from different places get their parent folders' names in front, and
a rerun with the same inputs finds the same places.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from squatlab.errors import InputError

VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".wmv", ".3gp")
LAB_SUFFIXES = (".c3d", ".trc", ".mot", ".sto")
IMU_SUFFIXES = (".csv", ".tsv", ".zip")
FOLDER_SUFFIXES = VIDEO_SUFFIXES + LAB_SUFFIXES + IMU_SUFFIXES
# Table names that make a folder one Sensor Logger export rather than a folder of recordings.
_EXPORT_TABLES = {"gyroscope.csv", "accelerometer.csv", "totalacceleration.csv", "gravity.csv"}


@dataclass(frozen=True)
class Job:
    """One recording and where its outputs go."""

    path: Path
    key: str  # relative output name, e.g. "monday/set1_mp4"
    out_dir: Path

    @property
    def error_file(self) -> Path:
        return self.out_dir.with_name(self.out_dir.name + ".error.json")

    @property
    def finished(self) -> bool:
        """Whether the outputs are complete (they are moved into place only when whole)."""
        return (self.out_dir / "results.json").is_file()

    @property
    def failed(self) -> bool:
        return self.error_file.is_file() and not self.finished


def _is_export(folder: Path) -> bool:
    try:
        return any(p.name.lower() in _EXPORT_TABLES for p in folder.iterdir() if p.is_file())
    except OSError:
        return False


def _walk(folder: Path, skip: Path) -> list[Path]:
    """Recordings inside ``folder`` (sorted), not descending into ``skip`` or hidden folders."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (here / d).resolve() != skip)
        exports = [d for d in dirs if _is_export(here / d)]
        found += [here / d for d in exports]
        dirs[:] = [d for d in dirs if d not in exports]
        videos = {Path(f).stem for f in files if Path(f).suffix.lower() in VIDEO_SUFFIXES}
        for name in sorted(files):
            p = here / name
            suffix = p.suffix.lower()
            if name.startswith(".") or suffix not in FOLDER_SUFFIXES:
                continue
            if suffix in IMU_SUFFIXES and p.stem in videos:
                continue  # a video's sidecar table
            found.append(p)
    return found


def collect(inputs: list[Path], out_dir: Path) -> list[Job]:
    """One job per recording in ``inputs`` (files, folders of them, Sensor Logger exports), by output name.

    Raises
    ------
    InputError
        When an input does not exist or nothing to analyse is found.
    """
    out_dir = out_dir.resolve()
    found: dict[Path, int] = {}  # recording -> how many trailing path parts name it
    for named in inputs:
        if not named.exists():
            raise InputError(f"{named}: no such file or folder")
        given = named.resolve()
        if given.is_dir() and not _is_export(given):
            for p in _walk(given, out_dir):
                found.setdefault(p, len(p.relative_to(given).parts))
        else:
            found.setdefault(given, 1)
    if not found:
        raise InputError("no videos, lab or IMU files found in " + ", ".join(str(p) for p in inputs))
    keys = _unique_keys(found)
    return sorted((Job(p, key, out_dir / key) for p, key in keys.items()), key=lambda j: j.key)


def _unique_keys(found: dict[Path, int]) -> dict[Path, str]:
    """Output names: the path below the folder given (or the file name), lengthened with the
    parent folders' names where two recordings would otherwise share one."""
    depth = dict(found)
    while True:
        keys = {p: _key(p, n) for p, n in depth.items()}
        seen: dict[str, list[Path]] = {}
        for p, key in keys.items():
            seen.setdefault(key, []).append(p)
        clashes = [p for group in seen.values() if len(group) > 1 for p in group if depth[p] < len(p.parts) - 1]
        if not clashes:
            return keys
        for p in clashes:
            depth[p] += 1


def _key(path: Path, parts: int) -> str:
    name = f"{path.stem}_{path.suffix.lstrip('.').lower()}" if path.suffix else f"{path.name}_folder"
    return "/".join([*path.parts[-parts:-1], name])
