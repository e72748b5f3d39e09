"""report.html in a real browser: Debian's Chromium, headless, driven by Playwright (no browser download).

For the built-in demo and a real clip, at desktop width and at a phone's 390 px: one verdict per
rep that opens on a click to its two pictures, the source's limit beside the finding it limits,
one disclaimer, no internal codes, the same side-view share in the summary and the warning,
nothing cut off. Full-page screenshots are kept in test-artifacts/report/ (or
$SQUATLAB_ARTIFACTS) for people to look at.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from conftest import REPO, analysed_clip, analysed_demo
from squatlab.demo import demo_clip
from squatlab.report.write import write_outputs
from squatlab.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
# What Chromium needs on this machine (/work/.library/env/machines/python.md): no sandbox as
# root, no GPU, and none of the background connections a closed network refuses.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORTS = {"desktop": 1280, "phone": 390}
ARTIFACTS = Path(os.environ.get("SQUATLAB_ARTIFACTS", REPO / "test-artifacts")) / "report"
CROSSFIT = "ikramaliokz_crossfit_6count_air_squat_side.mp4"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: run `make browser` (make test does)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


def write_report(name: str, trial, video: Path, folder: Path) -> tuple[Path, dict]:
    paths = write_outputs(trial, Settings(), folder / name, video=video, overlay=False)
    return paths["report"], json.loads(paths["results"].read_text())


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory):
    return write_report("demo", analysed_demo(), demo_clip(), tmp_path_factory.mktemp("page"))


@pytest.fixture(scope="module")
def real_report(tmp_path_factory):
    trial = analysed_clip(CROSSFIT)
    clip = REPO / ".." / "shared" / "data" / "videos" / CROSSFIT
    return write_report("crossfit", trial, clip, tmp_path_factory.mktemp("page"))


def open_page(browser, report: Path, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900}, device_scale_factor=2)
    page.goto(report.as_uri())
    return page


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def check_layout(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    rights = page.eval_on_selector_all("table.reps td", "cells => cells.map(c => c.getBoundingClientRect().right)")
    assert rights and max(rights) <= width + 0.5, "the rep table is cut off"


def check_words(page, results: dict) -> None:
    page.eval_on_selector_all("details", "ds => ds.forEach(d => d.open = true)")
    text = page.inner_text("body")
    assert text.count("does not diagnose") == 1, "one disclaimer"
    for code in {w["code"] for w in results["warnings"]}:
        assert code not in text, f"internal code {code} shown"
    # Outside the thresholds table (config names, on purpose), no code names at all.
    prose = text.split("Thresholds used")[0].replace(Path(results["input"]["path"]).name, "")
    assert "findings." not in prose
    assert not re.findall(r"\b[a-z]+_[a-z_]+\b", prose), re.findall(r"\b[a-z]+_[a-z_]+\b", prose)[:5]


def check_verdicts(page, results: dict) -> None:
    page.eval_on_selector_all("details", "ds => ds.forEach(d => d.open = false)")
    verdicts = page.locator("details.verdict")
    assert verdicts.count() == len(results["reps"])
    for i, rep in enumerate(results["reps"]):
        item = verdicts.nth(i)
        line = item.locator("summary").inner_text()
        assert line.startswith(f"Rep {rep['index']}")
        assert "\n" not in line.strip()
        assert not any(img.is_visible() for img in item.locator("img").all())  # closed until clicked
        if not rep["measurable"]:
            assert "Not measured" in line
            continue
        for key in ("butt_wink", "over_arch"):
            finding = rep[key]
            if finding and finding["detected"]:
                assert f"{finding['magnitude_deg']:.0f}°" in line and finding["grade"] in line
                assert f"{finding['confidence_label']} confidence" in line
        item.locator("summary").click()  # the detail is behind a click
        assert item.evaluate("d => d.open")
        pictures = item.locator("img")
        assert pictures.count() == 2  # the descent peak and the bottom, side by side
        boxes = [pictures.nth(j).bounding_box() for j in range(2)]
        assert abs(boxes[0]["y"] - boxes[1]["y"]) < 1 and boxes[0]["x"] < boxes[1]["x"]
        assert min(pictures.nth(j).evaluate("img => img.naturalWidth") for j in range(2)) >= 100
        for key, name in (("butt_wink", "Butt wink"), ("over_arch", "Over-arched low back")):
            if rep[key]:
                limit = item.locator(f"h3:text-is('{name}') + p + p.limit")
                assert limit.count() == 1, f"no limit beside the {name} finding of rep {rep['index']}"
                if results["input"]["kind"] == "video":
                    assert "indicative" in limit.inner_text()


def check_numbers(page, results: dict) -> None:
    if not results["view"]:
        return
    share = f"{results['view']['side_fraction']:.0%}"
    text = page.inner_text("#glance")
    assert f"side in {share} of the frames" in text
    for warning in results["warnings"]:
        if warning["code"] == "not_side_view":
            assert f"side in {share} of the frames" in warning["message"]


def run_page_checks(browser, report: Path, results: dict, name: str) -> list[Path]:
    shots = []
    for label, width in VIEWPORTS.items():
        page = open_page(browser, report, width)
        check_layout(page, width)
        check_verdicts(page, results)
        check_numbers(page, results)
        page.locator("details.verdict").first.evaluate("d => d.open = true")
        shots.append(screenshot(page, f"{name}_{label}"))
        check_words(page, results)
        page.close()
    return shots


def test_demo_report_in_chromium(browser, demo_report):
    report, results = demo_report
    shots = run_page_checks(browser, report, results, "demo")
    assert all(p.stat().st_size > 50_000 for p in shots)
    shutil.copy(report, ARTIFACTS / "demo_report.html")


def test_real_clip_report_in_chromium(browser, real_report):
    report, results = real_report
    assert [r["measurable"] for r in results["reps"]] == [True, True, False]
    run_page_checks(browser, report, results, "crossfit")
    page = open_page(browser, report, VIEWPORTS["phone"])
    third = page.locator("details.verdict").nth(2)
    assert "front" in third.locator("summary").inner_text()
    cells = page.eval_on_selector_all("table.reps tr:nth-child(3) td.num", "cs => cs.map(c => c.innerText)")
    assert cells[1:] == ["–"] * (len(cells) - 1)  # a rep filmed from the front shows no numbers
    page.close()
