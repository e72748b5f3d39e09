"""Writing every output of one analysis, all or nothing.

Everything is written into a temporary folder beside the destination and moved into
place only when complete, so an interrupted run never leaves a report that looks whole.
An existing destination is replaced only when asked (``force``).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np

from squatlab.errors import OutputExistsError
from squatlab.report.html import render_report
from squatlab.report.media import render_media
from squatlab.report.plots import plot_files
from squatlab.report.reps_table import write_reps_csv
from squatlab.report.results import results_dict
from squatlab.report.timeseries import write_timeseries
from squatlab.settings import Settings
from squatlab.timing import stage
from squatlab.trial import Trial


def default_output_dir(input_path: Path) -> Path:
    """``<folder of the input>/<input name>_squatlab``."""
    return input_path.parent / f"{input_path.stem}_squatlab"


def check_destination(out_dir: Path, *, force: bool) -> None:
    """Refuse an existing folder without ``force``, and a place that cannot be written, before any work."""
    if out_dir.exists() and not force:
        raise OutputExistsError(f"{out_dir} already exists; use --force to replace it or --out to choose another")
    parent = out_dir.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise OutputExistsError(f"cannot write the results into {out_dir}: {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputExistsError(f"cannot write the results into {out_dir}: {parent} is not writable")


def write_outputs(
    trial: Trial,
    settings: Settings,
    out_dir: Path,
    *,
    video: Path | None = None,
    overlay: bool = True,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
    exports: tuple[str, ...] = (),
) -> dict[str, Path]:
    """Write results.json, reps.csv, timeseries.csv, report.html, the plots (``plots/``) and, for
    video, overlay.mp4 into ``out_dir``.

    ``exports`` may hold ``"mot"``: the angles as an OpenSim .mot (``angles.mot``) and, for
    video, the landmarks as a .trc (``landmarks.trc``).
    """
    out_dir = out_dir.resolve()
    check_destination(out_dir, force=force)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.parent / f".{out_dir.name}.partial-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        names = {
            "results": "results.json",
            "reps": "reps.csv",
            "timeseries": "timeseries.csv",
            "report": "report.html",
        }
        min_conf = settings.outline.min_conf
        keyframes = []
        if video is not None:
            if overlay:
                names["overlay"] = "overlay.mp4"
            keyframes = render_media(
                trial,
                video,
                overlay_path=tmp / "overlay.mp4" if overlay else None,
                min_conf=min_conf,
                progress=progress,
            )
        with stage("report"):
            write_timeseries(trial, tmp / names["timeseries"])
            (tmp / "plots").mkdir()
            for name, content in plot_files(trial, min_conf=min_conf).items():
                (tmp / "plots" / name).write_bytes(content)
                names[f"plot_{Path(name).suffix[1:]}"] = f"plots/{name}"
            names.update(_write_exports(trial, tmp, exports))
            results = results_dict(trial, settings, outputs=names)
            (tmp / names["results"]).write_text(json.dumps(results, indent=2, allow_nan=False, default=_plain) + "\n")
            write_reps_csv(results, tmp / names["reps"])
            (tmp / names["report"]).write_text(render_report(trial, results, keyframes), encoding="utf-8")
        _move_into_place(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {key: out_dir / name for key, name in names.items()}


def _write_exports(trial: Trial, folder: Path, exports: tuple[str, ...]) -> dict[str, str]:
    written = {}
    if "mot" in exports:
        from squatlab.io.export import write_mot, write_trc

        write_mot(trial, folder / "angles.mot")
        written["mot"] = "angles.mot"
        if trial.landmarks is not None:
            write_trc(trial, folder / "landmarks.trc")
            written["trc"] = "landmarks.trc"
    return written


def _plain(value: object) -> object:
    """JSON for NumPy scalars and arrays."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _move_into_place(tmp: Path, out_dir: Path) -> None:
    if out_dir.exists():
        old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
        out_dir.rename(old)
        tmp.rename(out_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(out_dir)
