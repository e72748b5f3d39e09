"""The report's pieces without a browser: verdict lines, limits, dashes, reps.csv, plots, keyframes."""

from __future__ import annotations

import io
import math
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from squatlab import conventions as cv
from squatlab.findings import assess
from squatlab.report.html import bottom_value, render_report
from squatlab.report.media import KEYFRAME_MAX_SIDE, _keyframe, crop_box, descent_peak_frame
from squatlab.report.plots import figure_png, figure_svg, overview_figure, plot_files
from squatlab.report.reps_table import reps_frame
from squatlab.report.results import results_dict
from squatlab.report.verdicts import finding_limit, set_lines, verdict
from squatlab.settings import Settings
from squatlab.testing.sets import synthetic_set
from squatlab.trial import Landmarks, Notice, View


@pytest.fixture(scope="module")
def wink_set():
    trial = assess(synthetic_set(n_reps=3, wink_deg=15.0, kind="video", pelvis_error_deg=2.0))
    return trial, results_dict(trial, Settings())


def test_verdicts_say_what_how_big_and_how_sure(wink_set):
    _, results = wink_set
    for rep in results["reps"]:
        wink = rep["butt_wink"]
        v = verdict(rep)
        assert v.tone == wink["grade"] == "moderate"
        assert v.text.startswith(
            f"Butt wink {wink['magnitude_deg']:.0f}° (moderate, {wink['confidence_label']} confidence"
        )
    normal = {**results["reps"][0], "butt_wink": {**results["reps"][0]["butt_wink"], "detected": False}}
    assert verdict(normal).text.startswith("Normal: the pelvis at the bottom and the low back within normal limits")
    front = {**results["reps"][0], "measurable": False, "reason": "filmed from the front"}
    assert verdict(front).text == "Not measured: filmed from the front" and verdict(front).tone == "not-measured"
    unjudged = {**results["reps"][0], "butt_wink": None, "over_arch": None, "butt_wink_reason": "pelvis not seen"}
    assert verdict(unjudged).text == "Not judged: pelvis not seen"
    sizes = sorted({round(r["butt_wink"]["magnitude_deg"]) for r in results["reps"]})
    span = f"{sizes[0]}°" if len(sizes) == 1 else f"{sizes[0]}–{sizes[-1]}°"
    assert set_lines(results)[0] == f"Butt wink in 3 of 3 judged reps ({span}, moderate at most)."


def test_limits_sit_beside_the_findings_they_limit(wink_set):
    _, results = wink_set
    rep = results["reps"][0]
    video = {**results, "input": {**results["input"], "kind": "video"}}
    assert "indicative" in finding_limit(video, "over_arch", rep["over_arch"])
    assert "rendered bodies" in finding_limit(video, "butt_wink", rep["butt_wink"])
    exported = {**results, "input": {**results["input"], "kind": "mot", "details": {"exported_from": "video"}}}
    assert "indicative" in finding_limit(exported, "over_arch", rep["over_arch"])
    imu = {**results, "input": {**results["input"], "kind": "imu", "pelvis_error_deg": 3.0}}
    assert finding_limit(imu, "butt_wink", rep["butt_wink"]).startswith(
        "From the sensors, pelvis tilt is measured to about 3°"
    )
    assert finding_limit(video, "butt_wink", None) is None


def test_low_confidence_and_unmeasurable_values_are_dashes(wink_set):
    _, results = wink_set
    rep = results["reps"][0]
    knee = rep["angles_at_bottom"][cv.KNEE_FLEXION]
    assert bottom_value(rep, cv.KNEE_FLEXION, 0.3) == f"{knee['value']:.0f}"
    assert bottom_value(rep, cv.KNEE_FLEXION, knee["conf"] + 0.01) == "–"
    assert bottom_value({**rep, "measurable": False}, cv.KNEE_FLEXION, 0.3) == "–"
    assert bottom_value({**rep, "angles_at_bottom": {}}, cv.KNEE_FLEXION, 0.3) == "–"


def test_reps_csv_holds_every_per_rep_number(wink_set):
    _, results = wink_set
    table = reps_frame(results)
    assert list(table["index"]) == [1, 2, 3]

    def leaves(value, prefix=""):
        for key, item in value.items():
            if key in ("evidence", "explanation", "rhythm_text"):
                continue
            if isinstance(item, dict):
                yield from leaves(item, f"{prefix}{key}.")
            elif isinstance(item, int | float) and not isinstance(item, bool):
                yield f"{prefix}{key}", item

    for i, rep in enumerate(results["reps"]):
        numbers = dict(leaves(rep))
        assert {"butt_wink.magnitude_deg", "pelvis_tilt_deg.range", "angles_at_bottom.knee_flexion_deg.value"} <= set(
            numbers
        )
        for column, value in numbers.items():
            assert math.isclose(table.loc[i, column], value), column
    cause = results["findings"]["cause"]["per_rep"]
    assert table.loc[0, "cause.shin_advance_after_onset_deg"] == cause[0]["shin_advance_after_onset_deg"]


