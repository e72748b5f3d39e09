"""Plain-language text for the findings: calm, specific, and honest about its limits.

Rules the sentences follow (checked by the tests): they say what was measured and what it
may mean, never diagnose, never call a movement "dangerous", speak of a "theoretical risk"
where the literature offers only a theory, and take every fact from :mod:`claims`.
"""

from __future__ import annotations

from squatlab import conventions as cv
from squatlab.findings.claims import cite, claim, say

GRADE_WORDS = {"mild": "a mild", "moderate": "a moderate", "marked": "a marked"}
PHASE_WORDS = {
    "set-up": "at the set-up",
    "descent": "on the way down",
    "bottom": "at the bottom",
    "ascent": "on the way up",
}


def disclaimer() -> str:
    """The sentence every report carries."""
    return claim("disclaimer").text


def depth_phrase(hip_depth_thigh: float) -> str:
    """Hip depth in words: above / level with / below the knee, in thigh lengths.

    >>> depth_phrase(-0.2)
    'the hip 0.20 thigh lengths above knee level'
    >>> depth_phrase(0.01)
    'the thigh about level with the knee (parallel)'
    """
    if hip_depth_thigh < -0.03:
        return f"the hip {-hip_depth_thigh:.2f} thigh lengths above knee level"
    if hip_depth_thigh > 0.03:
        return f"the hip {hip_depth_thigh:.2f} thigh lengths below knee level"
    return "the thigh about level with the knee (parallel)"


def _onset_words(onset: dict | None) -> str:
    if not onset:
        return ""
    parts = []
    if onset.get(cv.HIP_FLEXION) is not None:
        parts.append(f"the hip flexed {onset[cv.HIP_FLEXION]:.0f} deg")
    if onset.get(cv.HIP_DEPTH) is not None:
        parts.append(depth_phrase(onset[cv.HIP_DEPTH]))
    return (", with " + " and ".join(parts)) if parts else ""


def wink_explanation(f: dict) -> str:
    """One or two sentences on one rep's butt-wink finding."""
    resolve = (
        f"This recording cannot tell changes under {f['threshold_deg']:.1f} deg from normal variation "
        f"(posture drift plus the source's own error)."
    )
    if not f["detected"]:
        if f["magnitude_deg"] < 1.0:
            return f"The pelvis did not tip back at the bottom: no butt wink in this rep. {resolve}"
        return (
            f"The pelvis tipped back by {f['magnitude_deg']:.1f} deg at the bottom, within normal variation: "
            f"no butt wink in this rep. {resolve}"
        )
    text = (
        f"The pelvis tipped back (tucked under) by {f['magnitude_deg']:.1f} deg between its most forward tilt on "
        f"the way down and the bottom: {GRADE_WORDS[f['grade']]} butt wink. It began at {f['onset_s']:.2f} s"
        f"{_onset_words(f['onset'])}."
    )
    change = f["lumbar_flexion_change_deg"]
    if change is not None and f["lumbar_agrees"]:
        text += (
            f" Over the same stretch the low back rounded by {change:.1f} deg, as expected when the pelvis tips back."
        )
    elif change is not None:
        text += (
            f" The low-back reading changed by only {change:.1f} deg over the same stretch, less than the pelvis "
            "suggests, so read this rep with some caution."
        )
    return f"{text} {resolve}"


def arch_explanation(f: dict) -> str:
    """One or two sentences on one rep's over-arching finding."""
    where = PHASE_WORDS[f["phase"]]
    if f["method"] == "pelvis_setup_only":
        if not f["detected"]:
            return (
                f"At the set-up the pelvis did not tip forward beyond your standing posture by more than this "
                f"recording can resolve ({f['threshold_deg']:.1f} deg). Through the rep over-arching could not be "
                "judged: this source measures neither the low back nor the trunk."
            )
        return (
            f"At the set-up the pelvis tipped forward {f['magnitude_deg']:.1f} deg beyond your standing posture. "
            f"Standing, the low back arches about as much as the pelvis tips ({cite('rhythm_coupling')}), so this "
            f"suggests an arched set-up: {GRADE_WORDS[f['grade']]} over-arch. Through the rep it could not be judged: "
            "this source measures neither the low back nor the trunk."
        )
    if not f["detected"]:
        return (
            f"The low back did not arch beyond your standing posture by more than this recording can resolve "
            f"({f['threshold_deg']:.1f} deg): no over-arching in this rep."
        )
    if f["method"] == "pelvis_minus_trunk":
        return (
            f"The pelvis tipped forward {f['magnitude_deg']:.1f} deg more than the trunk leaned, relative to "
            f"standing, {where}: the low back arched, {GRADE_WORDS[f['grade']]} over-arch. This is judged from "
            "pelvis tilt and trunk lean because the low back itself was not measured."
        )
    return (
        f"The low back arched {f['magnitude_deg']:.1f} deg beyond your standing posture {where}: "
        f"{GRADE_WORDS[f['grade']]} over-arch."
    )


