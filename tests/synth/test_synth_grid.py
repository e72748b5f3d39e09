"""The benchmark grid covers what it promises; the renderer is only called for missing clips."""

import json
from dataclasses import replace

import pytest

from squatlab.synth.grid import (
    MAX_DURATION_S,
    MIN_DURATION_S,
    demo_spec,
    fixture_specs,
    grid_specs,
    is_rendered,
    render_missing,
)
from squatlab.synth.spec import ClipSpec


@pytest.fixture(scope="module")
def grid():
    return grid_specs()


def test_grid_is_deterministic_and_named_uniquely(grid):
    assert len(grid) >= 40
    assert grid == grid_specs()
    assert len({s.name for s in grid}) == len(grid)
    assert grid_specs(seed=1) != grid


def test_grid_covers_the_variations(grid):
    def count(pred):
        return sum(1 for s in grid if pred(s))

    clear = count(lambda s: abs(s.camera.yaw_deg) <= 5 and not s.outfit.loose_shirt and not s.outfit.long_pants)
    assert all(s.camera.yaw_deg >= 10 for s in grid if s.bar)  # the head must show past the plates
    assert clear >= 0.4 * len(grid)
    assert count(lambda s: min(s.squat.winks) >= 10) >= 8
    assert count(lambda s: max(s.squat.winks) == 0 and s.squat.overarch_deg == 0) >= 16
    assert count(lambda s: max(s.squat.winks) == 0 and s.squat.lumbar_rhythm_deg >= 4) >= 8  # normal rhythm
    assert count(lambda s: s.squat.overarch_deg >= 8) >= 8
    assert count(lambda s: s.camera.yaw_deg == 20) >= 2 and count(lambda s: s.camera.yaw_deg == -20) >= 2
    assert count(lambda s: s.outfit.loose_shirt) >= 4
    assert count(lambda s: s.bar) >= 4
    assert count(lambda s: s.height <= 270) >= 2
    assert count(lambda s: s.stage.background == "cluttered") >= 4
    assert len({s.body for s in grid}) >= 3
    assert {s.squat.arms for s in grid} == {"forward", "bar", "hips", "crossed"}
    for s in grid:
        assert MIN_DURATION_S <= s.squat.duration_s <= MAX_DURATION_S, s.name


def test_presets_are_small():
    demo = demo_spec()
    assert demo.squat.n_reps == 2 and demo.squat.winks[0] == 0 and demo.squat.winks[1] >= 15
    assert 4.0 <= demo.squat.duration_s <= 6.0
    assert [s.name for s in fixture_specs()] == ["normal_rhythm", "wink20", "overarch15"]


def test_spec_round_trips_through_json(grid):
    for spec in (*grid[:6], demo_spec()):
        again = ClipSpec.from_dict(json.loads(json.dumps(spec.to_dict())))
        assert again == spec


def fake_render(spec, folder):
    for ext in ("mp4", "csv"):
        (folder / f"{spec.name}.{ext}").write_text("x")
    (folder / f"{spec.name}.json").write_text(json.dumps({"spec": spec.to_dict()}))


def test_render_missing_never_renders_twice(tmp_path, grid):
    specs = grid[:3]
    assert render_missing(specs, tmp_path, render=fake_render) == specs
    assert render_missing(specs, tmp_path, render=fake_render) == []
    changed = replace(specs[1], width=480, height=270)
    assert not is_rendered(changed, tmp_path)
    assert render_missing([specs[0], changed], tmp_path, render=fake_render) == [changed]
    (tmp_path / f"{specs[2].name}.json").unlink()  # an interrupted clip renders again
    # specs[1] was replaced by the changed clip of the same name, so it renders again too.
    assert render_missing(specs, tmp_path, render=fake_render) == specs[1:]
