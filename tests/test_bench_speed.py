"""The speed benchmark times every stage of a real run, the naive loop beside it, and loops clips."""

import itertools

import av
import pytest

from squatlab.bench.speed import STAGES, child, looped_clip, main, run_naive
from squatlab.demo import demo_clip
from squatlab.io.video import iter_frames, probe
from squatlab.timing import recording, stage


def test_stage_clock_counts_nested_time_once():
    with recording() as clock, stage("outer"), stage("inner"):
        sum(range(200_000))
    assert set(clock.seconds) == {"outer", "inner"}
    assert clock.seconds["inner"] > clock.seconds["outer"]  # the outer stage did almost nothing itself
    with stage("ignored"):  # no clock: nothing recorded, nothing raised
        pass


def test_squatlab_child_reports_every_stage_and_memory():
    figures = child("squatlab", demo_clip())
    assert figures["frames"] > 100
    assert figures["reps"] >= 1
    for name in STAGES:
        assert figures[f"stage {name}"] > 0, name
    assert 0 < figures["analysed_s"] < figures["wall_s"]
    # Both runs timed; which is faster is the benchmark's to print, not a test's to assert
    # (on a busy machine the overlay run can finish first).
    assert figures["overlay_s"] > 0 and figures["plain_s"] > 0
    assert figures["peak_rss_mb"] > 100  # the pose model alone is larger


def test_naive_loop_sees_every_frame():
    assert run_naive(demo_clip())["frames"] == probe(demo_clip()).frames


def test_looped_clip_repeats_the_source_without_reencoding(tmp_path):
    source = demo_clip()
    info = probe(source)
    looped = looped_clip(source, 0.25, tmp_path)  # 15 s from a 5.9 s clip: three whole loops
    assert looped_clip(source, 0.25, tmp_path) == looped  # built once, then reused
    times = [f.time_s for f in iter_frames(looped)]
    assert len(times) == 3 * info.frames
    assert all(b > a for a, b in itertools.pairwise(times))
    assert times[-1] == pytest.approx(3 * info.duration_s, abs=0.1)
    with av.open(str(looped)) as container:
        assert container.streams.video[0].codec_context.name == info.codec


def test_speed_benchmark_prints_both_tables(capsys, tmp_path):
    not_a_video = tmp_path / "empty.mp4"
    not_a_video.write_bytes(b"")
    main([str(demo_clip()), str(not_a_video), "--minutes", "--no-naive"])
    out = capsys.readouterr().out
    assert "empty: not timed" in out
    assert "| clip | size | video s | frames | naive fps | fps | x real time | x naive |" in out
    assert "| clip | frames | decode fps | people scan fps | pose fps | outline fps |" in out
