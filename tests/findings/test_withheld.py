"""Findings only from what was measured: withheld frames (confidence below the floor) and
not-measurable reps, on constructed trials with known answers."""

from __future__ import annotations

import dataclasses
import json
import re

import numpy as np
import pandas as pd
import pytest

from squatlab import conventions as cv
from squatlab.findings import assess
from squatlab.kinematics.withhold import withhold
from squatlab.pipeline import after_kinematics
from squatlab.report.draw import frame_caption
from squatlab.report.write import write_outputs
from squatlab.settings import Settings
from squatlab.testing.sets import synthetic_set
from squatlab.trial import Channel, Trial

FLOOR = Settings().outline.min_conf


def misread(trial: Trial, name: str, frames: slice, value: float) -> Trial:
    """``trial`` with ``name`` reading ``value`` at confidence 0 in ``frames``: a range guard's withheld misreading."""
    ch = trial.channels[name]
    values, conf = ch.values.copy(), ch.conf.copy()
    values[frames], conf[frames] = value, 0.0
    return trial.with_channels(**{name: dataclasses.replace(ch, values=values, conf=conf)})


def judged(trial: Trial) -> list[dict]:
    return assess(withhold(trial, FLOOR)).findings["reps"]


def peak_frame(trial: Trial) -> int:
    """The truth's descent peak of rep 1: where the simulated wink begins."""
    return trial.frame_at(trial.source.details["truth"][0]["onset_s"])


def assert_rests_on_measured(trial: Trial, finding: dict) -> None:
    for frame in finding["evidence"]["frames"]:
        assert frame["conf"], frame
        for name, conf in frame["conf"].items():
            assert conf >= FLOOR, (name, frame)
            assert conf == pytest.approx(trial.channels[name].conf[frame["frame"]], abs=1e-3)


def test_withhold_blanks_frames_below_the_floor_and_unmeasurable_reps():
    trial = synthetic_set(n_reps=2, omit=(cv.HIP_DEPTH,))
    pelvis = trial.channels[cv.PELVIS_TILT]
    conf = pelvis.conf.copy()
    conf[10:20] = FLOOR - 0.01
    conf[20:25] = FLOOR
    trial = trial.with_channels(
        **{
            cv.PELVIS_TILT: dataclasses.replace(pelvis, conf=conf),
            cv.HIP_HEIGHT: Channel.measured(np.ones(trial.n_frames), 0.9, "leg lengths"),
        }
    )
    front = dataclasses.replace(trial.reps[1], measurable=False, reason="filmed from the front")
    out = withhold(dataclasses.replace(trial, reps=(trial.reps[0], front)), FLOOR)
    p = out.channels[cv.PELVIS_TILT]
    assert np.isnan(p.values[10:20]).all() and (p.conf[10:20] == 0).all()
    assert np.isfinite(p.values[20:25]).all() and (p.conf[20:25] == FLOOR).all()  # at the floor counts
    in_front = slice(front.start_frame, front.end_frame + 1)
    for name, ch in out.channels.items():
        if ch.is_absent:
            assert ch.absent_reason == "not simulated"
        elif name == cv.HIP_HEIGHT:  # the rep signal holds in any view
            assert np.isfinite(ch.values[in_front]).all()
        else:
            assert np.isnan(ch.values[in_front]).all() and (ch.conf[in_front] == 0).all(), name
            assert np.isfinite(ch.values[trial.reps[0].bottom_frame]), name
    # Everywhere: a value is finite exactly where its confidence reaches the floor.
    for ch in out.channels.values():
        assert np.array_equal(np.isfinite(ch.values), ch.conf >= FLOOR)


@pytest.mark.parametrize("half_width", [0, 4])
def test_withheld_misreading_at_the_descent_peak_is_not_used(half_width):
    truth = synthetic_set(n_reps=2, wink_deg=15.0)
    peak = peak_frame(truth)
    # The outline misread the peak as 50 deg and the range guard withheld it (confidence 0).
    trial = misread(truth, cv.PELVIS_TILT, slice(peak - half_width, peak + half_width + 1), 50.0)
    found = judged(trial)
    assert found[0]["butt_wink"] is None
    reason = found[0]["butt_wink_reason"]
    assert "not measured with enough confidence" in reason and "descent peak" in reason
    assert "withheld" in reason
    # The untouched rep is read as before.
    assert found[1]["butt_wink"]["grade"] == "moderate"
    assert found[1]["butt_wink"]["magnitude_deg"] == pytest.approx(15.0, abs=1.0)
    assert_rests_on_measured(withhold(trial, FLOOR), found[1]["butt_wink"])
    # Without the floor the misreading would have inflated the wink: the test can fail.
    assert assess(trial).findings["reps"][0]["butt_wink"]["magnitude_deg"] > 18


