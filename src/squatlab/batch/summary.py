"""One CSV across every file and rep of a batch, built from the files' own results.

Rebuilt from ``results.json`` and the error records each time, so it always matches what
is on disk: a batch stopped midway and rerun loses no row. One row per rep; a file with no
rep, a file that failed and a file not analysed yet each get one row saying so.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from squatlab import conventions as cv
from squatlab.batch.inputs import Job

SUMMARY_NAME = "summary.csv"
_FILE_COLUMNS = ("input", "output", "status", "message", "kind", "duration_s", "view", "reps", "warnings")
_REP_COLUMNS = ("rep", "start_s", "bottom_s", "end_s", "measurable", "partial", "reason", "depth", "depth_unit")
_LUMBO_PELVIC_KEYS = ("at_start", "at_bottom", "max_during_descent", "range", "mean_conf")
_FINDING_KEYS = ("detected", "grade", "magnitude_deg", "confidence_label")


def _rep_row(rep: dict[str, Any]) -> dict[str, Any]:
    depth = rep.get("depth") or {}
    row: dict[str, Any] = {
        "rep": rep["index"],
        "start_s": rep["start_s"],
        "bottom_s": rep["bottom_s"],
        "end_s": rep["end_s"],
        "measurable": rep["measurable"],
        "partial": rep.get("partial"),
        "reason": rep.get("reason"),
        "depth": depth.get("signal"),
        "depth_unit": depth.get("signal_unit"),
    }
    for name, value in (rep.get("angles_at_bottom") or {}).items():
        row[f"{name} at bottom"] = value.get("value") if value else None
    for name in cv.LUMBO_PELVIC:
        summary = rep.get(name) or {}
        for key in _LUMBO_PELVIC_KEYS:
            row[f"{name} {key}"] = summary.get(key)
    for finding in ("butt_wink", "over_arch"):
        result = rep.get(finding) or {}
        for key in _FINDING_KEYS:
            row[f"{finding} {key}"] = result.get(key)
    row["rhythm"] = rep.get("rhythm")
    return row


def file_rows(job: Job, base: Path) -> list[dict[str, Any]]:
    """The summary rows of one job: its reps, or one row with its status."""
    head: dict[str, Any] = {"input": str(job.path), "output": job.out_dir.relative_to(base).as_posix()}
    if job.finished:
        results = json.loads((job.out_dir / "results.json").read_text(encoding="utf-8"))
        view = results.get("view") or {}
        head |= {
            "status": "ok",
            "kind": results["input"]["kind"],
            "duration_s": results["input"]["duration_s"],
            "view": view.get("kind"),
            "reps": results["summary"]["reps"],
            "warnings": "; ".join(w["code"] for w in results.get("warnings", [])),
        }
        reps = results.get("reps", [])
        if not reps:
            return [head | {"message": "no rep found"}]
        return [head | _rep_row(rep) for rep in reps]
    if job.failed:
        record = json.loads(job.error_file.read_text(encoding="utf-8"))
        return [head | {"status": "error", "message": record.get("error", "")}]
    return [head | {"status": "not analysed", "message": "not analysed yet (stopped before this file)"}]


def write_summary(jobs: Iterable[Job], out_dir: Path) -> Path:
    """Write ``OUT/summary.csv`` (all or nothing) and return its path."""
    out_dir = out_dir.resolve()
    rows = [row for job in jobs for row in file_rows(job, out_dir)]
    columns = list(_FILE_COLUMNS) + list(_REP_COLUMNS)
    for row in rows:
        columns += [k for k in row if k not in columns]
    path = out_dir / SUMMARY_NAME
    tmp = path.with_name(f".{SUMMARY_NAME}.partial")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(path)
    return path
