"""Squat repetitions in a depth signal.

The depth signal is 0 when the lifter stands and grows as they descend (for video:
the standing hip height minus the hip height, in leg lengths; for lab data: knee
flexion in degrees). A rep is a bottom that the lifter reached by going down at least
``min_depth`` and left by coming back up at least as far: the prominence of a peak of
the depth signal. That holds whether or not the lifter stands fully upright between
reps (quarter squats in quick succession), and bounces, pauses and holds at the bottom
stay inside one rep: their dips are far shallower than ``min_depth``. Two bottoms closer
in time than a rep can last are one rep. The walk-out and re-racking do not move the
hips down far enough, or move the feet, and are not counted.

Short gaps in the signal are bridged, so a tenth of a second without a pose never cuts
a rep in two; longer gaps and jumps of the tracker to another person split the signal
into pieces, and a rep must lie within one piece. A rep under way when the recording
starts (the lifter already at the bottom or on the way down) counts when its bottom and
its whole ascent are recorded; one still under way when the recording ends does not.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.signal import find_peaks

from squatlab.kinematics.filtering import fill_gaps, lowpass, valid_runs
from squatlab.trial import Notice, Rep

# Where the descent starts and the ascent ends: this fraction of the rep's depth above
# the standing level just before (after) it. Small enough to include the whole
# movement, large enough to ignore standing sway.
_EDGE_FRACTION = 0.12
STARTED_BEFORE = "it was under way when the recording started: its descent was not filmed"
FROM_BAR = "only the bar's path shows it: the pose there (a plate over the head) cannot be trusted"
# Gaps in the depth signal up to this long are bridged for segmentation only: a pose
# lost for a moment at the bottom (a plate over the face) must not cut the rep in two.
_MAX_SEGMENT_GAP_S = 1.0


@dataclass(frozen=True)
class Candidate:
    start: int
    bottom: int
    end: int
    depth: float  # how far the lifter went down and came back up (the smaller of the two)
    started_before: bool = False  # under way when the recording started: its descent is not recorded
    from_bar: bool = False  # seen only on the bar's path (the pose was wrong there)


def find_excursions(
    time_s: np.ndarray,
    depth: np.ndarray,
    *,
    min_depth: float,
    stand_tolerance: float,
    segments: np.ndarray | None = None,
    min_separation_s: float = 0.0,
    cutoff_hz: float | None = None,
) -> tuple[list[Candidate], list[Notice]]:
    """Reps' candidates: bottoms with a descent and an ascent of at least ``min_depth``
    (not yet checked as squats).

    ``segments`` numbers the pieces of a pose track (see :mod:`squatlab.pose.identity`);
    a rep that spans two pieces is not one person's rep. Bottoms less than
    ``min_separation_s`` apart are one rep (the deeper one).
    """
    segments = np.zeros(time_s.size, dtype=int) if segments is None else segments
    filled = bridged(time_s, depth) if cutoff_hz is None else smoothed(time_s, depth, cutoff_hz)
    notices: list[Notice] = []
    candidates: list[Candidate] = []
    for a, b in _pieces(np.isfinite(filled), segments):
        for local, cut in _bottoms(time_s[a:b], filled[a:b], min_depth, stand_tolerance, min_separation_s):
            c = Candidate(local.start + a, local.bottom + a, local.end + a, local.depth)
            why = _cut_by(cut, a, b, len(depth), filled, segments)
            if why is None:
                candidates.append(c)
            elif why == "start":
                candidates.append(Candidate(c.start, c.bottom, c.end, c.depth, started_before=True))
            else:
                notices.append(
                    Notice(
                        "incomplete_rep",
                        f"A descent at {time_s[c.bottom]:.1f} s is cut off by {why}; not counted.",
                        float(time_s[c.start]),
                        float(time_s[c.end]),
                    )
                )
    return candidates, notices


def bridged(time_s: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """The depth signal with its short gaps filled, as the rep finder sees it."""
    return fill_gaps(depth, time_s, max_gap_s=_MAX_SEGMENT_GAP_S)[0]


def smoothed(time_s: np.ndarray, depth: np.ndarray, cutoff_hz: float) -> np.ndarray:
    """``depth`` bridged and low-passed at ``cutoff_hz`` (zero lag) for finding the reps."""
    return lowpass(bridged(time_s, depth), time_s, cutoff_hz=cutoff_hz)


def _pieces(finite: np.ndarray, segments: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of the runs of finite samples within one track segment."""
    pieces = []
    for a, b in valid_runs(finite):
        cuts = a + 1 + np.flatnonzero(np.diff(segments[a:b]) != 0)
        bounds = [a, *cuts.tolist(), b]
        pieces.extend(itertools.pairwise(bounds))
    return pieces


