"""timeseries.csv: one row per frame, every channel with its confidence beside it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from squatlab import conventions as cv
from squatlab.conventions import conf_column
from squatlab.trial import Trial


def phase_per_frame(trial: Trial) -> tuple[np.ndarray, np.ndarray]:
    """(rep number or 0, phase name) per frame; phases: standing, descent, bottom, ascent."""
    rep = np.zeros(trial.n_frames, dtype=int)
    phase = np.full(trial.n_frames, "standing", dtype=object)
    t = trial.time_s
    for r in trial.reps:
        sl = slice(r.start_frame, r.end_frame + 1)
        rep[sl] = r.index
        phase[sl] = np.where(t[sl] < r.bottom_start_s, "descent", np.where(t[sl] <= r.bottom_end_s, "bottom", "ascent"))
    return rep, phase.astype(str)


def timeseries_frame(trial: Trial) -> pd.DataFrame:
    rep, phase = phase_per_frame(trial)
    columns: dict[str, np.ndarray] = {
        "frame": np.arange(trial.n_frames),
        "time_s": np.round(trial.time_s, 4),
        "rep": rep,
        "phase": phase,
    }
    if trial.view is not None:
        columns["view"] = trial.view.kind
        columns["body_yaw_deg"] = np.round(trial.view.yaw_deg, 1)
    for name, channel in trial.channels.items():
        columns[name] = np.round(channel.values, 3)
        columns[conf_column(name)] = np.round(channel.conf, 3)
    if cv.DEPTH_SIGNAL in trial.extras:
        columns["rep_depth_signal"] = np.round(trial.extras[cv.DEPTH_SIGNAL], 4)
    if cv.POSE_PRESENCE in trial.extras:  # how far the frame's pose can be trusted (empty: no pose)
        columns[cv.POSE_PRESENCE] = np.round(trial.extras[cv.POSE_PRESENCE], 3)
    if cv.BAR_XY in trial.extras:  # the bar's path: the centre of its near plates, pixels
        columns["bar_x_px"] = np.round(trial.extras[cv.BAR_XY][:, 0], 1)
        columns["bar_y_px"] = np.round(trial.extras[cv.BAR_XY][:, 1], 1)
    return pd.DataFrame(columns)


def write_timeseries(trial: Trial, path: Path) -> None:
    timeseries_frame(trial).to_csv(path, index=False, na_rep="")
