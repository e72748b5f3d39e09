"""``squatlab synth``: render squat clips with known pelvis tilt and lumbar flexion.

Register with ``app.command()(synth)``. The command needs the ``synth`` extra (torch,
anny, pyrender); without it, it stops with a one-line :class:`~squatlab.errors.InputError`.
"""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from squatlab.errors import InputError

SYNTH_MODULES = ("torch", "anny", "pyrender")


class Preset(StrEnum):
    demo = "demo"
    fixture = "fixture"
    barbell = "barbell"
    grid = "grid"
    loo = "loo"
    clip = "clip"


def require_synth_extra() -> None:
    """Raise :class:`InputError` naming what is missing when the ``synth`` extra is not installed."""
    missing = [name for name in SYNTH_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise InputError(
            f"squatlab synth needs the 'synth' extra ({', '.join(missing)} not installed): "
            "pip install torch==2.13.0 'squatlab[synth]'"
        )


def _clip_spec(name: str, seed: int, options: dict):
    from squatlab.synth.clothing import Outfit
    from squatlab.synth.motion import SquatParams
    from squatlab.synth.scene import CameraSpec, StageSpec
    from squatlab.synth.spec import ClipSpec

    squat = SquatParams(
        n_reps=options["reps"],
        depth=options["depth"],
        wink_deg=options["wink"],
        overarch_deg=options["overarch"],
        arms="bar" if options["bar"] else options["arms"],
        bar_mass_ratio=0.8 if options["bar"] else 0.0,
    )
    return ClipSpec(
        name=name,
        body=options["body"],
        squat=squat,
        outfit=Outfit(loose_shirt=options["loose_shirt"]),
        camera=CameraSpec(
            side=options["side"], yaw_deg=options["yaw"], distance_m=options["distance"], height_m=options["cam_height"]
        ),
        stage=StageSpec(background=options["background"], seed=seed),
        bar=options["bar"],
    )


def _specs(preset: Preset, seed: int, clips: int | None, name: str, options: dict) -> list:
    from squatlab.synth import grid

    if preset is Preset.demo:
        specs = [grid.demo_spec()]
    elif preset is Preset.fixture:
        specs = grid.fixture_specs()
    elif preset is Preset.barbell:
        specs = grid.barbell_fixture_specs()
    elif preset is Preset.grid:
        specs = grid.grid_specs(seed=seed)
    elif preset is Preset.loo:
        from squatlab.synth.loo import loo_specs

        specs = loo_specs(seed=seed)
    else:
        specs = [_clip_spec(name, seed, options)]
    return specs[:clips] if clips else specs


def synth(
    out_dir: Annotated[Path, typer.Argument(help="Folder for the clips (a cache: clips already there are kept).")],
    preset: Annotated[
        Preset,
        typer.Option(
            help="demo | fixture | barbell | grid | loo (the leave-one-out grid) | clip (one clip, options below)."
        ),
    ] = (Preset.demo),
    seed: Annotated[int, typer.Option(help="Seed of the grid's draws, or of a clip's background.")] = 0,
    clips: Annotated[int | None, typer.Option(help="Render only the first N clips of the preset.")] = None,
    width: Annotated[int | None, typer.Option(help="Frame width in pixels (even); default: the preset's.")] = None,
    height: Annotated[int | None, typer.Option(help="Frame height in pixels (even); default: the preset's.")] = None,
    mask: Annotated[bool, typer.Option(help="Also write the true silhouette per frame (NAME_mask.npz).")] = False,
    dry_run: Annotated[bool, typer.Option(help="List the clips and exit without rendering.")] = False,
    name: Annotated[str, typer.Option(help="(clip) Clip name.")] = "clip",
    body: Annotated[str, typer.Option(help="(clip) Body: female_average, female_petite, male_average, ...")] = (
        "female_average"
    ),
    reps: Annotated[int, typer.Option(help="(clip) Number of reps.")] = 2,
    depth: Annotated[float, typer.Option(help="(clip) 0.5 = half squat .. 1.0 = full squat.")] = 0.85,
    wink: Annotated[float, typer.Option(help="(clip) Butt wink at the bottom, deg of posterior tilt (0-25).")] = 0.0,
    overarch: Annotated[float, typer.Option(help="(clip) Extra anterior tilt and lumbar extension, deg (0-20).")] = 0.0,
    arms: Annotated[str, typer.Option(help="(clip) forward | hips | crossed | bar.")] = "forward",
    bar: Annotated[bool, typer.Option(help="(clip) A loaded bar on the upper back.")] = False,
    loose_shirt: Annotated[bool, typer.Option(help="(clip) A loose shirt over the waist and low back.")] = False,
    yaw: Annotated[float, typer.Option(help="(clip) Camera yaw from a pure side view, deg (-45..45).")] = 0.0,
    side: Annotated[str, typer.Option(help="(clip) The lifter's side facing the camera: left | right.")] = "left",
    distance: Annotated[float, typer.Option(help="(clip) Camera distance from the lifter, m (1.5-8).")] = 3.2,
    cam_height: Annotated[float, typer.Option(help="(clip) Camera height above the floor, m.")] = 1.0,
    background: Annotated[str, typer.Option(help="(clip) plain | cluttered | photo.")] = "plain",
) -> None:
    """Render squat clips with known pelvis tilt and lumbar flexion (video, truth CSV, JSON)."""
    from rich.console import Console

    console = Console()
    options = {
        "body": body, "reps": reps, "depth": depth, "wink": wink, "overarch": overarch, "arms": arms,
        "bar": bar, "loose_shirt": loose_shirt, "yaw": yaw, "side": side, "background": background,
        "distance": distance, "cam_height": cam_height,
    }  # fmt: skip
    try:
        specs = _specs(preset, seed, clips, name, options)
        if width or height:
            specs = [replace(s, width=width or s.width, height=height or s.height) for s in specs]
    except ValueError as exc:
        raise InputError(f"invalid clip settings: {exc}") from exc
    if dry_run:
        for spec in specs:
            console.print(f"{spec.name}  {spec.width}x{spec.height}  {spec.squat.duration_s:.1f} s")
        return
    require_synth_extra()
    _render_all(specs, out_dir, mask=mask, console=console)


def _render_all(specs: list, out_dir: Path, *, mask: bool, console) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from squatlab.synth.grid import is_rendered
    from squatlab.synth.render import render_clip

    todo = [s for s in specs if not is_rendered(s, out_dir)]
    if len(todo) < len(specs):
        console.print(f"{len(specs) - len(todo)} clip(s) already in {out_dir}, kept")
    total = sum(round(s.squat.duration_s * s.squat.fps) for s in todo)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("rendering", total=total)
        for spec in todo:
            progress.update(task, description=spec.name)
            render_clip(spec, out_dir, write_mask=mask, on_frame=lambda *_: progress.advance(task))
    console.print(f"{len(todo)} clip(s) rendered into {out_dir}")
