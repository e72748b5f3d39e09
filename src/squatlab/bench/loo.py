"""Leave-one-out benchmark of pelvis tilt and lumbar flexion from video, on the leave-one-out grid.

    python -m squatlab.bench.loo [--clips DIR] [--render] [--markdown FILE]

Every clip of the grid (``squatlab synth DIR --preset loo``, :mod:`squatlab.synth.loo`)
has a body, a clothing class and a lumbo-pelvic pattern. A model is only ever scored on
clips it was not fitted on:

- ``body``: fitted without the clip's body (7 folds);
- ``clothing``: without its clothing class (5 folds);
- ``pattern``: without its pattern (10 folds);
- ``strict`` (the headline): without its body, its clothing class and its pattern at once
  (one fit per clip).

Each fold's model runs through the whole pipeline after the pose pass (reps, the outline
model, the standing baseline, the findings engine), so butt-wink flagging is what a user
would see. Printed: per-condition RMSE and bias of pelvis tilt and lumbar flexion over the
reps' confident frames, per-rep butt-wink detection and magnitude error, the worst clips,
the check of the physical identity (trunk inclination change = pelvis + lumbar + thoracic),
and the designs compared at frame level (with and without hip and knee angles).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from squatlab import conventions as cv
from squatlab.bench.accuracy import markdown, rmse
from squatlab.bench.dataset import DEFAULT_CACHE, Clip, iter_clips, tracked
from squatlab.bench.train import (
    DESIGNS,
    SHIPPED,
    ClipData,
    chord_responses,
    collect,
    fit_design,
    fitted_clips,
    to_model,
)
from squatlab.trial import Trial

DEFAULT_GRID = Path.home() / ".cache" / "squatlab" / "grids" / "loo-s0"
MIN_CONF = 0.3
WINK_POSITIVE_DEG = 10.0
FACTORS = ("body", "clothing", "pattern")
PROTOCOLS: dict[str, Callable[[dict, dict], bool]] = {
    # (test clip's factors, a training clip's factors) -> may the training clip be used?
    "body": lambda test, other: other["body"] != test["body"],
    "clothing": lambda test, other: other["clothing"] != test["clothing"],
    "pattern": lambda test, other: other["pattern"] != test["pattern"],
    "strict": lambda test, other: all(other[f] != test[f] for f in FACTORS),
}
HEADLINE = "strict"


@dataclass(frozen=True)
class RepResult:
    clip: str
    rep: int
    true_wink_deg: float  # posterior-tilt range, positive = the pelvis tucked under this much
    spec_wink_deg: float  # the wink the pattern set (0 = no wink)
    judged: bool  # the findings judged butt wink in this rep
    flagged: bool
    magnitude_deg: float | None  # the findings' wink magnitude (descent peak - bottom)


@dataclass(frozen=True)
class ClipResult:
    name: str
    factors: dict[str, str]
    goal: bool  # a clear side view in fitted clothing: the set the goals are for
    pelvis_err: np.ndarray  # estimate - truth, confident rep frames
    lumbar_err: np.ndarray
    coverage_pelvis: float
    coverage_lumbar: float
    identity_err: np.ndarray  # (pelvis + lumbar) - trunk change, confident rep frames (estimates)
    identity_truth: np.ndarray  # the same on the truth (thoracic spine and the trunk line's geometry)
    notices: tuple[str, ...]
    reps: list[RepResult]


def is_goal(factors: dict[str, str]) -> bool:
    return factors.get("view") == "clear" and factors.get("clothing") in ("fitted", "leggings", "pants")


def _match_reps(trial: Trial, clip: Clip) -> list[RepResult]:
    """The truth's reps with the findings of the detected rep whose bottom lies within it."""
    out = []
    squat = clip.spec["spec"]["squat"]
    winks = squat["wink_deg"] if isinstance(squat["wink_deg"], list) else [squat["wink_deg"]] * len(clip.spec["reps"])
    rows = {r["index"]: r for r in trial.findings.get("reps", [])}
    for k, truth in enumerate(clip.spec["reps"]):
        found = next((r for r in trial.reps if truth["start_s"] - 0.3 <= r.bottom_s <= truth["end_s"] + 0.3), None)
        wink = rows.get(found.index, {}).get("butt_wink") if found is not None else None
        out.append(
            RepResult(
                clip=clip.name,
                rep=k + 1,
                true_wink_deg=-float(truth["posterior_tilt_range_deg"]),
                spec_wink_deg=float(winks[k]),
                judged=wink is not None,
                flagged=bool(wink and wink.get("detected")),
                magnitude_deg=None if wink is None else wink.get("magnitude_deg"),
            )
        )
    return out


