"""``squatlab``: the command line."""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn
from rich.text import Text

from squatlab import __version__
from squatlab.errors import SquatlabError

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Measure what the pelvis and the low back do during a squat. Measures and explains; does not diagnose.",
)
err = Console(stderr=True)
out = Console()


class Sex(StrEnum):
    female = "female"
    male = "male"


class Stance(StrEnum):
    narrow = "narrow"
    medium = "medium"
    wide = "wide"


class FramesPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:5.1f} frames/s" if speed else "   -  frames/s", style="progress.data.speed")


@contextmanager
def _progress(quiet: bool):
    if quiet:
        yield None
        return
    with Progress(
        TextColumn("{task.description:<12}"),
        BarColumn(),
        MofNCompleteColumn(),
        FramesPerSecond(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as progress:
        yield progress


def _print_version(value: bool) -> None:
    if value:
        out.print(f"squatlab {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    pass


def _fail(message: str, code: int = 2) -> typer.Exit:
    # Escaped: a file name or an exception text may hold "[...]", which rich would take as markup.
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


# An unexpected exception's text is cut to this many characters to keep the message to one line.
_MAX_INTERNAL_MESSAGE = 300


def _guarded(command: Callable[..., None]) -> Callable[..., None]:
    """Turn whatever escapes a command into one line and an exit code, never a traceback.

    Domain errors and unusable files (``OSError``: unreadable, unwritable, disk full)
    exit 2, Ctrl-C exits 130, anything else is a bug: exit 1 and a request to report it.
    ``SQUATLAB_DEBUG=1`` re-raises the bug with its traceback, for developers.
    """

    @functools.wraps(command)
    def run(*args, **kwargs) -> None:
        try:
            command(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.exceptions.TyperException):
            raise  # typer's own ways out: exit codes and usage errors
        except KeyboardInterrupt:
            raise _fail("interrupted", code=130) from None
        except SquatlabError as exc:
            raise _fail(str(exc)) from None
        except OSError as exc:
            if os.environ.get("SQUATLAB_DEBUG") == "1":
                raise
            raise _fail(_os_message(exc)) from None
        except Exception as exc:
            if os.environ.get("SQUATLAB_DEBUG") == "1":
                raise
            text = " ".join(str(exc).split())[:_MAX_INTERNAL_MESSAGE]
            raise _fail(f"internal error ({type(exc).__name__}: {text}); please report it", code=1) from None

    return run


def _os_message(exc: OSError) -> str:
    """``<file>: <what the system said>`` for a file that cannot be read or written."""
    reason = exc.strerror or " ".join(str(exc).split()) or type(exc).__name__
    return f"cannot use {exc.filename}: {reason}" if exc.filename else reason


@app.command()
@_guarded
def analyze(
    input_path: Annotated[
        Path,
        typer.Argument(
            metavar="INPUT",
            help="A squat video filmed from the side, or a C3D, TRC, OpenSim .mot/.sto or IMU CSV file.",
        ),
    ],
    out_dir: Annotated[Path | None, typer.Option("--out", help="Output folder (default: next to INPUT).")] = None,
    sex: Annotated[Sex | None, typer.Option(help="The lifter's sex (changes what is typical).")] = None,
    load_kg: Annotated[float | None, typer.Option(min=0, help="Load on the bar, kg.")] = None,
    bodyweight_kg: Annotated[float | None, typer.Option(min=0, help="The lifter's body weight, kg.")] = None,
    stance: Annotated[Stance | None, typer.Option(help="Stance width.")] = None,
    person: Annotated[
        int | None, typer.Option(min=1, help="With several people in view: follow person N, numbered from the left.")
    ] = None,
    config: Annotated[Path | None, typer.Option(help="A TOML file overriding thresholds (see docs).")] = None,
    input_format: Annotated[
        str | None,
        typer.Option("--format", help="Force the input format: video, c3d, trc, mot, sto, imu, csv [default: detect]."),
    ] = None,
    static: Annotated[
        Path | None, typer.Option(help="Lab data: a static standing trial of the same kind, used as the baseline.")
    ] = None,
    imu_sensor: Annotated[
        list[str] | None,
        typer.Option(help="IMU CSV: where a sensor sits, ROLE=NAME (pelvis, l1, thigh, shank); repeat per sensor."),
    ] = None,
    marker_map: Annotated[
        Path | None, typer.Option(help="Lab data: a JSON/TOML map from squatlab's marker names to yours.")
    ] = None,
    reference: Annotated[
        Path | None,
        typer.Option(
            help="IMU data: a set the same lifter performed well, same sensors; butt wink is then judged "
            "against this lifter's own normal."
        ),
    ] = None,
    front: Annotated[
        Path | None, typer.Option(help="A front-view clip of the set-up: measures the stance width and toe-out.")
    ] = None,
    export: Annotated[
        list[str] | None,
        typer.Option(help="Also write: mot (angles as an OpenSim .mot; for video also landmarks as .trc)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the output folder if it exists.")] = False,
    no_video: Annotated[bool, typer.Option("--no-video", help="Do not write overlay.mp4.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bars; only errors and the report path.")] = False,
) -> None:
    """Analyse one squat set and write results.json, timeseries.csv, report.html and overlay.mp4."""
    from squatlab.settings import load_settings
    from squatlab.trial import Context

    try:
        settings = load_settings(config)
        stance_notices = []
        if front is not None:
            stance, stance_notices = _stance_from_front(front, stance, settings)
        context = Context(
            sex=sex.value if sex else None,
            load_kg=load_kg,
            bodyweight_kg=bodyweight_kg,
            stance=stance.value if stance else None,
        )
        lab = LabOptions(input_format, static, imu_sensor or [], marker_map, reference)
        report = run_analysis(
            input_path, out_dir, settings=settings, context=context, person=person, force=force,
            overlay=not no_video, quiet=quiet, lab=lab, exports=_exports(export), notices=stance_notices,
        )  # fmt: skip
    except KeyboardInterrupt:
        raise _fail("interrupted; nothing was written", code=130) from None
    out.print(str(report), highlight=False, soft_wrap=True)


def _stance_from_front(front: Path, stance: Stance | None, settings) -> tuple[Stance | None, list]:
    """The stance measured on the front-view clip, unless the user gave one; and what was measured."""
    from squatlab.pipeline import measure_stance
    from squatlab.trial import Notice

    label, ratio, toe_out, notices = measure_stance(front, settings)
    said = f"; --stance {stance.value} kept" if stance is not None else ""
    notices.append(
        Notice(
            "stance_measured",
            f"Front-view clip: ankles {ratio:.1f} hip widths apart ({label} stance), toe-out {toe_out:.0f} deg{said}.",
        )
    )
    if stance is None and label in Stance.__members__:
        stance = Stance(label)
    return stance, notices


@dataclass(frozen=True)
class LabOptions:
    fmt: str | None = None
    static: Path | None = None
    imu_sensors: list[str] = field(default_factory=list)
    marker_map: Path | None = None
    reference: Path | None = None


def _exports(values: list[str] | None) -> tuple[str, ...]:
    allowed = ("mot",)
    for value in values or []:
        if value not in allowed:
            raise _fail(f"--export {value}: allowed: {', '.join(allowed)}")
    return tuple(values or ())


def run_analysis(
    input_path: Path,
    out_dir: Path | None,
    *,
    settings,  # Settings; imported lazily to keep --help fast
    context,
    person: int | None,
    force: bool,
    overlay: bool,
    quiet: bool,
    lab: LabOptions | None = None,
    exports: tuple[str, ...] = (),
    notices: list | None = None,
) -> Path:
    """Analyse ``input_path`` and write the outputs; returns the report's path.

    ``notices`` are added to the trial's warnings (e.g. what the front-view clip showed).
    """
    from squatlab.io.lab import detect_format
    from squatlab.report.write import check_destination, default_output_dir, write_outputs

    lab = lab or LabOptions()
    out_dir = out_dir or default_output_dir(input_path)
    check_destination(out_dir.resolve(), force=force)
    if detect_format(input_path, lab.fmt) != "video":
        return _run_lab(input_path, out_dir, settings=settings, context=context, force=force, lab=lab,
                        exports=exports, quiet=quiet, notices=notices or [])  # fmt: skip
    if lab.reference is not None:
        raise _fail("--reference is for IMU recordings (the wearable butt-wink detector), not for videos")
    from squatlab.pipeline import analyze_video

    started = time.monotonic()
    with _progress(quiet) as progress:
        task = {}

        def on_start(info) -> None:
            if progress is not None:
                task["pose"] = progress.add_task("pose", total=info.frames or None)

        def advance(n: int) -> None:
            if progress is not None:
                progress.advance(task["pose"], n)

        trial = analyze_video(
            input_path, settings=settings, context=context, person=person, on_start=on_start, progress=advance
        ).with_notices(*(notices or []))
        if progress is not None:
            progress.update(task["pose"], total=trial.n_frames, completed=trial.n_frames)
            task["render"] = progress.add_task("report", total=trial.n_frames if overlay else None)

        def advance_render(n: int) -> None:
            if progress is not None:
                progress.advance(task["render"], n)

        paths = write_outputs(trial, settings, out_dir, video=input_path, overlay=overlay, force=force,
                              progress=advance_render, exports=exports)  # fmt: skip
        if progress is not None:
            total = progress.tasks[task["render"]].total
            progress.update(task["render"], total=total or 1, completed=total or 1)
    if not quiet:
        _summary(trial, time.monotonic() - started)
    return paths["report"]


def _run_lab(input_path: Path, out_dir: Path, *, settings, context, force: bool, lab: LabOptions,
             exports: tuple[str, ...], quiet: bool, notices: list) -> Path:  # fmt: skip
    from squatlab.io.imu import parse_imu_sensor_args
    from squatlab.pipeline import analyze_lab
    from squatlab.report.write import write_outputs

    started = time.monotonic()
    trial = analyze_lab(
        input_path,
        fmt=lab.fmt,
        static=lab.static,
        imu_sensors=parse_imu_sensor_args(lab.imu_sensors) if lab.imu_sensors else None,
        marker_map=lab.marker_map,
        settings=settings,
        context=context,
        reference=lab.reference,
    ).with_notices(*notices)
    paths = write_outputs(trial, settings, out_dir, force=force, exports=exports)
    if not quiet:
        _summary(trial, time.monotonic() - started)
    return paths["report"]


def _summary(trial, seconds: float) -> None:
    measurable = sum(r.measurable for r in trial.reps)
    err.print(f"{len(trial.reps)} rep(s), {measurable} measurable, in {seconds:.0f} s", highlight=False)
    for notice in trial.notices:
        err.print(f"[yellow]warning:[/] {notice.message}", highlight=False, soft_wrap=True)


@app.command()
@_guarded
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("squatlab-demo"),
    quiet: Annotated[bool, typer.Option("--quiet")] = False,
) -> None:
    """Run the built-in example end to end and print where the report is."""
    from squatlab.demo import demo_clip

    clip = demo_clip()
    report = run_analysis(
        clip, out_dir, settings=_default_settings(), context=None, person=None, force=True, overlay=True,
        quiet=quiet,
    )  # fmt: skip
    out.print(f"Report: {report}", highlight=False, soft_wrap=True)


def _default_settings():
    from squatlab.settings import Settings

    return Settings()


@app.command()
def version() -> None:
    """Print the version."""
    out.print(f"squatlab {__version__}", highlight=False)


def _register_subcommands() -> None:
    from squatlab.cli.batch import batch
    from squatlab.cli.compare import compare
    from squatlab.cli.serve import serve
    from squatlab.cli.synth import synth

    app.command("batch")(_guarded(batch))
    app.command("compare")(_guarded(compare))
    app.command("serve")(_guarded(serve))
    app.command("synth")(_guarded(synth))


_register_subcommands()


def main() -> None:  # pragma: no cover - console entry for python -m
    app(prog_name="squatlab")
    sys.exit(0)
