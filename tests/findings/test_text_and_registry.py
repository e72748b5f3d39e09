"""The text is calm and sourced; the output is JSON; every threshold and claim is registered."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from squatlab import conventions as cv
from squatlab.findings import assess
from squatlab.findings.claims import CLAIMS, REFERENCES, claims_table
from squatlab.settings import FindingSettings, Settings, describe, load_settings
from squatlab.testing.sets import synthetic_set
from squatlab.trial import Context

CASES = {
    "normal": {},
    "wink": {"wink_deg": 24.0, "limit": "ankle"},
    "mild wink": {"wink_deg": 7.5, "pelvis_error_deg": 1.0},
    "arch": {"arch_deg": 12.0},
    "both": {"wink_deg": 15.0, "arch_deg": 12.0},
    "no pelvis": {"wink_deg": 15.0, "omit": (cv.PELVIS_TILT,)},
    "no back": {"omit": (cv.PELVIS_TILT, cv.LUMBAR_FLEXION)},
    "noisy": {"noise": True, "wink_deg": 15.0},
}


def strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from strings(value)
    elif isinstance(obj, list | tuple):
        for value in obj:
            yield from strings(value)


@pytest.mark.parametrize("case", CASES)
def test_findings_are_json_and_calm(case):
    findings = assess(synthetic_set(**CASES[case])).findings
    json.dumps(findings, allow_nan=False)
    text = " ".join(strings(findings)).lower()
    for word in ("danger", "diagnosis", "you have", "injury risk", "harmful", "damage"):
        assert word not in text, word
    assert "does not diagnose" in findings["set"]["summary"]
    assert "does not diagnose" in findings["set"]["disclaimer"]


@pytest.mark.parametrize("case", ["wink", "arch", "both"])
def test_risk_is_called_theoretical(case):
    summary = assess(synthetic_set(**CASES[case])).findings["set"]["summary"]
    assert "theoretical risk" in summary
    assert re.search(r"grows with load and repetitions", summary)


def test_mild_wink_summary_stays_calm_and_short():
    summary = assess(synthetic_set(**CASES["mild wink"])).findings["set"]["summary"]
    assert "mild butt wink" in summary and "normal" in summary
    assert "likely limit" not in summary
    assert "theoretical risk" not in summary  # mild motion is normal: no risk talk


def test_summary_only_speaks_for_what_was_measured():
    summary = assess(synthetic_set(**CASES["no pelvis"])).findings["set"]["summary"]
    assert "the low back moved within normal limits" in summary
    assert "the pelvis and the low back moved" not in summary
    assert "Butt wink was not judged in reps 1, 2, 3, 4, 5: pelvis tilt could not be measured" in summary


def test_every_claim_cites_known_references_and_the_domain_sources_are_all_used():
    cited = {ref for c in CLAIMS.values() for ref in c.refs}
    assert cited <= set(REFERENCES)
    domain = {"levine1996", "mckean2010", "pan2021", "list2013", "campos2016", "schoenfeld2010", "syrmou2010",
              "bennell1998", "powden2015", "applsci2025"}  # fmt: skip
    assert domain <= cited


def test_the_set_lists_the_claims_it_used_with_full_references():
    found = assess(synthetic_set(**CASES["wink"])).findings["set"]["claims"]
    keys = [row["key"] for row in found]
    assert {"wink_definition", "noise_floor", "knee_to_wall", "flexion_load"} <= set(keys)
    assert len(keys) == len(set(keys))
    mckean = claims_table(["sex_difference"])[0]
    assert "26 degrees" in mckean["text"] and "13 degrees" in mckean["text"]
    assert mckean["references"][0].startswith("McKean MR")


def test_every_finding_setting_has_a_unit_and_a_source_and_is_reported():
    fields = dataclasses.fields(FindingSettings)
    assert all(f.metadata["unit"] and len(f.metadata["source"]) > 20 for f in fields)
    rows = [r for r in describe(Settings()) if r["group"] == "findings"]
    assert [r["name"] for r in rows] == [f.name for f in fields]
    reported = assess(synthetic_set()).findings["set"]["thresholds"]
    assert [r["name"] for r in reported] == [f.name for f in fields]


def test_findings_settings_load_from_toml(tmp_path):
    path = tmp_path / "my.toml"
    path.write_text("[findings]\nnoise_k = 3\nwink_marked_deg = 25.0\n")
    settings = load_settings(path)
    assert settings.findings.noise_k == 3.0 and settings.findings.wink_marked_deg == 25.0


def test_contradictory_settings_are_refused():
    with pytest.raises(ValueError, match="wink_moderate_deg must be below wink_marked_deg"):
        assess(synthetic_set(), FindingSettings(wink_moderate_deg=30.0))
    with pytest.raises(TypeError, match="FindingSettings, Settings or None"):
        assess(synthetic_set(), {"noise_k": 2})


def test_context_notes_and_what_missing_context_would_add():
    bare = assess(synthetic_set()).findings["set"]["context"]
    assert len(bare["missing"]) == 3
    assert any("front-view clip" in m for m in bare["missing"])
    told = assess(
        synthetic_set(wink_deg=15.0, context=Context(sex="male", load_kg=100.0, bodyweight_kg=80.0, stance="narrow"))
    ).findings["set"]["context"]
    assert told["missing"] == []
    assert told["load_bodyweight_ratio"] == 1.25
    assert told["lumbar_descent_range_deg"] > 10
    notes = " ".join(told["notes"])
    assert "26 deg" in notes and "McKean" in notes
    assert "narrow stance" in notes
    assert "1.25 x body weight" in notes


def test_body_weight_squats_get_the_lowest_theoretical_risk_note():
    notes = assess(synthetic_set(context=Context(load_kg=0.0))).findings["set"]["context"]["notes"]
    assert any("Body-weight squats" in n for n in notes)


def test_docs_threshold_table_matches_the_settings():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "findings.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| `(\w+)` \| ([^|]+) \|", doc, flags=re.MULTILINE))
    for f in dataclasses.fields(FindingSettings):
        assert f.name in table, f"docs/findings.md lacks {f.name}"
        assert float(table[f.name]) == f.default, f"docs/findings.md says {f.name} = {table[f.name]}"
