"""The committed clips (test fixtures and the packaged demo) agree with their specs and stay small."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from squatlab import conventions as cv
from squatlab.synth.grid import demo_spec, fixture_specs
from squatlab.synth.motion import squat_motion
from squatlab.synth.spec import ClipSpec
from squatlab.synth.truth import truth_channels

FIXTURES = Path(__file__).parents[1] / "fixtures" / "rendered"
DEMO = Path(__file__).parents[2] / "src" / "squatlab" / "data" / "demo"
CLIPS = [(FIXTURES, s) for s in fixture_specs()] + [(DEMO, demo_spec())]


@pytest.mark.parametrize(("folder", "spec"), CLIPS, ids=[s.name for _, s in CLIPS])
def test_committed_clip_matches_its_spec_and_the_motion_model(folder, spec):
    sidecar = json.loads((folder / f"{spec.name}.json").read_text())
    assert ClipSpec.from_dict(sidecar["spec"]) == spec, "re-render with: squatlab synth DIR --preset fixture|demo"
    table = pd.read_csv(folder / f"{spec.name}.csv")
    truth = truth_channels(squat_motion(spec.squat))  # the lumbo-pelvic angles do not depend on the body
    for channel in (cv.PELVIS_TILT, cv.PELVIS_TILT_ABS, cv.LUMBAR_FLEXION):
        np.testing.assert_allclose(table[channel], truth[channel], atol=1e-3)
    assert (folder / f"{spec.name}.mp4").stat().st_size < (1_000_000 if folder == DEMO else 500_000)


def test_fixtures_show_what_their_names_say():
    reps = {s.name: json.loads((FIXTURES / f"{s.name}.json").read_text())["reps"] for s in fixture_specs()}
    assert reps["normal_rhythm"][0]["posterior_tilt_range_deg"] == pytest.approx(0.0, abs=1e-6)
    assert reps["wink20"][0]["posterior_tilt_range_deg"] == pytest.approx(-20.0, abs=0.5)
    arch = pd.read_csv(FIXTURES / "overarch15.csv")
    in_rep = arch["rep"] > 0
    assert arch.loc[in_rep, cv.PELVIS_TILT].min() >= 15.0 - 1e-3
    assert arch.loc[in_rep, cv.LUMBAR_FLEXION].min() < -10.0


def test_demo_has_one_plain_rep_and_one_clear_wink():
    reps = json.loads((DEMO / "demo.json").read_text())["reps"]
    ranges = [r["posterior_tilt_range_deg"] for r in reps]
    assert ranges[0] == pytest.approx(0.0, abs=1e-6)
    assert ranges[1] == pytest.approx(-20.0, abs=0.5)
