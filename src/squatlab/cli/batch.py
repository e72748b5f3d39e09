"""``squatlab batch INPUTS... --out DIR``: many recordings, in parallel, resumable, one summary.

The command function is registered on the app by the CLI's main module; the work lives in
:mod:`squatlab.batch`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn


def batch(
    inputs: Annotated[
        list[Path],
        typer.Argument(metavar="INPUTS...", help="Videos, C3D/TRC/.mot/IMU files, or folders of them."),
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder: one sub-folder per file, summary.csv.")],
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=0, help="Files at once on this machine (0: one per core).")
    ] = 0,
    dask: Annotated[
        str | None,
        typer.Option("--dask", metavar="ADDRESS", help="Run on a Dask cluster (e.g. tcp://scheduler:8786)."),
    ] = None,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Analyse again the files that failed in an earlier run.")
    ] = False,
    config: Annotated[Path | None, typer.Option(help="A TOML file overriding thresholds (see docs).")] = None,
    imu_sensor: Annotated[
        list[str] | None,
        typer.Option(help="IMU files: where a sensor sits, ROLE=NAME (pelvis, l1, thigh, shank); repeat per sensor."),
    ] = None,
    marker_map: Annotated[
        Path | None, typer.Option(help="Lab files: a JSON/TOML map from squatlab's marker names to yours.")
    ] = None,
    no_video: Annotated[bool, typer.Option("--no-video", help="Do not write overlay.mp4 (faster).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar; only errors and the summary path.")] = False,
) -> None:
    """Analyse many files: finished ones are skipped on a rerun, errors are recorded, one summary.csv."""
    from squatlab.batch.inputs import collect
    from squatlab.batch.job import BatchOptions
    from squatlab.batch.run import plan, run_batch
    from squatlab.io.imu import parse_imu_sensor_args
    from squatlab.settings import load_settings

    err = Console(stderr=True)
    options = BatchOptions(
        settings=load_settings(config),
        overlay=not no_video,
        imu_sensors=parse_imu_sensor_args(imu_sensor) if imu_sensor else None,
        marker_map=marker_map,
    )
    all_jobs = collect(inputs, out_dir)
    settled = plan(all_jobs, retry_failed=retry_failed)
    if not quiet:
        err.print(
            f"{len(all_jobs)} file(s): {len(settled.todo)} to analyse, {len(settled.finished)} already done, "
            f"{len(settled.failed_skipped)} failed before (--retry-failed to try them again)",
            highlight=False,
        )
    failed = 0
    with _progress(quiet, err) as progress:
        task = progress.add_task("files", total=len(settled.todo)) if progress else None

        def done(outcome) -> None:
            nonlocal failed
            if outcome.status != "ok":
                failed += 1
                err.print(f"[yellow]failed:[/] {escape(outcome.path)}: {escape(outcome.message)}", soft_wrap=True)
            if progress is not None:
                progress.advance(task)

        _, summary = run_batch(
            all_jobs, out_dir, options, workers=jobs, dask_address=dask, retry_failed=retry_failed, on_done=done
        )
    if not quiet:
        err.print(f"{len(settled.todo) - failed} analysed, {failed} failed in this run", highlight=False)
    Console().print(str(summary), highlight=False, soft_wrap=True)


@contextmanager
def _progress(quiet: bool, console: Console) -> Iterator[Progress | None]:
    """A progress bar across files, or None when quiet."""
    if quiet:
        yield None
        return
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TimeRemainingColumn(), console=console,
    ) as bar:  # fmt: skip
        yield bar
