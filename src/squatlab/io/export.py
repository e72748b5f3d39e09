"""Writing our per-frame results in the lab's formats: OpenSim .mot and TRC.

``write_mot`` writes an OpenSim coordinates file that OpenSim's own reader
(``TimeSeriesTable`` / ``STOFileAdapter``) loads and that :func:`squatlab.io.opensim.read_mot`
turns back into the same analysis:

- OpenSim's coordinates with OpenSim's names and signs, in degrees, where the source
  measured them (:func:`opensim_coordinates`): ``pelvis_tilt`` (negative = anterior tilt),
  ``lumbar_extension`` (negative = flexion), ``hip_flexion_<s>``, ``knee_angle_<s>``
  (positive = flexion, as in the Rajagopal 2015 and LaiUhlrich 2022 models that OpenCap uses;
  gait2392 counts knee flexion negative) and ``ankle_angle_<s>`` (dorsiflexion +);
- every squatlab channel under its own name and sign (``knee_flexion_deg``, ...), each with
  its confidence (``<name>_conf``), and for video the view per frame (``view``, a number:
  :data:`squatlab.conventions.VIEW_CODES`) and the body's yaw (``body_yaw_deg``);
- header metadata (``squatlab_*`` keys) that the analysis needs beside the curves: the
  source's own error, the standing baseline, why a channel is missing, which way the lifter
  faced. Header prose never contains "=", which OpenSim would read as a metadata key.

Missing samples are ``NaN``. ``write_trc`` writes video landmarks as a TRC in image pixels
(``Units px``), with y flipped to point up (Y = image height - y) and Z = 0, so that the
vertical is +Y as in OpenSim; a missing landmark is ``NaN NaN NaN``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from squatlab import __version__
from squatlab import conventions as cv
from squatlab.errors import InputError
from squatlab.io.opensim import META_PREFIX
from squatlab.trial import Channel, Trial

_SIDE_SUFFIX = {"left": "l", "right": "r"}
# Warnings that analysing the export finds again (reps and findings); the others describe the
# recording itself (the view, tracking, the outline) and travel in the header.
_FOUND_AGAIN = ("no_reps", "not_a_squat", "incomplete_rep", "findings.")


def _fmt(v: float) -> str:
    return f"{v:.8g}" if np.isfinite(v) else "NaN"


def _measured(trial: Trial, name: str) -> Channel | None:
    ch = trial.channels.get(name)
    return ch if ch is not None and not ch.is_absent else None


def _sides(trial: Trial) -> tuple[str, ...]:
    """OpenSim side suffixes to write leg angles under.

    A video measures the leg nearer the camera only; lab sources give the mean of the sides
    they measured, written under both sides.
    """
    if trial.source.kind == "video" and trial.view is not None:
        return (_SIDE_SUFFIX[trial.view.leg_side],)
    return ("r", "l")


def _femur_on_pelvis(trial: Trial) -> Channel | None:
    """Hip flexion as OpenSim defines it: the thigh relative to the pelvis.

    Sources that measure the pelvis (markers, IMUs, OpenSim files) give exactly that. A video
    (or markers without a pelvis) gives the trunk-thigh angle, which differs from it by the low
    back's flexion; there the thigh's own angle from vertical (trunk-thigh angle minus trunk
    inclination) is put on the exported pelvis, so that in OpenSim the thigh points where the
    video saw it: hip_flexion = thigh angle + anterior pelvis tilt.
    """
    hip = _measured(trial, cv.HIP_FLEXION)
    pelvis = _measured(trial, cv.PELVIS_TILT_ABS)
    if hip is None or pelvis is None:
        return None
    if trial.source.kind != "video":
        return hip
    trunk = _measured(trial, cv.TRUNK_INCLINATION)
    if trunk is None:
        return None
    values = hip.values - trunk.values + pelvis.values
    return Channel.measured(values, np.minimum.reduce([hip.conf, trunk.conf, pelvis.conf]))


def opensim_coordinates(trial: Trial) -> dict[str, Channel]:
    """The trial's angles as OpenSim coordinates (degrees, OpenSim's names and signs), where measured.

    Examples
    --------
    >>> from squatlab.trial import Source
    >>> t = np.array([0.0, 0.01])
    >>> trial = Trial(t, Source("x", "c3d", 100.0, 0.01, 2), {
    ...     "pelvis_tilt_abs_deg": Channel.measured(np.array([10.0, 12.0])),
    ...     "knee_flexion_deg": Channel.measured(np.array([5.0, 90.0]))})
    >>> {name: ch.values.tolist() for name, ch in opensim_coordinates(trial).items()}
    {'pelvis_tilt': [-10.0, -12.0], 'knee_angle_r': [5.0, 90.0], 'knee_angle_l': [5.0, 90.0]}
    """
    out: dict[str, Channel] = {}
    for ours, theirs in ((cv.PELVIS_TILT_ABS, "pelvis_tilt"), (cv.LUMBAR_FLEXION_ABS, "lumbar_extension")):
        ch = _measured(trial, ours)
        if ch is not None:
            out[theirs] = Channel(-ch.values, ch.conf, ch.unit)
    legs = {"hip_flexion": _femur_on_pelvis(trial)}
    legs["knee_angle"] = _measured(trial, cv.KNEE_FLEXION)
    legs["ankle_angle"] = _measured(trial, cv.SHIN_ANGLE)  # the foot taken as flat, as the reader does
    for stem, ch in legs.items():
        if ch is not None:
            out.update({f"{stem}_{side}": ch for side in _sides(trial)})
    return out


def mot_columns(trial: Trial) -> dict[str, np.ndarray]:
    """The columns :func:`write_mot` writes, in order (time first)."""
    cols = {"time": np.asarray(trial.time_s, dtype=float)}
    cols.update({name: ch.values for name, ch in opensim_coordinates(trial).items()})
    for name, ch in trial.channels.items():
        if not ch.is_absent:
            cols[name] = ch.values
            cols[cv.conf_column(name)] = ch.conf
    if trial.view is not None:
        cols["view"] = np.array([cv.VIEW_CODES.get(k, 0) for k in trial.view.kind], dtype=float)
        cols["body_yaw_deg"] = np.asarray(trial.view.yaw_deg, dtype=float)
    return cols


def mot_metadata(trial: Trial) -> dict[str, str]:
    """The ``key=value`` header lines of :func:`write_mot` beyond OpenSim's own."""
    src = trial.source
    meta = {
        "version": __version__,
        "source_kind": src.kind,
        "source_file": Path(src.path).name,
        "pelvis_error_deg": f"{src.pelvis_error_deg:g}",
        "lumbar_error_deg": f"{src.lumbar_error_deg:g}",
        "wink_error_deg": f"{src.wink_error:g}",
    }
    if trial.view is not None:
        meta["facing"] = trial.view.facing
        meta["near_side"] = trial.view.near_side
        meta["view_codes"] = ", ".join(f"{code} {kind}" for kind, code in cv.VIEW_CODES.items())
    for name, value in trial.baseline.items():
        if np.isfinite(value):
            meta[f"baseline_{name}"] = f"{value:.8g}"
    for name, ch in trial.channels.items():
        if ch.is_absent:
            meta[f"absent_{name}"] = _one_line(str(ch.absent_reason))
    kept = [n for n in trial.notices if not n.code.startswith(_FOUND_AGAIN)]
    for i, n in enumerate(kept, start=1):
        times = " ".join(_fmt(t if t is not None else np.nan) for t in (n.start_s, n.end_s))
        meta[f"warning_{i}"] = f"{n.code} {times} {_one_line(n.message)}"
    return {f"{META_PREFIX}{key}": value for key, value in meta.items()}


