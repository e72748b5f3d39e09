"""Pelvis tilt and lumbar flexion on real clips: per-rep curves and standing noise.

    python -m squatlab.bench.real_clips [--videos ../shared/data/videos] [--out docs/validation]

No ground truth exists for these clips; what can be checked is that standing reads near 0
with little noise, that each rep shows one smooth excursion, and that the confidence
drops where the back is hidden. Writes one PNG per clip and prints a table.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from squatlab import conventions as cv
from squatlab.bench.accuracy import markdown
from squatlab.bench.dataset import analysed
from squatlab.settings import Settings
from squatlab.trial import Trial

DEFAULT_VIDEOS = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "videos"
DEFAULT_CACHE = Path.home() / ".cache" / "squatlab" / "bench-real"
# The confidence floor analysed() applied (frames below it carry no value).
MIN_CONF = Settings().outline.min_conf


def standing_noise(trial: Trial, name: str) -> tuple[float, float]:
    """(median, SD) of a relative channel over the standing windows of the reps, deg."""
    ch = trial.channels[name]
    values = []
    for rep in trial.reps:
        if rep.standing is None:
            continue
        sel = (trial.time_s >= rep.standing[0]) & (trial.time_s <= rep.standing[1]) & (ch.conf >= MIN_CONF)
        values.append(ch.values[sel])
    v = np.concatenate(values) if values else np.array([])
    v = v[np.isfinite(v)]
    if v.size < 3:
        return float("nan"), float("nan")
    # Frame-to-frame noise: SD of the differences over sqrt(2), robust to slow drift.
    return float(np.median(v)), float(np.std(np.diff(v)) / np.sqrt(2))


def plot(trial: Trial, title: str) -> Figure:
    fig = Figure(figsize=(9, 5.5))
    axes = fig.subplots(2, 1, sharex=True)
    for ax, name in zip(axes, cv.LUMBO_PELVIC, strict=True):
        ch = trial.channels[name]
        confident = np.where(ch.conf >= MIN_CONF, ch.values, np.nan)
        ax.plot(trial.time_s, ch.values, color="#999999", lw=0.8, label="all frames")
        ax.plot(trial.time_s, confident, color="#d95f02" if name == cv.PELVIS_TILT else "#1b9e77", lw=1.6,
                label=f"confidence >= {MIN_CONF}")  # fmt: skip
        twin = ax.twinx()
        twin.fill_between(trial.time_s, ch.conf, color="#1f77b4", alpha=0.12, lw=0)
        twin.set_ylim(0, 1.05)
        twin.set_ylabel("confidence", color="#1f77b4", fontsize=8)
        for rep in trial.reps:
            ax.axvspan(rep.start_s, rep.end_s, color="#7fc97f" if rep.measurable else "#bbbbbb", alpha=0.2, lw=0)
        ax.axhline(0, color="#444444", lw=0.7)
        ax.set_ylabel(f"{cv.CHANNELS[name].label}\n(deg vs standing)")
        ax.legend(fontsize=7, loc="upper left")
        ax.grid(alpha=0.3)
    axes[-1].set_xlabel("time (s)")
    fig.suptitle(title, fontsize=10)
    return fig


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--videos", type=Path, default=DEFAULT_VIDEOS)
    parser.add_argument("--out", type=Path, default=Path("docs") / "validation")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for video in sorted(args.videos.glob("*.mp4")):
        trial = analysed(video, args.cache)
        plot(trial, f"{video.name}: {len(trial.reps)} reps").savefig(args.out / f"{video.stem}.png", dpi=80)
        row = {"clip": video.name, "reps": len(trial.reps), "measurable": sum(r.measurable for r in trial.reps)}
        in_reps = np.zeros(trial.n_frames, dtype=bool)
        for rep in trial.reps:
            in_reps[rep.start_frame : rep.end_frame + 1] |= rep.measurable
        for name in cv.LUMBO_PELVIC:
            median, noise = standing_noise(trial, name)
            ch = trial.channels[name]
            short = name.split("_")[0]
            row[f"{short} standing median"] = median
            row[f"{short} standing noise SD"] = noise
            row[f"{short} confident share of reps"] = (
                float(np.mean(ch.conf[in_reps] >= MIN_CONF)) if in_reps.any() else 0.0
            )
        rows.append(row)
        print(f"  {video.name}", flush=True)
    print(markdown(pd.DataFrame(rows)))


if __name__ == "__main__":
    main()
