"""`squatlab batch`: many files, errors recorded, resumable, one summary; the same on Dask."""

from __future__ import annotations

import csv
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from squatlab.batch.inputs import collect
from squatlab.batch.job import BatchOptions
from squatlab.batch.run import plan, run_batch
from squatlab.cli import app
from squatlab.demo import demo_clip
from squatlab.io.export import write_mot
from squatlab.testing.sets import synthetic_set

LAB_ONLY = BatchOptions(overlay=False)


def _mot(path: Path, **kwargs) -> None:
    """A synthetic set as an OpenSim .mot, pelvis tilt and lumbar flexion included."""
    trial = synthetic_set(fps=100.0, **kwargs)
    absolute = {f"{n[:-4]}_abs_deg": trial.channels[n] for n in ("pelvis_tilt_deg", "lumbar_flexion_deg")}
    write_mot(trial.with_channels(**absolute), path)


def _archive(root: Path) -> Path:
    """Two OpenSim files (3 and 2 reps), a broken C3D, a note and a video's sidecar table."""
    (root / "monday").mkdir(parents=True)
    _mot(root / "set_a.mot", n_reps=3)
    _mot(root / "monday" / "set_b.mot", n_reps=2, wink_deg=12.0)
    (root / "broken.c3d").write_bytes(b"\x02\x50" + b"\x00" * 600)
    (root / "notes.txt").write_text("not a recording")
    (root / ".hidden.mot").write_text("skipped")
    return root


def _rows(summary: Path) -> list[dict[str, str]]:
    with summary.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_collect_finds_recordings_and_gives_each_its_own_place(tmp_path):
    root = _archive(tmp_path / "in")
    shutil.copy(demo_clip(), root / "monday" / "clip.mp4")
    (root / "monday" / "clip.csv").write_text("time,truth\n")  # the clip's sidecar, not an IMU file
    _mot(root / "monday" / "set_a.mot", n_reps=1)  # same name, other folder
    jobs = collect([root, root / "set_a.mot"], tmp_path / "out")
    assert sorted(j.key for j in jobs) == [
        "broken_c3d",
        "monday/clip_mp4",
        "monday/set_a_mot",
        "monday/set_b_mot",
        "set_a_mot",
    ]
    assert all(j.out_dir.parent.is_relative_to(tmp_path / "out") for j in jobs)
    explicit = collect([root / "notes.txt"], tmp_path / "out")  # named explicitly, any file is taken
    assert [j.key for j in explicit] == ["notes_txt"]


def test_collect_refuses_missing_inputs_and_empty_folders(tmp_path):
    from squatlab.errors import InputError

    with pytest.raises(InputError, match="no such file"):
        collect([tmp_path / "nope"], tmp_path / "out")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no videos, lab or IMU files"):
        collect([tmp_path / "empty"], tmp_path / "out")


def test_batch_records_errors_writes_one_summary_and_skips_finished_files(tmp_path):
    root, out = _archive(tmp_path / "in"), tmp_path / "out"
    jobs = collect([root], out)
    outcomes, summary = run_batch(jobs, out, LAB_ONLY, workers=1)
    assert sorted(o.status for o in outcomes) == ["error", "ok", "ok"]
    rows = _rows(summary)
    assert [(r["output"], r["status"], r["rep"]) for r in rows] == [
        ("broken_c3d", "error", ""),
        ("monday/set_b_mot", "ok", "1"),
        ("monday/set_b_mot", "ok", "2"),
        ("set_a_mot", "ok", "1"),
        ("set_a_mot", "ok", "2"),
        ("set_a_mot", "ok", "3"),
    ]
    assert "C3D" in rows[0]["message"] or "c3d" in rows[0]["message"].lower()
    assert rows[1]["pelvis_tilt_deg range"] and rows[1]["butt_wink detected"] in {"True", "False"}
    assert (out / "broken_c3d.error.json").is_file()
    finished = (out / "set_a_mot" / "results.json").stat().st_mtime_ns

    again, summary = run_batch(collect([root], out), out, LAB_ONLY, workers=1)
    assert again == []  # finished files skipped, the failed one too unless asked
    assert (out / "set_a_mot" / "results.json").stat().st_mtime_ns == finished
    assert _rows(summary) == rows

    retried, _ = run_batch(collect([root], out), out, LAB_ONLY, workers=1, retry_failed=True)
    assert [(o.key, o.status) for o in retried] == [("broken_c3d", "error")]  # tried again, only it


