"""The speed benchmark times every stage of a real run and reports frames per second."""

from squatlab.bench.speed import main, time_clip
from squatlab.demo import demo_clip


def test_speed_figures_cover_every_stage_of_the_demo_clip():
    row = time_clip(demo_clip(), overlay=False)
    assert row["frames"] > 100
    for key in ("pose pass s", "analysis s", "outputs s"):
        assert row[key] > 0
    assert row["pose pass fps"] == row["frames"] / row["pose pass s"]
    assert row["total fps"] < row["pose pass fps"]


def test_speed_benchmark_prints_a_table(capsys, tmp_path):
    not_a_video = tmp_path / "empty.mp4"
    not_a_video.write_bytes(b"")
    main([str(demo_clip()), str(not_a_video), "--no-video"])
    out = capsys.readouterr().out
    assert "empty.mp4: not analysed" in out
    assert "| clip | size | frames | pose pass s | pose pass fps |" in out
