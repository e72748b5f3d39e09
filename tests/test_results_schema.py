"""docs/results-schema.md against what the code writes, so that neither can drift from the other.

Every object documented under a heading that names its path (`reps[].phases`, ...) lists exactly
the fields the code writes there; every warning code the code can raise is in the table of
codes; every column of timeseries.csv, reps.csv and angles.mot, and every header key of
angles.mot, is documented. The findings' fields are checked against docs/findings.md.
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace

import numpy as np
import pytest

from conftest import REPO
from squatlab import conventions as cv
from squatlab.findings import assess
from squatlab.io.export import mot_columns, mot_metadata
from squatlab.report.reps_table import reps_frame
from squatlab.report.results import results_dict
from squatlab.report.timeseries import timeseries_frame
from squatlab.settings import Settings
from squatlab.testing.sets import synthetic_set
from squatlab.trial import Notice, View

SCHEMA = (REPO / "docs" / "results-schema.md").read_text()
FINDINGS_DOC = (REPO / "docs" / "findings.md").read_text()


def sections(text: str) -> dict[str, list[str]]:
    """Heading path (the backticked part of a heading) -> the lines under it up to the next heading."""
    out: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("#"):
            match = re.search(r"`([^`]+)`", line)
            current = match.group(1) if match else None
            if current is not None:
                out[current] = []
        elif current is not None:
            out[current].append(line)
    return out


def documented(path: str) -> set[str]:
    """The backticked names in the first column of the table under the heading ``path``."""
    rows = [line for line in sections(SCHEMA)[path] if line.startswith("|") and not line.startswith("|---")]
    return {name for row in rows[1:] for name in re.findall(r"`([^`]+)`", row.split("|")[1])}


@pytest.fixture(scope="module")
def trial():
    t = assess(synthetic_set(n_reps=3, wink_deg=15.0, arch_deg=9.0, kind="video"))
    kind = np.where(np.arange(t.n_frames) < t.n_frames - 10, "side", "front")
    view = View(kind, np.where(kind == "side", 85.0, 10.0), "right", "left")
    # A video with a bar on the back writes every optional column: pose presence and the bar's path.
    bar = np.full((t.n_frames, 2), np.nan)
    t = replace(t, view=view).with_extras(
        depth_signal=np.zeros(t.n_frames), **{cv.POSE_PRESENCE: np.ones(t.n_frames), cv.BAR_XY: bar}
    )
    return t.with_notices(Notice("not_tracked", "No person was tracked (1.0-2.0 s).", 1.0, 2.0))


@pytest.fixture(scope="module")
def results(trial):
    return results_dict(trial, Settings(), outputs={"results": "results.json", "reps": "reps.csv"})


def at(document: dict, path: str) -> dict:
    """The object at a documented path (``reps[]`` = the first rep, ``<name>`` = the first key)."""
    value = document
    for part in path.split("."):
        if part == "$":
            continue
        if part == "<name>":
            value = next(iter(value.values()))
        elif part.endswith("[]"):
            value = value[part[:-2]][0]
        else:
            value = value[part]
    return value


@pytest.mark.parametrize(
    "path",
    [
        "$",
        "input",
        "context",
        "view",
        "warnings[]",
        "channels.<name>",
        "summary",
        "reps[]",
        "reps[].phases",
        "reps[].frames",
        "reps[].depth",
        "reps[].angles_at_bottom.<name>",
        "reps[].pelvis_tilt_deg",
        "settings[]",
    ],
)
def test_every_field_is_documented_and_every_documented_field_written(results, path):
    assert set(at(results, path)) == documented(path)


def test_lumbar_summary_has_the_pelvis_fields(results):
    assert set(results["reps"][0]["lumbar_flexion_deg"]) == documented("reps[].pelvis_tilt_deg")


def test_outputs_are_documented(tmp_path, trial):
    from squatlab.report.write import write_outputs

    paths = write_outputs(trial, Settings(), tmp_path / "out", exports=("mot",))
    assert set(paths) <= documented("outputs")
    assert {"results", "reps", "timeseries", "report", "plot_svg", "plot_png", "mot"} <= set(paths)


def test_findings_fields_are_in_findings_md(results):
    """butt_wink, over_arch and the set's findings: every field named in docs/findings.md."""
    rep = results["reps"][0]
    keys = set(rep["butt_wink"]) | set(rep["butt_wink"]["onset"]) | set(rep["over_arch"])
    keys |= set(rep["butt_wink"]["evidence"]) | set(rep["butt_wink"]["evidence"]["confidence_parts"])
    findings = results["findings"]
    keys |= set(findings) | set(findings["counts"]) | set(findings["noise"]) | set(findings["context"])
    keys |= set(findings["cause"]) | set(findings["cause"]["per_rep"][0]) | set(findings["cause"]["checks"][0])
    keys |= set(findings["safe_depth"]) | set(findings["thresholds"][0]) | set(findings["claims"][0])
    assert set(documented("$")) >= {"findings"}
    missing = sorted(k for k in keys if f"`{k}`" not in FINDINGS_DOC)
    assert not missing, f"not in docs/findings.md: {missing}"


