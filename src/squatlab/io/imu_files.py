"""IMU recordings from files: the generic wide CSV, and phone exports (phyphox, Sensor Logger).

Generic layout (one row per sample): a time column and, per sensor ``<name>``, columns
``<name>_ax, <name>_ay, <name>_az`` (m/s^2, gravity included) and ``<name>_gx, <name>_gy,
<name>_gz`` (rad/s; deg/s is detected later). ``acc``/``gyr``/``gyro`` spellings
(``s0_acc_x``) work too. The time column may be seconds, milliseconds, microseconds,
nanoseconds or ISO 8601 timestamps; when several exist (e.g. a host timestamp and the
device's millisecond clock) the one with the fewest repeated or backward steps and the
least jitter wins.

Phone exports are a folder or a ``.zip`` of CSV files, one phone = one sensor named
``phone``:

- Sensor Logger (www.tszheichoi.com/sensorlogger): ``Gyroscope.csv`` (rad/s) with
  ``TotalAcceleration.csv`` (Android, gravity included) or ``Accelerometer.csv`` (gravity
  removed) plus ``Gravity.csv``; columns ``time`` (ns since epoch), ``seconds_elapsed``,
  ``x``, ``y``, ``z``. iOS reports acceleration with the opposite sign; ``metadata.csv``'s
  ``platform`` says which, and we negate iOS values (inclination changes do not depend
  on it anyway).
- phyphox (phyphox.org): tables with ``Time (s)`` and ``Acceleration x (m/s^2)`` ...
  (acceleration with g) or ``Linear Acceleration x (m/s^2)`` (without g; unusable alone)
  and ``Gyroscope x (rad/s)`` ...; comma, tab or semicolon separated (semicolon exports use
  decimal commas).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from squatlab.errors import InputError
from squatlab.io._messages import one_line
from squatlab.kinematics.filtering import resample_uniform
from squatlab.trial import Notice

_SENSOR_COL = re.compile(r"^(?P<name>.+?)[_.](?P<kind>a|acc|accel|g|gyr|gyro)_?(?P<axis>[xyz])$", re.IGNORECASE)
_TIME_NAMES = re.compile(
    r"^(time|t|timestamp|time_?stamp_?\w*|time_?(s|sec|ms|us|ns)|seconds?|secs?|millis|ms|micros|us|ns|"
    r"seconds_elapsed|elapsed(_s)?|time \(s\))$",
    re.IGNORECASE,
)
_UNIT_HINTS = (
    (re.compile(r"(ms|millis?)$", re.IGNORECASE), 1e-3),
    (re.compile(r"(us|micros?)$", re.IGNORECASE), 1e-6),
    (re.compile(r"(ns|nanos?)$", re.IGNORECASE), 1e-9),
    (re.compile(r"(\(s\)|_s|sec|secs|seconds?|elapsed)$", re.IGNORECASE), 1.0),
)
# Accelerometers and gyroscopes sample at 2 Hz to 10 kHz: a median step outside
# 0.1 ms-0.5 s is not in seconds.
_STEP_RANGE_S = (1e-4, 0.5)


@dataclass(frozen=True)
class ImuRecording:
    """Raw IMU samples on one (possibly irregular) time base, starting at 0 s."""

    path: str
    time_s: np.ndarray
    sensors: dict[str, tuple[np.ndarray, np.ndarray]]  # name -> (acc (n, 3), gyr (n, 3)), file units
    layout: str  # "generic" | "sensorlogger" | "phyphox"
    notices: tuple[Notice, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- reading tables


def _sniff(text: str) -> tuple[str, str]:
    """Delimiter and decimal mark of a CSV text."""
    sample = text[:4096]
    try:
        delim = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        delim = ","
    return delim, ("," if delim == ";" else ".")


def _read_table(text: str, name: str) -> pd.DataFrame:
    if not text.strip():
        raise InputError(f"{name}: empty file")
    delim, decimal = _sniff(text)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delim, decimal=decimal, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"{name}: not a readable CSV table ({one_line(exc)})") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise InputError(f"{name}: no data rows")
    return frame


def _numeric(frame: pd.DataFrame, column: str, name: str, decimal: str = ".") -> np.ndarray:
    """A column as floats; empty cells are NaN; text is an error naming the row."""
    raw = frame[column].astype(str).str.strip()
    if decimal == ",":
        raw = raw.str.replace(",", ".", regex=False)
    values = pd.to_numeric(raw.where(raw != "", None), errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(np.isnan(values) & (raw != "").to_numpy() & ~raw.str.lower().isin(["nan"]).to_numpy())
    if bad.size:
        i = int(bad[0])
        raise InputError(f"{name}: column {column!r}, data row {i + 1}: {raw.iloc[i]!r} is not a number")
    return values


# ---------------------------------------------------------------- time columns


def _time_scale(column: str, values: np.ndarray) -> float | None:
    for pattern, scale in _UNIT_HINTS:
        if pattern.search(column):
            return scale
    finite = values[np.isfinite(values)]
    steps = np.diff(finite)
    steps = steps[steps > 0]
    if steps.size == 0:
        return None
    step = float(np.median(steps))
    for scale in (1.0, 1e-3, 1e-6, 1e-9):
        if _STEP_RANGE_S[0] <= step * scale <= _STEP_RANGE_S[1]:
            return scale
    return None


def _parse_time(frame: pd.DataFrame, column: str, name: str) -> np.ndarray | None:
    raw = frame[column].astype(str).str.strip()
    numeric = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    if np.isfinite(numeric).all():
        scale = _time_scale(column, numeric)
        if scale is None:
            return None
        return (numeric - numeric[0]) * scale
    stamps = pd.to_datetime(raw, format="ISO8601", errors="coerce", utc=True)
    if stamps.isna().any():
        return None
    # Through timedeltas: pandas may keep ms or us resolution, so raw integers are ambiguous.
    return (stamps - stamps.iloc[0]).dt.total_seconds().to_numpy(dtype=float)


def _time_quality(t: np.ndarray) -> tuple[int, float]:
    steps = np.diff(t)
    bad = int((steps <= 0).sum())
    good = steps[steps > 0]
    jitter = float(np.median(np.abs(good - np.median(good))) / np.median(good)) if good.size else np.inf
    return bad, jitter


def choose_time(frame: pd.DataFrame, name: str) -> tuple[str, np.ndarray]:
    """The best time column of a table, in seconds from its first sample.

    Raises :class:`InputError` when none is found or none parses.
    """
    candidates = [c for c in frame.columns if _TIME_NAMES.match(c)]
    if not candidates:
        raise InputError(
            f"{name}: no time column (expected one named time, timestamp, millis, seconds_elapsed, 'Time (s)', ...)"
        )
    parsed = {c: t for c in candidates if (t := _parse_time(frame, c, name)) is not None}
    if not parsed:
        raise InputError(f"{name}: the time column(s) {', '.join(candidates)} hold neither numbers nor ISO timestamps")
    best = min(parsed, key=lambda c: (*_time_quality(parsed[c]), candidates.index(c)))
    return best, parsed[best]


def clean_time(t: np.ndarray, name: str, column: str) -> tuple[np.ndarray, list[Notice]]:
    """Keep the first of repeated timestamps; a backward step is an error.

    Returns the indices of the rows to keep and the notices.
    """
    steps = np.diff(t)
    if (steps < 0).any():
        i = int(np.flatnonzero(steps < 0)[0])
        raise InputError(
            f"{name}: time goes backwards at data row {i + 2} ({column} = {t[i + 1]:.6g} s after {t[i]:.6g} s)"
        )
    keep = np.concatenate(([True], steps > 0))
    notices = []
    repeats = int((~keep).sum())
    if repeats:
        notices.append(
            Notice("imu_duplicate_time", f"{repeats} samples repeat the previous timestamp ({column}); kept the first")
        )
    return np.flatnonzero(keep), notices


# ---------------------------------------------------------------- generic layout


def _sensor_columns(columns: list[str]) -> dict[str, dict[str, str]]:
    sensors: dict[str, dict[str, str]] = {}
    for c in columns:
        m = _SENSOR_COL.match(c)
        if m:
            kind = "a" if m["kind"].lower().startswith("a") else "g"
            sensors.setdefault(m["name"], {})[kind + m["axis"].lower()] = c
    return sensors


def read_generic_csv(path: str | Path) -> ImuRecording:
    """Read the generic wide IMU CSV (see module docstring)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read as text ({one_line(exc)})") from exc
    frame = _read_table(text, str(path))
    complete = _sensor_columns(list(frame.columns))
    if not complete:
        raise InputError(f"{path}: no IMU columns (expected <sensor>_ax ... <sensor>_gz, e.g. s0_ax)")
    for s, cols in complete.items():
        missing = sorted({"ax", "ay", "az", "gx", "gy", "gz"} - set(cols))
        if missing:
            raise InputError(f"{path}: sensor {s!r} lacks columns {', '.join(s + '_' + m for m in missing)}")
    column, t = choose_time(frame, str(path))
    rows, notices = clean_time(t, str(path), column)
    sensors = {}
    for s, cols in complete.items():
        acc = np.column_stack([_numeric(frame, cols["a" + k], str(path)) for k in "xyz"])
        gyr = np.column_stack([_numeric(frame, cols["g" + k], str(path)) for k in "xyz"])
        sensors[s] = (acc[rows], gyr[rows])
    time_s = t[rows]
    good = np.all([np.isfinite(a).all(axis=1) & np.isfinite(g).all(axis=1) for a, g in sensors.values()], axis=0)
    if not good.all():
        notices.append(Notice("imu_empty_cells", f"{int((~good).sum())} rows with empty sensor cells dropped"))
        time_s = time_s[good]
        sensors = {s: (a[good], g[good]) for s, (a, g) in sensors.items()}
    if time_s.size < 2:
        raise InputError(f"{path}: fewer than 2 usable samples")
    return ImuRecording(str(path), time_s, sensors, "generic", tuple(notices), {"time_column": column})