def rhythm(wink: dict | None, arch: dict | None) -> tuple[str, str]:
    """The rep's overall lumbo-pelvic rhythm as (label, plain sentence).

    Labels: "normal", "butt_wink", "over_arch", "butt_wink_and_over_arch", "not_judged".
    """
    if wink is None and arch is None:
        return "not_judged", "The pelvis and low-back rhythm could not be judged in this rep."
    flagged = []
    if wink is not None and wink["detected"]:
        flagged.append("butt_wink")
    if arch is not None and arch["detected"]:
        flagged.append("over_arch")
    unjudged = "" if wink and arch else f" ({'butt wink' if wink is None else 'over-arching'} could not be judged)"
    if not flagged:
        return "normal", (
            f"Normal rhythm: {_judged_parts(wink, arch)} moved within normal limits in this rep{unjudged}. "
            "A little motion either way is normal."
        )
    words = {"butt_wink": "the pelvis tipped back at the bottom", "over_arch": "the low back arched beyond standing"}
    return "_and_".join(flagged), "In this rep " + " and ".join(words[k] for k in flagged) + f"{unjudged}."


def _judged_parts(wink: dict | None, arch: dict | None) -> str:
    """What the judged findings speak for: the pelvis (wink), the low back (arch), or both."""
    if wink is not None and arch is not None:
        return "the pelvis and the low back"
    if wink is not None:
        return "the pelvis"
    return "the pelvis at the set-up" if arch["method"] == "pelvis_setup_only" else "the low back"


def cause_evidence(rows: list[dict], hip_sd: float | None, sd_max: float) -> list[str]:
    """Plain sentences, one per rep with a wink, plus the consistency of the onset hip angle."""
    lines = []
    for r in rows:
        if r["pattern"] == "not_measured":
            lines.append(f"Rep {r['index']}: the shin was not measured around the wink onset.")
            continue
        advance, before = r["shin_advance_after_onset_deg"], r["shin_stop_before_onset_s"]
        if r["pattern"] == "ankle":
            when = f"{before:.2f} s before" if before > 0 else "as"
            lines.append(
                f"Rep {r['index']}: the shin had stopped moving forward {when} the wink began "
                f"(it advanced only {advance:.1f} deg after the onset) - the ankle pattern."
            )
        elif r["pattern"] == "hip":
            lines.append(
                f"Rep {r['index']}: the shin still moved forward {advance:.1f} deg after the wink began - the hip "
                "pattern."
            )
        else:
            lines.append(f"Rep {r['index']}: the shin moved forward {advance:.1f} deg after the wink began - unclear.")
    hips = [r["onset_hip_flexion_deg"] for r in rows if r["onset_hip_flexion_deg"] is not None]
    if hip_sd is not None:
        verdict = "consistent" if hip_sd <= sd_max else "not consistent"
        lines.append(f"The wink began at hip flexion {_span(hips)} across reps (SD {hip_sd:.1f} deg): {verdict}.")
    elif not hips:
        lines.append("Hip flexion was not measured at the wink onset, so its consistency is unknown.")
    return lines