def evaluate(clip: Clip, trial: Trial, factors: dict[str, str]) -> ClipResult:
    truth = clip.truth
    n = min(len(truth), trial.n_frames)
    in_rep = truth["rep"].to_numpy()[:n] > 0
    err, cover, ok_both = {}, {}, np.ones(n, dtype=bool)
    for name in (cv.PELVIS_TILT, cv.LUMBAR_FLEXION):
        ch = trial.channels[name]
        ok = in_rep & np.isfinite(ch.values[:n]) & (ch.conf[:n] >= MIN_CONF)
        err[name] = ch.values[:n][ok] - truth[name].to_numpy()[:n][ok]
        cover[name] = float(ok.sum() / max(in_rep.sum(), 1))
        ok_both &= ok
    trunk = trial.channels[cv.TRUNK_INCLINATION].values[:n]
    est_sum = trial.channels[cv.PELVIS_TILT].values[:n] + trial.channels[cv.LUMBAR_FLEXION].values[:n]
    trunk_true = truth[cv.TRUNK_INCLINATION].to_numpy()[:n]
    lead = truth["time_s"].to_numpy()[:n] < clip.spec["spec"]["squat"]["lead_in_s"]
    true_sum = truth[cv.PELVIS_TILT].to_numpy()[:n] + truth[cv.LUMBAR_FLEXION].to_numpy()[:n]
    trunk_ref = np.nanmedian(trunk[lead]) if np.isfinite(trunk[lead]).any() else np.nan
    return ClipResult(
        name=clip.name,
        factors=factors,
        goal=is_goal(factors),
        pelvis_err=err[cv.PELVIS_TILT],
        lumbar_err=err[cv.LUMBAR_FLEXION],
        coverage_pelvis=cover[cv.PELVIS_TILT],
        coverage_lumbar=cover[cv.LUMBAR_FLEXION],
        identity_err=(est_sum - (trunk - trunk_ref))[ok_both],
        identity_truth=(true_sum - (trunk_true - trunk_true[lead].mean()))[in_rep],
        notices=tuple(n.code for n in trial.notices),
        reps=_match_reps(trial, clip),
    )


def _cat(results: list[ClipResult], attr: str) -> np.ndarray:
    parts = [getattr(r, attr) for r in results]
    return np.concatenate(parts) if parts else np.array([])


def condition_table(results: list[ClipResult]) -> pd.DataFrame:
    """Rows: the goal set; each clothing class (clear views); each view (fitted clothing);
    each pattern and each body (within the goal set); all clips."""
    goal = [r for r in results if r.goal]
    groups: dict[str, list[ClipResult]] = {"clear side view, fitted clothing (goal set)": goal}
    clear = [r for r in results if r.factors["view"] == "clear"]
    fitted = [r for r in results if r.factors["clothing"] in ("fitted", "leggings", "pants")]
    for factor, pool in (("clothing", clear), ("view", fitted), ("pattern", goal), ("body", goal)):
        for value in sorted({r.factors[factor] for r in pool}):
            groups[f"{factor}: {value}"] = [r for r in pool if r.factors[factor] == value]
    groups["all clips"] = results
    rows = []
    for label, rs in groups.items():
        pe, le = _cat(rs, "pelvis_err"), _cat(rs, "lumbar_err")
        rows.append(
            {
                "condition": label,
                "clips": len(rs),
                "pelvis RMSE": rmse(pe),
                "pelvis bias": float(np.mean(pe)) if pe.size else np.nan,
                "lumbar RMSE": rmse(le),
                "lumbar bias": float(np.mean(le)) if le.size else np.nan,
                "pelvis coverage": float(np.mean([r.coverage_pelvis for r in rs])),
                "lumbar coverage": float(np.mean([r.coverage_lumbar for r in rs])),
            }
        )
    return pd.DataFrame(rows)


