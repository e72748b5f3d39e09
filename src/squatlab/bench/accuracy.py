"""Accuracy of pelvis tilt and lumbar flexion from video, against rendered ground truth.

    python -m squatlab.bench.accuracy [--clips DIR] [--render] [--markdown FILE]

Runs the whole video pipeline, from pixels, on every rendered clip in DIR (by default
the benchmark grid, seed 0, in ~/.cache/squatlab/grids/seed0; ``--render`` renders the
missing ones first, which needs the ``synth`` extra) and prints:

- per condition: RMSE and bias of pelvis tilt and lumbar flexion (deg, relative to
  standing) over the frames of the reps where the estimate is confident, and how many of
  those frames it covers;
- butt-wink detection per clip: clips with a rendered wink of 10 deg or more against
  clips without one (normal rhythm, stiff back, over-arching), as the findings engine
  reports them;
- the worst clips.

The outline model must not have been fitted on these clips: fit it on another seed
(``python -m squatlab.bench.train --clips ~/.cache/squatlab/grids/seed1``).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from squatlab import conventions as cv
from squatlab.bench.dataset import DEFAULT_CACHE, Clip, analysed, iter_clips
from squatlab.errors import SquatlabError
from squatlab.synth.grid import HARD_CONDITIONS
from squatlab.trial import Channel, Trial

DEFAULT_GRID = Path.home() / ".cache" / "squatlab" / "grids" / "seed0"
MIN_CONF = 0.3
WINK_POSITIVE_DEG = 10.0
CLEAR_MAX_YAW_DEG = 10.0


@dataclass(frozen=True)
class ClipResult:
    name: str
    conditions: tuple[str, ...]
    clear: bool
    wink_deg: float
    pelvis_err: np.ndarray  # estimate - truth on confident rep frames
    lumbar_err: np.ndarray
    joint_err: dict[str, np.ndarray]  # the same for hip, knee, shin and trunk angles
    coverage: float  # share of rep frames with a confident estimate
    detected: bool  # the findings flagged a butt wink in some rep
    judged: bool  # the findings could judge butt wink in some rep (the back was seen)
    reps: int


def conditions_of(spec: dict) -> tuple[str, ...]:
    """The hard conditions in a clip's name (``g07_stiff_bar`` -> ``("bar",)``), or ``("clear",)``."""
    name = spec["spec"]["name"]
    parts = name.split("_", 2)
    rest = parts[2] if len(parts) > 2 else "clear"
    found = tuple(k for k in (*HARD_CONDITIONS, "clear") if k in rest)
    return found or ("clear",)


def is_clear(spec: dict) -> bool:
    """A clear side view with fitted clothing: the condition the accuracy goals are set for."""
    s = spec["spec"]
    return (
        abs(s["camera"]["yaw_deg"]) <= CLEAR_MAX_YAW_DEG
        and not s["outfit"]["loose_shirt"]
        and not s.get("bar", False)
        and s["camera"]["distance_m"] < 4.5
        and min(s["width"], s["height"]) >= 480
    )


