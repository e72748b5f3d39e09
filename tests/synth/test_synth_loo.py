"""The leave-one-out grid covers bodies, clothing and patterns, and its patterns are decoupled from the depth."""

from dataclasses import replace

import numpy as np
import pytest

from squatlab import conventions as cv
from squatlab.synth.loo import (
    CLOTHING,
    LOO_BODIES,
    PATTERN_NAMES,
    WINK_PATTERNS,
    clip_factors,
    loo_specs,
)
from squatlab.synth.motion import squat_motion
from squatlab.synth.truth import posterior_tilt_range, truth_channels


@pytest.fixture(scope="module")
def grid():
    return loo_specs()


@pytest.fixture(scope="module")
def bottoms(grid):
    """Per clear clip: its factors and the truth at each rep's bottom."""
    out = []
    for spec in grid:
        factors = clip_factors(spec.name)
        if factors["view"] != "clear" or factors["clothing"] not in ("fitted", "leggings", "pants"):
            continue
        m = squat_motion(replace(spec.squat, fps=10.0))  # the bottoms need no more frames
        ch = truth_channels(m)
        for k, ev in enumerate(m.schedule.events):
            f = ev["bottom_frame"]
            out.append(
                {
                    **factors,
                    "depth": spec.squat.depth,
                    "knee": ch[cv.KNEE_FLEXION][f],
                    "pelvis": ch[cv.PELVIS_TILT][f],
                    "lumbar": ch[cv.LUMBAR_FLEXION][f],
                    "wink": -posterior_tilt_range(m)[k],
                    "spec_wink": spec.squat.winks[k],
                }
            )
    return out


def test_every_body_meets_every_pattern_and_names_say_so(grid):
    assert grid == loo_specs() and len({s.name for s in grid}) == len(grid)
    cells = {(clip_factors(s.name)["body"], clip_factors(s.name)["pattern"]) for s in grid}
    assert cells >= {(b, p) for b in LOO_BODIES for p in PATTERN_NAMES}
    assert {clip_factors(s.name)["clothing"] for s in grid} == set(CLOTHING)
    for spec in grid:
        factors = clip_factors(spec.name)
        assert spec.body == factors["body"]
        assert spec.outfit.shell == (factors["clothing"] in ("tshirt", "hoodie"))
        assert spec.outfit.long_pants == (factors["clothing"] in ("leggings", "pants", "hoodie"))
    fitted = [s for s in grid if clip_factors(s.name)["clothing"] in ("fitted", "leggings", "pants")]
    for body in LOO_BODIES:  # every body wears each fitted clothing class
        assert {clip_factors(s.name)["clothing"] for s in fitted if s.body == body} == {"fitted", "leggings", "pants"}


def test_patterns_are_not_a_function_of_the_depth(bottoms):
    deep = [b for b in bottoms if b["depth"] >= 0.9]
    # At full depth the lumbar spine may stay flat or round 20-30 deg, the pelvis tip 0 or 45 deg.
    assert min(b["lumbar"] for b in deep) < 3.0 and max(b["lumbar"] for b in deep) > 20.0
    assert min(b["pelvis"] for b in deep if b["spec_wink"] == 0) < 8.0
    assert max(b["pelvis"] for b in deep) > 40.0
    # Lumbar flexion of 20-30 deg without any posterior tilt.
    no_tilt = [b for b in bottoms if b["pattern"] == "lumbar_no_tilt"]
    assert all(b["lumbar"] >= 18.0 and b["wink"] < 3.0 for b in no_tilt)
    # Neither pelvis nor lumbar at the bottom is predictable from the knee angle.
    knee = np.array([b["knee"] for b in bottoms])
    for key in ("pelvis", "lumbar"):
        assert abs(np.corrcoef(knee, [b[key] for b in bottoms])[0, 1]) < 0.5, key


def test_winks_span_sizes_and_onsets(grid, bottoms):
    winks = [b["wink"] for b in bottoms if b["spec_wink"] > 0]
    assert min(winks) < 8.0 and max(winks) > 20.0 and len(winks) >= 30
    onsets = [s.squat.wink_onset for s in grid if clip_factors(s.name)["pattern"] in WINK_PATTERNS]
    assert min(onsets) < 0.45 and max(onsets) > 0.8
    plain = [b["wink"] for b in bottoms if b["spec_wink"] == 0]
    assert max(plain) < 4.0  # a slow sway, never a wink
    assert {b["pattern"] for b in bottoms if b["spec_wink"] == 0} >= {"flat_deep", "lumbar_no_tilt", "half"}


def test_looks_vary(grid):
    assert {s.stage.background for s in grid} == {"plain", "cluttered", "photo"}
    assert len({s.outfit.skin for s in grid}) == 7
    assert any(s.outfit.ponytail for s in grid) and any(s.height > s.width for s in grid)
    assert max(s.motion_blur for s in grid) > 0.25 and max(s.noise_sd for s in grid) > 4.0
    assert {s.crf for s in grid} >= {23, 30}
    assert len({s.squat.lumbar_split for s in grid}) > 20


def test_factor_names_round_trip():
    assert clip_factors("l003_female_curvy_hoodie_wink_early") == {
        "body": "female_curvy",
        "clothing": "hoodie",
        "pattern": "wink_early",
        "view": "clear",
    }