def wink_table(results: list[ClipResult], *, goal_only: bool = True) -> pd.DataFrame:
    reps = [rep for r in results if r.goal or not goal_only for rep in r.reps]
    positive = [r for r in reps if r.spec_wink_deg >= WINK_POSITIVE_DEG]
    small = [r for r in reps if 0 < r.spec_wink_deg < WINK_POSITIVE_DEG]
    negative = [r for r in reps if r.spec_wink_deg == 0]
    rows = []
    for label, sel in (
        (f"wink >= {WINK_POSITIVE_DEG:g} deg", positive),
        (f"wink 5-{WINK_POSITIVE_DEG:g} deg", small),
        ("no wink", negative),
    ):
        judged = [r for r in sel if r.judged]
        signed = [r.magnitude_deg - r.true_wink_deg for r in judged if r.magnitude_deg is not None]
        errors = [abs(e) for e in signed]
        rows.append(
            {
                "truth": label,
                "reps": len(sel),
                "back seen (judged)": len(judged),
                "flagged": sum(r.flagged for r in judged),
                "share flagged of judged": sum(r.flagged for r in judged) / max(len(judged), 1),
                "magnitude error median": float(np.median(errors)) if errors else np.nan,
                "magnitude error 90th pct": float(np.percentile(errors, 90)) if errors else np.nan,
                # An absolute error hides winks read systematically too small; this shows it.
                "signed error median": float(np.median(signed)) if signed else np.nan,
            }
        )
    return pd.DataFrame(rows)


def wink_rmse(results: list[ClipResult]) -> float:
    """RMSE of the findings' wink magnitude over every judged rep of the goal set, winks or not.

    The measured value behind ``settings.outline.wink_error_deg``.
    """
    reps = [rep for r in results if r.goal for rep in r.reps if rep.judged and rep.magnitude_deg is not None]
    return rmse(np.array([rep.magnitude_deg - rep.true_wink_deg for rep in reps]))


def worst(results: list[ClipResult], k: int = 8) -> pd.DataFrame:
    rows = [
        {
            "clip": r.name,
            "pelvis RMSE": rmse(r.pelvis_err),
            "lumbar RMSE": rmse(r.lumbar_err),
            "coverage": r.coverage_pelvis,
            "winks (true/est.)": ", ".join(
                f"{rep.true_wink_deg:.0f}/{'-' if rep.magnitude_deg is None else f'{rep.magnitude_deg:.0f}'}"
                + ("*" if rep.flagged else "")
                for rep in r.reps
            ),
        }
        for r in results
        if r.goal
    ]
    table = pd.DataFrame(rows)
    table["worse"] = np.fmax(table["pelvis RMSE"].fillna(0) / 4.0, table["lumbar RMSE"].fillna(0) / 6.0)
    return table.sort_values("worse", ascending=False).head(k).drop(columns="worse")


def identity_table(results: list[ClipResult]) -> pd.DataFrame:
    goal = [r for r in results if r.goal]
    est, true = _cat(goal, "identity_err"), _cat(goal, "identity_truth")
    return pd.DataFrame(
        [
            {"quantity": "truth: pelvis + lumbar - trunk change", "median": float(np.median(true)),
             "RMS": rmse(true), "90th pct |.|": float(np.percentile(np.abs(true), 90))},
            {"quantity": "estimates: pelvis + lumbar - measured trunk change", "median": float(np.median(est)),
             "RMS": rmse(est), "90th pct |.|": float(np.percentile(np.abs(est), 90))},
        ]
    )  # fmt: skip


def loose_table(results: list[ClipResult]) -> pd.DataFrame:
    rows = []
    for clothing in sorted({r.factors["clothing"] for r in results}):
        rs = [r for r in results if r.factors["clothing"] == clothing and r.factors["view"] == "clear"]
        withheld = sum("loose_clothing_low_back" in r.notices for r in rs)
        rows.append({"clothing": clothing, "clips": len(rs), "lumbar withheld (loose clothing)": withheld})
    return pd.DataFrame(rows)


