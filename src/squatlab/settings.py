"""Every threshold squatlab uses, with its unit and its source, in one place.

The analysis functions take these values as keyword arguments; the pipeline passes
them from one :class:`Settings`. The report prints :func:`describe` so that a reader
sees each value and why it is what it is. A TOML file can override any of them
(``squatlab analyze --config my.toml``), e.g.::

    [reps]
    min_depth_leg = 0.12
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from squatlab.errors import InputError


def param(default: Any, unit: str, source: str) -> Any:
    """A setting with its unit and the reason for its value."""
    return field(default=default, metadata={"unit": unit, "source": source})


@dataclass(frozen=True)
class PoseSettings:
    min_visibility: float = param(
        0.5, "0-1", "BlazePose's own convention for a landmark that is in view and not occluded."
    )
    prescan_hz: float = param(
        3.0, "Hz", "Frames sampled to count the people in view; a squat rep lasts >= 1 s, so 3 Hz sees it."
    )
    max_people: int = param(
        3, "people", "Gyms rarely show more; each extra person costs one model run per sampled frame."
    )
    min_person_fraction: float = param(
        0.15, "fraction of sampled frames", "A person seen in fewer sampled frames is passing through, not in view."
    )


@dataclass(frozen=True)
class FilterSettings:
    cutoff_hz: float = param(
        6.0,
        "Hz",
        "Squat motion lies below 3 Hz; 6 Hz is a usual Butterworth cut-off for video kinematics (Winter 2009).",
    )
    order: int = param(2, "", "Second order run forwards and backwards: 4th-order zero-lag response (Winter 2009).")
    max_gap_s: float = param(
        0.3, "s", "Gaps up to a tenth of a rep are bridged by interpolation; longer ones stay missing."
    )


@dataclass(frozen=True)
class ViewSettings:
    side_min_yaw_deg: float = param(
        60.0, "deg", "Body yaw to the camera above which 2-D sagittal angles err little (cos 30 deg = 0.87)."
    )
    front_max_yaw_deg: float = param(
        30.0, "deg", "Below this the camera sees the lifter mostly from the front or back."
    )
    min_side_fraction: float = param(
        0.7, "fraction of rep frames", "A rep with fewer side-view frames is counted but not measured."
    )
    edge_margin_frac: float = param(
        0.01, "fraction of image size", "A landmark this close to the border is taken as cut off by the frame."
    )


@dataclass(frozen=True)
class RepSettings:
    min_depth_leg: float = param(
        0.12, "leg lengths", "Hip drop that starts a rep; walking moves the hip by < 0.05 leg lengths (Perry 1992)."
    )
    stand_tolerance_leg: float = param(
        0.06, "leg lengths", "Within this of the standing hip height the lifter counts as standing."
    )
    min_rep_s: float = param(
        0.8, "s", "Even fast bodyweight squats take about 1 s per rep; quicker dips are bounces, jumps or noise."
    )
    max_rep_s: float = param(25.0, "s", "Slow-tempo and paused reps (6-count descents) stay well below.")
    max_foot_travel_leg: float = param(
        0.25, "leg lengths", "Feet stay planted during a squat; more travel is walking, stepping or a jump."
    )
    partial_depth_thigh: float = param(
        -0.5, "thigh lengths", "Hip more than half a thigh above the knee (thigh < 30 deg below level): a partial rep."
    )
    partial_relative: float = param(
        0.6, "fraction of the set's deepest rep", "A rep much shallower than the lifter's own deepest one is partial."
    )
    bottom_band_leg: float = param(
        0.03, "leg lengths", "Frames within this of the deepest point form the bottom phase (covers pauses)."
    )
    knee_flexion_min_deg: float = param(
        35.0, "deg", "Rep threshold for lab and sensor data, where knee flexion is the depth signal."
    )
    stand_tolerance_knee_deg: float = param(
        12.0, "deg", "Knee flexion within this of standing counts as standing (quiet standing sways a few degrees)."
    )


@dataclass(frozen=True)
class Settings:
    pose: PoseSettings = field(default_factory=PoseSettings)
    filter: FilterSettings = field(default_factory=FilterSettings)
    view: ViewSettings = field(default_factory=ViewSettings)
    reps: RepSettings = field(default_factory=RepSettings)


def describe(settings: Settings) -> list[dict[str, Any]]:
    """Every setting as a row: group, name, value, unit, source."""
    rows = []
    for group in dataclasses.fields(settings):
        section = getattr(settings, group.name)
        for f in dataclasses.fields(section):
            rows.append(
                {
                    "group": group.name,
                    "name": f.name,
                    "value": getattr(section, f.name),
                    "unit": f.metadata["unit"],
                    "source": f.metadata["source"],
                }
            )
    return rows


def load_settings(path: Path | None = None) -> Settings:
    """Defaults, overridden by a TOML file's ``[group] name = value`` entries."""
    settings = Settings()
    if path is None:
        return settings
    try:
        data = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot read settings file {path}: {exc}") from exc
    groups = {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)}
    for group_name, values in data.items():
        if group_name not in groups or not isinstance(values, dict):
            raise InputError(f"unknown settings group [{group_name}] in {path}; allowed: {', '.join(groups)}")
        section = groups[group_name]
        allowed = {f.name: f for f in dataclasses.fields(section)}
        checked = {key: _checked(section, group_name, key, value, allowed, path) for key, value in values.items()}
        groups[group_name] = dataclasses.replace(section, **checked)
    return Settings(**groups)


def _checked(section: Any, group: str, key: str, value: Any, allowed: dict[str, Any], path: Path) -> Any:
    if key not in allowed:
        raise InputError(f"unknown setting {group}.{key} in {path}; allowed: {', '.join(allowed)}")
    expected = type(getattr(section, key))
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, expected):
        raise InputError(f"setting {group}.{key} must be {expected.__name__}, got {value!r}")
    return value
