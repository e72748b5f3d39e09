"""Every statement of fact the findings print, with its reference, in one registry.

Thresholds live in :mod:`squatlab.settings`; the sentences that explain them and the
numbers quoted from the literature live here. A text that states a fact takes it from
:data:`CLAIMS` by key, so that the report can list the claims it used and their sources,
and a reviewer can check every one in one file.

Examples
--------
>>> claim("noise_floor").refs
('pan2021',)
>>> cite("sex_difference")
'McKean, Dunn & Burkett 2010'
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    """A published source: a short name for the text and the full citation."""

    key: str
    short: str
    citation: str


@dataclass(frozen=True)
class Claim:
    """One statement of fact with the references that support it (empty = our own reasoning)."""

    key: str
    text: str
    refs: tuple[str, ...]


REFERENCES: dict[str, Reference] = {
    ref.key: ref
    for ref in (
        Reference(
            "levine1996",
            "Levine & Whittle 1996",
            "Levine D, Whittle MW (1996). The effects of pelvic movement on lumbar lordosis in the standing "
            "position. J Orthop Sports Phys Ther 24(3):130-135.",
        ),
        Reference(
            "mckean2010",
            "McKean, Dunn & Burkett 2010",
            "McKean MR, Dunn PK, Burkett BJ (2010). The lumbar and sacrum movement pattern during the back squat "
            "exercise. J Strength Cond Res 24(10):2731-2741.",
        ),
        Reference(
            "pan2021",
            "Pan et al. 2021",
            "Pan et al. (2021). J Biomech 114:110149 (lordosis and sacral orientation over one minute of quiet "
            "standing).",
        ),
        Reference(
            "applsci2025",
            "Appl Sci 2025",
            "Appl Sci (2025) 15:12526 (a Qualisys motion-capture study of posterior pelvic tilt in the squat).",
        ),
        Reference(
            "list2013",
            "List et al. 2013",
            "List R, Gülay T, Stoop M, Lorenzetti S (2013). Kinematics of the trunk and the lower extremities "
            "during restricted and unrestricted squats. J Strength Cond Res 27(6):1529-1538.",
        ),
        Reference(
            "campos2016",
            "Campos et al. 2016",
            "Campos MH et al. (2016). The geometric curvature of the lumbar spine during restricted and "
            "unrestricted squats. J Sports Med Phys Fitness.",
        ),
        Reference(
            "schoenfeld2010",
            "Schoenfeld 2010",
            "Schoenfeld BJ (2010). Squatting kinematics and kinetics and their application to exercise "
            "performance. J Strength Cond Res 24(12):3497-3506.",
        ),
        Reference(
            "syrmou2010",
            "Syrmou et al. 2010",
            "Syrmou E et al. (2010). Spondylolysis: a review and reappraisal. Hippokratia 14(1):17-21.",
        ),
        Reference(
            "letts1986",
            "Letts et al. 1986",
            "Letts M et al. (1986). Fracture of the pars interarticularis in adolescent athletes. "
            "J Pediatr Orthop 6:40-46.",
        ),
        Reference(
            "bennell1998",
            "Bennell et al. 1998",
            "Bennell KL et al. (1998). Intra-rater and inter-rater reliability of a weight-bearing lunge measure "
            "of ankle dorsiflexion. Aust J Physiother 44(3):175-180.",
        ),
        Reference(
            "powden2015",
            "Powden, Hoch & Hoch 2015",
            "Powden CJ, Hoch JM, Hoch MC (2015). Reliability and minimal detectable change of the weight-bearing "
            "lunge test: a systematic review. Man Ther 20(4):524-532.",
        ),
        Reference(
            "stenum2021",
            "Stenum, Rossi & Roemmich 2021",
            "Stenum J, Rossi C, Roemmich RT (2021). Two-dimensional video-based analysis of human gait using pose "
            "estimation. PLoS Comput Biol 17(4):e1008935.",
        ),
        Reference(
            "bell1989",
            "Bell, Brand & Pedersen 1989",
            "Bell AL, Brand RA, Pedersen DR (1989). Prediction of hip joint centre location from external "
            "landmarks. Hum Mov Sci 8:3-16.",
        ),
        Reference(
            "winter2009",
            "Winter 2009",
            "Winter DA (2009). Biomechanics and Motor Control of Human Movement, 4th ed. Wiley "
            "(segment lengths after Drillis & Contini 1966).",
        ),
    )
}


CLAIMS: dict[str, Claim] = {
    c.key: c
    for c in (
        Claim(
            "disclaimer",
            "squatlab measures and explains what the pelvis and the low back did; it does not diagnose. "
            "Talk to a physiotherapist or a doctor about pain or any concern.",
            (),
        ),
        Claim(
            "rhythm_coupling",
            "The pelvis and the low back move together: when the pelvis tips back the low back rounds, when "
            "it tips forward the low back arches, about degree for degree in standing.",
            ("levine1996",),
        ),
        Claim(
            "normal_motion",
            "A little motion of the pelvis and the low back in either direction is normal in a squat and "
            "depends on anatomy.",
            ("mckean2010",),
        ),
        Claim(
            "noise_floor",
            "The low back's curve and the pelvis drift about 3 degrees during one minute of quiet standing, so "
            "smaller changes cannot be told from posture noise.",
            ("pan2021",),
        ),
        Claim(
            "wink_definition",
            "Butt wink is measured as the pelvis angle at the bottom minus the largest forward tilt reached "
            "during that descent, relative to the lifter's own standing posture.",
            ("applsci2025",),
        ),
        Claim(
            "no_cutoff",
            "No published cut-off for an excessive butt wink or arch exists; squatlab's grades are its own "
            "choice, set above the measurement noise and anchored to how far people can tilt the pelvis "
            "voluntarily when standing (about 11 degrees forward and 9 degrees back).",
            ("levine1996",),
        ),
        Claim(
            "cause_anatomy",
            "One explanation is anatomy: as the thigh bone flexes in the hip socket its neck meets the rim of "
            "the socket, and past that depth the pelvis must rotate backwards. Stretching does not change this; "
            "the theory is unproven.",
            (),
        ),
        Claim(
            "cause_ankle",
            "Another explanation is ankle mobility: a stiff ankle stops the knee travelling forward near the "
            "bottom, and the pelvis tucks under to keep descending.",
            ("list2013", "campos2016"),
        ),
        Claim(
            "cause_traces",
            "On a recording the two leave different traces: with an ankle limit the shin stops moving forward "
            "at or before the wink begins; with a hip limit the wink begins at a similar hip angle while the "
            "shin can still move forward.",
            (),
        ),
        Claim(
            "knee_to_wall",
            "The knee-to-wall (weight-bearing lunge) test measures ankle dorsiflexion; 1 cm of toe-to-wall "
            "distance is about 3.6 degrees, and testers agree well (ICC 0.80-0.99).",
            ("bennell1998", "powden2015"),
        ),
        Claim(
            "knee_to_wall_norms",
            "Normal values are not firmly established: informal sources give about 10-12.5 cm, or a shin angle "
            "of 30-38 degrees.",
            (),
        ),
        Claim(
            "rock_back",
            "The quadruped rock-back test looks at hip flexion without the ankle: on hands and knees, sit the "
            "hips back toward the heels and note where the low back starts to round. It is a common clinical "
            "screen; squatlab cites no study of its norms.",
            (),
        ),
        Claim(
            "mobility_vs_anatomy",
            "Where mobility is the limit, mobility work and set-up changes help (heel elevation, stance width, "
            "toe angle, depth); where anatomy is the limit they do not, and the useful advice is to squat to "
            "the depth just above where the wink begins.",
            (),
        ),
        Claim(
            "flexion_load",
            "With the spine held neutral it carries large loads; when it rounds under load, the load shifts to "
            "smaller passive structures such as the discs and ligaments. The theory is that many loaded reps "
            "with excessive rounding could lead to disc problems; no study links butt wink to injury, so this is "
            "a theoretical risk that grows with load and repetitions.",
            ("schoenfeld2010",),
        ),
        Claim(
            "extension_load",
            "Loading the low back while it is over-arched stresses the back of the vertebrae; over time this is "
            "associated with spondylolysis, a stress fracture of the pars interarticularis - a theoretical risk "
            "that grows with load and repetitions.",
            ("syrmou2010", "letts1986"),
        ),
        Claim(
            "sex_difference",
            "In trained lifters back-squatting their body weight plus 50 %, the low back flexed about 26 degrees "
            "during the descent in men and about 13 degrees in women: men showed about twice the range. The low "
            "back was already flexed as soon as the bar was loaded. These are group averages, not limits.",
            ("mckean2010",),
        ),
        Claim(
            "stance_effect",
            "A narrow stance (feet about hip-bone width) gives more low-back and pelvis motion than a wide one "
            "(about twice that width); the wide stance reached more depth with less peak low-back flexion.",
            ("mckean2010",),
        ),
        Claim(
            "keypoint_error",
            "Joint angles from 2-D video keypoints err by about 4-7 degrees in good side views (hip 4.0, knee 5.6 "
            "degrees mean absolute error), and far more in poor views or loose clothing.",
            ("stenum2021",),
        ),
        Claim(
            "hip_centre",
            "The hip joint centres lie about 14 % of the pelvis width inside each front hip bone (ASIS), so they "
            "are about 0.72 ASIS widths apart.",
            ("bell1989",),
        ),
        Claim(
            "foot_proportion",
            "The foot is about 0.152 of body height long and the shank (knee to ankle) about 0.246: the foot is "
            "about 0.62 shank lengths.",
            ("winter2009",),
        ),
    )
}


def claim(key: str) -> Claim:
    """The claim registered under ``key``.

    Raises
    ------
    KeyError
        With the list of known keys, when ``key`` is not registered.
    """
    try:
        return CLAIMS[key]
    except KeyError:
        raise KeyError(f"unknown claim {key!r}; known: {', '.join(sorted(CLAIMS))}") from None


def cite(key: str) -> str:
    """Short names of the references behind claim ``key``, e.g. for '(... )' after a sentence."""
    return "; ".join(REFERENCES[r].short for r in claim(key).refs)


def say(key: str) -> str:
    """The claim's text with its short citation in brackets before the final full stop.

    >>> say("noise_floor").endswith("posture noise (Pan et al. 2021).")
    True
    """
    c = claim(key)
    if not c.refs:
        return c.text
    body = c.text[:-1] if c.text.endswith(".") else c.text
    return f"{body} ({cite(key)})."


def claims_table(keys: list[str] | tuple[str, ...]) -> list[dict[str, object]]:
    """The claims used by a report, in order of first use, each with its full references."""
    rows = []
    for key in dict.fromkeys(keys):
        c = claim(key)
        rows.append({"key": key, "text": c.text, "references": [REFERENCES[r].citation for r in c.refs]})
    return rows
