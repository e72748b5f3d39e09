"""Shared helpers for the findings tests: synthetic sets and minimal results.json files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from squatlab import conventions as cv
from squatlab.findings import assess
from squatlab.findings.synthetic import synthetic_set
from squatlab.trial import Trial


def _summary(values: np.ndarray, bottom: int) -> dict:
    return {
        "at_start": float(values[0]),
        "at_bottom": float(values[bottom]),
        "max": float(values.max()),
        "min": float(values.min()),
        "range": float(values.max() - values.min()),
        "max_during_descent": float(values[: bottom + 1].max()),
        "mean_conf": 1.0,
    }


def results_dict(trial: Trial) -> dict:
    """A results.json from an assessed trial, shaped as the report stage writes it (docs/results-schema.md)."""
    reps = []
    for rep, found in zip(trial.reps, trial.findings["reps"], strict=True):
        frame, sl = rep.bottom_frame, slice(rep.start_frame, rep.end_frame + 1)
        measured = {name: ch for name, ch in trial.channels.items() if not ch.is_absent}
        reps.append(
            {
                "index": rep.index,
                "start_s": rep.start_s,
                "bottom_s": rep.bottom_s,
                "end_s": rep.end_s,
                "frames": {"start": rep.start_frame, "bottom": frame, "end": rep.end_frame},
                "measurable": rep.measurable,
                "reason": rep.reason,
                "depth": {"signal": rep.depth, "signal_unit": "deg", cv.HIP_DEPTH: None},
                "angles_at_bottom": {
                    name: {"value": float(ch.values[frame]), "conf": 1.0} for name, ch in measured.items()
                },
                **{
                    name: _summary(measured[name].values[sl], frame - rep.start_frame) if name in measured else None
                    for name in cv.LUMBO_PELVIC
                },
                "butt_wink": found["butt_wink"],
                "over_arch": found["over_arch"],
                "rhythm": found["rhythm"],
            }
        )
    src = trial.source
    return {
        "schema_version": "1.0",
        "input": {
            "path": src.path,
            "kind": src.kind,
            "fps": src.fps,
            "duration_s": src.duration_s,
            "frames": src.frames,
            "pelvis_error_deg": src.pelvis_error_deg,
            "lumbar_error_deg": src.lumbar_error_deg,
        },
        "reps": reps,
        "findings": trial.findings["set"],
    }


@pytest.fixture
def write_results(tmp_path: Path):
    """Write an assessed synthetic set as ``tmp_path/name/results.json``; returns the folder."""

    def write(name: str, **kwargs) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        trial = assess(synthetic_set(**kwargs))
        (folder / "results.json").write_text(json.dumps(results_dict(trial), allow_nan=False))
        return folder

    return write