def checks(label: str) -> list[dict]:
    """The two checks that tell the causes apart, the likelier one first."""
    if label == "none":
        return []
    ankle = {
        "name": "Knee-to-wall test (ankle)",
        "how": (
            "Stand in a short lunge facing a wall. Keeping the front heel down, push the knee forward to touch the "
            "wall, and move the foot back until the knee only just touches. Measure from the big toe to the wall; "
            "do both sides."
        ),
        "what_it_means": (
            "A short distance, or a clear difference between sides, points to the ankle as the limit: a small heel "
            "elevation and ankle mobility work are worth trying, then record the set again and compare. A long "
            f"distance makes the ankle an unlikely limit. {say('knee_to_wall')} {say('knee_to_wall_norms')}"
        ),
    }
    hip = {
        "name": "Quadruped rock-back test (hip)",
        "how": (
            "On hands and knees, hands under the shoulders and knees under the hips, set a neutral low back. Slowly "
            "sit the hips back toward the heels while someone watches or films the low back from the side."
        ),
        "what_it_means": (
            "If the low back starts to round early in the rock-back, where the ankle plays no part, the hip is a "
            "plausible limit; if that limit is anatomy, stretching will not move it and squatting to just above "
            "the wink depth is the useful advice. If the hips reach the heels with the back still neutral, the hip "
            "is an unlikely limit. squatlab cites no study of this test's norms."
        ),
    }
    return [hip, ankle] if label == "hip" else [ankle, hip]


def next_steps(label: str) -> list[str]:
    """What to try, by likely cause."""
    compare = "record the set again and run `squatlab compare` on the two results"
    steps = {
        "ankle": [
            "Run the knee-to-wall test on both sides.",
            f"Try a small heel elevation (lifting shoes or thin plates under the heels), then {compare}.",
            "Meanwhile the suggested depth keeps you just above where the wink began.",
        ],
        "hip": [
            "Run the quadruped rock-back test.",
            "If the hip is the limit, mobility work may not move the onset; squatting to the suggested depth "
            "(for example to a box) keeps the pelvis steady.",
            f"A slightly wider stance or more toe-out gives the hips room for some lifters: try it, then {compare}.",
        ],
        "undetermined": [
            "Run both checks: the knee-to-wall test for the ankle and the quadruped rock-back test for the hip.",
            f"Try a small heel elevation, then {compare}: if the wink moves deeper or goes away, the ankle was part "
            "of it.",
        ],
    }
    return steps.get(label, [])


def cause_sentence(cause: dict) -> str:
    """The likely cause in one sentence for the summary."""
    if cause["label"] == "ankle":
        return f"The likely limit is the ankle: {cause['reason']}."
    if cause["label"] == "hip":
        return f"The likely limit is the hip: {cause['reason']}."
    return f"The likely cause could not be determined: {cause['reason']}."


def safe_depth_text(d: dict) -> str:
    """The suggested depth as a sentence."""
    if d["hip_depth_thigh"] is not None:
        angle = d["thigh_angle_deg"]
        side = "below" if angle > 0 else "above"
        where = f"{depth_phrase(d['hip_depth_thigh'])} (thigh about {abs(angle):.0f} deg {side} level)"
        if d["hip_flexion_deg"] is not None:
            where += f", about {d['hip_flexion_deg']:.0f} deg of hip flexion"
    else:
        where = f"about {d['hip_flexion_deg']:.0f} deg of hip flexion"
    return (
        f"Suggestion: squat to {where}, for example to a box at that height. That is just above where the pelvis "
        f"began to tip back in rep {d['from_rep']}, the earliest onset in this set. It is a starting point to try, "
        "not a rule."
    )


def theoretical_risk(wink: bool, arch: bool) -> str:
    """The calm sentence on why it may matter, only for what was found."""
    parts = []
    if wink:
        parts.append(
            "When the low back rounds under load, more of the load falls on passive structures such as the discs "
            "and ligaments; no study links butt wink to injury, so this is a theoretical risk that grows with load "
            f"and repetitions ({cite('flexion_load')})."
        )
    if arch:
        parts.append(
            "Loading an over-arched low back stresses the back of the vertebrae, a theoretical risk that grows with "
            f"load and repetitions ({cite('extension_load')})."
        )
    return " ".join(parts)


def _span(values: list[float]) -> str:
    low, high = min(values), max(values)
    return f"{low:.0f} deg" if round(low) == round(high) else f"{low:.0f}-{high:.0f} deg"


def _worst(findings: list[dict]) -> str:
    order = ["mild", "moderate", "marked"]
    return max((f["grade"] for f in findings), key=order.index)