def _one_line(text: str) -> str:
    """A header value: one line, no "=" (OpenSim splits header lines at the first one)."""
    return " ".join(text.replace("=", " ").split())


def write_mot(trial: Trial, path: str | Path) -> Path:
    """Write the trial's per-frame angles as an OpenSim .mot (inDegrees=yes).

    Returns the path written.

    Examples
    --------
    >>> import tempfile
    >>> from squatlab.trial import Source
    >>> t = np.array([0.0, 0.01])
    >>> trial = Trial(t, Source("x", "synthetic", 100.0, 0.01, 2),
    ...               {"pelvis_tilt_abs_deg": Channel.measured(np.array([10.0, np.nan]))})
    >>> p = write_mot(trial, Path(tempfile.mkdtemp()) / "out.mot")
    >>> p.read_text().splitlines()[-3:]
    ['time\\tpelvis_tilt\\tpelvis_tilt_abs_deg\\tpelvis_tilt_abs_deg_conf', '0\\t-10\\t10\\t1', '0.01\\tNaN\\tNaN\\t0']
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
        *(f"{key}={value}" for key, value in mot_metadata(trial).items()),
        "Written by squatlab. OpenSim coordinates (pelvis_tilt, lumbar_extension, hip_flexion, knee_angle,",
        "ankle_angle) use OpenSim's names and signs in degrees; knee_angle is positive in flexion as in the",
        "Rajagopal 2015 and LaiUhlrich 2022 models. Columns ending in _deg, _leg, _thigh or _foot are squatlab's",
        "own channels and signs (docs/conventions.md), each with its confidence (0-1) in <name>_conf.",
        "endheader",
        "\t".join(names),
    ]
    data = np.column_stack([cols[c] for c in names])
    rows = ("\t".join(_fmt(v) for v in row) for row in data)
    path.write_text("\n".join([*header, *rows]) + "\n", encoding="utf-8")
    return path


def write_trc(trial: Trial, path: str | Path) -> Path:
    """Write the trial's video landmarks as a TRC (pixels, y up, Z = 0; missing = NaN).

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
    xyz = np.stack([lm.xy[..., 0], height - lm.xy[..., 1], np.zeros((n, k))], axis=2)
    xyz[~np.isfinite(xyz).all(axis=2)] = np.nan  # a landmark is there in full or not at all
    rows = []
    for i in range(n):
        cells = (f"{v:.6g}" if np.isfinite(v) else "NaN" for v in xyz[i].ravel())
        rows.append("\t".join([str(i + 1), f"{trial.time_s[i]:.6g}", *cells]))
    path.write_text("\n".join([*header, *rows]) + "\n", encoding="utf-8")
    return path
