"""C3D motion-capture files (Vicon, Qualisys, ...) via ezc3d: marker trajectories only.

Missing samples are NaN (ezc3d marks them from the residual); a marker at exactly
(0, 0, 0) is also taken as missing, as some writers store gaps that way. Units come
from ``POINT:UNITS``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from squatlab.errors import InputError
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


def _expected_frames(c3d: Any) -> int:
    header = c3d["header"]["points"]
    return int(header["last_frame"]) - int(header["first_frame"]) + 1


def read_c3d(path: str | Path) -> MarkerData:
    """Read the marker trajectories of a C3D file.

    Raises
    ------
    InputError
        For an empty, unreadable or truncated file, or one without markers.
    """
    import ezc3d  # heavy compiled module: import on use, not at package import

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: empty file")
    try:
        c3d = ezc3d.c3d(str(path))
    except (OSError, RuntimeError, ValueError) as exc:
        raise InputError(f"{path}: not a readable C3D file ({exc})") from exc
    points = np.asarray(c3d["data"]["points"], dtype=float)  # (4, n_markers, n_frames)
    params = c3d["parameters"]
    if points.ndim != 3 or points.shape[1] == 0:
        raise InputError(f"{path}: the C3D file holds no marker trajectories")
    n_frames = points.shape[2]
    expected = _expected_frames(c3d)
    if n_frames == 0:
        raise InputError(f"{path}: the C3D file holds no frames")
    if n_frames < expected:
        raise InputError(
            f"{path}: truncated C3D file: the header announces {expected} frames, the file holds {n_frames}"
        )
    rate = float(c3d["header"]["points"]["frame_rate"] or np.asarray(_param(params, "POINT", "RATE", [0]))[0])
    if not rate > 0:
        raise InputError(f"{path}: the C3D file gives no point rate")
    unit = str((_param(params, "POINT", "UNITS", ["mm"]) or ["mm"])[0]).strip().lower() or "mm"
    if unit not in UNIT_TO_M:
        raise InputError(f"{path}: unknown point unit {unit!r}; expected one of {', '.join(UNIT_TO_M)}")
    xyz = np.transpose(points[:3], (2, 1, 0)).copy()  # (n_frames, n_markers, 3)
    xyz[(xyz == 0).all(axis=2)] = np.nan
    first = int(c3d["header"]["points"]["first_frame"])
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