def test_withheld_bottom_is_not_judged():
    truth = synthetic_set(n_reps=1, wink_deg=15.0)
    bottom = truth.reps[0].bottom_frame
    found = judged(misread(truth, cv.PELVIS_TILT, slice(bottom - 2, bottom + 3), -40.0))
    assert found[0]["butt_wink"] is None
    assert (
        found[0]["butt_wink_reason"] == "pelvis tilt was not measured with enough confidence at the bottom of the rep"
    )


def test_withheld_frames_far_from_the_events_leave_the_wink_as_it_was():
    truth = synthetic_set(n_reps=1, wink_deg=15.0)
    start = truth.reps[0].start_frame
    trial = misread(truth, cv.PELVIS_TILT, slice(start + 2, start + 8), 50.0)  # early in the descent
    wink = judged(trial)[0]["butt_wink"]
    reference = judged(truth)[0]["butt_wink"]
    assert wink["detected"] and wink["grade"] == reference["grade"]
    assert wink["magnitude_deg"] == pytest.approx(reference["magnitude_deg"], abs=0.5)
    assert_rests_on_measured(withhold(trial, FLOOR), wink)


def test_withheld_extension_at_the_bottom_is_no_over_arch():
    truth = synthetic_set(n_reps=2)
    rep = truth.reps[0]
    # The low back misread as 25 deg of extension through the bottom, withheld by the range guard.
    bottom = slice(truth.frame_at(rep.bottom_start_s) - 3, truth.frame_at(rep.bottom_end_s) + 4)
    trial = misread(truth, cv.LUMBAR_FLEXION, bottom, -25.0)
    assert assess(trial).findings["reps"][0]["over_arch"]["grade"] == "marked"  # what the floor prevents
    arch = judged(trial)[0]["over_arch"]
    assert arch is not None and not arch["detected"], arch
    assert_rests_on_measured(withhold(trial, FLOOR), arch)


def test_extension_read_at_the_edge_of_a_withheld_misreading_is_not_judged():
    truth = synthetic_set(n_reps=1)
    rep = truth.reps[0]
    first, last = truth.frame_at(rep.bottom_start_s), truth.frame_at(rep.bottom_end_s)
    # Withheld at -25 deg through the bottom; the 0.4 s after it still read -14 deg, measured:
    # the edge of the same misreading, not an arch the lifter held.
    trial = misread(truth, cv.LUMBAR_FLEXION, slice(first, last + 1), -25.0)
    lumbar = trial.channels[cv.LUMBAR_FLEXION]
    values = lumbar.values.copy()
    values[last + 1 : last + 13] = -14.0
    trial = trial.with_channels(**{cv.LUMBAR_FLEXION: dataclasses.replace(lumbar, values=values)})
    row = judged(trial)[0]
    assert row["over_arch"] is None
    assert "next to the largest extension" in row["over_arch_reason"]
    assert row["over_arch_reason"].startswith("lumbar flexion was not measured with enough confidence")


def test_pipeline_withholds_before_the_findings():
    truth = synthetic_set(n_reps=2, wink_deg=15.0)
    peak = peak_frame(truth)
    trial = misread(truth, cv.PELVIS_TILT, slice(peak - 4, peak + 5), 50.0)
    out = after_kinematics(trial, Settings())
    for ch in out.channels.values():
        assert np.array_equal(np.isfinite(ch.values), ch.conf >= FLOOR)
    for row in out.findings["reps"]:
        if row["butt_wink"] is not None:
            assert row["butt_wink"]["magnitude_deg"] < 20  # never the 50 deg misreading
            assert_rests_on_measured(out, row["butt_wink"])