def _wink_summary(winks: list[dict], judged: int, cause: dict, safe: dict | None) -> str:
    magnitudes = [w["magnitude_deg"] for w in winks]
    worst = _worst(winks)
    if worst == "mild":
        pattern_only = [w for w in winks if not w.get("imu_pattern", {}).get("pelvis_range_called", True)]
        if len(pattern_only) == len(winks):
            return (
                f"In {len(winks)} of {judged} reps the hip and knee sensors showed the pattern of a small butt wink "
                f"(the hip stopped keeping pace with the knee near the bottom); the pelvis sensor itself tipped back "
                f"{_span(magnitudes)}, less than it resolves. A small amount of motion like this is normal; the "
                "details below give each rep's numbers."
            )
        return (
            f"In {len(winks)} of {judged} reps the pelvis tipped back a little at the bottom (mild butt wink, "
            f"{_span(magnitudes)}). A small amount of motion like this is normal; the details below show where "
            "it began."
        )
    text = (
        f"In {len(winks)} of {judged} reps the pelvis tipped back at the bottom (butt wink), by "
        f"{_span(magnitudes)} ({worst} at most)."
    )
    if safe is not None and safe.get("onset_hip_depth_thigh") is not None:
        text += f" It began earliest with {depth_phrase(safe['onset_hip_depth_thigh'])} (rep {safe['from_rep']})."
    elif safe is not None and safe.get("onset_hip_flexion_deg") is not None:
        text += f" It began earliest at {safe['onset_hip_flexion_deg']:.0f} deg of hip flexion."
    text += " " + cause_sentence(cause)
    if cause["checks"]:
        text += (
            " Two simple checks would tell more: "
            + " and ".join("the " + ch["name"][0].lower() + ch["name"][1:] for ch in cause["checks"])
            + "."
        )
    if safe is not None:
        text += " " + safe["text"]
    return text


def _arch_summary(arches: list[dict], judged: int) -> str:
    magnitudes = [a["magnitude_deg"] for a in arches]
    phases = sorted({PHASE_WORDS[a["phase"]] for a in arches})
    return (
        f"In {len(arches)} of {judged} reps the low back arched beyond your standing posture "
        f"({_span(magnitudes)}, {_worst(arches)} at most), {' and '.join(phases)}."
    )


def summary(counts: dict, winks: list[dict], arches: list[dict], cause: dict, safe: dict | None, notes: dict) -> str:
    """The set's short, calm paragraph.

    ``counts`` has ``reps``, ``butt_wink_judged``, ``over_arch_judged``; ``notes`` has
    ``not_judged`` (sentence or None) and the thresholds ``butt_wink_threshold_deg`` and
    ``over_arch_threshold_deg`` (or None) for the all-normal sentence.
    """
    tail = disclaimer()
    if counts["reps"] == 0:
        return f"No squat reps were found, so nothing could be judged. {tail}"
    if counts["butt_wink_judged"] == 0 and counts["over_arch_judged"] == 0:
        which = "The rep could not" if counts["reps"] == 1 else f"None of the {counts['reps']} reps could"
        return f"{which} be judged: {notes['not_judged']} {tail}"
    parts = []
    if winks:
        parts.append(_wink_summary(winks, counts["butt_wink_judged"], cause, safe))
    if arches:
        parts.append(_arch_summary(arches, counts["over_arch_judged"]))
    if not winks and not arches:
        parts.append(_normal_summary(counts, notes))
    elif arches or _worst(winks) != "mild":
        # Mild motion is normal: the risk sentence is kept for what is more than that.
        parts.append(theoretical_risk(bool(winks) and _worst(winks) != "mild", bool(arches)))
    if notes.get("not_judged"):
        parts.append(notes["not_judged"])
    parts.append(tail)
    return " ".join(p for p in parts if p)


def _normal_summary(counts: dict, notes: dict) -> str:
    judged = max(counts["butt_wink_judged"], counts["over_arch_judged"])
    resolved = []
    if counts["butt_wink_judged"]:
        resolved.append(f"no butt wink (this recording resolves about {notes['butt_wink_threshold_deg']:.0f} deg)")
    if counts["over_arch_judged"]:
        resolved.append(f"no over-arching (about {notes['over_arch_threshold_deg']:.0f} deg)")
    parts = ("the pelvis and the low back" if counts["butt_wink_judged"] and counts["over_arch_judged"]
             else "the pelvis" if counts["butt_wink_judged"] else "the low back")  # fmt: skip
    return (
        f"Across the {judged} rep{'s' if judged != 1 else ''} that could be judged, {parts} "
        f"moved within normal limits: {' and '.join(resolved)}. A little motion either way is normal."
    )
