"""The leave-one-out benchmark never scores a clip with a model fitted on its body, clothing or
pattern, and the pelvis fit reads movements at their size (no rendering: made-up clip data)."""

import numpy as np
import pytest

from squatlab.bench.loo import PROTOCOLS, _folds, wink_outline_table
from squatlab.bench.train import DESIGNS, SHIPPED, ClipData, inverse_pelvis, ridge
from squatlab.kinematics.lumbopelvic import TRUNK

BODIES, CLOTHES, PATTERNS = ("a", "b", "c"), ("fitted", "leggings"), ("normal", "wink", "flat")


def clip(body: str, clothing: str, pattern: str, rng: np.random.Generator, n: int = 200) -> ClipData:
    """A clip whose two chords respond to pelvis and lumbar as bodies do (sacrum, upper back)."""
    t = np.linspace(0, 1, n)
    depth = np.sin(np.pi * t) ** 2
    rhythm = {"normal": (20, 10), "wink": (5, 25), "flat": (35, 0)}[pattern]
    pelvis, lumbar = rhythm[0] * depth, rhythm[1] * depth
    sacrum = 0.8 * pelvis + 0.3 * lumbar + rng.normal(0, 2.0, n)  # carried partly by the lumbar spine
    upper = pelvis + lumbar + rng.normal(0, 0.5, n)
    return ClipData(
        name=f"{body}_{clothing}_{pattern}",
        spec={"spec": {"body": body, "outfit": {}}},
        delta={"sacrum": sacrum, "upper": upper},
        quality=np.ones(n),
        pelvis=pelvis,
        lumbar=lumbar,
        in_rep=depth > 0.05,
        hollow=8.0,
        factors={"body": body, "clothing": clothing, "pattern": pattern, "view": "clear"},
    )


@pytest.fixture(scope="module")
def clips():
    rng = np.random.default_rng(0)
    return [clip(b, c, p, rng) for b in BODIES for c in CLOTHES for p in PATTERNS]


@pytest.mark.parametrize("protocol", sorted(PROTOCOLS))
def test_no_fold_trains_on_what_it_scores(clips, protocol):
    scored = []
    for test, train in _folds(clips, protocol):
        scored += [c.name for c in test]
        for held in test:
            factors = ("body", "clothing", "pattern") if protocol == "strict" else (protocol,)
            for other in train:
                assert all(other.factors[f] != held.factors[f] for f in factors), (held.name, other.name)
    assert sorted(scored) == sorted(c.name for c in clips)  # every clip scored exactly once


def test_inverting_the_chords_reads_a_wink_at_its_size_where_regression_shrinks_it():
    rng = np.random.default_rng(1)
    n = 300
    depth = np.sin(np.pi * np.linspace(0, 1, n)) ** 2
    train = []
    for k in range(40):  # squats whose pelvis and lumbar spine mostly move together with depth
        amp = rng.uniform(15, 40)
        share = np.clip(rng.normal(0.6, 0.1), 0.3, 0.9)
        c = clip("a", "fitted", "normal", rng, n)
        c.pelvis, c.lumbar = share * amp * depth, (1 - share) * amp * depth
        c.delta = {
            "sacrum": 0.8 * c.pelvis + 0.3 * c.lumbar + rng.normal(0, 3.0, n),
            "upper": c.pelvis + c.lumbar + rng.normal(0, 0.5, n),
        }
        c.name = f"train{k}"
        train.append(c)
    # A wink: late in the descent the pelvis tucks under by 15 deg and the lumbar spine takes it up.
    tuck = 15.0 * np.clip((depth - 0.7) / 0.3, 0, 1)
    wink = clip("b", "fitted", "wink", rng, n)
    wink.pelvis, wink.lumbar = 18 * depth - tuck, 12 * depth + tuck
    wink.delta = {"sacrum": 0.8 * wink.pelvis + 0.3 * wink.lumbar, "upper": wink.pelvis + wink.lumbar}

    x_upper = np.concatenate([c.delta["upper"] for c in train])[:, None]
    thorax = ridge(x_upper, np.concatenate([c.pelvis + c.lumbar for c in train]), 1.0)
    features, weights = inverse_pelvis(train, ("sacrum",), ("upper",), thorax)
    inverted = np.column_stack([wink.delta[f] for f in features]) @ weights
    both = np.column_stack([np.concatenate([c.delta[f] for c in train]) for f in ("sacrum", "upper")])
    w = ridge(both, np.concatenate([c.pelvis for c in train]), 1.0)
    regressed = np.column_stack([wink.delta["sacrum"], wink.delta["upper"]]) @ w

    def tuck_read(estimate: np.ndarray) -> float:  # how much of the tuck the estimate shows
        return float(np.polyfit(tuck, estimate - 18 * depth, 1)[0])

    assert tuck_read(inverted) == pytest.approx(-1.0, abs=0.15)
    assert tuck_read(regressed) > -0.75  # regression dilution: the tuck reads smaller


