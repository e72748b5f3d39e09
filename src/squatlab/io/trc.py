"""TRC marker/keypoint files (OpenSim's format; written by Pose2Sim, Sports2D, OpenCap,
Motion Analysis and many converters).

Layout: ``PathFileType`` line; a line of header keys and a line of their values
(``DataRate CameraRate NumFrames NumMarkers Units ...``); ``Frame# Time name1 (tab) (tab)
name2 ...``; ``X1 Y1 Z1 X2 ...``; then one row per frame. Fields are tab-separated
(whitespace accepted); an empty field or ``NaN`` is a missing sample. Units: ``mm``,
``cm``, ``m`` or ``px`` (image pixels: lengths are unknown, angles are fine).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from squatlab.errors import InputError
from squatlab.io._messages import one_line
from squatlab.io._text_table import NUMBER, require_increasing, split_fields
from squatlab.io.markerset import UNIT_TO_M, MarkerData

PIXEL_UNITS = ("px", "pixel", "pixels")


def _header(lines: list[str], path: Path) -> tuple[dict[str, str], int]:
    """Header key/value pairs and the index of the ``Frame#`` line."""
    frame_line = next((i for i, s in enumerate(lines[:10]) if s.strip().lower().startswith("frame")), None)
    if frame_line is None or frame_line < 2:
        raise InputError(f"{path}: not a TRC file (no 'Frame#' line after the header)")
    keys = [k.strip() for k in split_fields(lines[frame_line - 2])]
    values = [v.strip() for v in split_fields(lines[frame_line - 1])]
    return dict(zip(keys, values, strict=False)), frame_line


def _names(line: str) -> list[str]:
    cells = [c.strip() for c in split_fields(line)]
    return [c for c in cells[2:] if c]


def _to_float(cell: str, path: Path, row: int) -> float:
    cell = cell.strip()
    if cell == "":
        return np.nan
    if not NUMBER.match(cell):
        raise InputError(f"{path}: row {row}: {cell!r} is not a number")
    return float(cell)


def _rows(lines: list[str], start: int, n_cols: int, path: Path) -> np.ndarray:
    rows = []
    for i, line in enumerate(lines[start:], start=start + 1):
        if not line.strip():
            continue
        cells = split_fields(line)
        if len(cells) > n_cols and any(c.strip() for c in cells[n_cols:]):
            raise InputError(f"{path}: row {i} has {len(cells)} fields, the header describes {n_cols}")
        cells = (cells + [""] * n_cols)[:n_cols]
        rows.append([_to_float(c, path, i) for c in cells])
    if not rows:
        raise InputError(f"{path}: no data rows")
    return np.asarray(rows, dtype=float)


def _declared_rate(header: dict[str, str]) -> float:
    """The header's DataRate as a number; NaN when missing or not a number."""
    try:
        return float(header.get("DataRate", "nan"))
    except ValueError:
        return np.nan


def _rate(declared: float, time_s: np.ndarray, path: Path) -> float:
    rate = declared
    if not rate > 0 and time_s.size > 1:
        rate = 1.0 / float(np.median(np.diff(time_s)))
    if not np.isfinite(rate) or rate <= 0:
        raise InputError(f"{path}: no usable DataRate and no time column")
    return rate


def _time(data: np.ndarray, rate_hint: float | None, path: Path) -> np.ndarray:
    time_s = data[:, 1]
    if not np.isfinite(time_s).all():
        if rate_hint is None:
            raise InputError(f"{path}: the Time column has missing values and DataRate is not given")
        return np.arange(data.shape[0]) / rate_hint
    require_increasing(time_s, path, "frame")
    return time_s


def read_trc(path: str | Path) -> MarkerData:
    """Read a TRC file into :class:`~squatlab.io.markerset.MarkerData`.

    Raises
    ------
    InputError
        Empty file, no header, text in number fields, time going backwards.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8", errors="strict")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read as text ({one_line(exc)})") from exc
    lines = text.splitlines()
    if not any(s.strip() for s in lines):
        raise InputError(f"{path}: empty file")
    header, frame_line = _header(lines, path)
    names = _names(lines[frame_line])
    if not names:
        raise InputError(f"{path}: the TRC header names no markers")
    n_cols = 2 + 3 * len(names)
    data = _rows(lines, frame_line + 2, n_cols, path)
    unit = header.get("Units", "mm").strip().lower() or "mm"
    if unit not in UNIT_TO_M and unit not in PIXEL_UNITS:
        raise InputError(f"{path}: unknown Units {unit!r}; expected mm, cm, m or px")
    declared = _declared_rate(header)
    time_s = _time(data, declared if declared > 0 else None, path)
    xyz = data[:, 2:].reshape(data.shape[0], len(names), 3)
    xyz[~np.isfinite(xyz)] = np.nan  # "inf" or overflowing numbers are not positions
    return MarkerData(
        path=str(path),
        kind="trc",
        time_s=time_s,
        rate_hz=_rate(declared, time_s, path),
        labels=tuple(names),
        xyz=xyz,
        unit="px" if unit in PIXEL_UNITS else unit,
        scale_m=None if unit in PIXEL_UNITS else UNIT_TO_M[unit],
        details={"header": header},
    )
