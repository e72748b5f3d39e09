"""The clips we render: the demo, the test fixtures and the accuracy benchmark's grid.

The grid is a deterministic list (a seed draws the values inside fixed designs): half of
it clear side views with fitted clothes, half of it one or two hard conditions each (a
turned camera, a loose shirt, a loaded bar, low resolution, clutter, low contrast, dim
light). Lumbo-pelvic patterns rotate through normal rhythm, a stiff low back, butt wink
(10-25 deg) and over-arching (8-20 deg).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

import numpy as np

from squatlab.synth.body import BODIES
from squatlab.synth.clothing import Outfit
from squatlab.synth.motion import SquatParams
from squatlab.synth.scene import CameraSpec, StageSpec
from squatlab.synth.spec import ClipSpec

PATTERNS = ("normal", "wink", "overarch", "stiff")
HARD_CONDITIONS = (
    "yaw+20", "yaw-20", "loose_shirt", "bar", "low_res", "cluttered",
    "portrait", "low_contrast", "dim", "yaw+10", "long_pants", "far",
)  # fmt: skip
# Second conditions, given to every third hard clip; loose shirts come often, being the
# hardest case for reading the back's outline.
SECOND_CONDITIONS = ("cluttered", "loose_shirt", "low_res", "loose_shirt", "dim", "yaw+10", "loose_shirt", "cluttered")
SHIRTS = ((0.15, 0.35, 0.70), (0.75, 0.15, 0.15), (0.20, 0.55, 0.30), (0.95, 0.95, 0.95), (0.10, 0.10, 0.12))
SHORTS = ((0.12, 0.12, 0.14), (0.25, 0.25, 0.45), (0.35, 0.30, 0.25), (0.55, 0.55, 0.58))
WALLS = ((0.82, 0.82, 0.78), (0.70, 0.76, 0.82), (0.86, 0.80, 0.70), (0.60, 0.62, 0.60))
MIN_DURATION_S, MAX_DURATION_S = 4.0, 8.0
# Grid clips are qHD: the low end of what phones record, with the lifter filling most of
# the picture's height as filming advice asks. "low_res" and "far" make them smaller.
GRID_SIZE = (960, 540)


def _pattern_params(pattern: str, rng: np.random.Generator) -> dict:
    """Lumbo-pelvic settings of a pattern, drawn inside its range."""
    base = {
        "pelvis_anterior_deg": float(rng.uniform(10.0, 24.0)),
        "lumbar_rhythm_deg": float(rng.uniform(4.0, 16.0)),
        "standing_tilt_deg": float(rng.uniform(-4.0, 4.0)),
    }
    if pattern == "wink":
        base |= {"wink_deg": float(rng.uniform(10.0, 25.0)), "wink_onset": float(rng.uniform(0.5, 0.8))}
    elif pattern == "overarch":
        base |= {"overarch_deg": float(rng.uniform(8.0, 20.0)), "lumbar_rhythm_deg": float(rng.uniform(0.0, 6.0))}
    elif pattern == "stiff":
        base |= {"lumbar_rhythm_deg": float(rng.uniform(-2.0, 3.0))}
    return base


def _tempo(rng: np.random.Generator) -> dict:
    """Rep count and timing: a rep lasts 1.7-2.6 s, the clip 4-8 s (3 reps when they fit)."""
    lead = float(rng.uniform(0.8, 1.2))
    setup = float(rng.uniform(0.3, 0.6))
    tail = float(rng.uniform(0.4, 0.7))
    pause = float(rng.uniform(0.3, 0.7))
    rep = float(rng.uniform(1.7, 2.6))
    fixed = lead + setup + tail
    n_reps = 3 if fixed + 3 * rep + 2 * pause <= MAX_DURATION_S - 0.2 else 2
    rep = min(rep, (MAX_DURATION_S - 0.2 - fixed - (n_reps - 1) * pause) / n_reps)
    descent, bottom = 0.45 * rep, float(min(rng.uniform(0.0, 0.5), 0.15 * rep))
    return {
        "n_reps": n_reps,
        "lead_in_s": lead,
        "setup_s": setup,
        "tail_s": tail,
        "pause_s": pause,
        "descent_s": descent,
        "bottom_s": bottom,
        "ascent_s": rep - descent - bottom,
    }


def _round(d: dict) -> dict:
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in d.items()}


def _clear_clip(i: int, rng: np.random.Generator) -> ClipSpec:
    """A clear side view, fitted clothes, a plain background (every sixth one cluttered)."""
    pattern = PATTERNS[(i // 2) % len(PATTERNS)]
    bodies = list(BODIES)
    arms = ("forward", "hips", "crossed", "forward", "bar")[i % 5]
    squat = SquatParams(
        depth=round(float(rng.uniform(0.6, 1.0)), 2),
        stance_width=round(float(rng.uniform(1.1, 2.1)), 2),
        toe_out_deg=round(float(rng.uniform(0.0, 30.0)), 1),
        arms=arms,
        bar_mass_ratio=round(float(rng.uniform(0.5, 1.2)), 2) if arms == "bar" else 0.0,
        **_round(_tempo(rng)),
        **_round(_pattern_params(pattern, rng)),
    )
    return ClipSpec(
        name=f"g{i:02d}_{pattern}_clear",
        body=bodies[i % len(bodies)],
        squat=squat,
        outfit=Outfit(
            skin=("light", "medium", "tan", "dark")[i % 4],
            shirt=SHIRTS[i % len(SHIRTS)],
            shorts=SHORTS[i % len(SHORTS)],
        ),
        camera=CameraSpec(
            side=("left", "right")[i % 2],
            yaw_deg=round(float(rng.uniform(-4.0, 4.0)), 1),
            distance_m=round(float(rng.uniform(2.5, 3.3)), 2),
            height_m=round(float(rng.uniform(0.8, 1.3)), 2),
        ),
        stage=StageSpec(
            background="cluttered" if i % 6 == 4 else "plain",
            wall_rgb=WALLS[i % len(WALLS)],
            light=round(float(rng.uniform(2.4, 3.6)), 2),
            light_azimuth_deg=round(float(rng.uniform(-20.0, 60.0)), 1),
            seed=i,
        ),
        bar=arms == "bar",
        width=GRID_SIZE[0],
        height=GRID_SIZE[1],
    )


def _harden(spec: ClipSpec, condition: str, rng: np.random.Generator) -> ClipSpec:
    """One hard condition applied to a clip."""
    cam, outfit, stage = spec.camera, spec.outfit, spec.stage
    if condition.startswith("yaw"):
        return replace(spec, camera=replace(cam, yaw_deg=float(condition.removeprefix("yaw"))))
    changes: dict[str, dict] = {
        "loose_shirt": {"outfit": replace(outfit, loose_shirt=True)},
        "bar": {"squat": replace(spec.squat, arms="bar", bar_mass_ratio=0.9), "bar": True},
        "low_res": {"width": 480, "height": 270},
        "portrait": {"width": GRID_SIZE[1], "height": GRID_SIZE[0], "camera": replace(cam, yfov_deg=62.0)},
        "cluttered": {"stage": replace(stage, background="cluttered", seed=int(rng.integers(1000)))},
        "low_contrast": {"outfit": replace(outfit, shirt=stage.wall_rgb, shorts=tuple(0.8 * np.array(stage.wall_rgb)))},
        "dim": {"stage": replace(stage, light=1.2)},
        "long_pants": {"outfit": replace(outfit, long_pants=True)},
        "far": {"camera": replace(cam, distance_m=5.0, height_m=1.5)},
    }
    return replace(spec, **changes[condition])


def _bar_view(spec: ClipSpec, rng: np.random.Generator) -> ClipSpec:
    """Bar clips are filmed from in front of the side, as they must be for the head to show.

    In a pure side view the near plates hide the head and shoulders, and BlazePose (whose
    detector looks for a face) then finds no one. Large plates (45 cm) need ~16 deg, small
    iron plates (32 cm) ~10 deg; each bar clip draws one of the two.
    """
    if not spec.bar:
        return spec
    small = bool(rng.integers(2))
    yaw = spec.camera.yaw_deg
    if 10.0 <= yaw <= 25.0:  # a turned camera already: small plates where large ones would hide the head
        small = small or yaw < 16.0
    else:
        yaw = round(float(rng.uniform(10.0, 16.0) if small else rng.uniform(16.0, 22.0)), 1)
    return replace(spec, plate_radius_m=0.16 if small else 0.225, camera=replace(spec.camera, yaw_deg=yaw))


def grid_specs(seed: int = 0, n_clips: int = 48) -> list[ClipSpec]:
    """The benchmark grid: ``n_clips`` (>= 40 by default) deterministic clip specs.

    Examples
    --------
    >>> specs = grid_specs()
    >>> len(specs), specs == grid_specs()
    (48, True)
    """
    rng = np.random.default_rng(seed)
    specs = []
    for i in range(n_clips):
        spec = _clear_clip(i, rng)
        if i % 2:  # every other clip gets one hard condition, some a second one
            k = i // 2
            conditions = [HARD_CONDITIONS[k % len(HARD_CONDITIONS)]]
            if k % 3 == 2:
                second = SECOND_CONDITIONS[(k // 3) % len(SECOND_CONDITIONS)]
                if second == conditions[0]:
                    second = SECOND_CONDITIONS[(k // 3 + 1) % len(SECOND_CONDITIONS)]
                conditions.append(second)
            for c in conditions:
                spec = _harden(spec, c, rng)
            spec = replace(spec, name=f"{spec.name.removesuffix('_clear')}_{'_'.join(conditions)}")
        # Its own stream, so that the bar's draws do not shift the other clips' values.
        specs.append(_bar_view(spec, np.random.default_rng([seed, i])))
    return specs


def demo_spec() -> ClipSpec:
    """The packaged demo: 2 reps, the second with a clear butt wink, 640x360, ~5 s."""
    squat = SquatParams(
        n_reps=2,
        depth=0.95,
        descent_s=1.0,
        bottom_s=0.2,
        ascent_s=0.8,
        pause_s=0.4,
        lead_in_s=0.8,
        setup_s=0.3,
        tail_s=0.4,
        wink_deg=(0.0, 20.0),
        wink_onset=0.6,
        pelvis_anterior_deg=18.0,
        lumbar_rhythm_deg=8.0,
    )
    return ClipSpec(
        name="demo",
        body="male_average",
        squat=squat,
        outfit=Outfit(skin="tan", shirt=(0.75, 0.15, 0.15)),
        camera=CameraSpec(distance_m=2.4, height_m=0.9, aim_height_m=0.8),
        width=640,
        height=360,
        crf=23,
    )


def fixture_specs() -> list[ClipSpec]:
    """The three test fixtures: normal rhythm, a ~20 deg wink, an over-arch (640x360, ~4 s).

    Large enough in the picture (trunk ~80 px) for the back's outline to be measured.
    """
    tempo = {"n_reps": 1, "descent_s": 1.0, "bottom_s": 0.2, "ascent_s": 0.9, "lead_in_s": 0.8, "setup_s": 0.4}
    close = CameraSpec(distance_m=2.4, height_m=0.9, aim_height_m=0.8)
    common = {"width": 640, "height": 360, "crf": 23}
    return [
        ClipSpec(
            "normal_rhythm",
            body="female_average",
            squat=SquatParams(**tempo, lumbar_rhythm_deg=12.0, pelvis_anterior_deg=20.0),
            camera=close,
            **common,
        ),
        ClipSpec(
            "wink20",
            body="male_average",
            squat=SquatParams(**tempo, depth=1.0, wink_deg=20.0, wink_onset=0.6),
            outfit=Outfit(skin="light", shirt=(0.2, 0.55, 0.3)),
            camera=close,
            **common,
        ),
        ClipSpec(
            "overarch15",
            body="female_petite",
            squat=SquatParams(**tempo, overarch_deg=15.0, lumbar_rhythm_deg=2.0, arms="crossed"),
            outfit=Outfit(skin="dark", shirt=(0.95, 0.95, 0.95)),
            camera=replace(close, side="right"),
            **common,
        ),
    ]


def barbell_fixture_specs() -> list[ClipSpec]:
    """Two barbell back-squat fixtures for counting reps (3 reps each, 480x360, ~11 s): a pure
    side view, where the near plate hides the head in every frame (BlazePose takes the plate
    for the head), and a phone 35 deg in front of the side."""
    squat = SquatParams(n_reps=3, arms="bar", bar_mass_ratio=0.8)
    common = {"squat": squat, "bar": True, "width": 480, "height": 360}
    return [
        ClipSpec("bar_side", camera=CameraSpec(yaw_deg=0.0), **common),
        ClipSpec("bar_yaw35", camera=CameraSpec(yaw_deg=35.0), **common),
    ]


def is_rendered(spec: ClipSpec, out_dir: Path) -> bool:
    """True when the clip's video, CSV and sidecar exist and the sidecar's spec is this one."""
    out_dir = Path(out_dir)
    sidecar = out_dir / f"{spec.name}.json"
    if not all((out_dir / f"{spec.name}.{ext}").exists() for ext in ("mp4", "csv", "json")):
        return False
    try:
        written = json.loads(sidecar.read_text())["spec"]
    except (OSError, ValueError, KeyError):
        return False
    return ClipSpec.from_dict(written).key() == spec.key()


def render_missing(
    specs: Iterable[ClipSpec],
    out_dir: Path,
    *,
    render: Callable[[ClipSpec, Path], object] | None = None,
) -> list[ClipSpec]:
    """Render the clips not yet in ``out_dir`` (a cache folder); returns those it rendered.

    ``render(spec, out_dir)`` defaults to :func:`squatlab.synth.render.render_clip` with
    silhouette masks. The sidecar is written last, so an interrupted clip renders again.
    """
    if render is None:
        from squatlab.synth.render import render_clip

        def render(spec: ClipSpec, folder: Path) -> object:
            return render_clip(spec, folder, write_mask=True)

    done = []
    for spec in specs:
        if not is_rendered(spec, out_dir):
            render(spec, Path(out_dir))
            done.append(spec)
    return done
