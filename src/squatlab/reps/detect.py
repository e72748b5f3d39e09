"""Squat repetitions in a depth signal.

The depth signal is 0 when the lifter stands and grows as they descend (for video:
the standing hip height minus the hip height, in leg lengths; for lab data: knee
flexion in degrees). A rep is one excursion from standing down and back to standing
that reaches ``min_depth``; bounces at the bottom and pauses stay inside one rep. The
walk-out and re-racking do not move the hips down far enough, or move the feet, and
are not counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from squatlab.kinematics.filtering import fill_gaps, valid_runs
from squatlab.trial import Notice, Rep

# Where the descent starts and the ascent ends: this fraction of the rep's depth above
# the standing level just before (after) it. Small enough to include the whole
# movement, large enough to ignore standing sway.
_EDGE_FRACTION = 0.12
# Gaps in the depth signal shorter than this are bridged for segmentation only.
_MAX_SEGMENT_GAP_S = 1.0


@dataclass(frozen=True)
class Candidate:
    start: int
    bottom: int
    end: int
    depth: float


def find_excursions(
    time_s: np.ndarray,
    depth: np.ndarray,
    *,
    min_depth: float,
    stand_tolerance: float,
    segments: np.ndarray | None = None,
) -> tuple[list[Candidate], list[Notice]]:
    """Excursions from standing that reach ``min_depth`` (not yet checked as squats).

    ``segments`` numbers the pieces of a pose track (see :mod:`squatlab.pose.identity`);
    an excursion that spans two pieces is not one person's rep.
    """
    segments = np.zeros(time_s.size, dtype=int) if segments is None else segments
    filled, _ = fill_gaps(depth, time_s, max_gap_s=_MAX_SEGMENT_GAP_S)
    notices: list[Notice] = []
    candidates: list[Candidate] = []
    for run_start, run_stop in valid_runs(np.nan_to_num(filled, nan=-np.inf) > stand_tolerance):
        bottom = run_start + int(np.nanargmax(filled[run_start:run_stop]))
        peak = float(filled[bottom])
        if peak < min_depth:
            continue
        cut = _cut_by(filled, segments, run_start, run_stop)
        if cut:
            notices.append(
                Notice(
                    "incomplete_rep",
                    f"A descent at {time_s[bottom]:.1f} s is cut off by {cut}; not counted.",
                    float(time_s[run_start]),
                    float(time_s[run_stop - 1]),
                )
            )
            continue
        start = _edge(filled, time_s, bottom, run_start, peak, direction=-1)
        end = _edge(filled, time_s, bottom, run_stop - 1, peak, direction=+1)
        candidates.append(Candidate(start, bottom, end, peak))
    return candidates, notices


def _cut_by(depth: np.ndarray, segments: np.ndarray, start: int, stop: int) -> str | None:
    """What keeps the excursion start..stop from being seen whole, if anything."""
    if start == 0:
        return "the start of the recording"
    if stop == len(depth):
        return "the end of the recording"
    if not np.isfinite(depth[[start - 1, stop]]).all():
        return "a gap in tracking"
    if segments[start - 1] != segments[stop]:
        return "a jump of the tracker to another person"
    return None


def _edge(depth: np.ndarray, time_s: np.ndarray, bottom: int, crossing: int, peak: float, direction: int) -> int:
    """First frame (walking away from the bottom) at the standing level + a fraction of the depth."""
    # Standing level: the median over the second of standing beyond the crossing.
    if direction < 0:
        lo = np.searchsorted(time_s, time_s[crossing] - 1.0)
        window = depth[lo:crossing]
    else:
        hi = np.searchsorted(time_s, time_s[crossing] + 1.0, side="right")
        window = depth[crossing + 1 : hi]
    window = window[np.isfinite(window)]
    level = float(np.median(window)) if window.size else 0.0
    threshold = level + _EDGE_FRACTION * (peak - level)
    i = bottom
    while 0 < i < len(depth) - 1 and np.isfinite(depth[i + direction]) and depth[i] > threshold:
        i += direction
    return i


def bottom_phase(depth: np.ndarray, bottom: int, start: int, end: int, *, band: float) -> tuple[int, int]:
    """First and last frame of the bottom phase: within ``band`` of the deepest point."""
    level = depth[bottom] - band
    lo = bottom
    while lo > start and depth[lo - 1] >= level:
        lo -= 1
    hi = bottom
    while hi < end and depth[hi + 1] >= level:
        hi += 1
    return lo, hi


def to_reps(
    time_s: np.ndarray, depth: np.ndarray, candidates: list[Candidate], *, bottom_band: float
) -> tuple[Rep, ...]:
    """Number the accepted candidates and give them phases."""
    reps = []
    for number, c in enumerate(candidates, start=1):
        lo, hi = bottom_phase(depth, c.bottom, c.start, c.end, band=bottom_band)
        reps.append(
            Rep(
                index=number,
                start_frame=c.start,
                bottom_frame=c.bottom,
                end_frame=c.end,
                start_s=float(time_s[c.start]),
                bottom_s=float(time_s[c.bottom]),
                end_s=float(time_s[c.end]),
                bottom_start_s=float(time_s[lo]),
                bottom_end_s=float(time_s[hi]),
                depth=c.depth,
            )
        )
    return tuple(reps)


def set_baseline_window(
    time_s: np.ndarray,
    depth: np.ndarray,
    motion: np.ndarray,
    reps: tuple[Rep, ...],
    *,
    stand_tolerance: float,
    window_s: float = 1.5,
) -> tuple[float, float] | None:
    """The set's standing baseline: the quietest ``window_s`` of standing before the first rep.

    Lifters brace and arch at the set-up and stay braced between reps, so the standing that
    over-arching is judged against is the relaxed standing before the set, not the posture
    between reps. Within the standing before the first rep, the window where the body moves
    least (``motion``, any non-negative per-frame measure) is taken; with no standing before
    the first rep, the quietest window after the last one.
    """
    if not reps:
        return None
    standing = np.nan_to_num(depth, nan=np.inf) <= stand_tolerance
    before = np.arange(len(depth)) < reps[0].start_frame
    after = np.arange(len(depth)) > reps[-1].end_frame
    for region in (before, after):
        window = _quietest(time_s, np.nan_to_num(motion, nan=np.inf), standing & region, window_s)
        if window is not None:
            return window
    return None


def _quietest(
    time_s: np.ndarray, motion: np.ndarray, allowed: np.ndarray, window_s: float
) -> tuple[float, float] | None:
    best: tuple[float, tuple[float, float]] | None = None
    for a, b in valid_runs(allowed):
        if b - a < 2:
            continue
        span = time_s[b - 1] - time_s[a]
        if span <= window_s:
            candidates = [(a, b)]
        else:
            ends = np.searchsorted(time_s, time_s[a:b] + window_s, side="right")
            candidates = [(i, int(e)) for i, e in zip(range(a, b), ends, strict=True) if e <= b]
        for lo, hi in candidates:
            score = float(np.mean(motion[lo:hi]))
            if best is None or score < best[0]:
                best = (score, (float(time_s[lo]), float(time_s[hi - 1])))
    return None if best is None else best[1]