def frame_level(clips: list[ClipData], protocol: str) -> pd.DataFrame:
    """Every design on the goal set's rep frames under one protocol, without the findings engine.

    Frames outside the physiological ranges are withheld, as the pipeline does. The wink
    ratio is the slope of the estimated against the true posterior rotation (descent
    maximum minus the last frames of the descent) over the reps with a rendered wink: 1 =
    winks read at their size.
    """
    from squatlab.kinematics.withhold import out_of_range
    from squatlab.settings import OutlineSettings

    limits = OutlineSettings()
    rows = []
    for name, design in DESIGNS.items():
        errors: dict[str, list] = {"pelvis": [], "lumbar": []}
        winks: list[tuple[float, float]] = []
        for test, train in _folds(clips, protocol):
            weights, features, _ = fit_design(train, design)
            for c in test:
                if not is_goal(c.factors):
                    continue
                est = {key: c.matrix(features[key]) @ weights[key] for key in ("pelvis", "lumbar")}
                ok = ~out_of_range(est["pelvis"], est["lumbar"], limits) & (c.quality >= MIN_CONF) & c.in_rep
                if design.guard:
                    ok &= np.isfinite(c.matrix(design.guard)).all(axis=1)
                for key, truth in (("pelvis", c.pelvis), ("lumbar", c.lumbar)):
                    keep = ok & np.isfinite(est[key])
                    errors[key].append(est[key][keep] - truth[keep])
                winks += _descent_rotations(c, np.where(ok, est["pelvis"], np.nan))
        true, found = np.array(winks).T if winks else (np.array([]), np.array([]))
        winking = true > 0
        rows.append(
            {
                "design": name,
                "pelvis RMSE": rmse(np.concatenate(errors["pelvis"])),
                "lumbar RMSE": rmse(np.concatenate(errors["lumbar"])),
                "wink ratio": float(np.polyfit(true[winking], found[winking], 1)[0]) if winking.sum() > 2 else np.nan,
            }
        )
    return pd.DataFrame(rows)


