"""How fast the video analysis runs on this machine, stage by stage, against the naive loop.

    python -m squatlab.bench.speed [VIDEO ...] [--minutes 1 5 10] [--no-video] [--cache DIR]

For each clip, in the same run and each in a fresh process (so that start-up, imports and
peak memory are counted alike):

- the **naive loop** other squat checkers use: OpenCV reads every frame and BlazePose full
  with its segmentation mask runs on it, in one process;
- **squatlab**: the whole analysis, timed per stage (decode, people scan, pose, outline,
  kinematics, reps and findings, report, overlay) as frames of video per second of that
  stage's busy time, then end to end as a whole process without and with the overlay video.

It prints frames of video per second, the speed as a multiple of real time and of the
naive loop, CPU time per frame and peak memory (RSS). Without arguments it times the
shared clip ``rohanx01_side_dumbbell_squat.mp4`` (608x1080, 30 fps; the demo clip when
../shared is absent) and the same clip looped to 1, 5 and 10 minutes, built once with
PyAV into ``--cache`` (default ~/.cache/squatlab/speed), so the growth of time and memory
with length shows. The machine's load average is printed with every row: on a busy
machine absolute speeds drop, and the ratio to the naive loop, measured minutes apart,
is the figure to compare. No pass or fail; see the README for reference figures.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from squatlab.errors import SquatlabError

# Imports stay light here: the child process that times the naive loop starts from this module.

DEFAULT_CACHE = Path.home() / ".cache" / "squatlab" / "speed"  # "bench" holds the pose-pass cache
DEFAULT_CLIP = "rohanx01_side_dumbbell_squat.mp4"
STAGES = ("decode", "people scan", "pose", "outline", "kinematics", "reps and findings", "report", "overlay")


def looped_clip(source: Path, minutes: float, cache: Path) -> Path:
    """``source`` repeated (whole loops, packets copied, no re-encoding) to at least ``minutes``."""
    import av

    cache.mkdir(parents=True, exist_ok=True)
    target = cache / f"{source.stem}_{minutes:g}min{source.suffix}"
    if target.exists():
        return target
    partial = target.with_name(f".{target.name}.partial{source.suffix}")
    with av.open(str(source)) as probe_container:
        stream = probe_container.streams.video[0]
        packets = [p for p in probe_container.demux(stream) if p.pts is not None]
        start = min(p.pts for p in packets)
        step = min(p.duration for p in packets if p.duration) or 1
        period = max(p.pts for p in packets) - start + step  # one loop, in the stream's time base
        loop_s = float(period * stream.time_base)
    loops = max(1, math.ceil(minutes * 60.0 / loop_s))
    with av.open(str(partial), mode="w", format="mp4") as out:
        with av.open(str(source)) as first:
            out_stream = out.add_stream_from_template(first.streams.video[0])
        for k in range(loops):
            with av.open(str(source)) as src:
                in_stream = src.streams.video[0]
                for packet in src.demux(in_stream):
                    if packet.pts is None:  # the demuxer's end-of-stream marker
                        continue
                    packet.pts += k * period
                    packet.dts = packet.dts + k * period if packet.dts is not None else None
                    packet.stream = out_stream
                    out.mux(packet)
    partial.rename(target)
    return target


# --- what runs in the child process -------------------------------------------------


def _peak_rss_mb() -> float:
    """The largest resident set of this process or any of its finished children (MB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024.0  # Linux reports KiB


def _cpu_s() -> float:
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usage)


def run_naive(video: Path) -> dict[str, float]:
    """OpenCV read plus BlazePose full with its mask on every frame, as other checkers do."""
    import cv2
    import mediapipe as mp

    from squatlab.pose.blazepose import native_stderr_silenced

    frames = 0
    with native_stderr_silenced():
        pose = mp.solutions.pose.Pose(model_complexity=1, enable_segmentation=True)
        capture = cv2.VideoCapture(str(video))
        try:
            while True:
                ok, bgr = capture.read()
                if not ok:
                    break
                pose.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
                frames += 1
        finally:
            capture.release()
            pose.close()
    return {"frames": frames}