# ---------------------------------------------------------------- phone exports


def _phone_tables(path: Path) -> Iterator[tuple[str, str]]:
    """(file name, text) of every CSV in a folder or a zip."""
    if path.is_dir():
        for f in sorted(path.rglob("*.csv")):
            yield f.name, f.read_text(encoding="utf-8-sig", errors="replace")
        return
    try:
        with zipfile.ZipFile(path) as z:
            for info in sorted(z.infolist(), key=lambda i: i.filename):
                if info.filename.lower().endswith(".csv"):
                    yield Path(info.filename).name, z.read(info).decode("utf-8-sig", errors="replace")
    except zipfile.BadZipFile as exc:
        raise InputError(f"{path}: not a readable zip file ({one_line(exc)})") from exc


_PHYPHOX = {
    "acc_total": re.compile(r"^acceleration (?P<axis>[xyz]) \(m/s\^2\)$", re.IGNORECASE),
    "acc_user": re.compile(r"^linear acceleration (?P<axis>[xyz]) \(m/s\^2\)$", re.IGNORECASE),
    "gyro": re.compile(r"^gyroscope (?P<axis>[xyz]) \(rad/s\)$", re.IGNORECASE),
}
_SENSORLOGGER = {
    "totalacceleration.csv": "acc_total",
    "accelerometer.csv": "acc_user",
    "gravity.csv": "gravity",
    "gyroscope.csv": "gyro",
}