def wink_outline_table(clips: list[ClipData], protocol: str = HEADLINE) -> pd.DataFrame:
    """What the back's outline did in each rendered wink of the goal set, against what the fold's model expects.

    Per rep with a true wink of at least :data:`WINK_POSITIVE_DEG`, from the true descent
    peak to the bottom (so the findings engine's choice of frames plays no part): how far
    the pelvis tipped back and the lumbar spine flexed, how far the lowest and the middle of
    the model's sacrum chords turned, what the chords' responses fitted on the fold's
    training clips expect them to turn by, and the posterior rotation the fold's model reads.
    A turn far from the expected one, for winks of the same size, is the body's (or the
    renderer's skinning of it) and not noise: no single response reads every body's winks.
    """
    design = DESIGNS[SHIPPED]
    shown = (design.pelvis[0], design.pelvis[len(design.pelvis) // 2])
    rows = []
    for held, train in _folds(clips, protocol):
        test = [c for c in held if is_goal(c.factors) and _winks(c)]
        if not test:
            continue
        a, b, _ = chord_responses(fitted_clips(train), shown)
        weights, features, _ = fit_design(train, design)
        for c in test:
            pelvis = c.matrix(features["pelvis"]) @ weights["pelvis"]
            for k, peak, bottom in _winks(c):
                d_pelvis, d_lumbar = c.pelvis[bottom] - c.pelvis[peak], c.lumbar[bottom] - c.lumbar[peak]
                row = {"clip": c.name, "rep": k, "pelvis back": -d_pelvis, "lumbar flexed": d_lumbar}
                for i, name in enumerate(shown):
                    seen = c.delta[name][bottom] - c.delta[name][peak]
                    row[f"chord {name.split('_')[1]} turned (seen / expected)"] = (
                        f"{seen:.0f} / {a[i] * d_pelvis + b[i] * d_lumbar:.0f}"
                    )
                row["pelvis back, read"] = -(pelvis[bottom] - pelvis[peak])
                rows.append(row)
    return pd.DataFrame(rows)


def _winks(c: ClipData) -> list[tuple[int, int, int]]:
    """(rep number, true descent peak frame, bottom frame) of the clip's winks of WINK_POSITIVE_DEG or more."""
    out = []
    for k, rep in enumerate(c.spec["reps"], start=1):
        if not c.spec["spec"]["squat"]["wink_deg"] or -rep["posterior_tilt_range_deg"] < WINK_POSITIVE_DEG:
            continue
        start, bottom = rep["start_frame"], rep["bottom_frame"]
        out.append((k, start + int(np.nanargmax(c.pelvis[start : bottom + 1])), bottom))
    return out


def _descent_rotations(c: ClipData, pelvis: np.ndarray) -> list[tuple[float, float]]:
    """(true, estimated) posterior rotation of each rep whose descent is mostly measured."""
    out = []
    for rep in c.spec["reps"]:
        descent = pelvis[rep["start_frame"] : rep["bottom_frame"] + 1]
        if np.isfinite(descent).mean() < 0.6 or not np.isfinite(descent[-3:]).any():
            continue
        wink = -rep["posterior_tilt_range_deg"] if c.spec["spec"]["squat"]["wink_deg"] else 0.0
        out.append((wink, float(np.nanmax(descent) - np.nanmean(descent[-3:]))))
    return out


def _folds(clips: list[ClipData], protocol: str) -> list[tuple[list[ClipData], list[ClipData]]]:
    """(test clips, training clips) per fold."""
    allowed = PROTOCOLS[protocol]
    if protocol == "strict":
        return [([c], [o for o in clips if allowed(c.factors, o.factors)]) for c in clips]
    factor = protocol
    return [
        ([c for c in clips if c.factors[factor] == value], [c for c in clips if c.factors[factor] != value])
        for value in sorted({c.factors[factor] for c in clips})
    ]


def run_protocol(clips: list[ClipData], videos: dict[str, Clip], cache: Path, protocol: str) -> list[ClipResult]:
    """Each clip scored through the pipeline with a model fitted without it (per the protocol)."""
    from squatlab.pipeline import finish_video
    from squatlab.settings import Settings

    settings = Settings()
    results = []
    for test, train in _folds(clips, protocol):
        design = DESIGNS[SHIPPED]
        weights, features, _ = fit_design(train, design)
        model = to_model(weights, features, {"fold": protocol}, design.guard)
        for c in test:
            clip = videos[c.name]
            trial = finish_video(tracked(clip.video, cache), settings, model=model)
            results.append(evaluate(clip, trial, c.factors))
    return sorted(results, key=lambda r: r.name)


def report(results: list[ClipResult], protocol: str) -> str:
    return "\n\n".join(
        [
            f"Protocol `{protocol}`: pelvis tilt and lumbar flexion against the rendered truth (deg, vs standing; "
            f"rep frames with confidence >= {MIN_CONF}):\n\n" + markdown(condition_table(results)),
            "Butt wink per rep, goal set (findings engine; magnitude = descent peak - bottom):\n\n"
            + markdown(wink_table(results)),
            "Butt wink per rep, all clips:\n\n" + markdown(wink_table(results, goal_only=False)),
            "Worst clips of the goal set (true/estimated wink per rep, * = flagged):\n\n" + markdown(worst(results)),
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", type=Path, default=DEFAULT_GRID)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--render", action="store_true", help="render the missing grid clips first (synth extra)")
    parser.add_argument("--protocols", nargs="+", default=[HEADLINE, "body", "clothing", "pattern"])
    parser.add_argument("--markdown", type=Path, help="also write the tables to this file")
    args = parser.parse_args(argv)
    if args.render:
        from squatlab.synth.grid import render_missing
        from squatlab.synth.loo import loo_specs
        from squatlab.synth.render import render_clip

        render_missing(loo_specs(), args.clips, render=render_clip)  # no silhouette masks: not needed here
    clips = [c for c in collect([args.clips], args.cache) if c.factors]
    videos = {clip.name: clip for clip in iter_clips(args.clips)}
    sections, summary = [], []
    for protocol in args.protocols:
        results = run_protocol(clips, videos, args.cache, protocol)
        goal = condition_table(results).iloc[0]
        winks = wink_table(results)
        summary.append(
            {
                "protocol": protocol,
                "goal clips": int(goal["clips"]),
                "pelvis RMSE": goal["pelvis RMSE"],
                "lumbar RMSE": goal["lumbar RMSE"],
                "wink magnitude error median": winks.iloc[0]["magnitude error median"],
                "wink magnitude RMSE, all judged reps": wink_rmse(results),
                "winks >= 10 flagged": winks.iloc[0]["share flagged of judged"],
                "no-wink reps flagged": winks.iloc[2]["share flagged of judged"],
            }
        )
        if protocol == args.protocols[0]:
            sections.append(report(results, protocol))
            sections.append("Loose clothing (clear views):\n\n" + markdown(loose_table(results)))
            sections.append(
                "The identity trunk change = pelvis + lumbar + thoracic, goal set rep frames (deg):\n\n"
                + markdown(identity_table(results))
            )
            sections.append(
                "Butt winks >= 10 deg of the goal set: the outline between the true descent peak and the bottom "
                f"(deg; expected = the chords' responses fitted on the `{protocol}` fold's training clips):\n\n"
                + markdown(wink_outline_table(clips, protocol))
            )
    sections.insert(0, "Summary by protocol (goal set):\n\n" + markdown(pd.DataFrame(summary)))
    skipped = sorted(set(videos) - {c.name for c in clips})
    if skipped:
        sections.insert(
            1, "Not analysed (no reps found or no standing baseline; not in the tables above): " + ", ".join(skipped)
        )
    sections.append(
        "Designs at frame level (goal set rep frames, protocol `pattern`):\n\n"
        + markdown(frame_level(clips, "pattern"))
    )
    text = "\n\n".join(sections)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")


if __name__ == "__main__":
    main()
