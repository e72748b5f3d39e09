"""Shared helpers for the findings tests: synthetic sets and minimal results.json files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from squatlab import conventions as cv
from squatlab.findings import assess
from squatlab.findings.synthetic import synthetic_set
from squatlab.trial import Trial


def results_dict(trial: Trial) -> dict:
    """A results.json following the minimum contract, from an assessed trial (what the report stage writes)."""
    reps = []
    for rep, found in zip(trial.reps, trial.findings["reps"], strict=True):
        frame = rep.bottom_frame
        angles = {
            name: float(trial.channels[name].values[frame])
            for name in (*cv.JOINT_ANGLES, cv.HIP_DEPTH)
            if not trial.channels[name].is_absent
        }
        pelvis = trial.channels[cv.PELVIS_TILT].values[rep.start_frame : rep.end_frame + 1]
        reps.append(
            {
                "index": rep.index,
                "start_s": rep.start_s,
                "bottom_s": rep.bottom_s,
                "end_s": rep.end_s,
                "measurable": rep.measurable,
                "depth": {"peak": rep.depth},
                "angles_at_bottom": angles,
                "pelvis_tilt_deg": {"at_bottom": float(pelvis[frame - rep.start_frame]), "max": float(pelvis.max())},
                "lumbar_flexion_deg": None,
                "butt_wink": found["butt_wink"],
                "over_arch": found["over_arch"],
            }
        )
    src = trial.source
    return {
        "schema_version": "1",
        "input": {
            "path": src.path,
            "kind": src.kind,
            "fps": src.fps,
            "duration_s": src.duration_s,
            "frames": src.frames,
        },
        "reps": reps,
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