def _stream_phyphox(frame: pd.DataFrame, name: str, decimal: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    streams = {}
    for kind, pattern in _PHYPHOX.items():
        cols = {m["axis"].lower(): c for c in frame.columns if (m := pattern.match(c))}
        if len(cols) == 3:
            # The time column of a stream is the nearest 'Time (s)' to its left.
            first = min(frame.columns.get_loc(c) for c in cols.values())
            times = [c for c in frame.columns[:first] if c.lower().startswith("time")]
            if not times:
                raise InputError(f"{name}: no 'Time (s)' column before the {kind} columns")
            t = _numeric(frame, times[-1], name, decimal)
            xyz = np.column_stack([_numeric(frame, cols[k], name, decimal) for k in "xyz"])
            streams[kind] = (t, xyz)
    return streams


def _stream_sensorlogger(frame: pd.DataFrame, name: str) -> tuple[np.ndarray, np.ndarray]:
    missing = [c for c in ("x", "y", "z") if c not in frame.columns]
    if missing or "seconds_elapsed" not in frame.columns:
        raise InputError(f"{name}: Sensor Logger table without seconds_elapsed/x/y/z columns")
    t = _numeric(frame, "seconds_elapsed", name)
    return t, np.column_stack([_numeric(frame, c, name) for c in ("x", "y", "z")])


def _platform(tables: dict[str, str]) -> str:
    text = tables.get("metadata.csv")
    if not text:
        return "unknown"
    try:
        frame = _read_table(text, "metadata.csv")
    except InputError:
        return "unknown"
    col = next((c for c in frame.columns if c.lower() == "platform"), None)
    return str(frame[col].iloc[0]).strip().lower() if col else "unknown"


def _on(t_from: np.ndarray, xyz: np.ndarray, t_to: np.ndarray) -> np.ndarray:
    order = np.argsort(t_from, kind="stable")
    t_sorted, xyz_sorted = t_from[order], xyz[order]
    keep = np.concatenate(([True], np.diff(t_sorted) > 0))
    return resample_uniform(t_sorted[keep], xyz_sorted[keep], t_to)


def read_phone_export(path: str | Path) -> ImuRecording:
    """Read a phyphox or Sensor Logger export (folder or zip) as one sensor named ``phone``."""
    path = Path(path)
    tables = {name.lower(): text for name, text in _phone_tables(path)}
    streams: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    layout = "phyphox"
    for fname, text in tables.items():
        if fname == "metadata.csv":
            continue
        table = _read_table(text, fname)
        # Both apps may name a file Accelerometer.csv; the columns tell them apart.
        if "seconds_elapsed" in table.columns and fname in _SENSORLOGGER:
            streams[_SENSORLOGGER[fname]] = _stream_sensorlogger(table, fname)
            layout = "sensorlogger"
        else:
            streams.update(_stream_phyphox(table, fname, _sniff(text)[1]))
    return _assemble_phone(path, streams, layout, _platform(tables))


def _assemble_phone(
    path: Path, streams: dict[str, tuple[np.ndarray, np.ndarray]], layout: str, platform: str
) -> ImuRecording:
    if "gyro" not in streams:
        raise InputError(f"{path}: the {layout} export has no gyroscope data; record accelerometer and gyroscope")
    t, gyr = streams["gyro"]
    good = np.isfinite(t) & np.isfinite(gyr).all(axis=1)
    t, gyr = t[good], gyr[good]
    rows, notices = clean_time(t, str(path), "gyroscope time")
    t, gyr = t[rows], gyr[rows]
    if "acc_total" in streams:
        acc = _on(*streams["acc_total"], t)
    elif "acc_user" in streams and "gravity" in streams:
        acc = _on(*streams["acc_user"], t) + _on(*streams["gravity"], t)
    else:
        raise InputError(
            f"{path}: the {layout} export has no acceleration including gravity "
            "(Sensor Logger: TotalAcceleration, or Accelerometer with Gravity; phyphox: 'Acceleration with g')"
        )
    if layout == "sensorlogger" and platform == "ios":
        # iOS reports acceleration and gravity with the opposite sign to Android.
        acc = -acc
    details = {"platform": platform, "streams": sorted(streams)}
    return ImuRecording(str(path), t - t[0], {"phone": (acc, gyr)}, layout, tuple(notices), details)


def is_phone_export(path: str | Path) -> bool:
    """Whether a folder or zip looks like a phyphox or Sensor Logger export."""
    path = Path(path)
    try:
        names = [n.lower() for n, _ in _phone_tables(path)] if path.is_dir() else _zip_names(path)
    except (InputError, OSError):
        return False
    return any(n in _SENSORLOGGER for n in names) or any(n.endswith(".csv") for n in names)


def _zip_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return [Path(n).name.lower() for n in z.namelist()]
