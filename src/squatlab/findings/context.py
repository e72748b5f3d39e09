"""Context for the findings: sex, stance, load and repetitions, and what missing context would add."""

from __future__ import annotations

import numpy as np

from squatlab import conventions as cv
from squatlab.findings import _curves as c
from squatlab.findings.claims import cite
from squatlab.trial import Trial

# McKean, Dunn & Burkett 2010: lumbar flexion range during the descent, mean of narrow and
# wide stance (men 26.3 / 25.4 deg, women 12.9 / 12.6 deg).
MCKEAN_LUMBAR_RANGE_DEG = {"male": 26.0, "female": 13.0}
SEXES = ("female", "male")
STANCES = ("narrow", "medium", "wide")


def lumbar_descent_range(trial: Trial, smoothed: c.Smoothed) -> list[float]:
    """Per measurable rep, how far the low back flexed during the descent (deg, + = flexion).

    The most flexed value between the rep start and the bottom minus the value at the start,
    as McKean et al. (2010) reported it, on the smoothed curve.
    """
    if c.usable(trial, cv.LUMBAR_FLEXION) is None:
        return []
    curve = smoothed[cv.LUMBAR_FLEXION]
    ranges = []
    for rep in trial.reps:
        if not rep.measurable:
            continue
        frames = c.rep_frames(trial, rep)
        flexed = c.rise(curve, frames.start, frames.bottom)
        if flexed is not None:
            ranges.append(flexed)
    return ranges


def context_notes(trial: Trial, *, smooth_s: float, smoothed: c.Smoothed | None = None) -> dict:
    """Notes on the lifter's context and a list of what missing context would add.

    ``smoothed`` is the trial's channels smoothed over ``smooth_s`` (built when None).

    Returns
    -------
    dict
        ``notes`` and ``missing`` (plain sentences), ``lumbar_descent_range_deg`` (median
        over reps, or None), ``load_bodyweight_ratio`` (or None), ``reps_in_set``, and
        ``claims`` (keys of the claims the notes rest on).

    Examples
    --------
    >>> from squatlab.testing.sets import synthetic_set
    >>> from squatlab.trial import Context
    >>> notes = context_notes(synthetic_set(context=Context(sex="female")), smooth_s=0.2)
    >>> len(notes["missing"]), "13 deg" in notes["notes"][0]
    (2, True)
    """
    ctx = trial.context
    notes: list[str] = []
    missing: list[str] = []
    claims: list[str] = []
    ranges = lumbar_descent_range(trial, smoothed if smoothed is not None else c.Smoothed(trial, smooth_s))
    median_range = float(np.median(ranges)) if ranges else None
    _sex_note(ctx.sex, median_range, notes, missing, claims)
    _stance_note(ctx.stance, notes, missing, claims)
    ratio = _load_note(ctx.load_kg, ctx.bodyweight_kg, notes, missing)
    reps = len(trial.reps)
    if reps:
        notes.append(
            f"This set had {reps} rep{'s' if reps != 1 else ''}: the theoretical risk from loaded rounding or "
            f"arching grows with the number of repetitions as well as with load ({cite('flexion_load')})."
        )
        claims.append("flexion_load")
    return {
        "notes": notes,
        "missing": missing,
        "lumbar_descent_range_deg": c.rounded(median_range),
        "load_bodyweight_ratio": c.rounded(ratio, 2),
        "reps_in_set": reps,
        "claims": claims,
    }


def _sex_note(sex: str | None, lumbar_range: float | None, notes: list, missing: list, claims: list) -> None:
    if sex not in SEXES:
        missing.append(
            "Sex: men showed about twice the low-back motion of women in the loaded back squat "
            f"({cite('sex_difference')}); knowing it would set your numbers beside the right group average."
        )
        return
    claims.append("sex_difference")
    group = "men" if sex == "male" else "women"
    note = (
        f"In trained lifters back-squatting body weight plus 50 %, the low back flexed about "
        f"{MCKEAN_LUMBAR_RANGE_DEG[sex]:.0f} deg during the descent in {group} - about twice as much in men as in "
        f"women ({cite('sex_difference')}). These are group averages, not limits."
    )
    if lumbar_range is not None:
        note += f" In this set your low back flexed a median of {lumbar_range:.0f} deg during the descent."
    notes.append(note)


def _stance_note(stance: str | None, notes: list, missing: list, claims: list) -> None:
    if stance not in STANCES:
        missing.append(
            "Stance width: a narrow stance gives more low-back and pelvis motion than a wide one "
            f"({cite('stance_effect')}). Give it, or add a front-view clip (--front CLIP) to measure it."
        )
        return
    claims.append("stance_effect")
    text = {
        "narrow": "You squatted with a narrow stance, which gives more low-back and pelvis motion than a wide one; "
        "a wider stance is one set-up change to try",
        "medium": "You squatted with a medium stance, between the narrow and wide stances compared in the study",
        "wide": "You squatted with a wide stance, which reached more depth with less peak low-back flexion than a "
        "narrow one",
    }[stance]
    notes.append(f"{text} ({cite('stance_effect')}).")


def _load_note(load_kg: float | None, bodyweight_kg: float | None, notes: list, missing: list) -> float | None:
    if load_kg is None:
        missing.append(
            "Load: the theoretical risk from rounding or arching under load grows with load and repetitions; "
            "knowing the load (and your body weight) would weigh it."
        )
        return None
    ratio = load_kg / bodyweight_kg if bodyweight_kg else None
    if load_kg <= 0:
        notes.append(
            "Body-weight squats: the spine carries far less than under a loaded bar, so the theoretical risk of "
            "rounding or arching is at its lowest."
        )
    else:
        share = f" ({ratio:.2f} x body weight)" if ratio is not None else ""
        notes.append(f"The external load was {load_kg:.0f} kg{share}; the theoretical risk grows with load.")
    if bodyweight_kg is None and load_kg > 0:
        missing.append("Body weight: would express the load relative to you, as the studies do.")
    return ratio
