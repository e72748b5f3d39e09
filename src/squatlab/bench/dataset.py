"""Rendered clips with their truth, run through the video pipeline once and cached."""

from __future__ import annotations

import hashlib
import json
import pickle
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from squatlab import __version__
from squatlab.trial import Trial

# Where the benchmarks keep the pose passes of rendered clips.
DEFAULT_CACHE = Path.home() / ".cache" / "squatlab" / "bench"


@dataclass(frozen=True)
class Clip:
    """One rendered clip: the video, its per-frame truth and its parameters."""

    video: Path
    truth: pd.DataFrame
    spec: dict[str, Any]

    @property
    def name(self) -> str:
        return self.video.stem


def find_clips(folder: Path) -> list[Path]:
    """Rendered videos in ``folder`` that have a truth CSV and a JSON sidecar beside them."""
    return sorted(
        p for p in Path(folder).glob("*.mp4") if p.with_suffix(".csv").exists() and p.with_suffix(".json").exists()
    )


def load_clip(video: Path) -> Clip:
    return Clip(video, pd.read_csv(video.with_suffix(".csv")), json.loads(video.with_suffix(".json").read_text()))


# Bump when the pose pass's output changes (pose model, outline sampling, landmark
# cleaning, view, joint angles): cached pose passes of an older version are not used.
# 2: outline rays that start outside the body; 3: the follower, the bar's discs, the pose
# pass in parts and frames skipped while standing (issues 11 and 14) with 2's outline.
POSE_PASS_VERSION = 3


def _cache_key(video: Path) -> str:
    digest = hashlib.sha256(video.read_bytes()).hexdigest()[:16]
    return f"{video.stem}-{digest}-pose{POSE_PASS_VERSION}-{__version__}"


def tracked(video: Path, cache_dir: Path, *, refresh: bool = False) -> Trial:
    """The pose pass of ``video`` (the slow part), from ``cache_dir`` or computed and cached.

    Only the pose pass is cached: the stages after it (the outline model, reps, findings)
    run again on every call, so a refitted model or changed thresholds take effect.
    """
    from squatlab.pipeline import track_video
    from squatlab.settings import Settings

    return _cached(video, cache_dir, lambda v: track_video(v, settings=Settings()), refresh=refresh)


def analysed(video: Path, cache_dir: Path, *, refresh: bool = False) -> Trial:
    """The whole analysis of ``video`` with the pose pass cached."""
    from squatlab.pipeline import finish_video
    from squatlab.settings import Settings

    return finish_video(tracked(video, cache_dir, refresh=refresh), Settings())


def _cached(video: Path, cache_dir: Path, analyze: Callable[[Path], Trial], *, refresh: bool) -> Trial:
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"{_cache_key(video)}.pkl"
    if path.exists() and not refresh:
        with path.open("rb") as f:
            return pickle.load(f)
    trial = analyze(video)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as f:
        pickle.dump(trial, f)
    tmp.replace(path)
    return trial


def iter_clips(folder: Path) -> Iterable[Clip]:
    for video in find_clips(folder):
        yield load_clip(video)
