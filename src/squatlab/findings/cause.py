"""Likely cause of a butt wink, per set: ankle-limited, hip-limited or undetermined.

The two theories leave different traces (DOMAIN.md): with an ankle limit the shin stops
moving forward at or before the wink begins (List et al. 2013; Campos et al. 2016); with a
hip limit the wink begins at a similar hip flexion angle in every rep while the shin can
still move forward. Each rep with a wink is read for the shin's advance after the onset;
the set's label needs enough reps that agree.
"""

from __future__ import annotations

import numpy as np

from squatlab import conventions as cv
from squatlab.findings import _curves as c
from squatlab.findings import text
from squatlab.settings import FindingSettings
from squatlab.trial import Rep, Trial

LABELS = ("ankle", "hip", "undetermined", "none")


def shin_pattern(trial: Trial, rep: Rep, wink: dict, s: FindingSettings, smoothed: c.Smoothed) -> dict:
    """What the shin did around one rep's wink onset (``smoothed``: the channels smoothed over ``s.smooth_s``).

    Returns
    -------
    dict
        ``index``, ``pattern`` ("ankle" | "hip" | "unclear" | "not_measured"),
        ``shin_at_onset_deg``, ``shin_advance_after_onset_deg`` (deg the shin still moved
        forward between the onset and the bottom), ``shin_stop_before_onset_s`` (how long
        before the onset the shin reached its descent maximum; negative = after),
        ``knee_advance_after_onset_foot`` and ``onset_hip_flexion_deg``.
    """
    onset = wink["onset"]
    row = {
        "index": rep.index,
        "pattern": "not_measured",
        "shin_at_onset_deg": None,
        "shin_advance_after_onset_deg": None,
        "shin_stop_before_onset_s": None,
        "knee_advance_after_onset_foot": None,
        "onset_hip_flexion_deg": onset.get(cv.HIP_FLEXION),
    }
    if c.usable(trial, cv.SHIN_ANGLE) is None:
        return row
    frames = c.rep_frames(trial, rep)
    curve = smoothed[cv.SHIN_ANGLE]
    start, first, bottom = frames.start, int(onset["frame"]), frames.bottom
    advance = c.rise(curve, first, bottom)
    # The shin's advance after the onset is read over the whole stretch to the bottom: a
    # withheld frame in it may hide the advance and fake the ankle pattern.
    if advance is None or not np.isfinite(curve[first : bottom + 1]).all():
        return row
    at_onset = c.value_at(curve, first)
    descent = curve[start : bottom + 1]
    top = float(np.nanmax(descent))
    stop = start + int(np.flatnonzero(np.nan_to_num(descent, nan=-np.inf) >= top - s.shin_still_deg)[0])
    row.update(
        shin_at_onset_deg=c.rounded(at_onset),
        shin_advance_after_onset_deg=c.rounded(advance),
        shin_stop_before_onset_s=c.rounded(float(trial.time_s[first] - trial.time_s[stop]), 3),
        knee_advance_after_onset_foot=_knee_advance(trial, first, bottom, smoothed),
    )
    if advance <= s.shin_still_deg:
        row["pattern"] = "ankle"
    elif advance >= s.shin_moving_deg:
        row["pattern"] = "hip"
    else:
        row["pattern"] = "unclear"
    return row


def _knee_advance(trial: Trial, first: int, bottom: int, smoothed: c.Smoothed) -> float | None:
    """How far (foot lengths) the knee still travelled forward past the toes after the onset."""
    if c.usable(trial, cv.KNEE_PAST_TOES) is None:
        return None
    return c.rounded(c.rise(smoothed[cv.KNEE_PAST_TOES], first, bottom), 3)