def _confident_error(
    channel: Channel, truth: pd.DataFrame, name: str, in_rep: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(estimate - truth, the frames used): the rep frames where ``channel`` is confident."""
    n = len(in_rep)
    ok = in_rep & np.isfinite(channel.values[:n]) & (channel.conf[:n] >= MIN_CONF)
    return channel.values[:n][ok] - truth[name].to_numpy()[:n][ok], ok


def evaluate(clip: Clip, trial: Trial) -> ClipResult:
    truth = clip.truth
    n = min(len(truth), trial.n_frames)
    in_rep = truth["rep"].to_numpy()[:n] > 0
    errors = {}
    confident = np.zeros(n, dtype=bool)
    for name in (cv.PELVIS_TILT, cv.LUMBAR_FLEXION):
        errors[name], ok = _confident_error(trial.channels[name], truth, name, in_rep)
        confident |= ok
    joint_err = {name: _confident_error(trial.channels[name], truth, name, in_rep)[0] for name in cv.JOINT_ANGLES}
    findings = trial.findings.get("reps", [])
    detected = any(r.get("butt_wink") and r["butt_wink"].get("detected") for r in findings)
    judged = any(r.get("butt_wink") is not None for r in findings)
    squat = clip.spec["spec"]["squat"]
    return ClipResult(
        name=clip.name,
        conditions=conditions_of(clip.spec),
        clear=is_clear(clip.spec),
        wink_deg=_wink_deg(squat.get("wink_deg")),
        pelvis_err=errors[cv.PELVIS_TILT],
        lumbar_err=errors[cv.LUMBAR_FLEXION],
        joint_err=joint_err,
        coverage=float(confident[in_rep].mean()) if in_rep.any() else 0.0,
        detected=detected,
        judged=judged,
        reps=len(trial.reps),
    )


def failed(clip: Clip) -> ClipResult:
    """A clip the pipeline could not analyse: no estimate, no detection."""
    empty = np.array([])
    return ClipResult(
        name=clip.name,
        conditions=conditions_of(clip.spec),
        clear=is_clear(clip.spec),
        wink_deg=_wink_deg(clip.spec["spec"]["squat"].get("wink_deg")),
        pelvis_err=empty,
        lumbar_err=empty,
        joint_err={name: empty for name in cv.JOINT_ANGLES},
        coverage=0.0,
        detected=False,
        judged=False,
        reps=0,
    )


def _wink_deg(value: float | list[float] | None) -> float:
    """The largest rendered wink (a clip may give one per rep)."""
    if isinstance(value, list):
        return float(max(value, default=0.0))
    return float(value or 0.0)


def rmse(e: np.ndarray) -> float:
    """Root mean square of errors; NaN when there are none."""
    return float(np.sqrt(np.mean(e**2))) if e.size else float("nan")


def condition_table(results: list[ClipResult]) -> pd.DataFrame:
    groups: dict[str, list[ClipResult]] = {"clear side view (goal set)": [r for r in results if r.clear]}
    for cond in sorted({c for r in results for c in r.conditions}):
        groups[cond] = [r for r in results if cond in r.conditions]
    groups["all clips"] = results
    rows = []
    for label, rs in groups.items():
        pe = np.concatenate([r.pelvis_err for r in rs]) if rs else np.array([])
        le = np.concatenate([r.lumbar_err for r in rs]) if rs else np.array([])
        rows.append(
            {
                "condition": label,
                "clips": len(rs),
                "pelvis RMSE": rmse(pe),
                "pelvis bias": float(np.mean(pe)) if pe.size else np.nan,
                "lumbar RMSE": rmse(le),
                "lumbar bias": float(np.mean(le)) if le.size else np.nan,
                "coverage": float(np.mean([r.coverage for r in rs])) if rs else np.nan,
                **{
                    f"{cv.CHANNELS[name].label.split()[0].lower()} RMSE": rmse(
                        np.concatenate([r.joint_err[name] for r in rs]) if rs else np.array([])
                    )
                    for name in cv.JOINT_ANGLES
                },
            }
        )
    return pd.DataFrame(rows)


def wink_table(results: list[ClipResult]) -> pd.DataFrame:
    rows = []
    positive = [r for r in results if r.wink_deg >= WINK_POSITIVE_DEG]
    negative = [r for r in results if r.wink_deg == 0]
    for label, sel in (
        (f"wink >= {WINK_POSITIVE_DEG:g} deg", positive),
        (f"wink >= {WINK_POSITIVE_DEG:g} deg, back seen", [r for r in positive if r.judged]),
        ("no wink (normal, stiff, over-arch)", negative),
        ("no wink, back seen", [r for r in negative if r.judged]),
    ):
        flagged = sum(r.detected for r in sel)
        rows.append(
            {"truth": label, "clips": len(sel), "flagged": flagged, "share flagged": flagged / max(len(sel), 1)}
        )
    return pd.DataFrame(rows)


def worst(results: list[ClipResult], k: int = 6) -> pd.DataFrame:
    rows = [
        {
            "clip": r.name,
            "pelvis RMSE": rmse(r.pelvis_err),
            "lumbar RMSE": rmse(r.lumbar_err),
            "coverage": r.coverage,
            "wink deg": r.wink_deg,
            "flagged": r.detected,
        }
        for r in results
    ]
    return pd.DataFrame(rows).sort_values("pelvis RMSE", ascending=False).head(k)


def run(clips_dir: Path, cache: Path) -> list[ClipResult]:
    results = []
    for clip in iter_clips(clips_dir):
        try:
            trial = analysed(clip.video, cache)
        except SquatlabError as exc:  # counted as a clip with nothing measured
            print(f"  {clip.name}: not analysed ({exc})", flush=True)
            results.append(failed(clip))
            continue
        results.append(evaluate(clip, trial))
        print(f"  {clip.name}: pelvis RMSE {rmse(results[-1].pelvis_err):.1f}", flush=True)
    return results


def markdown(table: pd.DataFrame) -> str:
    """A Markdown table, numbers to two decimals."""

    def cell(v: object) -> str:
        return f"{v:.2f}" if isinstance(v, float) else str(v)

    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines)


def report(results: list[ClipResult]) -> str:
    return "\n\n".join(
        [
            "Pelvis tilt and lumbar flexion against the rendered truth (deg, vs standing; rep frames, conf >= "
            f"{MIN_CONF}):\n\n" + markdown(condition_table(results)),
            "Butt-wink detection per clip (findings engine, any rep flagged):\n\n" + markdown(wink_table(results)),
            "Worst clips:\n\n" + markdown(worst(results)),
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", type=Path, default=DEFAULT_GRID)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--render", action="store_true", help="render the missing grid clips first (synth extra)")
    parser.add_argument("--seed", type=int, default=0, help="grid seed when rendering")
    parser.add_argument("--markdown", type=Path, help="also write the tables to this file")
    args = parser.parse_args(argv)
    if args.render:
        from squatlab.synth.grid import grid_specs, render_missing

        render_missing(grid_specs(seed=args.seed), args.clips)
    results = run(args.clips, args.cache)
    text = report(results)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")


if __name__ == "__main__":
    main()
