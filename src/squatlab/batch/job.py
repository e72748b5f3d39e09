"""Analysing one recording of a batch: outputs written whole, or an error record, never both.

Runs in a worker process (local or on a Dask worker), so it takes and returns only plain,
picklable values and never raises for a bad file: the error goes into the file's error
record and the batch goes on.
"""

from __future__ import annotations

import json
import time
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from squatlab.batch.inputs import Job
from squatlab.errors import SquatlabError
from squatlab.settings import Settings


@dataclass(frozen=True)
class BatchOptions:
    """What applies to every file of a batch."""

    settings: Settings = field(default_factory=Settings)
    overlay: bool = True
    imu_sensors: dict[str, str] | None = None
    marker_map: Path | None = None
    pose_workers: int = 1  # pose lanes per video; the batch's parallelism is across files


@dataclass(frozen=True)
class Outcome:
    key: str
    path: str
    status: str  # "ok" | "error"
    seconds: float
    message: str = ""


def analyse_job(job: Job, options: BatchOptions) -> Outcome:
    """Analyse ``job.path`` into ``job.out_dir``; record an error instead of raising."""
    started = time.monotonic()
    try:
        _analyse(job, options)
    except (SquatlabError, OSError) as exc:
        return record_error(job, str(exc) or type(exc).__name__, "input", time.monotonic() - started)
    except Exception as exc:  # a bug on one file must not stop the batch; it is recorded
        text = " ".join(str(exc).split())[:300]
        detail = traceback.format_exc(limit=-3)
        return record_error(
            job, f"internal error ({type(exc).__name__}: {text})", "internal", time.monotonic() - started, detail
        )
    job.error_file.unlink(missing_ok=True)
    return Outcome(job.key, str(job.path), "ok", time.monotonic() - started)


def record_error(job: Job, message: str, kind: str, seconds: float, detail: str = "") -> Outcome:
    """Write the file's error record (``<out_dir>.error.json``) and return the outcome."""
    job.error_file.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "input": str(job.path),
        "error": message,
        "kind": kind,
        "when_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "traceback": detail,
    }
    tmp = job.error_file.with_name(job.error_file.name + ".partial")
    tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    tmp.replace(job.error_file)
    return Outcome(job.key, str(job.path), "error", seconds, message)


def _analyse(job: Job, options: BatchOptions) -> None:
    from squatlab.io.lab import detect_format
    from squatlab.pipeline import analyze_lab, analyze_video
    from squatlab.report.write import write_outputs

    settings = options.settings
    if detect_format(job.path) == "video":
        trial = analyze_video(job.path, settings=settings, workers=options.pose_workers)
        write_outputs(trial, settings, job.out_dir, video=job.path, overlay=options.overlay, force=True)
    else:
        trial = analyze_lab(job.path, imu_sensors=options.imu_sensors, marker_map=options.marker_map, settings=settings)
        write_outputs(trial, settings, job.out_dir, force=True)