def _codes_in_source() -> tuple[set[str], list[re.Pattern]]:
    """Warning codes the code can raise: literal first arguments of Notice(...), and f-string patterns."""
    codes, patterns = set(), []
    for path in (REPO / "src" / "squatlab").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Notice" and node.args):
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                codes.add(first.value)
            elif isinstance(first, ast.JoinedStr):
                parts = [re.escape(v.value) if isinstance(v, ast.Constant) else "[a-z_]+" for v in first.values]
                patterns.append(re.compile("".join(parts) + "$"))
    return codes, patterns


def test_every_warning_code_is_documented():
    rows = [
        line for line in SCHEMA.split("## Warning codes")[1].split("\n## ")[0].splitlines() if line.startswith("| `")
    ]
    listed = {re.findall(r"`([^`]+)`", row)[0] for row in rows}
    codes, patterns = _codes_in_source()
    assert len(codes) >= 25
    assert codes <= listed, f"undocumented warning codes: {sorted(codes - listed)}"
    for pattern in patterns:
        assert any(pattern.match(code) for code in listed), f"no documented code matches {pattern.pattern}"
    unused = {c for c in listed - codes if not any(p.match(c) for p in patterns)}
    assert not unused, f"documented but never raised: {sorted(unused)}"


def test_timeseries_columns_are_documented(trial):
    rows = sections(SCHEMA)["timeseries.csv"]
    listed = {re.findall(r"`([^`]+)`", row.split("|")[1])[0] for row in rows if row.startswith("| `")}
    fixed = {c for c in listed if not c.startswith("<")}
    columns = set(timeseries_frame(trial).columns)
    channels = {c for c in columns if c in cv.CHANNELS or c.removesuffix("_conf") in cv.CHANNELS}
    assert columns - channels == fixed  # a video-like trial writes every fixed column


def test_reps_csv_columns_name_documented_fields(results):
    rep_fields = documented("reps[]")
    per_rep = set(results["findings"]["cause"]["per_rep"][0])
    for column in reps_frame(results).columns:
        head, _, rest = column.partition(".")
        if head == "cause":
            assert rest in per_rep, column
        else:
            assert head in rep_fields, column


def test_mot_columns_and_header_keys_are_documented(trial):
    rows = sections(SCHEMA)["angles.mot"]
    table = [re.findall(r"`([^`]+)`", row.split("|")[1]) for row in rows if row.startswith("| `")]
    names = {name for cell in table for name in cell}

    def known(name: str) -> bool:
        if name in names:
            return True
        stem = re.sub(r"_(l|r)$", "_<s>", name)
        return stem in names or name in cv.CHANNELS or name.removesuffix("_conf") in cv.CHANNELS

    for column in mot_columns(trial):
        assert known(column), column
    absent = {**trial.channels, cv.KNEE_PAST_TOES: trial.channels[cv.KNEE_PAST_TOES].absent(trial.n_frames, "x")}
    trial = replace(trial, channels=absent, baseline={cv.PELVIS_TILT_ABS: 1.0})
    written = set()
    for key in mot_metadata(trial):
        match = re.fullmatch(r"(squatlab_(?:baseline|absent))_(.+)", key)
        name = f"{match.group(1)}_<channel>" if match and match.group(2) in cv.CHANNELS else key
        written.add(re.sub(r"^squatlab_warning_\d+$", "squatlab_warning_<i>", name))
    assert written == {n for n in names if n.startswith("squatlab_")}