def _vertical_lines(ax) -> set[float]:
    return {round(float(x[0]), 3) for line in ax.lines if len(x := line.get_xdata()) == 2 and x[0] == x[1]}


def test_plot_marks_each_bottom_and_wink_onset(wink_set):
    trial, _ = wink_set
    fig = overview_figure(trial, min_conf=0.3)
    onsets = {round(r["butt_wink"]["onset_s"], 3) for r in trial.findings["reps"]}
    bottoms = {round(r.bottom_s, 3) for r in trial.reps}
    for ax in fig.axes:
        assert bottoms | onsets <= _vertical_lines(ax)
    svg = figure_svg(fig, inline=True)
    assert svg.startswith("<svg") and "viewBox" in svg.split(">")[0] and ' width="' not in svg.split(">")[0]
    assert "rep 2" in svg and "butt wink begins" in svg  # text stays text: sharp at any density
    png = Image.open(io.BytesIO(figure_png(fig)))
    assert png.info["dpi"][0] == pytest.approx(200, abs=1) and png.width >= 1100
    files = plot_files(trial, min_conf=0.3)
    assert set(files) == {"over-time.svg", "over-time.png"} and files["over-time.svg"].startswith(b"<?xml")


def _landmark_trial(width: int, height: int, box: tuple[float, float, float, float]):
    trial = assess(synthetic_set(n_reps=1, kind="video"))
    names = cv.BLAZEPOSE_LANDMARKS
    x0, y0, x1, y1 = box
    rng = np.random.default_rng(0)
    xy = np.column_stack([rng.uniform(x0, x1, len(names)), rng.uniform(y0, y1, len(names))])
    xy[0], xy[-1] = (x0, y0), (x1, y1)
    xy = np.broadcast_to(xy, (trial.n_frames, len(names), 2)).copy()
    lm = Landmarks(names, xy, np.ones(xy.shape[:2]), (width, height))
    view = View(np.full(trial.n_frames, "side"), np.full(trial.n_frames, 90.0), "right", "left")
    return replace(trial, landmarks=lm, view=view)


@pytest.mark.parametrize(
    ("size", "box"), [((1280, 720), (500, 100, 800, 650)), ((3840, 2160), (1000, 200, 2400, 2100))]
)
def test_keyframes_are_cut_around_the_lifter_at_full_resolution(size, box):
    trial = _landmark_trial(*size, box)
    rep = trial.reps[0]
    frames = [descent_peak_frame(trial, rep, min_conf=0.3), rep.bottom_frame]
    assert frames[0] < frames[1]
    x0, y0, x1, y1 = crop_box(trial, frames)
    assert x0 < box[0] and y0 < box[1] and x1 > box[2] and y1 > box[3]  # the lifter with a margin
    assert x1 - x0 < size[0] or y1 - y0 < size[1]  # not the whole frame
    image = _keyframe(trial, np.zeros((size[1], size[0], 3), np.uint8), frames[1], (x0, y0, x1, y1), 0.3)
    if max(x1 - x0, y1 - y0) <= KEYFRAME_MAX_SIDE:
        assert image.shape[:2] == (y1 - y0, x1 - x0)  # not scaled down
    else:
        assert max(image.shape[:2]) == KEYFRAME_MAX_SIDE


def test_report_page_says_things_once_and_plainly(wink_set):
    trial, _ = wink_set
    trial = trial.with_notices(Notice("not_tracked", "No person was tracked in 9% of the frames (1-2 s).", 1.0, 2.0))
    results = results_dict(trial, Settings())
    page = render_report(trial, results)
    assert page.count(results["disclaimer"]) == 1
    assert "does not diagnose" not in page.replace(results["disclaimer"], "")
    assert "not_tracked" not in page and "No person was tracked in 9%" in page
    assert page.count('class="verdict tone-moderate"') == 3
    assert "<svg" in page


def test_video_method_gives_the_estimators_measured_error():
    from squatlab.report.html import method_lines

    outline = Settings().outline
    text = " ".join(method_lines("video", None, (4.4, 6.6)))
    assert "within about 4.4 degrees (pelvis) and 6.6 degrees (lumbar)" in text
    default = " ".join(method_lines("video"))
    assert f"within about {outline.pelvis_error_deg:g} degrees (pelvis)" in default
    assert "{" not in default


def test_a_video_rep_without_a_wink_says_one_may_have_been_missed(wink_set):
    _, results = wink_set
    rep = results["reps"][0]
    video = {**results, "input": {**results["input"], "kind": "video"}}
    share = Settings().outline.wink_found_share
    none_found = finding_limit(video, "butt_wink", {**rep["butt_wink"], "detected": False})
    assert f"{share:.0%} of the butt winks of 10° or more" in none_found and "does not rule one out" in none_found
    assert "does not rule one out" not in finding_limit(video, "butt_wink", rep["butt_wink"])
    imu = {**results, "input": {**results["input"], "kind": "imu"}}
    assert "does not rule one out" not in finding_limit(imu, "butt_wink", {**rep["butt_wink"], "detected": False})