def _bottoms(
    time_s: np.ndarray, d: np.ndarray, min_depth: float, stand_tolerance: float, min_separation_s: float
) -> list[tuple[Candidate, str | None]]:
    """Candidates in one piece, each with the end of the piece that cuts it ("left", "right") or None."""
    if d.size < 3:
        return []
    # Beyond both ends of the piece the lifter is taken as standing, so that a rep under
    # way at an end still has a prominence; whether it counts is decided by the caller.
    padded = np.concatenate(([0.0], d, [0.0]))
    step = float(np.median(np.diff(time_s))) if d.size > 1 else 1.0
    distance = max(1, round(min_separation_s / step)) if step > 0 else 1
    peaks, _ = find_peaks(padded, prominence=min_depth, distance=distance)
    peaks = peaks - 1  # back to the piece's indices
    found = []
    for k, p in enumerate(peaks):
        lo = peaks[k - 1] if k > 0 else -1
        hi = peaks[k + 1] if k + 1 < len(peaks) else d.size
        left = _base(d, lo, p, stand_tolerance, side=-1)
        right = _base(d, p, hi, stand_tolerance, side=+1)
        left_level = d[left] if left >= 0 else 0.0
        right_level = d[right] if right < d.size else 0.0
        peak = float(d[p])
        start = _edge(d, p, max(left, 0), left_level + _EDGE_FRACTION * (peak - left_level), -1)
        end = _edge(d, p, min(right, d.size - 1), right_level + _EDGE_FRACTION * (peak - right_level), +1)
        depth = peak - max(left_level, right_level)
        if depth < min_depth:
            continue
        cut = "left" if left < 0 else "right" if right >= d.size else None
        found.append((Candidate(start, p, end, depth), cut))
    return found


def _base(d: np.ndarray, a: int, b: int, stand_tolerance: float, side: int) -> int:
    """The lowest point of ``d`` strictly between indices ``a`` and ``b``; -1 or len(d) when
    the piece's end (the lifter not yet seen standing) lies lower than all of them."""
    inner = np.arange(max(a + 1, 0), min(b, d.size))
    if inner.size == 0:
        return -1 if side < 0 else d.size
    lowest = int(inner[np.argmin(d[inner])])
    at_end = (side < 0 and a < 0) or (side > 0 and b >= d.size)
    if at_end and d[lowest] > stand_tolerance:
        return -1 if side < 0 else d.size
    return lowest


def _edge(d: np.ndarray, bottom: int, limit: int, threshold: float, direction: int) -> int:
    """First frame walking from the bottom towards ``limit`` at or below ``threshold``."""
    i = bottom
    while i != limit and d[i] > threshold:
        i += direction
    return i


def _cut_by(cut: str | None, a: int, b: int, n: int, depth: np.ndarray, segments: np.ndarray) -> str | None:
    """What keeps the rep from being seen whole: None, "start" (of the recording, which
    still counts), or why it does not count."""
    if cut is None:
        return None
    if cut == "left":
        if a == 0:
            return "start"
        return "a jump of the tracker to another person" if segments[a - 1] != segments[a] else "a gap in tracking"
    if b == n:
        return "the end of the recording"
    return "a jump of the tracker to another person" if segments[b - 1] != segments[b] else "a gap in tracking"


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
                measurable=not (c.started_before or c.from_bar),
                reason=STARTED_BEFORE if c.started_before else FROM_BAR if c.from_bar else None,
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
