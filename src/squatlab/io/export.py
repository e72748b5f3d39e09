"""Writing our per-frame results in the lab's formats: OpenSim .mot and TRC.

``write_mot`` writes the trial's angles as an OpenSim coordinates file. The absolute
pelvis tilt and lumbar flexion go out under OpenSim's names and signs (``pelvis_tilt`` =
-pelvis tilt, ``lumbar_extension`` = -lumbar flexion); every other channel keeps our name
and sign (``knee_flexion_deg``, ...), because ours are not per side and OpenSim's model
coordinates are. Missing samples are written as ``nan``. :func:`squatlab.io.opensim.read_mot`
reads the file back unchanged.

``write_trc`` writes video landmarks as a TRC in image pixels (``Units px``), with y
flipped to point up (Y = image height - y) and Z = 0, so that the vertical is +Y as in
OpenSim. Missing landmarks are empty fields.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from squatlab import conventions as cv
from squatlab.errors import InputError
from squatlab.trial import Trial

# Our absolute channels -> (OpenSim coordinate, sign factor).
TO_OPENSIM = {cv.PELVIS_TILT_ABS: ("pelvis_tilt", -1.0), cv.LUMBAR_FLEXION_ABS: ("lumbar_extension", -1.0)}


def _fmt(v: float) -> str:
    return "nan" if not np.isfinite(v) else f"{v:.8g}"


def mot_columns(trial: Trial) -> dict[str, np.ndarray]:
    """The columns :func:`write_mot` writes, in order (time first)."""
    cols = {"time": np.asarray(trial.time_s, dtype=float)}
    for name, (os_name, factor) in TO_OPENSIM.items():
        ch = trial.channels.get(name)
        if ch is not None and not ch.is_absent:
            cols[os_name] = factor * ch.values
    for name, ch in trial.channels.items():
        if name not in TO_OPENSIM and not ch.is_absent:
            cols[name] = ch.values
    return cols


def write_mot(trial: Trial, path: str | Path) -> Path:
    """Write the trial's per-frame angles as an OpenSim .mot (inDegrees=yes).

    Returns the path written.

    Examples
    --------
    >>> import tempfile
    >>> from squatlab.trial import Channel, Source, Trial
    >>> t = np.array([0.0, 0.01])
    >>> trial = Trial(t, Source("x", "synthetic", 100.0, 0.01, 2),
    ...               {"pelvis_tilt_abs_deg": Channel.measured(np.array([10.0, 12.0]))})
    >>> p = write_mot(trial, Path(tempfile.mkdtemp()) / "out.mot")
    >>> p.read_text().splitlines()[-2:]
    ['0\\t-10', '0.01\\t-12']
    """
    path = Path(path)
    cols = mot_columns(trial)
    names = list(cols)
    n = trial.n_frames
    header = [
        path.stem,
        "version=1",
        f"nRows={n}",
        f"nColumns={len(names)}",
        "inDegrees=yes",
        "",
        "Written by squatlab. pelvis_tilt and lumbar_extension use OpenSim's signs (negative = anterior",
        "tilt / flexion); columns named *_deg use squatlab's (positive = anterior tilt, flexion, forward).",
        "",
        "endheader",
        "\t".join(names),
    ]
    rows = ("\t".join(_fmt(cols[c][i]) for c in names) for i in range(n))
    path.write_text("\n".join([*header, *rows]) + "\n", encoding="utf-8")
    return path


def write_trc(trial: Trial, path: str | Path) -> Path:
    """Write the trial's video landmarks as a TRC (pixels, y up, Z = 0).

    Raises :class:`InputError` when the trial has no landmarks.
    """
    lm = trial.landmarks
    if lm is None:
        raise InputError(f"{trial.source.path}: no landmarks to write (only video trials have them)")
    path = Path(path)
    n, k = lm.xy.shape[:2]
    height = float(lm.image_size[1])
    rate = trial.source.fps or (1.0 / float(np.median(np.diff(trial.time_s))) if n > 1 else 0.0)
    header = [
        f"PathFileType\t4\t(X/Y/Z)\t{path.name}",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
        f"{rate:g}\t{rate:g}\t{n}\t{k}\tpx\t{rate:g}\t1\t{n}",
        "Frame#\tTime\t" + "\t".join(f"{name}\t\t" for name in lm.names).rstrip("\t"),
        "\t\t" + "\t".join(f"X{j + 1}\tY{j + 1}\tZ{j + 1}" for j in range(k)),
        "",
    ]
    x = lm.xy[..., 0]
    y = height - lm.xy[..., 1]

    def cell(v: float) -> str:
        return "" if not np.isfinite(v) else f"{v:.6g}"

    rows = []
    for i in range(n):
        fields = [str(i + 1), f"{trial.time_s[i]:.6g}"]
        for j in range(k):
            missing = not (np.isfinite(x[i, j]) and np.isfinite(y[i, j]))
            fields += ["", "", ""] if missing else [cell(x[i, j]), cell(y[i, j]), "0"]
        rows.append("\t".join(fields))
    path.write_text("\n".join([*header, *rows]) + "\n", encoding="utf-8")
    return path
