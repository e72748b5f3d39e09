"""The leave-one-out benchmark grid: bodies x clothing x lumbo-pelvic patterns, decoupled from depth.

The first grid (:mod:`squatlab.synth.grid`) tied the lumbo-pelvic pattern to the depth:
every deep squat flexed the lumbar spine and tipped the pelvis forward in the same way,
so a model could learn "deep hip flexion means lumbar flexion" instead of reading the
back. This grid breaks that link. Each clip draws one of ten patterns whose pelvis and
lumbar paths are set independently of the depth (a flat lumbar spine at full depth,
lumbar flexion without posterior tilt, winks starting early or late, half squats,
over-arching at depth, a steep pelvis, a rounded back with a bending thorax), shapes the
paths early or late, spreads the lumbar flexion over its two joints in different ways
and adds a slow postural sway.

Every clip has a body, a clothing class and a pattern, so that the benchmark can leave
each one out (``squatlab.bench.loo``). Clear side views with fitted clothes
(``fitted``, ``leggings``, ``pants``) are the goal set; loose tops (``tshirt``,
``hoodie``) test the abstention; a few hard views (turned, small, far) sit apart.
Short clips (two reps, about 6 s) at qHD keep the grid affordable on two cores.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from squatlab.synth.clothing import SKIN_TONES, Outfit
from squatlab.synth.motion import SquatParams
from squatlab.synth.scene import CameraSpec, StageSpec
from squatlab.synth.spec import ClipSpec

LOO_BODIES = (
    "female_average",
    "female_petite",
    "female_curvy",
    "male_average",
    "male_heavy",
    "male_athletic",
    "male_slim",
)
FITTED_CLOTHING = ("fitted", "leggings", "pants")
LOOSE_CLOTHING = ("tshirt", "hoodie")
CLOTHING = FITTED_CLOTHING + LOOSE_CLOTHING
HARD_VIEWS = ("yaw+15", "yaw-15", "far", "small")
SIZE = (960, 540)
TOPS = ((0.15, 0.35, 0.70), (0.75, 0.15, 0.15), (0.20, 0.55, 0.30), (0.95, 0.95, 0.95), (0.10, 0.10, 0.12),
        (0.55, 0.55, 0.58), (0.85, 0.65, 0.20), (0.40, 0.20, 0.45))  # fmt: skip
BOTTOMS = ((0.12, 0.12, 0.14), (0.25, 0.25, 0.45), (0.35, 0.30, 0.25), (0.55, 0.55, 0.58), (0.10, 0.15, 0.30))
HAIR = ((0.18, 0.12, 0.08), (0.05, 0.04, 0.04), (0.55, 0.40, 0.20), (0.80, 0.70, 0.45), (0.45, 0.18, 0.08))
WALLS = ((0.82, 0.82, 0.78), (0.70, 0.76, 0.82), (0.86, 0.80, 0.70), (0.60, 0.62, 0.60), (0.45, 0.45, 0.50))

Draw = Callable[[np.random.Generator], dict]


def _u(rng: np.random.Generator, lo: float, hi: float) -> float:
    return round(float(rng.uniform(lo, hi)), 2)


# Each pattern: the depth and the lumbo-pelvic parameters, drawn inside its ranges.
PATTERNS: dict[str, Draw] = {
    # Normal rhythm: the pelvis tips forward with the trunk, the low back flattens a little.
    "normal": lambda r: {"depth": _u(r, 0.7, 1.0), "pelvis_anterior_deg": _u(r, 12, 30),
                         "lumbar_rhythm_deg": _u(r, 4, 14)},
    # A deep squat with a flat lumbar spine: all the lean from the hips.
    "flat_deep": lambda r: {"depth": _u(r, 0.9, 1.0), "pelvis_anterior_deg": _u(r, 25, 45),
                            "lumbar_rhythm_deg": _u(r, -3, 3)},
    # The low back rounds 20-30 deg, the pelvis barely moves and never tucks under.
    "lumbar_no_tilt": lambda r: {"depth": _u(r, 0.7, 1.0), "pelvis_anterior_deg": _u(r, 0, 6),
                                 "lumbar_rhythm_deg": _u(r, 20, 30)},
    "wink_early": lambda r: {"depth": _u(r, 0.75, 1.0), "pelvis_anterior_deg": _u(r, 10, 30),
                             "lumbar_rhythm_deg": _u(r, 0, 10), "wink_deg": _u(r, 5, 25),
                             "wink_onset": _u(r, 0.3, 0.55)},
    "wink_late": lambda r: {"depth": _u(r, 0.75, 1.0), "pelvis_anterior_deg": _u(r, 10, 35),
                            "lumbar_rhythm_deg": _u(r, 0, 10), "wink_deg": _u(r, 5, 25),
                            "wink_onset": _u(r, 0.7, 0.92)},
    "half": lambda r: {"depth": _u(r, 0.5, 0.65), "pelvis_anterior_deg": _u(r, 8, 25),
                       "lumbar_rhythm_deg": _u(r, -2, 10)},
    # Over-arched from the set-up and extending further at depth.
    "overarch_deep": lambda r: {"depth": _u(r, 0.85, 1.0), "pelvis_anterior_deg": _u(r, 15, 35),
                                "lumbar_rhythm_deg": _u(r, -4, 0), "overarch_deg": _u(r, 7, 12)},
    "high_tilt": lambda r: {"depth": _u(r, 0.8, 1.0), "pelvis_anterior_deg": _u(r, 35, 48),
                            "lumbar_rhythm_deg": _u(r, 5, 15)},
    # One plain rep, then one wink.
    "mixed_reps": lambda r: {"depth": _u(r, 0.8, 1.0), "pelvis_anterior_deg": _u(r, 10, 30),
                             "lumbar_rhythm_deg": _u(r, 0, 12), "wink_deg": (0.0, _u(r, 8, 22)),
                             "wink_onset": _u(r, 0.45, 0.85)},
    # A rounded back: large lumbar flexion with the pelvis tipping forward, the thorax bending too.
    "round_back": lambda r: {"depth": _u(r, 0.75, 1.0), "pelvis_anterior_deg": _u(r, 15, 30),
                             "lumbar_rhythm_deg": _u(r, 12, 25), "thoracic_deg": _u(r, 5, 15)},
}  # fmt: skip
PATTERN_NAMES = tuple(PATTERNS)
WINK_PATTERNS = ("wink_early", "wink_late", "mixed_reps")


def _shape(rng: np.random.Generator, i: int) -> dict:
    """How the paths unfold: early or late, split over the lumbar joints, a slow sway."""
    return {
        "pelvis_power": _u(rng, 0.6, 1.8),
        "lumbar_power": _u(rng, 0.8, 3.0),
        "lumbar_split": _u(rng, 0.25, 0.75),
        "thoracic_deg": _u(rng, -3, 6),
        "sway_deg": _u(rng, 0.5, 2.0),
        "sway_seed": i,
        "standing_tilt_deg": _u(rng, -5, 5),
    }


def _tempo(rng: np.random.Generator) -> dict:
    rep = float(rng.uniform(1.7, 2.5))
    descent = round(rep * float(rng.uniform(0.4, 0.55)), 2)
    bottom = round(float(rng.uniform(0.0, 0.4)), 2)
    return {
        "n_reps": 2,
        "lead_in_s": _u(rng, 0.9, 1.2),
        "setup_s": _u(rng, 0.3, 0.5),
        "tail_s": _u(rng, 0.4, 0.6),
        "pause_s": _u(rng, 0.3, 0.6),
        "descent_s": descent,
        "bottom_s": bottom,
        "ascent_s": round(max(rep - descent - bottom, 0.7), 2),
    }


def _outfit(clothing: str, body: str, rng: np.random.Generator, i: int) -> Outfit:
    skin = tuple(SKIN_TONES)[i % len(SKIN_TONES)]
    colours = {
        "skin": skin,
        "shirt": TOPS[int(rng.integers(len(TOPS)))],
        "shorts": BOTTOMS[int(rng.integers(len(BOTTOMS)))],
        "hair": HAIR[int(rng.integers(len(HAIR)))],
        "ponytail": body.startswith("female") and bool(rng.random() < 0.6),
    }
    if clothing == "fitted":
        return Outfit(**colours)
    if clothing == "leggings":
        return Outfit(**colours, long_pants=True)
    if clothing == "pants":
        return Outfit(**colours, long_pants=True, loose_pants=True)
    if clothing == "tshirt":
        return Outfit(**colours, loose_shirt=True, drape=_u(rng, 0.6, 1.0))
    return Outfit(**colours, hoodie=True, drape=_u(rng, 0.3, 0.8), long_pants=True, loose_pants=bool(i % 2))


def _clip(i: int, body: str, clothing: str, pattern: str, view: str, seed: int) -> ClipSpec:
    rng = np.random.default_rng([seed, i])
    squat = SquatParams(
        stance_width=_u(rng, 1.1, 2.1),
        toe_out_deg=round(float(rng.uniform(0.0, 30.0)), 1),
        arms=("forward", "crossed", "forward")[i % 3],
        **_tempo(rng),
        **{**_shape(rng, i), **PATTERNS[pattern](rng)},
    )
    portrait = i % 9 == 4
    camera = CameraSpec(
        side=("left", "right")[i % 2],
        yaw_deg=round(float(rng.uniform(-5.0, 5.0)), 1),
        distance_m=_u(rng, 2.5, 3.3) if not portrait else _u(rng, 2.8, 3.4),
        height_m=_u(rng, 0.7, 1.4),
        yfov_deg=62.0 if portrait else 50.0,
    )
    width, height = (SIZE[1], SIZE[0]) if portrait else SIZE
    if view.startswith("yaw"):
        camera = replace(camera, yaw_deg=float(view.removeprefix("yaw")))
    elif view == "far":
        camera = replace(camera, distance_m=5.0, height_m=1.5)
    elif view == "small":
        width, height = 480, 270
    stage = StageSpec(
        background=("plain", "cluttered", "photo", "photo", "cluttered")[i % 5],
        wall_rgb=WALLS[i % len(WALLS)],
        light=_u(rng, 2.0, 3.6),
        light_azimuth_deg=round(float(rng.uniform(-30.0, 60.0)), 1),
        seed=int(rng.integers(10_000)),
    )
    suffix = "" if view == "clear" else f"_{view}"
    return ClipSpec(
        name=f"l{i:03d}_{body}_{clothing}_{pattern}{suffix}",
        body=body,
        squat=squat,
        outfit=_outfit(clothing, body, rng, i),
        camera=camera,
        stage=stage,
        width=width,
        height=height,
        crf=int(rng.integers(23, 31)),
        motion_blur=_u(rng, 0.0, 0.35),
        noise_sd=_u(rng, 0.0, 6.0),
    )


def loo_specs(seed: int = 0) -> list[ClipSpec]:
    """The grid: every body with every pattern in fitted clothes, then loose tops and hard views.

    70 clear clips (7 bodies x 10 patterns; the fitted clothing class rotates so that
    every body wears each), 20 with a loose T-shirt or a hoodie, 8 hard views. Clip
    ``i``'s values come from its own random stream, so adding clips does not change others.

    Examples
    --------
    >>> specs = loo_specs()
    >>> len(specs), len({s.name for s in specs}), specs == loo_specs()
    (98, 98, True)
    """
    specs = []
    i = 0
    for b, body in enumerate(LOO_BODIES):
        for p, pattern in enumerate(PATTERN_NAMES):
            clothing = FITTED_CLOTHING[(b + p) % len(FITTED_CLOTHING)]
            specs.append(_clip(i, body, clothing, pattern, "clear", seed))
            i += 1
    for k in range(20):
        body = LOO_BODIES[(3 * k + 1) % len(LOO_BODIES)]
        pattern = PATTERN_NAMES[(7 * k + 3) % len(PATTERN_NAMES)]
        specs.append(_clip(i, body, LOOSE_CLOTHING[k % 5 // 3], pattern, "clear", seed))
        i += 1
    for k in range(8):
        body = LOO_BODIES[(2 * k + 5) % len(LOO_BODIES)]
        pattern = PATTERN_NAMES[(3 * k + 1) % len(PATTERN_NAMES)]
        specs.append(_clip(i, body, FITTED_CLOTHING[k % 3], pattern, HARD_VIEWS[k % len(HARD_VIEWS)], seed))
        i += 1
    return specs


def clip_factors(name: str) -> dict[str, str]:
    """Body, clothing, pattern and view of a grid clip from its name.

    >>> clip_factors("l071_male_slim_tshirt_wink_late_yaw+15")
    {'body': 'male_slim', 'clothing': 'tshirt', 'pattern': 'wink_late', 'view': 'yaw+15'}
    """
    rest = name.split("_", 1)[1]
    body = next(b for b in LOO_BODIES if rest.startswith(b + "_"))
    rest = rest[len(body) + 1 :]
    clothing = next(c for c in CLOTHING if rest.startswith(c + "_"))
    rest = rest[len(clothing) + 1 :]
    pattern = next(p for p in sorted(PATTERN_NAMES, key=len, reverse=True) if rest.startswith(p))
    view = rest[len(pattern) + 1 :] or "clear"
    return {"body": body, "clothing": clothing, "pattern": pattern, "view": view}
