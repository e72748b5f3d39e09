"""C3D motion-capture files (Vicon, Qualisys, ...) via ezc3d: marker trajectories only.

Missing samples are NaN (ezc3d marks them from the residual); a marker at exactly
(0, 0, 0) is also taken as missing, as some writers store gaps that way. Units come
from ``POINT:UNITS``.
"""

from __future__ import annotations

import multiprocessing
import struct
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np

from squatlab.errors import InputError
from squatlab.io._messages import one_line
from squatlab.io.markerset import UNIT_TO_M, MarkerData


def _param(params: dict, group: str, name: str, default: Any = None) -> Any:
    try:
        return params[group][name]["value"]
    except (KeyError, TypeError):
        return default


def _labels(params: dict, n_markers: int) -> tuple[str, ...]:
    labels = list(_param(params, "POINT", "LABELS", []) or [])
    # Files with more than 255 markers continue the list in LABELS2, LABELS3, ...
    k = 2
    while len(labels) < n_markers and _param(params, "POINT", f"LABELS{k}") is not None:
        labels += list(_param(params, "POINT", f"LABELS{k}"))
        k += 1
    labels = [str(s).strip() for s in labels[:n_markers]]
    labels += [f"marker{i}" for i in range(len(labels), n_markers)]
    return tuple(labels)


_BLOCK = 512
_BIG_ENDIAN_PROCESSOR = 86  # MIPS (SGI); 84 = Intel and 85 = DEC are little-endian


def _missing_frames(path: Path) -> tuple[int, int] | None:
    """(frames announced, frames present) when the file is shorter than its header says.

    Read from the raw header, because ezc3d quietly rewrites its header to the frames
    it managed to read.
    """
    raw = path.read_bytes()
    if len(raw) < _BLOCK:
        return None
    param_start = (raw[0] - 1) * _BLOCK
    order = ">" if len(raw) > param_start + 3 and raw[param_start + 3] == _BIG_ENDIAN_PROCESSOR else "<"
    n_points, n_analog, first, last = struct.unpack(order + "5H", raw[:10])[1:]
    scale = struct.unpack(order + "f", raw[12:16])[0]
    data_block = struct.unpack(order + "H", raw[16:18])[0]
    if last == 0xFFFF or last < first or data_block == 0:
        return None  # long files keep their frame count elsewhere; trust the reader
    per_frame = (4 * n_points + n_analog) * (4 if scale < 0 else 2)
    if per_frame == 0:
        return None
    announced = last - first + 1
    present = (len(raw) - (data_block - 1) * _BLOCK) // per_frame
    return (announced, max(int(present), 0)) if present < announced else None


# ezc3d can crash the process or loop forever on a damaged parameter section, so files
# are read in a child process with a time limit: a few seconds plus time for the size
# (ezc3d reads about 50 MB/s here; the margin is tenfold).
READ_TIMEOUT_BASE_S = 8.0
READ_TIMEOUT_S_PER_MB = 0.2


def _read(path: str) -> tuple[np.ndarray, dict, dict]:
    """Read with ezc3d; return what squatlab uses, as plain data."""
    import ezc3d  # heavy compiled module: import on use, not at package import

    c3d = ezc3d.c3d(path)
    raw = c3d["parameters"]
    params = {
        group: {name: {"value": v.get("value")} for name, v in raw[group].items() if isinstance(v, dict)}
        for group in raw
        if isinstance(raw[group], dict)
    }
    points_header = c3d["header"]["points"]
    header = {"frame_rate": points_header["frame_rate"], "first_frame": points_header["first_frame"]}
    return np.asarray(c3d["data"]["points"], dtype=float), params, header


def _read_in_child(path: str, conn: Connection) -> None:
    """Child process: read and send the result back."""
    try:
        conn.send(("ok", *_read(path)))
    except Exception as exc:  # any failure travels back as text
        conn.send(("error", one_line(exc), None, None))
    finally:
        conn.close()


def _read_isolated(path: Path) -> tuple[np.ndarray, dict, dict]:
    if multiprocessing.current_process().daemon:
        # A daemonic process (a Dask worker's) may not start children; its nanny restarts
        # it if the reader crashes, and the batch records the file as failed.
        try:
            return _read(str(path))
        except Exception as exc:
            raise InputError(f"{path}: not a readable C3D file ({one_line(exc)})") from exc
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_read_in_child, args=(str(path), send), daemon=True)
    child.start()
    send.close()
    timeout = READ_TIMEOUT_BASE_S + READ_TIMEOUT_S_PER_MB * path.stat().st_size / 1e6
    try:
        if not receive.poll(timeout):
            raise InputError(f"{path}: not a readable C3D file (reading took over {timeout:.0f} s: damaged?)")
        status, points, params, header = receive.recv()
    except EOFError:
        child.join(5)
        raise InputError(
            f"{path}: not a readable C3D file (the reader crashed, exit {child.exitcode}: damaged parameter section?)"
        ) from None
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receive.close()
    if status != "ok":
        raise InputError(f"{path}: not a readable C3D file ({points})")
    return points, params, header


def read_c3d(path: str | Path) -> MarkerData:
    """Read the marker trajectories of a C3D file.

    Raises
    ------
    InputError
        For an empty, unreadable, damaged or truncated file, or one without markers.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: empty file")
    points, params, header = _read_isolated(path)  # points: (4, n_markers, n_frames)
    if points.ndim != 3 or points.shape[1] == 0:
        raise InputError(f"{path}: the C3D file holds no marker trajectories")
    n_frames = points.shape[2]
    if n_frames == 0:
        raise InputError(f"{path}: the C3D file holds no frames")
    missing = _missing_frames(path)
    if missing is not None:
        raise InputError(
            f"{path}: truncated C3D file: the header announces {missing[0]} frames, the file holds {missing[1]}"
        )
    rate = float(header["frame_rate"] or np.asarray(_param(params, "POINT", "RATE", [0]))[0])
    if not rate > 0:
        raise InputError(f"{path}: the C3D file gives no point rate")
    unit = str((_param(params, "POINT", "UNITS", ["mm"]) or ["mm"])[0]).strip().lower() or "mm"
    if unit not in UNIT_TO_M:
        raise InputError(f"{path}: unknown point unit {unit!r}; expected one of {', '.join(UNIT_TO_M)}")
    xyz = np.transpose(points[:3], (2, 1, 0)).copy()  # (n_frames, n_markers, 3)
    xyz[(xyz == 0).all(axis=2)] = np.nan
    xyz[~np.isfinite(xyz)] = np.nan
    first = int(header["first_frame"])
    time_s = (first + np.arange(n_frames)) / rate
    manufacturer = _param(params, "MANUFACTURER", "COMPANY", [""]) or [""]
    return MarkerData(
        path=str(path),
        kind="c3d",
        time_s=time_s,
        rate_hz=rate,
        labels=_labels(params, points.shape[1]),
        xyz=xyz,
        unit=unit,
        scale_m=UNIT_TO_M[unit],
        details={"first_frame": first, "manufacturer": str(manufacturer[0])},
    )
