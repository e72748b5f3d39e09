"""results.json files from synthetic sets, for the comparison tests.

Not named conftest.py: the suite's own tests import helpers from tests/conftest.py by name,
and a second conftest module would shadow it.
"""

from __future__ import annotations

import numpy as np

from squatlab import conventions as cv
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