def front_view_set() -> Trial:
    trial = synthetic_set(n_reps=3, wink_deg=15.0)
    front = dataclasses.replace(trial.reps[2], measurable=False, reason="filmed from the front (5% in side view)")
    return dataclasses.replace(trial, reps=(*trial.reps[:2], front))


def test_unmeasurable_rep_shows_no_angles_anywhere(tmp_path):
    trial = assess(withhold(front_view_set(), FLOOR))
    paths = write_outputs(trial, Settings(), tmp_path / "out")
    rep = json.loads(paths["results"].read_text())["reps"][2]
    assert rep["measurable"] is False
    assert rep["depth"]["hip_depth_thigh"] is None
    assert rep[cv.PELVIS_TILT] is None and rep[cv.LUMBAR_FLEXION] is None
    assert rep["butt_wink"] is None and rep["over_arch"] is None
    assert rep["angles_at_bottom"], "every channel is listed, with its reason"
    for name, at in rep["angles_at_bottom"].items():
        assert at["value"] is None, name
        assert at["reason"] == "rep not measurable: filmed from the front (5% in side view)"

    table = pd.read_csv(paths["timeseries"])
    in_rep = table["rep"] == 3
    angles = [name for name in trial.channels if name in table]
    assert angles and table.loc[in_rep, angles].isna().all().all()
    assert (table.loc[in_rep, [cv.conf_column(n) for n in angles]] == 0).all().all()
    assert table.loc[table["rep"] == 1, angles].notna().any().all()

    html = paths["report"].read_text()
    rows = re.findall(r'<tr>\s*<td data-label="rep">(\d+)</td>(.*?)</tr>', html, flags=re.S)
    cells = re.findall(r'<td class="num"[^>]*>(.*?)</td>', dict(rows)["3"], flags=re.S)
    angle_cells = cells[1:]  # after the time: depth, 4 angles, pelvis, lumbar
    assert len(angle_cells) == 7
    assert all(re.sub(r"<[^>]+>", "", c).strip() == "–" for c in angle_cells), angle_cells
    assert not re.search(r"\d", " ".join(angle_cells))

    for frame in (trial.reps[2].start_frame, trial.reps[2].bottom_frame):
        caption = frame_caption(trial, frame)
        assert caption[-1] == "not measured: filmed from the front (5% in side view)"
        assert not any("deg" in line for line in caption)
    assert any("deg" in line for line in frame_caption(trial, trial.reps[0].bottom_frame))


def test_out_of_range_frames_are_withheld_with_one_warning_not_two():
    from squatlab.kinematics.withhold import ESTIMATE_OUT_OF_RANGE, withhold_out_of_range
    from squatlab.trial import Notice

    limits = Settings().outline
    trial = synthetic_set(n_reps=2, omit=(cv.HIP_DEPTH,))
    rep = trial.reps[0]
    frames = slice(rep.start_frame, rep.start_frame + (rep.end_frame - rep.start_frame) // 2)
    bent = misread(trial, cv.LUMBAR_FLEXION, frames, limits.lumbar_max_deg + 10)
    bent = bent.with_channels(
        **{
            cv.LUMBAR_FLEXION: dataclasses.replace(
                bent.channels[cv.LUMBAR_FLEXION], conf=trial.channels[cv.LUMBAR_FLEXION].conf
            )
        }
    )
    out = withhold_out_of_range(bent, limits)
    for name in (cv.PELVIS_TILT, cv.LUMBAR_FLEXION):  # both, where either left its range
        assert np.isnan(out.channels[name].values[frames]).all()
        assert (out.channels[name].conf[frames] == 0).all()
    assert np.isfinite(out.channels[cv.PELVIS_TILT].values[rep.end_frame + 1 :]).any()
    assert [n.code for n in out.notices if "range" in n.code] == ["lumbopelvic_out_of_range"]
    # The estimator already said so: the reader gets one warning about it, not two.
    warned = bent.with_notices(Notice(ESTIMATE_OUT_OF_RANGE, "the outline model left the ranges"))
    codes = [n.code for n in withhold_out_of_range(warned, limits).notices]
    assert ESTIMATE_OUT_OF_RANGE in codes and "lumbopelvic_out_of_range" not in codes
