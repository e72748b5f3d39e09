"""Reps counted on rendered barbell back squats: the plate hiding the head, and a phone at 35 deg.

The clips (tests/fixtures/rendered/bar_*.mp4, from ``squatlab synth DIR --preset barbell``)
carry their true reps in the sidecar. In the pure side view the near plate covers the head
in every frame: BlazePose takes the plate for the head and fits a smaller body under it,
and its detector finds the "face" on the plate. The bar's path keeps the count right.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from squatlab.pipeline import analyze_video
from squatlab.synth.grid import barbell_fixture_specs
from squatlab.synth.spec import ClipSpec
from squatlab.trial import Trial

FIXTURES = Path(__file__).parent / "fixtures" / "rendered"
SPECS = {s.name: s for s in barbell_fixture_specs()}


@cache
def analysed(name: str) -> Trial:
    return analyze_video(FIXTURES / f"{name}.mp4")


def truth(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.mark.parametrize("name", sorted(SPECS))
def test_committed_barbell_clip_matches_its_spec(name):
    assert ClipSpec.from_dict(truth(name)["spec"]) == SPECS[name], "re-render: squatlab synth DIR --preset barbell"
    assert (FIXTURES / f"{name}.mp4").stat().st_size < 200_000


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_rendered_barbell_rep_is_counted_with_its_bottom(name):
    trial = analysed(name)
    true_reps = truth(name)["reps"]
    assert len(trial.reps) == len(true_reps) == 3
    for found, true in zip(trial.reps, true_reps, strict=True):
        assert abs(found.bottom_s - true["bottom_s"]) < 0.35  # the bar's lowest point
        assert found.start_s < true["bottom_s"] < found.end_s
    assert trial.source.details["bar_on_back"]
    assert "bar_on_back" in {n.code for n in trial.notices}


def test_no_bar_is_seen_on_a_bodyweight_squat():
    trial = analysed("normal_rhythm")  # the lumbo-pelvic fixture: arms forward, no bar
    assert len(trial.reps) == 1
    assert not trial.source.details["bar_on_back"]
    assert "bar_on_back" not in {n.code for n in trial.notices}