def test_a_batch_stopped_midway_loses_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # an output folder given relative to where the command runs
    root, out = _archive(tmp_path / "in"), Path("out")
    jobs = collect([root], out)
    stale = tmp_path / "out" / "monday" / ".set_b_mot.partial-999999999"  # left by a killed worker
    stale.mkdir(parents=True)

    def stop_after_first(_outcome) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch(jobs, out, LAB_ONLY, workers=1, on_done=stop_after_first)
    assert not stale.exists()
    statuses = [r["status"] for r in _rows(out / "summary.csv")]  # written even when stopped
    assert statuses.count("not analysed") == 2
    assert len(plan(jobs, retry_failed=False).todo) == 2

    outcomes, summary = run_batch(jobs, out, LAB_ONLY, workers=1)
    assert len(outcomes) == 2
    assert "not analysed" not in {r["status"] for r in _rows(summary)}
    assert len(_rows(summary)) == 6


def test_dask_cluster_gives_the_same_summary(tmp_path):
    distributed = pytest.importorskip("distributed", reason="the batch extra (Dask) is not installed")
    root = _archive(tmp_path / "in")
    _, local = run_batch(collect([root], tmp_path / "local"), tmp_path / "local", LAB_ONLY, workers=1)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, dashboard_address=None) as cluster:
        outcomes, remote = run_batch(
            collect([root], tmp_path / "dask"), tmp_path / "dask", LAB_ONLY, dask_address=cluster.scheduler_address
        )
    assert sorted(o.status for o in outcomes) == ["error", "ok", "ok"]
    assert _rows(remote) == _rows(local)


def test_plain_batch_needs_no_dask(tmp_path, monkeypatch):
    """The lean install (make demo) has no Dask: local batches run, --dask says what to install."""
    for name in ("dask", "distributed"):
        monkeypatch.setitem(sys.modules, name, None)  # importing it fails
    root = _archive(tmp_path / "in")
    outcomes, summary = run_batch(collect([root], tmp_path / "out"), tmp_path / "out", LAB_ONLY, workers=2)
    assert sorted(o.status for o in outcomes) == ["error", "ok", "ok"]
    assert len(_rows(summary)) == 6
    result = CliRunner().invoke(app, ["batch", str(root), "--out", str(tmp_path / "d"), "--dask", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "batch extra" in result.output


def test_dask_address_that_cannot_be_reached_is_a_clear_error(tmp_path):
    pytest.importorskip("distributed", reason="the batch extra (Dask) is not installed")
    root = _archive(tmp_path / "in")
    result = CliRunner().invoke(
        app, ["batch", str(root), "--out", str(tmp_path / "out"), "--dask", "tcp://127.0.0.1:9"]
    )
    assert result.exit_code == 2
    assert "cannot reach the Dask scheduler" in result.output


def test_batch_command_runs_videos_in_parallel_with_a_bad_file(tmp_path):
    bad = tmp_path / "in" / "bad.mp4"
    bad.parent.mkdir()
    bad.write_bytes(b"not a video at all")
    out = tmp_path / "out"
    args = ["batch", str(demo_clip()), str(bad), "--out", str(out), "--no-video", "--jobs", "2", "--quiet"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = _rows(out / "summary.csv")
    assert {r["status"] for r in rows} == {"ok", "error"}
    assert [r["rep"] for r in rows if r["status"] == "ok"] == ["1", "2"]
    assert (out / "demo_mp4" / "report.html").is_file()
    assert not (out / "demo_mp4" / "overlay.mp4").exists()
    rerun = CliRunner().invoke(app, args[:-1])  # with the progress text: nothing left to do
    assert "0 to analyse, 1 already done, 1 failed before" in rerun.output