# Variants of the pose pass for measuring each speed-up on its own (``--ideas``):
# name -> (pose workers, slow_stride).
VARIANTS = {
    "1 core, every frame": (1, 1),
    "2 parts, every frame": (2, 1),
    "1 core, stride 3 standing": (1, 3),
    "2 parts, stride 3 standing": (2, 3),
}


def run_squatlab(video: Path, variant: str | None = None) -> dict[str, float]:
    """The whole analysis, timed per stage; the outputs written without, then with, the overlay."""
    from dataclasses import replace

    from squatlab.pipeline import analyze_video
    from squatlab.report.write import write_outputs
    from squatlab.settings import Settings
    from squatlab.timing import recording

    settings, workers = Settings(), None
    if variant is not None:
        workers, stride = VARIANTS[variant]
        settings = replace(settings, pose=replace(settings.pose, slow_stride=stride))
    with recording() as clock, tempfile.TemporaryDirectory() as folder:
        trial = analyze_video(video, settings=settings, workers=workers)
        analysed, cpu_analysed = time.perf_counter(), _cpu_s()
        write_outputs(trial, settings, Path(folder) / "plain", video=video, overlay=False)
        plain, cpu_plain = time.perf_counter(), _cpu_s()
        write_outputs(trial, settings, Path(folder) / "overlay", video=video, overlay=True)
        with_overlay, cpu_overlay = time.perf_counter(), _cpu_s()
    return {
        "frames": trial.n_frames,
        "reps": len(trial.reps),
        "analysed_s": analysed,
        "plain_s": plain - analysed,
        "overlay_s": with_overlay - plain,
        # CPU seconds (all threads) since the process started: less sensitive to a busy machine than wall time.
        "cpu_plain_s": cpu_plain,
        "cpu_overlay_s": cpu_analysed + cpu_overlay - cpu_plain,
        **{f"stage {name}": seconds for name, seconds in clock.seconds.items()},
    }


def child(kind: str, video: Path) -> dict[str, float]:
    """Run one measurement in this process and return its figures."""
    started = time.perf_counter()
    load = os.getloadavg()[0]
    if kind == "naive":
        figures = run_naive(video)
    else:
        figures = run_squatlab(video, kind.split(":", 1)[1] if ":" in kind else None)
    ended = time.perf_counter()
    if "analysed_s" in figures:
        figures["analysed_s"] -= started
    return {
        **figures,
        "wall_s": ended - started,
        "cpu_s": _cpu_s(),
        "peak_rss_mb": _peak_rss_mb(),
        "load": (load + os.getloadavg()[0]) / 2,
    }


# --- accuracy: the speed-ups must not move the estimates ------------------------------

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "rendered"
# The rendered clips are a few seconds long: looped to this length, the video is cut in
# parts for the cores and has standing stretches where the model skips frames.
ACCURACY_LOOP_MIN = 0.3
_ACCURACY_MIN_CONF = 0.3


def truth_clips() -> list[Path]:
    """Rendered clips with a truth CSV beside them: the committed fixtures and the demo."""
    clips = sorted(FIXTURES.glob("*.mp4")) if FIXTURES.is_dir() else []
    return [*clips, demo_clip_path()]


def demo_clip_path() -> Path:
    from squatlab.demo import demo_clip

    return demo_clip()


def _rmse(trial, truth, name: str) -> tuple[float, float]:
    import numpy as np

    n = min(trial.n_frames, len(truth))
    in_rep = truth["rep"].to_numpy()[:n] > 0
    ch = trial.channels[name]
    ok = in_rep & np.isfinite(ch.values[:n]) & (ch.conf[:n] >= _ACCURACY_MIN_CONF)
    err = ch.values[:n][ok] - truth[name].to_numpy()[:n][ok]
    return float(np.sqrt(np.mean(err**2))) if ok.any() else math.nan, float(ok.sum() / max(in_rep.sum(), 1))


