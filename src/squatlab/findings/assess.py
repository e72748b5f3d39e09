"""The findings stage: per-rep butt wink, over-arching and rhythm, then the set's cause,
safe depth, context and summary. The same engine runs on curves from video, IMUs and
motion capture: it only reads the trial's channels and the source's own error.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from squatlab.findings import imu_wink, text
from squatlab.findings._curves import Smoothed
from squatlab.findings.arch import over_arch
from squatlab.findings.cause import likely_cause
from squatlab.findings.claims import claims_table
from squatlab.findings.context import context_notes
from squatlab.findings.depth import safe_depth
from squatlab.findings.wink import butt_wink
from squatlab.settings import FindingSettings, Settings, describe_group
from squatlab.trial import Notice, Rep, Trial

FINDINGS_SCHEMA = "squatlab.findings/1"

_BASE_CLAIMS = ("disclaimer", "normal_motion", "rhythm_coupling", "noise_floor", "wink_definition", "no_cutoff")
_WINK_CLAIMS = (
    "cause_anatomy",
    "cause_ankle",
    "cause_traces",
    "knee_to_wall",
    "knee_to_wall_norms",
    "rock_back",
    "mobility_vs_anatomy",
    "flexion_load",
)


def assess(trial: Trial, settings: FindingSettings | Settings | None = None) -> Trial:
    """Judge every rep and the set; return a new trial whose ``findings`` holds the result.

    Parameters
    ----------
    trial : Trial
        With reps found, pelvis tilt / lumbar flexion already relative to standing and what
        was not measured withheld (:func:`squatlab.kinematics.withhold.withhold`): every
        finite value is read as measured, NaN as not.
    settings : FindingSettings or Settings, optional
        The thresholds; the defaults when None.

    Returns
    -------
    Trial
        A copy with ``findings = {"schema", "reps": [...], "set": {...}}`` (JSON-able; the
        fields are documented in docs/findings.md) and a notice per finding that could not
        be judged in some reps. The input trial is not modified.

    Examples
    --------
    >>> import numpy as np
    >>> from squatlab.trial import Source
    >>> empty = Trial(np.arange(3) / 30, Source("x", "synthetic", 30.0, 0.1, 3))
    >>> assess(empty).findings["set"]["summary"].startswith("No squat reps were found")
    True
    """
    s = finding_settings(settings)
    smoothed = Smoothed(trial, s.smooth_s)  # each channel smoothed once, shared by every rep
    rows, winks, arches = [], [], []
    for rep in trial.reps:
        row = assess_rep(trial, rep, s, smoothed)
        rows.append(row)
        if row["butt_wink"] and row["butt_wink"]["detected"]:
            winks.append((rep, row["butt_wink"]))
        if row["over_arch"] and row["over_arch"]["detected"]:
            arches.append(row["over_arch"])
    cause = likely_cause(trial, winks, s, smoothed)
    safe, safe_reason = safe_depth(
        [{**w, "index": rep.index} for rep, w in winks],
        safe_margin_thigh=s.safe_margin_thigh,
        safe_margin_deg=s.safe_margin_deg,
    )
    context = context_notes(trial, smooth_s=s.smooth_s, smoothed=smoothed)
    counts = _counts(rows, winks, arches)
    notes = _summary_notes(rows)
    claim_keys = [*_BASE_CLAIMS, *(_WINK_CLAIMS if winks else ()), *(("extension_load",) if arches else ())]
    claim_keys += context["claims"]
    if trial.source.kind == "video":
        claim_keys.append("keypoint_error")
    findings = {
        "schema": FINDINGS_SCHEMA,
        "reps": rows,
        "set": {
            "summary": text.summary(counts, [w for _, w in winks], arches, cause, safe, notes),
            "counts": counts,
            "cause": cause,
            "safe_depth": safe,
            "safe_depth_reason": safe_reason,
            "context": context,
            "noise": {
                "pelvis_error_deg": trial.source.pelvis_error_deg,
                "lumbar_error_deg": trial.source.lumbar_error_deg,
                "butt_wink_threshold_deg": notes["butt_wink_threshold_deg"],
                "over_arch_threshold_deg": notes["over_arch_threshold_deg"],
            },
            "thresholds": threshold_rows(s),
            "claims": claims_table(claim_keys),
            "disclaimer": text.disclaimer(),
        },
    }
    return replace(trial, findings={**trial.findings, **findings}, notices=trial.notices + _notices(rows, trial.reps))


def finding_settings(settings: FindingSettings | Settings | None) -> FindingSettings:
    """The findings group from whatever the caller has, checked.

    Raises
    ------
    TypeError
        When ``settings`` is neither a FindingSettings nor a Settings.
    ValueError
        When the values contradict each other (e.g. the moderate grade above the marked one).
    """
    if settings is None:
        s = FindingSettings()
    elif isinstance(settings, Settings):
        s = settings.findings
    elif isinstance(settings, FindingSettings):
        s = settings
    else:
        raise TypeError(f"settings must be FindingSettings, Settings or None, got {type(settings).__name__}")
    problems = [message for ok, message in _rules(s) if not ok]
    if problems:
        raise ValueError("invalid findings settings: " + "; ".join(problems))
    return s


def _rules(s: FindingSettings) -> list[tuple[bool, str]]:
    return [
        (s.noise_k > 0, "noise_k must be > 0"),
        (s.postural_drift_deg >= 0, "postural_drift_deg must be >= 0"),
        (s.smooth_s >= 0, "smooth_s must be >= 0"),
        (s.arch_hold_s >= 0, "arch_hold_s must be >= 0"),
        (0 < s.min_coverage <= 1, "min_coverage must be in (0, 1]"),
        (0 < s.onset_drop_frac < 1, "onset_drop_frac must be in (0, 1)"),
        (s.wink_moderate_deg < s.wink_marked_deg, "wink_moderate_deg must be below wink_marked_deg"),
        (s.arch_moderate_deg < s.arch_marked_deg, "arch_moderate_deg must be below arch_marked_deg"),
        (s.shin_still_deg < s.shin_moving_deg, "shin_still_deg must be below shin_moving_deg"),
        (s.cause_min_reps >= 1, "cause_min_reps must be >= 1"),
        (0 < s.cause_min_agreement <= 1, "cause_min_agreement must be in (0, 1]"),
        (s.stance_narrow_max_ratio < s.stance_wide_min_ratio, "stance_narrow_max_ratio must be below the wide one"),
        (0 < s.compare_alpha < 1, "compare_alpha must be in (0, 1)"),
        (s.compare_error_k >= 0, "compare_error_k must be >= 0"),
    ]


def assess_rep(trial: Trial, rep: Rep, s: FindingSettings, smoothed: Smoothed | None = None) -> dict:
    """One rep's findings: butt wink, over-arching and rhythm, each with a reason when not judged.

    ``smoothed``: the trial's channels smoothed over ``s.smooth_s``, built when None.
    """
    row: dict = {"index": rep.index, "measurable": rep.measurable, "partial": rep.partial, "reason": rep.reason}
    if not rep.measurable:
        reason = f"the rep could not be measured: {rep.reason or 'no reason given'}"
        wink = arch = None
        wink_reason = arch_reason = reason
    else:
        smoothed = smoothed if smoothed is not None else Smoothed(trial, s.smooth_s)
        wink, wink_reason = butt_wink(trial, rep, s, smoothed)
        wink, wink_reason = imu_wink.merge(trial, rep, wink, wink_reason, s)
        arch, arch_reason = over_arch(trial, rep, s, smoothed)
    label, sentence = text.rhythm(wink, arch)
    row.update(
        butt_wink=wink,
        butt_wink_reason=wink_reason,
        over_arch=arch,
        over_arch_reason=arch_reason,
        rhythm=label,
        rhythm_text=sentence,
    )
    return row


def threshold_rows(s: FindingSettings) -> list[dict]:
    """The findings settings as rows (group, name, value, unit, source) for the report."""
    return describe_group("findings", s)


def _counts(rows: list[dict], winks: list, arches: list) -> dict:
    return {
        "reps": len(rows),
        "measurable": sum(r["measurable"] for r in rows),
        "butt_wink_judged": sum(r["butt_wink"] is not None for r in rows),
        "over_arch_judged": sum(r["over_arch"] is not None for r in rows),
        "butt_wink": len(winks),
        "over_arch": len(arches),
    }


def _first(rows: list[dict], key: str, field: str) -> float | None:
    return next((r[key][field] for r in rows if r[key] is not None), None)


def _summary_notes(rows: list[dict]) -> dict:
    """Thresholds of this recording and sentences on what could not be judged, one per reason."""
    by_reason: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for (what, reason), reps in _not_judged(rows).items():
        by_reason[reason][what] = reps
    sentences = []
    for reason, whats in by_reason.items():
        if len(whats) == 2 and len({tuple(r) for r in whats.values()}) == 1:
            reps = next(iter(whats.values()))
            sentences.append(f"{_reps_words(reps).capitalize()} could not be judged: {reason}.")
        else:
            sentences += [
                f"{what.capitalize()} was not judged in {_reps_words(reps)}: {reason}." for what, reps in whats.items()
            ]
    return {
        "not_judged": " ".join(sentences) or None,
        "butt_wink_threshold_deg": _first(rows, "butt_wink", "threshold_deg"),
        "over_arch_threshold_deg": _first(rows, "over_arch", "threshold_deg"),
    }


def _reps_words(reps: list[int]) -> str:
    """'rep 3' or 'reps 1, 2, 5'."""
    return f"rep{'s' if len(reps) > 1 else ''} {', '.join(map(str, reps))}"


def _not_judged(rows: list[dict]) -> dict[tuple[str, str], list[int]]:
    """(finding, reason) -> rep numbers, for the findings that could not be judged."""
    missing: dict[tuple[str, str], list[int]] = defaultdict(list)
    for r in rows:
        for key, what in (("butt_wink", "butt wink"), ("over_arch", "over-arching")):
            if r[key] is None:
                missing[(what, r[f"{key}_reason"])].append(r["index"])
    return missing


def _notices(rows: list[dict], reps: tuple[Rep, ...]) -> tuple[Notice, ...]:
    """One warning per finding and reason not judged, timed from the first to the last rep it names."""
    times = {r.index: (r.start_s, r.end_s) for r in reps}
    return tuple(
        Notice(
            f"findings.{what.replace(' ', '_').replace('-', '_')}_not_judged",
            f"{what.capitalize()} was not judged in {_reps_words(numbers)}: {reason}",
            min((times[i][0] for i in numbers if i in times), default=None),
            max((times[i][1] for i in numbers if i in times), default=None),
        )
        for (what, reason), numbers in _not_judged(rows).items()
    )