def likely_cause(
    trial: Trial, winks: list[tuple[Rep, dict]], s: FindingSettings, smoothed: c.Smoothed | None = None
) -> dict:
    """The set's likely cause of butt wink with its evidence and the checks that would tell.

    Parameters
    ----------
    winks : list of (Rep, dict)
        The reps whose butt-wink finding is ``detected``, with that finding.
    s : FindingSettings
        The thresholds.
    smoothed : Smoothed, optional
        The trial's channels smoothed over ``s.smooth_s``; built when None.

    Returns
    -------
    dict
        ``label`` (one of :data:`LABELS`; "none" when no rep has a wink), ``reason``,
        ``evidence`` (plain sentences), ``per_rep`` (:func:`shin_pattern` rows),
        ``onset_hip_flexion_sd_deg``, ``checks`` and ``next_steps``.

    Examples
    --------
    >>> from squatlab.findings import assess
    >>> from squatlab.testing.sets import synthetic_set
    >>> assess(synthetic_set(wink_deg=15.0, limit="ankle")).findings["set"]["cause"]["label"]
    'ankle'
    """
    if not winks:
        return {
            "label": "none",
            "reason": "no rep showed a butt wink, so there is nothing to explain",
            "evidence": [],
            "per_rep": [],
            "onset_hip_flexion_sd_deg": None,
            "checks": [],
            "next_steps": [],
        }
    smoothed = smoothed if smoothed is not None else c.Smoothed(trial, s.smooth_s)
    rows = [shin_pattern(trial, rep, wink, s, smoothed) for rep, wink in winks]
    hips = [r["onset_hip_flexion_deg"] for r in rows if r["onset_hip_flexion_deg"] is not None]
    hip_sd = float(np.std(hips, ddof=1)) if len(hips) >= 2 else None
    label, reason = _decide(
        trial,
        rows,
        hip_sd,
        cause_min_reps=s.cause_min_reps,
        cause_min_agreement=s.cause_min_agreement,
        onset_hip_sd_max_deg=s.onset_hip_sd_max_deg,
    )
    return {
        "label": label,
        "reason": reason,
        "evidence": text.cause_evidence(rows, hip_sd, s.onset_hip_sd_max_deg),
        "per_rep": rows,
        "onset_hip_flexion_sd_deg": c.rounded(hip_sd),
        "checks": text.checks(label),
        "next_steps": text.next_steps(label),
    }


def _decide(
    trial: Trial,
    rows: list[dict],
    hip_sd: float | None,
    *,
    cause_min_reps: int,
    cause_min_agreement: float,
    onset_hip_sd_max_deg: float,
) -> tuple[str, str]:
    blocked = _cannot_decide(trial, rows, cause_min_reps)
    if blocked:
        return "undetermined", blocked
    judged = [r for r in rows if r["pattern"] != "not_measured"]
    counts = {p: sum(r["pattern"] == p for r in judged) for p in ("ankle", "hip", "unclear")}
    if counts["ankle"] >= cause_min_agreement * len(judged):
        return (
            "ankle",
            f"in {counts['ankle']} of {len(judged)} reps the shin had stopped moving forward when the wink began",
        )
    if counts["hip"] < cause_min_agreement * len(judged):
        return "undetermined", (
            f"the reps disagree: {counts['ankle']} look ankle-limited, {counts['hip']} hip-limited and "
            f"{counts['unclear']} in between"
        )
    if hip_sd is not None and hip_sd > onset_hip_sd_max_deg:
        return "undetermined", (
            f"the shin kept moving forward after the wink began, but the wink began at hip angles that varied "
            f"by {hip_sd:.1f} deg (SD) across reps, more than the {onset_hip_sd_max_deg:.0f} deg expected of a "
            "hip limit"
        )
    consistency = (
        f", at a consistent hip flexion (SD {hip_sd:.1f} deg)"
        if hip_sd is not None
        else " (hip flexion at the onset was not measured, so its consistency is unknown)"
    )
    return "hip", (
        f"in {counts['hip']} of {len(judged)} reps the wink began while the shin was still moving forward{consistency}"
    )


def _cannot_decide(trial: Trial, rows: list[dict], cause_min_reps: int) -> str | None:
    """Why the rows cannot show a pattern, or None when they can."""
    if c.usable(trial, cv.SHIN_ANGLE) is None:
        return f"telling the causes apart needs the shin angle, and {c.why_missing(trial, cv.SHIN_ANGLE)}"
    if len(rows) < cause_min_reps:
        return (
            f"only {len(rows)} rep showed a wink; telling the causes apart needs a pattern over at least "
            f"{cause_min_reps} reps"
        )
    judged = sum(r["pattern"] != "not_measured" for r in rows)
    if judged < cause_min_reps:
        return f"the shin was measured around the wink onset in only {judged} reps"
    return None
