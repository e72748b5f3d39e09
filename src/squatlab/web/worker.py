"""The analysis worker: a separate process that takes queued jobs from the database and runs them.

Separate because MediaPipe is heavy and not thread-safe, and so that a crash in a decoder
or the pose model takes down one job, not the web server. The supervisor starts it as
``python -m squatlab.web.worker --db URL --data DIR --worker ID`` and dies with it: the
worker asks the kernel for SIGKILL when its parent goes (Linux), and checks between jobs.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import signal
import sys
import threading
import time
import uuid
from dataclasses import replace
from pathlib import Path

from squatlab.errors import SquatlabError
from squatlab.settings import Settings
from squatlab.store import jobs
from squatlab.store.db import make_engine, session_factory
from squatlab.store.models import Athlete, Job, TrainingSession, Upload
from squatlab.web.config import WebSettings

# Seconds between progress writes: the page polls every second; more writes would only load the database.
_PROGRESS_EVERY_S = 0.5
# Share of the progress bar given to the pose pass; the rest is the report and the overlay video.
_POSE_SHARE = 0.7
# Seconds between heartbeats: some steps report no progress for a while (counting the people in a
# long clip), so a thread says the process is alive; far below WebSettings.heartbeat_timeout_s.
_HEARTBEAT_S = 15.0
_PR_SET_PDEATHSIG = 1


class JobTakenError(Exception):
    """The job was recovered and given to someone else while this worker ran it."""


class Reporter:
    """Throttled progress writes, and a heartbeat thread while the job runs."""

    def __init__(self, factory, job_id: int, worker: str) -> None:
        self.factory, self.job_id, self.worker = factory, job_id, worker
        self.last = 0.0
        self.taken = False
        self._stop = threading.Event()
        self._beat = threading.Thread(target=self._beating, name="heartbeat", daemon=True)

    def __enter__(self) -> Reporter:
        self._beat.start()
        return self

    def __exit__(self, *_) -> None:
        self._stop.set()
        self._beat.join()

    def _beating(self) -> None:
        while not self._stop.wait(_HEARTBEAT_S):
            with self.factory() as db:
                if not jobs.heartbeat(db, self.job_id, self.worker):
                    self.taken = True

    def __call__(self, stage: str, progress: float, *, force: bool = False) -> None:
        if self.taken:
            raise JobTakenError(self.job_id)
        now = time.monotonic()
        if not force and now - self.last < _PROGRESS_EVERY_S:
            return
        self.last = now
        with self.factory() as db:
            if not jobs.report_progress(db, self.job_id, self.worker, stage=stage, progress=progress):
                raise JobTakenError(self.job_id)


def run_job(factory, job: Job, data_dir: Path, worker: str, settings: Settings) -> None:
    """Analyse one claimed job and record the outcome (done or failed, with the reason)."""
    with Reporter(factory, job.id, worker) as report:
        _run(factory, job, data_dir, worker, settings, report)


def _run(factory, job: Job, data_dir: Path, worker: str, settings: Settings, report: Reporter) -> None:
    from squatlab.web.results import write_keyframes

    with factory() as db:
        upload = db.get(Upload, job.upload_id)
        session = db.get(TrainingSession, job.session_id)
        athlete = db.get(Athlete, session.athlete_id)
    result_name = uuid.uuid4().hex
    out_dir = data_dir / "results" / result_name
    path = data_dir / "uploads" / upload.stored_name
    try:
        trial = _analyse(path, upload, _context(athlete, session), settings, report)
        trial = replace(trial, source=replace(trial.source, path=upload.display_name))
        report("report", _POSE_SHARE, force=True)
        frames = max(trial.n_frames, 1)
        done = [0]

        def render_progress(n: int) -> None:
            done[0] += n
            report("report", _POSE_SHARE + (1 - _POSE_SHARE) * min(1.0, done[0] / frames))

        from squatlab.report.write import write_outputs

        video = path if upload.kind == "video" else None
        write_outputs(trial, settings, out_dir, video=video, overlay=video is not None, progress=render_progress)
        if video is not None:
            write_keyframes(out_dir, trial)
    except JobTakenError:
        return
    except SquatlabError as exc:
        _fail(factory, job.id, worker, _shown(str(exc), path, upload.display_name))
        return
    except Exception as exc:  # a bug: the job fails with the reason, the worker lives on
        text = " ".join(str(exc).split())[:300]
        _fail(factory, job.id, worker, f"internal error ({type(exc).__name__}: {text}); please report it")
        return
    with factory() as db:
        warnings = "; ".join(n.message for n in trial.notices[:3])
        jobs.finish(db, job.id, worker, result_name=result_name, reps=len(trial.reps), message=warnings)


def _analyse(path: Path, upload: Upload, context, settings: Settings, report: Reporter):
    from squatlab.pipeline import analyze_lab, analyze_video

    if upload.kind != "video":
        from squatlab.io.imu import parse_imu_sensor_args

        report("analysis", 0.1, force=True)
        sensors = [s.strip() for s in upload.imu_sensors.replace(";", ",").split(",") if s.strip()]
        return analyze_lab(
            path, fmt=upload.kind, imu_sensors=parse_imu_sensor_args(sensors) if sensors else None,
            settings=settings, context=context,
        )  # fmt: skip
    total = [0]
    seen = [0]

    def on_start(info) -> None:
        total[0] = info.frames or 0
        report("pose", 0.0, force=True)

    def progress(n: int) -> None:
        seen[0] += n
        share = min(1.0, seen[0] / total[0]) if total[0] else 0.5
        report("pose", _POSE_SHARE * share)

    return analyze_video(path, settings=settings, context=context, on_start=on_start, progress=progress)


def _context(athlete: Athlete, session: TrainingSession):
    from squatlab.trial import Context

    return Context(sex=athlete.sex, load_kg=session.load_kg, bodyweight_kg=athlete.bodyweight_kg, stance=session.stance)


def _shown(message: str, path: Path, name: str) -> str:
    return message.replace(str(path), name).replace(path.name, name)


def _fail(factory, job_id: int, worker: str, message: str) -> None:
    with factory() as db:
        jobs.fail(db, job_id, worker, message)


def _die_with_parent() -> int:
    """Ask Linux to kill this process when its parent dies; return the parent's pid."""
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: the loop's parent check below still ends the worker between jobs
    return parent


def serve_forever(db_url: str, data_dir: Path, worker: str, web: WebSettings, settings: Settings) -> None:
    parent = _die_with_parent()
    # Load the pose model's libraries now, while the queue is empty, not when the first upload waits.
    import squatlab.pipeline
    import squatlab.report.write  # noqa: F401

    factory = session_factory(make_engine(db_url))
    while os.getppid() == parent:
        with factory() as db:
            job = jobs.claim(db, worker, os.getpid())
        if job is None:
            time.sleep(web.poll_s)
            continue
        run_job(factory, job, data_dir, worker, settings)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m squatlab.web.worker")
    parser.add_argument("--db", required=True)
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--worker", required=True)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    serve_forever(args.db, args.data, args.worker, WebSettings(), Settings())


if __name__ == "__main__":
    main()
