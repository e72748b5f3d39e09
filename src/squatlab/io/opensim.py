"""OpenSim coordinate files (.mot, .sto): OpenCap, Pose2Sim and Sports2D inverse kinematics.

Header lines up to ``endheader`` (``inDegrees=yes|no``, ``nRows``, ``nColumns``, ...),
then a tab-separated line of column names and one row per time step.

Sign mapping to ours (OpenSim rotates about each joint's +Z, the body's right-pointing
axis, with X forward and Y up, so a positive angle lifts the segment's front):

=================== ===================== ==========================================
OpenSim column      squatlab channel      conversion
=================== ===================== ==========================================
``pelvis_tilt``     ``pelvis_tilt_abs``   negated (OpenSim: negative = anterior tilt)
``lumbar_extension`` ``lumbar_flexion_abs`` negated (OpenSim: negative = flexion)
``hip_flexion_r/l`` ``hip_flexion``       same sign; mean of the sides
``knee_angle_r/l``  ``knee_flexion``      same sign (negated if the model counts flexion
                                          negative, as gait2392 does); mean of the sides
``ankle_angle_r/l`` ``shin_angle``        same sign (dorsiflexion +), foot assumed flat;
                                          mean of the sides
``pelvis_tilt`` +   ``trunk_inclination`` ``-(pelvis_tilt + lumbar_extension)``
``lumbar_extension``
``pelvis_ty``       ``hip_height_leg``    over its standing (95th percentile) value
=================== ===================== ==========================================

Columns already named like our channels (``knee_flexion_deg``, ...) are read as they
are, so files written by :func:`squatlab.io.export.write_mot` read back unchanged, with
what squatlab wrote beside them: each channel's confidence (``<name>_conf``), the view per
frame (``view``, ``body_yaw_deg``) and the ``squatlab_*`` header keys (the source's own
error, the standing baseline, why a channel is missing, the lifter's facing). Analysing such
a file gives the reps, measurability and findings of the analysis that wrote it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from squatlab import conventions as cv
from squatlab.errors import InputError
from squatlab.io._messages import one_line
from squatlab.io._text_table import NUMBER, require_increasing, split_fields
from squatlab.settings import LabSettings
from squatlab.trial import Channel, Notice, Source, Trial, View

OPENSIM_COLUMNS = (
    "pelvis_tilt",
    "lumbar_extension",
    "hip_flexion_r",
    "hip_flexion_l",
    "knee_angle_r",
    "knee_angle_l",
    "ankle_angle_r",
    "ankle_angle_l",
    "pelvis_ty",
)
# Header keys squatlab writes into its own exports (squatlab.io.export.write_mot).
META_PREFIX = "squatlab_"
# Shin angle from the leg chain and from the ankle disagree beyond this when the heel lifts
# or the hips rotate a lot; we then say so.
SHIN_CHECK_DEG = 10.0


def _header(lines: list[str], path: Path) -> tuple[dict[str, str], int]:
    end = next((i for i, s in enumerate(lines) if s.strip().lower() == "endheader"), None)
    if end is None:
        raise InputError(f"{path}: not an OpenSim .mot/.sto file (no 'endheader' line)")
    header = {}
    for line in lines[:end]:
        if "=" in line:
            key, _, value = line.partition("=")
            header[key.strip()] = value.strip()
    return header, end


def _table(lines: list[str], start: int, path: Path) -> tuple[list[str], np.ndarray]:
    body = [(i + 1, s) for i, s in enumerate(lines[start:], start=start) if s.strip()]
    if not body:
        raise InputError(f"{path}: no column names after 'endheader'")
    names = [c.strip() for c in split_fields(body[0][1])]
    names = [c for c in names if c]
    rows = []
    for row_no, line in body[1:]:
        cells = line.split()
        if len(cells) != len(names):
            raise InputError(f"{path}: row {row_no} has {len(cells)} values for {len(names)} columns")
        bad = next((c for c in cells if not NUMBER.match(c)), None)
        if bad is not None:
            raise InputError(f"{path}: row {row_no}: {bad!r} is not a number")
        rows.append([float(c) for c in cells])
    if not rows:
        raise InputError(f"{path}: no data rows")
    return names, np.asarray(rows, dtype=float)


def _mean_sides(cols: dict[str, np.ndarray], stem: str) -> np.ndarray | None:
    sides = [cols[f"{stem}_{s}"] for s in ("r", "l") if f"{stem}_{s}" in cols]
    return np.mean(sides, axis=0) if sides else None


def _knee(cols: dict[str, np.ndarray], notices: list[Notice]) -> np.ndarray | None:
    knee = _mean_sides(cols, "knee_angle")
    if knee is None:
        return None
    # The knee flexes far more than it extends: if the big excursion is negative, the
    # model (e.g. gait2392) counts flexion negative.
    if abs(np.nanmin(knee)) > abs(np.nanmax(knee)):
        notices.append(Notice("knee_sign", "knee_angle is negative in flexion in this model; negated to flexion +"))
        return -knee
    return knee


def _shin(
    cols: dict[str, np.ndarray], knee: np.ndarray | None, hip: np.ndarray | None, notices: list[Notice]
) -> np.ndarray | None:
    shin = _mean_sides(cols, "ankle_angle")
    if shin is not None and knee is not None and hip is not None and "pelvis_tilt" in cols:
        # In-plane leg chain: shank inclination = knee - hip - pelvis_tilt (OpenSim signs).
        chain = knee - hip - cols["pelvis_tilt"]
        gap = float(np.nanmax(np.abs(chain - shin)))
        if gap > SHIN_CHECK_DEG:
            notices.append(
                Notice(
                    "shin_check",
                    f"shin angle from the ankle and from the hip-knee chain differ by up to {gap:.0f} deg "
                    "(heel lift or hip rotation); the ankle's value is used",
                )
            )
    return shin


def _channels(cols: dict[str, np.ndarray], n: int, notices: list[Notice], meta: dict[str, str]) -> dict[str, Channel]:
    out: dict[str, np.ndarray | str] = {}
    tilt, lumbar = cols.get("pelvis_tilt"), cols.get("lumbar_extension")
    out[cv.PELVIS_TILT_ABS] = -tilt if tilt is not None else "no pelvis_tilt column"
    out[cv.LUMBAR_FLEXION_ABS] = -lumbar if lumbar is not None else "no lumbar_extension column"
    hip = _mean_sides(cols, "hip_flexion")
    out[cv.HIP_FLEXION] = hip if hip is not None else "no hip_flexion_r/l column"
    knee = _knee(cols, notices)
    out[cv.KNEE_FLEXION] = knee if knee is not None else "no knee_angle_r/l column"
    shin = _shin(cols, knee, hip, notices)
    out[cv.SHIN_ANGLE] = shin if shin is not None else "no ankle_angle_r/l column"
    if tilt is not None and lumbar is not None:
        out[cv.TRUNK_INCLINATION] = -(tilt + lumbar)
    else:
        out[cv.TRUNK_INCLINATION] = "needs pelvis_tilt and lumbar_extension"
    if "pelvis_ty" in cols:
        out[cv.HIP_HEIGHT] = cols["pelvis_ty"] / np.nanpercentile(cols["pelvis_ty"], 95)
    else:
        out[cv.HIP_HEIGHT] = "no pelvis_ty column"
    # Our own channel names (files we wrote) win over derived values, and so do the reasons
    # we wrote for the channels that were missing.
    for name in cv.CHANNELS:
        if name in cols:
            out[name] = cols[name]
        elif f"absent_{name}" in meta:
            out[name] = meta[f"absent_{name}"]
    channels = {}
    for name, value in out.items():
        unit = cv.CHANNELS[name].unit
        if isinstance(value, str):
            channels[name] = Channel.absent(n, value, unit)
        else:
            conf = cols.get(cv.conf_column(name), 1.0)
            channels[name] = Channel.measured(value, np.nan_to_num(conf), unit=unit)
    return channels


def _squatlab_meta(header: dict[str, str]) -> dict[str, str]:
    """The ``squatlab_*`` header keys, without the prefix (empty for files squatlab did not write)."""
    return {k.removeprefix(META_PREFIX): v for k, v in header.items() if k.startswith(META_PREFIX)}


def _view(cols: dict[str, np.ndarray], meta: dict[str, str]) -> View | None:
    """The per-frame view squatlab exported from a video, or None."""
    if "view" not in cols:
        return None
    codes = np.nan_to_num(cols["view"]).astype(int)
    kind = np.array(cv.VIEW_KINDS)[np.clip(codes, 0, len(cv.VIEW_KINDS) - 1)]
    yaw = cols.get("body_yaw_deg", np.full(codes.size, np.nan))
    return View(kind, yaw, meta.get("facing", "unknown"), meta.get("near_side", "unknown"))


def _baseline(meta: dict[str, str]) -> dict[str, float]:
    out = {}
    for key, value in meta.items():
        name = key.removeprefix("baseline_")
        if key.startswith("baseline_") and name in cv.CHANNELS and NUMBER.match(value.strip()):
            out[name] = float(value)
    return out


def _warnings(meta: dict[str, str]) -> list[Notice]:
    """The warnings of the analysis that wrote the file (``warning_<i> = code start end message``)."""
    out = []
    keys = [k for k in meta if k.startswith("warning_") and k[8:].isdigit()]
    for key in sorted(keys, key=lambda k: int(k[8:])):
        code, start, end, message = ([*meta[key].split(maxsplit=3), "", "", ""])[:4]
        times = [float(t) if NUMBER.match(t) and np.isfinite(float(t)) else None for t in (start, end)]
        out.append(Notice(code, message, *times))
    return out


def _error(meta: dict[str, str], key: str, default: float) -> float:
    value = meta.get(key, "").strip()
    return float(value) if NUMBER.match(value) and np.isfinite(float(value)) else default


def _time(names: list[str], data: np.ndarray, path: Path) -> np.ndarray:
    if not names or names[0].lower() != "time":
        raise InputError(f"{path}: the first column must be 'time', found {names[0] if names else 'nothing'!r}")
    t = data[:, 0]
    if not np.isfinite(t).all():
        i = int(np.flatnonzero(~np.isfinite(t))[0])
        raise InputError(f"{path}: time is missing or not finite in data row {i + 1}")
    require_increasing(t, path, "data row")
    return t


def read_mot(path: str | Path, *, settings: LabSettings | None = None) -> Trial:
    """Read an OpenSim .mot/.sto coordinates file into a trial (our names and signs).

    Raises
    ------
    InputError
        No header, no time column, none of the known coordinates, text in numbers,
        time going backwards.
    """
    settings = settings or LabSettings()
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read as text ({one_line(exc)})") from exc
    if not any(s.strip() for s in lines):
        raise InputError(f"{path}: empty file")
    header, end = _header(lines, path)
    names, data = _table(lines, end + 1, path)
    time_s = _time(names, data, path)
    known = [c for c in names if c in OPENSIM_COLUMNS or c in cv.CHANNELS]
    if not known:
        raise InputError(
            f"{path}: none of the expected columns ({', '.join(OPENSIM_COLUMNS)}) is in the file; "
            f"found {', '.join(names[1:8])}{'...' if len(names) > 8 else ''}"
        )
    in_degrees = header.get("inDegrees", "yes").strip().lower() != "no"
    cols = {}
    for j, name in enumerate(names):
        values = data[:, j]
        # pelvis_ty is a translation (metres); the rest are rotations.
        if not in_degrees and name in OPENSIM_COLUMNS and name != "pelvis_ty":
            values = np.degrees(values)
        if np.isfinite(values).any():  # an all-NaN column is as good as none
            cols[name] = values
    meta = _squatlab_meta(header)
    notices = _warnings(meta)
    channels = _channels(cols, time_s.size, notices, meta)
    rate = 1.0 / float(np.median(np.diff(time_s))) if time_s.size > 1 else 0.0
    details = {"header": header, "in_degrees": in_degrees, "columns_used": known}
    if meta:
        details["exported_from"] = meta.get("source_kind")
    source = Source(
        path=str(path),
        kind="mot",
        fps=rate,
        duration_s=float(time_s[-1] - time_s[0]),
        frames=int(time_s.size),
        pelvis_error_deg=_error(meta, "pelvis_error_deg", settings.opensim_pelvis_error_deg),
        lumbar_error_deg=_error(meta, "lumbar_error_deg", settings.opensim_lumbar_error_deg),
        wink_error_deg=(
            _error(meta, "wink_error_deg", settings.opensim_pelvis_error_deg) if "wink_error_deg" in meta else None
        ),
        details=details,
    )
    # squatlab's own exports keep the analysis's clock; other files start at their first row.
    start = 0.0 if meta else float(time_s[0])
    return Trial(
        time_s=time_s - start,
        source=source,
        channels=channels,
        view=_view(cols, meta),
        baseline=_baseline(meta),
        notices=tuple(notices),
    )
