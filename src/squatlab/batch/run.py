"""Running a batch: the unfinished jobs, in parallel, locally or on a Dask cluster.

Resumable by construction: a job counts as done when its outputs are in place (they are
moved there only when complete), so a batch stopped at any moment and started again
redoes only the files it had not finished. Failed files are skipped on a rerun unless
asked (``retry_failed``), so one broken file does not cost its minutes again and again.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path

from squatlab.batch.inputs import Job
from squatlab.batch.job import BatchOptions, Outcome, analyse_job, record_error
from squatlab.batch.summary import write_summary
from squatlab.errors import InputError

# A local worker process is replaced after this many files: native libraries that keep a
# little memory per file cannot grow a long batch's footprint without bound.
_FILES_PER_WORKER = 10


@dataclass(frozen=True)
class Plan:
    """What a run will do."""

    todo: list[Job]
    finished: list[Job]
    failed_skipped: list[Job]


def plan(jobs: list[Job], *, retry_failed: bool) -> Plan:
    """Split ``jobs`` into those to run and those a previous run settled."""
    finished = [j for j in jobs if j.finished]
    failed = [j for j in jobs if j.failed]
    skipped = [] if retry_failed else failed
    todo = [j for j in jobs if not j.finished and j not in skipped]
    return Plan(todo, finished, skipped)


def clear_partials(out_dir: Path) -> None:
    """Remove what a killed run left half-written (``.NAME.partial-PID`` folders of dead processes)."""
    if not out_dir.is_dir():
        return
    for partial in out_dir.rglob(".*.partial-*"):
        pid = partial.name.rsplit("-", 1)[-1]
        if partial.is_dir() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(partial, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_batch(
    jobs: list[Job],
    out_dir: Path,
    options: BatchOptions,
    *,
    workers: int = 0,
    dask_address: str | None = None,
    retry_failed: bool = False,
    on_done: Callable[[Outcome], None] | None = None,
) -> tuple[list[Outcome], Path]:
    """Analyse the unfinished ``jobs``; return this run's outcomes and the summary CSV's path.

    ``workers``: files analysed at once on this machine (0: one per CPU core); ignored with
    ``dask_address``, where the cluster's workers decide. The summary is written even when
    the run is interrupted.
    """
    out_dir = out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    clear_partials(out_dir)
    todo = plan(jobs, retry_failed=retry_failed).todo
    outcomes: list[Outcome] = []
    try:
        if dask_address is not None:
            stream = _on_dask(todo, options, dask_address)
        else:
            stream = _locally(todo, options, workers or os.cpu_count() or 1)
        for outcome in stream:
            outcomes.append(outcome)
            if on_done is not None:
                on_done(outcome)
    finally:
        summary = write_summary(jobs, out_dir)
    return outcomes, summary


def pose_workers_for(files_at_once: int) -> int:
    """Pose lanes per video: the cores the files running at once leave over."""
    return max(1, (os.cpu_count() or 1) // max(1, files_at_once))


def _locally(todo: list[Job], options: BatchOptions, workers: int) -> Iterator[Outcome]:
    workers = max(1, min(workers, len(todo)))
    options = replace(options, pose_workers=pose_workers_for(workers))
    if workers == 1:  # no pool to start: the same work, in this process
        for job in todo:
            yield analyse_job(job, options)
        return
    # "spawn": a forked copy of a process with threads running (progress bars) can hang.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, max_tasks_per_child=_FILES_PER_WORKER) as pool:
        futures = {pool.submit(analyse_job, job, options): job for job in todo}
        try:
            yield from _collect(as_completed(futures), futures)
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def _collect(done: Iterable, futures: dict) -> Iterator[Outcome]:
    """Outcomes as they complete; a worker that died takes only its own file down."""
    for future in done:
        job = futures[future]
        try:
            yield future.result()
        except Exception as exc:  # e.g. a worker killed while on this file
            yield record_error(job, f"the worker analysing it stopped ({type(exc).__name__}: {exc})", "worker", 0.0)


def _on_dask(todo: list[Job], options: BatchOptions, address: str) -> Iterator[Outcome]:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError as exc:
        raise InputError("--dask needs Dask: install squatlab with its batch extra ('squatlab[batch]')") from exc
    try:
        client = Client(address, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise InputError(f"--dask {address}: cannot reach the Dask scheduler ({exc})") from exc
    with client:
        cores = sum(client.nthreads().values()) or 1
        options = replace(options, pose_workers=1 if cores > 1 else options.pose_workers)
        futures = {client.submit(analyse_job, job, options, key=f"squatlab-{job.key}", pure=False): job for job in todo}
        try:
            yield from _collect(dask_completed(futures), futures)
        except BaseException:
            client.cancel(list(futures))
            raise
