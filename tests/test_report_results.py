"""results.json: the rep summaries follow the settings."""

from __future__ import annotations

from squatlab import conventions as cv
from squatlab.findings import assess
from squatlab.report.results import results_dict
from squatlab.settings import OutlineSettings, Settings
from squatlab.testing.sets import synthetic_set


def test_outline_min_conf_decides_which_frames_count():
    trial = assess(synthetic_set(n_reps=2, conf=0.5))
    counted = results_dict(trial, Settings())["reps"]
    dropped = results_dict(trial, Settings(outline=OutlineSettings(min_conf=0.6)))["reps"]
    assert len(counted) == len(dropped) == 2
    for rep in counted:
        assert rep[cv.PELVIS_TILT] is not None
        assert rep[cv.PELVIS_TILT]["mean_conf"] == 0.5
    for rep in dropped:
        assert rep[cv.PELVIS_TILT] is None
        assert rep["not_measured"][cv.PELVIS_TILT] == "measured with confidence in only 0% of the rep's frames"
