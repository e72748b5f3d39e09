"""Pelvis tilt and lumbar flexion on real clips: per-rep curves, values at the bottom, standing noise.

    python -m squatlab.bench.real_clips [--videos ../shared/data/videos] [--out docs/validation]

No ground truth exists for these clips; what can be checked is that standing reads near 0
with little noise, that each rep shows one smooth excursion, that the confidence drops
where the back is hidden, that the values at the bottom of each rep lie in the
physiological range (or are withheld, with the reason), and how far pelvis + lumbar lies
from the trunk's inclination change (the rest is the thoracic spine's share plus the
errors). Writes one PNG per clip and prints two tables: per clip, and per rep.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from squatlab import conventions as cv
from squatlab.bench.accuracy import markdown
from squatlab.bench.dataset import analysed, tracked
from squatlab.kinematics.baseline import baseline_curve, standing_windows
from squatlab.settings import OutlineSettings, Settings
from squatlab.trial import Rep, Trial

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


def trunk_change(trial: Trial) -> np.ndarray:
    """The trunk's inclination relative to its standing value (deg, NaN without a standing window)."""
    trunk = trial.channels[cv.TRUNK_INCLINATION].values
    reference = baseline_curve(trial.time_s, trunk, standing_windows(trial))
    return trunk - reference if reference is not None else np.full(trial.n_frames, np.nan)


def unguarded(video: Path, cache: Path) -> Trial:
    """The analysis with no frame withheld (confidence floor 0, ranges +-90 deg): what each withheld frame read."""
    from squatlab.pipeline import finish_video

    settings = Settings()
    wide = replace(
        settings.outline,
        min_conf=0.0,
        lumbar_min_deg=-90.0,
        lumbar_max_deg=90.0,
        pelvis_min_deg=-90.0,
        pelvis_max_deg=90.0,
    )
    return finish_video(tracked(video, cache), replace(settings, outline=wide))


def _range(name: str, limits: OutlineSettings) -> tuple[float, float]:
    if name == cv.LUMBAR_FLEXION:
        return limits.lumbar_min_deg, limits.lumbar_max_deg
    return limits.pelvis_min_deg, limits.pelvis_max_deg


def _why_withheld(trial: Trial, raw: Trial, name: str, frame: int, limits: OutlineSettings) -> str:
    """Why ``name`` has no value at ``frame``, from what the unguarded analysis ``raw`` read there."""
    ch = trial.channels[name]
    if ch.is_absent:
        return ch.absent_reason or "not measured"
    value, conf = raw.channels[name].values[frame], raw.channels[name].conf[frame]
    if not np.isfinite(value):
        return "the back's outline was not found at the heights the model reads"
    low, high = _range(name, limits)
    if not low <= value <= high:
        return f"outside the physiological range (read {value:.0f} deg)"
    for other in cv.LUMBO_PELVIC:  # both are withheld where either leaves its range
        v = raw.channels[other].values[frame]
        lo, hi = _range(other, limits)
        if other != name and np.isfinite(v) and not lo <= v <= hi:
            return f"{cv.CHANNELS[other].label.lower()} left the physiological range there (read {v:.0f} deg)"
    if conf < MIN_CONF:
        return f"low confidence ({conf:.2f}): a bulge or a gap in the outline, or a small lifter"
    return f"withheld (read {value:.0f} deg)"


def bottom_row(trial: Trial, raw: Trial, rep: Rep, limits: OutlineSettings) -> dict:
    """One rep of a real clip: share measured, values at the bottom (or why withheld), range check, identity gap."""
    row: dict = {"rep": rep.index}
    sl = slice(rep.start_frame, rep.end_frame + 1)
    values = {}
    for name, short, low, high in (
        (cv.PELVIS_TILT, "pelvis", limits.pelvis_min_deg, limits.pelvis_max_deg),
        (cv.LUMBAR_FLEXION, "lumbar", limits.lumbar_min_deg, limits.lumbar_max_deg),
    ):
        ch = trial.channels[name]
        measured = (ch.conf[sl] >= MIN_CONF) & np.isfinite(ch.values[sl])
        row[f"{short} measured"] = f"{measured.mean():.0%}" if rep.measurable and not ch.is_absent else "0%"
        f = rep.bottom_frame
        ok = rep.measurable and not ch.is_absent and ch.conf[f] >= MIN_CONF and np.isfinite(ch.values[f])
        values[short] = float(ch.values[f]) if ok else None
        if ok:
            row[f"{short} at bottom"] = f"{ch.values[f]:.1f}"
            row[f"{short} in range"] = "yes" if low <= ch.values[f] <= high else "NO"
        else:
            reason = rep.reason if not rep.measurable else _why_withheld(trial, raw, name, f, limits)
            row[f"{short} at bottom"] = f"withheld: {reason}"
            row[f"{short} in range"] = "-"
    trunk = trunk_change(trial)[rep.bottom_frame]
    if values["pelvis"] is not None and values["lumbar"] is not None and np.isfinite(trunk):
        row["pelvis + lumbar - trunk change"] = f"{values['pelvis'] + values['lumbar'] - trunk:.1f}"
    else:
        row["pelvis + lumbar - trunk change"] = "-"
    return row


def plot(trial: Trial, title: str) -> Figure:
    fig = Figure(figsize=(9, 5.5))
    axes = fig.subplots(2, 1, sharex=True)
    trunk = trunk_change(trial)
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
        if name == cv.LUMBAR_FLEXION and not ch.is_absent:
            pelvis = trial.channels[cv.PELVIS_TILT]
            rest = np.where(pelvis.conf >= MIN_CONF, trunk - pelvis.values, np.nan)
            ax.plot(trial.time_s, rest, color="#7570b3", lw=0.9, ls="--", label="trunk change - pelvis")
        if ch.is_absent:
            ax.text(0.5, 0.5, f"not measured: {ch.absent_reason}", transform=ax.transAxes, ha="center", fontsize=7,
                    wrap=True)  # fmt: skip
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
    rows, rep_rows = [], []
    limits = OutlineSettings()
    for video in sorted(args.videos.glob("*.mp4")):
        trial, raw = analysed(video, args.cache), unguarded(video, args.cache)
        rep_rows += [{"clip": video.stem, **bottom_row(trial, raw, rep, limits)} for rep in trial.reps]
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
    print()
    print(markdown(pd.DataFrame(rep_rows)))


if __name__ == "__main__":
    main()
