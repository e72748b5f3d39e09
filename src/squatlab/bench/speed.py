"""How fast the video analysis runs on this machine: frames per second by stage.

    python -m squatlab.bench.speed [VIDEO ...] [--no-video]

Times, per clip, the pose pass (decoding, BlazePose, the person mask and its outline),
the stages after it (reps, pelvis and lumbar estimate, findings) and the writing of the
outputs (report, keyframes and, unless ``--no-video``, the overlay video). Without
arguments it runs on the built-in demo clip and on every clip in ../shared/data/videos
when that folder exists. Nothing is cached: every run does the whole work. Prints a table;
no pass or fail (speed depends on the machine, see the README for reference figures).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from squatlab.bench.accuracy import markdown
from squatlab.bench.real_clips import DEFAULT_VIDEOS
from squatlab.demo import demo_clip
from squatlab.errors import SquatlabError


def time_clip(video: Path, *, overlay: bool) -> dict[str, object]:
    """Seconds and frames per second of each stage for one clip."""
    from squatlab.pipeline import finish_video, track_video
    from squatlab.report.write import write_outputs
    from squatlab.settings import Settings

    settings = Settings()
    start = time.perf_counter()
    tracked = track_video(video, settings=settings)
    posed = time.perf_counter()
    trial = finish_video(tracked, settings)
    finished = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        write_outputs(trial, settings, Path(folder) / "out", video=video, overlay=overlay)
    written = time.perf_counter()
    frames = trial.n_frames
    return {
        "clip": video.stem,
        "size": f"{trial.source.width}x{trial.source.height}",
        "frames": frames,
        "pose pass s": posed - start,
        "pose pass fps": frames / (posed - start),
        "analysis s": finished - posed,
        "outputs s": written - finished,
        "outputs fps": frames / (written - finished),
        "total fps": frames / (written - start),
    }


def default_clips() -> list[Path]:
    clips = [demo_clip()]
    if DEFAULT_VIDEOS.is_dir():
        clips += sorted(DEFAULT_VIDEOS.glob("*.mp4"))
    return clips


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("videos", type=Path, nargs="*", help="clips to time (default: demo and shared clips)")
    parser.add_argument("--no-video", action="store_true", help="do not render the overlay video")
    args = parser.parse_args(argv)
    rows = []
    for video in args.videos or default_clips():
        try:
            rows.append(time_clip(video, overlay=not args.no_video))
        except SquatlabError as exc:  # e.g. a clip with nobody in it: nothing to time
            print(f"  {video.name}: not analysed ({exc})", flush=True)
            continue
        print(f"  {video.name}: {rows[-1]['pose pass fps']:.1f} frames/s in the pose pass", flush=True)
    if rows:
        print(markdown(pd.DataFrame(rows)))


if __name__ == "__main__":
    main()