def shipped_clip(body: str, clothing: str, pattern: str, sacrum_turns: bool = True, n: int = 120) -> ClipData:
    """One rep read by the shipped design's features; a "wink" tucks the pelvis under late in the descent (21 deg)."""
    depth = np.sin(np.pi * np.linspace(0, 1, n)) ** 2
    tuck = 30.0 * np.clip((depth - 0.7) / 0.3, 0, 1) if pattern == "wink" else np.zeros(n)
    tuck[n // 2 :] = tuck[n // 2]  # held through the ascent, so the descent's bottom carries it
    rhythm = {"normal": (25, 12), "wink": (30, 14), "flat": (35, 2)}[pattern]
    pelvis, lumbar = rhythm[0] * depth - tuck, rhythm[1] * depth + tuck
    design = DESIGNS[SHIPPED]
    delta = {name: 0.6 * pelvis - 0.1 * lumbar for name in design.pelvis}
    if not sacrum_turns:  # this body's skin over the sacrum does not follow the tuck
        delta[design.pelvis[0]] = 0.6 * (pelvis + tuck) - 0.1 * (lumbar - tuck)
    delta[TRUNK] = (pelvis + lumbar) / 1.1
    bottom = n // 2
    peak = int(np.argmax(pelvis[: bottom + 1]))
    rep = {"start_frame": 0, "bottom_frame": bottom, "posterior_tilt_range_deg": float(pelvis[bottom] - pelvis[peak])}
    return ClipData(
        name=f"{body}_{clothing}_{pattern}",
        spec={"spec": {"body": body, "outfit": {}, "squat": {"wink_deg": 21.0 if pattern == "wink" else 0.0}},
              "reps": [rep]},
        delta=delta,
        quality=np.ones(n),
        pelvis=pelvis,
        lumbar=lumbar,
        in_rep=np.ones(n, dtype=bool),
        hollow=8.0,
        factors={"body": body, "clothing": clothing, "pattern": pattern, "view": "clear"},
    )  # fmt: skip


def test_the_wink_table_shows_where_a_body_s_outline_does_not_follow_the_wink():
    clips = [shipped_clip(b, c, p) for b in BODIES for c in CLOTHES for p in PATTERNS]
    odd = next(c for c in clips if c.name == "c_leggings_wink")
    clips[clips.index(odd)] = shipped_clip("c", "leggings", "wink", sacrum_turns=False)
    table = wink_outline_table(clips).set_index("clip")
    assert sorted(table.index) == sorted(c.name for c in clips if c.factors["pattern"] == "wink")
    lowest = f"chord {DESIGNS[SHIPPED].pelvis[0].split('_')[1]} turned (seen / expected)"
    seen, expected = (float(v) for v in table.loc["a_fitted_wink", lowest].split(" / "))
    assert seen == pytest.approx(expected, abs=1)  # the body the fits describe
    assert table.loc["a_fitted_wink", "pelvis back"] == pytest.approx(21, abs=0.5)
    assert table.loc["a_fitted_wink", "pelvis back, read"] == pytest.approx(21, abs=1)
    seen, expected = (float(v) for v in table.loc["c_leggings_wink", lowest].split(" / "))
    assert seen - expected > 10  # its skin over the sacrum did not follow the tuck
    assert table.loc["c_leggings_wink", "pelvis back, read"] < 19  # so the wink reads smaller