def accuracy_rows(cache: Path) -> list[dict[str, object]]:
    """RMSE against the rendered truth, one pass on one core at every frame against the fast pass.

    Each clip is looped (its truth tiled alike) so that both speed-ups act on it.
    """
    from dataclasses import replace

    import pandas as pd

    from squatlab import conventions as cv
    from squatlab.pipeline import analyze_video
    from squatlab.settings import Settings

    fast = Settings()
    plain = replace(fast, pose=replace(fast.pose, slow_stride=1))
    rows = []
    for clip in truth_clips():
        looped = looped_clip(clip, ACCURACY_LOOP_MIN, cache)
        truth = pd.read_csv(clip.with_suffix(".csv"))
        slow_trial = analyze_video(looped, settings=plain, workers=1)
        fast_trial = analyze_video(looped, settings=fast)
        truth = pd.concat([truth] * math.ceil(slow_trial.n_frames / len(truth)), ignore_index=True)
        row: dict[str, object] = {"clip": f"{clip.stem} (looped, {slow_trial.n_frames} frames)"}
        for name in (cv.PELVIS_TILT, cv.LUMBAR_FLEXION):
            before, cover_before = _rmse(slow_trial, truth, name)
            after, cover_after = _rmse(fast_trial, truth, name)
            short = name.split("_")[0]
            row |= {f"{short} RMSE 1 core": before, f"{short} RMSE fast": after, f"{short} change": after - before}
            row |= {f"{short} coverage 1 core": cover_before, f"{short} coverage fast": cover_after}
        row["winks 1 core"] = _winks(slow_trial)
        row["winks fast"] = _winks(fast_trial)
        rows.append(row)
    return rows


def _winks(trial) -> str:
    return "".join("W" if r["butt_wink"] and r["butt_wink"]["detected"] else "." for r in trial.findings["reps"])


# --- the parent: one fresh process per measurement -----------------------------------


def measure(kind: str, video: Path) -> dict[str, float]:
    """``child(kind, video)`` in a fresh interpreter, wall time including its start-up."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "squatlab.bench.speed", "--child", kind, str(video)],
        capture_output=True,
        text=True,
        check=False,
    )
    total = time.perf_counter() - started
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise RuntimeError(f"{kind} run on {video.name} failed: {tail}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["process_s"] = total
    figures["startup_s"] = total - figures["wall_s"]
    return figures


def idea_rows(video: Path) -> list[dict[str, object]]:
    """Each pose-pass speed-up on its own and together, with the naive loop measured between them."""
    rows = []
    for variant in VARIANTS:
        base = measure("naive", video)
        ours = measure(f"squatlab:{variant}", video)
        frames = ours["frames"]
        plain_s = ours["startup_s"] + ours["analysed_s"] + ours["plain_s"]
        naive_fps = base["frames"] / base["process_s"]
        rows.append(
            {
                "pose pass": variant,
                "naive fps": naive_fps,
                "fps": frames / plain_s,
                "x naive": frames / plain_s / naive_fps,
                "CPU ms/frame naive": 1000 * base["cpu_s"] / base["frames"],
                "CPU ms/frame": 1000 * ours["cpu_plain_s"] / frames,
                "pose busy s": ours.get("stage pose", 0.0),
                "peak RSS MB": ours["peak_rss_mb"],
                "load": (ours["load"] + base["load"]) / 2,
            }
        )
        print(f"  {variant}: {rows[-1]['x naive']:.2f}x the naive loop (load {rows[-1]['load']:.1f})", flush=True)
    return rows


def clip_rows(video: Path, label: str, *, naive: bool) -> tuple[dict[str, object], dict[str, object]]:
    """The summary row and the per-stage row of one clip."""
    from squatlab.io.video import probe

    info = probe(video)
    base = measure("naive", video) if naive else None
    ours = measure("squatlab", video)
    frames = ours["frames"]
    video_s = frames / info.fps if info.fps else info.duration_s
    # End to end as a user runs it: process start to outputs written (imports included).
    plain_s = ours["startup_s"] + ours["analysed_s"] + ours["plain_s"]
    overlay_s = ours["startup_s"] + ours["analysed_s"] + ours["overlay_s"]
    naive_fps = base["frames"] / base["process_s"] if base else math.nan
    summary = {
        "clip": label,
        "size": f"{info.width}x{info.height}",
        "video s": video_s,
        "frames": frames,
        "naive fps": naive_fps,
        "fps": frames / plain_s,
        "x real time": video_s / plain_s,
        "x naive": frames / plain_s / naive_fps,
        "fps +overlay": frames / overlay_s,
        "x real time +overlay": video_s / overlay_s,
        "CPU ms/frame naive": 1000 * base["cpu_s"] / base["frames"] if base else math.nan,
        "CPU ms/frame": 1000 * ours["cpu_plain_s"] / frames,
        "CPU ms/frame +overlay": 1000 * ours["cpu_overlay_s"] / frames,
        "peak RSS MB naive": base["peak_rss_mb"] if base else math.nan,
        "peak RSS MB": ours["peak_rss_mb"],
        "load": (ours["load"] + (base["load"] if base else ours["load"])) / 2,
    }
    stages = {"clip": label, "frames": frames}
    for name in STAGES:
        seconds = ours.get(f"stage {name}", 0.0)
        stages[f"{name} fps"] = frames / seconds if seconds > 0 else math.inf
    stages["start-up s"] = ours["startup_s"]
    return summary, stages


def machine() -> str:
    """One line describing this machine."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, {platform.system()}"


