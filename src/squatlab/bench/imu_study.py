"""The waist/thigh/shank IMU squat study in ../shared/data: its files, labels and hand-marked windows.

Files are named ``class<k>_subject<s>_set<n>.csv`` (k: 0 correct, 2 butt wink, 3 excessive
forward lean, 4 partial squat), each with ``..._windows.json`` marking every rep's start and
end sample. The windows count samples "at 100 Hz"; the sensors ran at about 111 Hz (the
device's millisecond clock and the host's timestamps agree on it). The sample indices are
row numbers of the CSV, so each is mapped onto the recording's own clock through its row
(taking ``start_sample / 100`` as seconds would drift by 11 %, a whole rep by the tenth).
In five of subject 3's files (where the waist sensor is worn turned round) the windows run
from one rep's bottom to the next's, so a detected rep is matched to the window it overlaps
most, one rep per window.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from squatlab.errors import InputError
from squatlab.io.imu_files import choose_time
from squatlab.trial import Notice, Rep

DEFAULT_FOLDER = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "imu" / "waist_thigh_shank_squats"
SENSORS = {"pelvis": "s0", "thigh": "s1", "shank": "s2"}
CLASSES = {0: "correct", 2: "butt wink", 3: "forward lean", 4: "partial"}
_NAME = re.compile(r"^class(?P<klass>\d+)_subject(?P<subject>\d+)_set(?P<set>\d+)$")
# A detected rep must overlap its window by at least this share of its own duration.
MIN_OVERLAP = 0.25


@dataclass(frozen=True)
class StudyFile:
    path: Path
    klass: int
    subject: int
    set: int

    @property
    def label(self) -> str:
        return CLASSES[self.klass]

    @property
    def is_wink(self) -> bool:
        return self.klass == 2

    @property
    def windows_path(self) -> Path:
        return self.path.with_name(self.path.stem + "_windows.json")

    @property
    def name(self) -> str:
        return self.path.stem


def study_files(folder: Path = DEFAULT_FOLDER) -> list[StudyFile]:
    """Every labelled recording in the folder (those with a windows file), in name order."""
    out = []
    for path in sorted(Path(folder).glob("class*_subject*_set*.csv")):
        m = _NAME.match(path.stem)
        if m and int(m["klass"]) in CLASSES and path.with_name(path.stem + "_windows.json").exists():
            out.append(StudyFile(path, int(m["klass"]), int(m["subject"]), int(m["set"])))
    return out


def row_times(path: Path) -> np.ndarray:
    """Seconds of every data row of a study CSV on the recording's own clock (first row = 0)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    _, seconds = choose_time(frame, str(path))
    return seconds


def labelled_windows(study: StudyFile) -> tuple[list[tuple[float, float]], list[Notice]]:
    """The hand-marked rep windows as (start_s, end_s) on the recording's clock, and what was adjusted.

    Raises
    ------
    InputError
        When the windows file cannot be read.
    """
    try:
        marked = json.loads(study.windows_path.read_text())
        windows = marked["windows"]
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"{study.windows_path}: not a readable windows file ({exc})") from exc
    times = row_times(study.path)
    rate = 1.0 / float(np.median(np.diff(times)))
    notices = []
    assumed = float(marked.get("sampling_rate", rate))
    if abs(assumed - rate) > 0.02 * rate:
        notices.append(
            Notice(
                "windows_rate",
                f"{study.windows_path.name}: sample indices assume {assumed:.0f} Hz, the recording runs at "
                f"{rate:.1f} Hz; indices mapped through the recording's rows",
            )
        )
    out = []
    last = times.size - 1
    for w in windows:
        a, b = int(w["start_sample"]), int(w["end_sample"])
        if a > last or b > last:
            notices.append(
                Notice(
                    "windows_clipped",
                    f"{study.windows_path.name}: window {w.get('window_id')} ends at sample {max(a, b)}, "
                    f"past the last row ({last}); clipped",
                )
            )
        out.append((float(times[min(a, last)]), float(times[min(b, last)])))
    return out, notices


def match_reps(reps: tuple[Rep, ...] | list[Rep], windows: list[tuple[float, float]]) -> dict[int, Rep]:
    """One detected rep per window (window index -> rep): the one-to-one pairing of largest overlap.

    >>> from squatlab.trial import Rep
    >>> rep = lambda i, a, b: Rep(i, 0, 0, 0, a, (a + b) / 2, b, a, b, 1.0)
    >>> pairs = match_reps([rep(1, 0.0, 2.0), rep(2, 2.0, 4.0)], [(1.1, 3.2), (3.2, 5.0)])
    >>> {k: r.index for k, r in pairs.items()}
    {0: 1, 1: 2}
    """
    if not reps or not windows:
        return {}
    overlap = np.zeros((len(windows), len(reps)))
    for i, (a, b) in enumerate(windows):
        for j, r in enumerate(reps):
            overlap[i, j] = max(0.0, min(b, r.end_s) - max(a, r.start_s)) / max(r.end_s - r.start_s, 1e-9)
    rows, cols = linear_sum_assignment(-overlap)
    return {int(i): reps[j] for i, j in zip(rows, cols, strict=True) if overlap[i, j] >= MIN_OVERLAP}
