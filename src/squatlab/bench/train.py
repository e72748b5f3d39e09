"""Fit the outline model (pelvis tilt and lumbar flexion from the back's outline) on rendered squats.

    python -m squatlab.bench.train --clips CLIPS_DIR [--out src/squatlab/kinematics/lumbopelvic_model.json]

Every clip in CLIPS_DIR (rendered by ``squatlab synth``: video, truth CSV, JSON sidecar)
is run through the video pipeline (cached). The features and the truth are taken
relative to the standing frames before the first rep, and ridge regression without an
intercept maps feature changes to pelvis and lumbar changes. The ridge strength is
chosen by leave-one-clip-out cross-validation, whose error is printed and stored with
the weights.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from squatlab import __version__
from squatlab import conventions as cv
from squatlab.bench.dataset import DEFAULT_CACHE, Clip, iter_clips, tracked
from squatlab.kinematics.lumbopelvic import (
    FEATURES,
    LumboPelvicModel,
    confidence,
    design,
    outline_measures,
    standing_reference,
)

LAMBDAS = (0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0)
_MIN_CONF = 0.2


@dataclass
class Samples:
    x: np.ndarray  # (n, f) model features (changes from standing)
    pelvis: np.ndarray  # (n,) truth, deg vs standing
    lumbar: np.ndarray
    clip: np.ndarray  # (n,) clip number


def clip_samples(clip: Clip, cache: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(features, pelvis truth, lumbar truth) on the frames with a confident estimate."""
    from squatlab.reps.stage import find_squat_reps
    from squatlab.settings import Settings

    settings = Settings()
    trial = find_squat_reps(tracked(clip.video, cache), settings.reps, settings.view, settings.bar)
    m = outline_measures(trial)
    reference = standing_reference(trial, m.base)
    n = min(trial.n_frames, len(clip.truth))
    if reference is None:
        return np.empty((0, len(FEATURES))), np.empty(0), np.empty(0)
    x = design(m.base - reference)[:n]
    conf = confidence(trial, m)[:n]
    keep = np.isfinite(x).all(axis=1) & (conf >= _MIN_CONF)
    pelvis = clip.truth[cv.PELVIS_TILT].to_numpy()[:n]
    lumbar = clip.truth[cv.LUMBAR_FLEXION].to_numpy()[:n]
    return x[keep], pelvis[keep], lumbar[keep]


def collect(folders: list[Path], cache: Path) -> tuple[Samples, list[str]]:
    xs, ps, ls, ids, names = [], [], [], [], []
    clips = [clip for folder in folders for clip in iter_clips(folder)]
    for number, clip in enumerate(clips):
        x, p, lum = clip_samples(clip, cache)
        if not len(x):
            print(f"  {clip.name}: no usable frames (the back is hidden)", flush=True)
            continue
        xs.append(x)
        ps.append(p)
        ls.append(lum)
        ids.append(np.full(len(x), number))
        names.append(f"{clip.video.parent.name}/{clip.name}")
        print(f"  {clip.name}: {len(x)} frames", flush=True)
    return Samples(np.vstack(xs), np.concatenate(ps), np.concatenate(ls), np.concatenate(ids)), names


def ridge(x: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    """Ridge regression without an intercept, on standardised features; weights for raw features.

    Standardising makes the penalty treat a sagitta (a few percent) and a squared hip angle
    (tens of degrees) alike.
    """
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = x / scale
    return np.linalg.solve(z.T @ z + lam * np.eye(x.shape[1]), z.T @ y) / scale


def cross_validated(s: Samples, y: np.ndarray, lam: float) -> np.ndarray:
    """Leave-one-clip-out predictions."""
    pred = np.empty_like(y)
    for c in np.unique(s.clip):
        test = s.clip == c
        pred[test] = s.x[test] @ ridge(s.x[~test], y[~test], lam)
    return pred


def rmse(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt(np.mean((a - b) ** 2)))


def fit(s: Samples, names: list[str]) -> LumboPelvicModel:
    chosen = {}
    for target, y in (("pelvis", s.pelvis), ("lumbar", s.lumbar)):
        scores = {lam: rmse(cross_validated(s, y, lam), y) for lam in LAMBDAS}
        best = min(scores, key=scores.__getitem__)
        chosen[target] = (best, scores[best], ridge(s.x, y, best))
        print(
            f"{target}: leave-one-clip-out RMSE by ridge strength "
            + ", ".join(f"{k:g}: {v:.2f}" for k, v in scores.items())
        )
    return LumboPelvicModel(
        features=FEATURES,
        pelvis_weights=tuple(round(float(w), 6) for w in chosen["pelvis"][2]),
        lumbar_weights=tuple(round(float(w), 6) for w in chosen["lumbar"][2]),
        provenance={
            "fitted_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            "squatlab_version": __version__,
            "clips": len(names),
            "frames": len(s.x),
            "clip_names": names,
            "ridge_lambda": {"pelvis": chosen["pelvis"][0], "lumbar": chosen["lumbar"][0]},
            "cv_rmse_deg": {"pelvis": round(chosen["pelvis"][1], 2), "lumbar": round(chosen["lumbar"][1], 2)},
            "method": "ridge regression without intercept on changes from standing; leave-one-clip-out CV",
        },
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", type=Path, nargs="+", required=True, help="folders of rendered clips (mp4+csv+json)")
    parser.add_argument("--out", type=Path, default=None, help="where to write the model JSON")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="cache of analysed clips")
    args = parser.parse_args(argv)
    samples, names = collect(args.clips, args.cache)
    model = fit(samples, names)
    text = json.dumps(model.to_dict(), indent=2) + "\n"
    if args.out is None:
        print(text)
    else:
        args.out.write_text(text)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