def default_clip() -> Path:
    from squatlab.bench.real_clips import DEFAULT_VIDEOS
    from squatlab.demo import demo_clip

    shared = DEFAULT_VIDEOS / DEFAULT_CLIP
    return shared if shared.exists() else demo_clip()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("videos", type=Path, nargs="*", help=f"clips to time (default: {DEFAULT_CLIP} or the demo)")
    parser.add_argument(
        "--minutes", type=float, nargs="*", default=[1, 5, 10], help="also time the first clip looped to these lengths"
    )
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="folder for the looped clips")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive loop")
    parser.add_argument(
        "--ideas", action="store_true", help="instead: time the pose pass's speed-ups one by one on the first clip"
    )
    parser.add_argument(
        "--accuracy", action="store_true", help="instead: check that the speed-ups leave the rendered RMSE unchanged"
    )
    parser.add_argument("--child", nargs=2, metavar=("KIND", "VIDEO"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]))))
        return
    if args.ideas:
        import pandas as pd

        from squatlab.bench.accuracy import markdown

        video = args.videos[0] if args.videos else default_clip()
        print(f"machine: {machine()}\nclip: {video.name}", flush=True)
        print(markdown(pd.DataFrame(idea_rows(video))))
        return
    if args.accuracy:
        import pandas as pd

        from squatlab.bench.accuracy import markdown

        print(f"machine: {machine()}", flush=True)
        print(markdown(pd.DataFrame(accuracy_rows(args.cache))))
        return
    clips = [(v, v.stem) for v in args.videos or [default_clip()]]
    clips += [(looped_clip(clips[0][0], m, args.cache), f"{clips[0][1]} x {m:g} min") for m in args.minutes]
    print(f"machine: {machine()}", flush=True)
    summaries, stages = [], []
    for video, label in clips:
        try:
            summary, per_stage = clip_rows(video, label, naive=not args.no_naive)
        except (RuntimeError, SquatlabError, OSError) as exc:  # one clip's failure must not hide the others'
            print(f"  {label}: not timed ({exc})", flush=True)
            continue
        summaries.append(summary)
        stages.append(per_stage)
        print(
            f"  {label}: {summary['fps']:.1f} frames/s, {summary['x naive']:.2f}x the naive loop, "
            f"peak {summary['peak RSS MB']:.0f} MB (load {summary['load']:.1f})",
            flush=True,
        )
    if summaries:
        import pandas as pd

        from squatlab.bench.accuracy import markdown

        print("\nEnd to end (process start to outputs written), frames of video per second:\n")
        print(markdown(pd.DataFrame(summaries)))
        print("\nPer stage, frames of video per second of the stage's busy time (summed over threads):\n")
        print(markdown(pd.DataFrame(stages)))


if __name__ == "__main__":
    main()
