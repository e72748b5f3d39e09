"""From an IMU recording to a :class:`~squatlab.trial.Trial`.

Roles: ``pelvis`` (a sensor on the sacrum / low back), ``l1`` (upper lumbar spine),
``thigh`` and ``shank`` (either side). Channels, all relative to the reference standing
posture (the first quiet standing, or a static recording):

- ``pelvis_tilt_abs_deg``: the pelvis sensor's sagittal rotation, + = anterior;
- ``lumbar_flexion_abs_deg``: L1 rotation minus pelvis rotation, + = flexion;
- ``trunk_inclination_deg``: the L1 sensor's rotation (standing taken as upright);
- ``hip_flexion_deg``: thigh rotation plus pelvis rotation;
- ``knee_flexion_deg``: thigh rotation plus shank rotation;
- ``shin_angle_deg``: the shank's rotation (standing shank taken as vertical).

Positions are not measured, so ``hip_height_leg`` is absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from squatlab import conventions as cv
from squatlab.errors import InputError
from squatlab.io.imu_files import ImuRecording, read_generic_csv, read_phone_export
from squatlab.kinematics import imu as kimu
from squatlab.kinematics.filtering import resample_uniform
from squatlab.settings import ImuSettings
from squatlab.trial import Channel, Notice, Source, Trial

ROLES = ("pelvis", "l1", "thigh", "shank")
GAP_CONF = 0.7  # confidence inside a bridged dropped-sample gap
FALLBACK_REFERENCE_S = 0.5


def parse_imu_sensor_args(values: list[str] | tuple[str, ...] | None) -> dict[str, str] | None:
    """Turn CLI strings ``role=sensor`` (``--imu-sensor pelvis=s0``) into a role map.

    >>> parse_imu_sensor_args(["pelvis=s0", "thigh=s1"])
    {'pelvis': 's0', 'thigh': 's1'}
    >>> parse_imu_sensor_args([]) is None
    True
    """
    if not values:
        return None
    out: dict[str, str] = {}
    for item in values:
        role, sep, sensor = item.partition("=")
        role, sensor = role.strip().lower(), sensor.strip()
        if not sep or not role or not sensor:
            raise InputError(f"--imu-sensor expects role=sensor (e.g. pelvis=s0), got {item!r}")
        if role not in ROLES:
            raise InputError(f"--imu-sensor: unknown role {role!r}; allowed: {', '.join(ROLES)}")
        if role in out:
            raise InputError(f"--imu-sensor: role {role!r} given twice")
        out[role] = sensor
    return out


def read_recording(path: str | Path) -> ImuRecording:
    """The raw recording of a generic CSV, or of a phone export (folder or zip)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir() or path.suffix.lower() == ".zip":
        return read_phone_export(path)
    return read_generic_csv(path)


def _roles(recording: ImuRecording, imu_sensors: Mapping[str, str] | None) -> dict[str, str]:
    names = list(recording.sensors)
    if not imu_sensors:
        if len(names) == 1:
            return {"pelvis": names[0]}
        raise InputError(
            f"{recording.path}: {len(names)} sensors ({', '.join(names)}); say which is which, "
            f"e.g. --imu-sensor pelvis={names[0]} --imu-sensor thigh={names[1]}"
        )
    unknown_roles = sorted(set(imu_sensors) - set(ROLES))
    if unknown_roles:
        raise InputError(f"unknown IMU role(s) {unknown_roles}; allowed: {', '.join(ROLES)}")
    missing = sorted(s for s in imu_sensors.values() if s not in recording.sensors)
    if missing:
        raise InputError(f"{recording.path}: no sensor named {', '.join(missing)}; the file has {', '.join(names)}")
    return dict(imu_sensors)


@dataclass(frozen=True)
class _Grid:
    time_s: np.ndarray
    rate_hz: float
    gap_conf: np.ndarray  # per-sample confidence from dropped-sample gaps (1, GAP_CONF or 0)
    notices: tuple[Notice, ...]


# A uniform grid much longer than the samples means the timing makes no sense (e.g. a few
# samples microseconds apart and a long pause): refuse rather than invent data.
MAX_GRID_PER_SAMPLE = 20


# Shorter than this cannot hold the still reference and one squat.
MIN_RECORDING_S = 1.0


def _grid(time_s: np.ndarray, settings: ImuSettings, path: str) -> _Grid:
    if time_s.size < 2 or time_s[-1] - time_s[0] < MIN_RECORDING_S:
        span = float(time_s[-1] - time_s[0]) if time_s.size else 0.0
        raise InputError(f"{path}: too short ({span:.2f} s, {time_s.size} samples); a squat set takes seconds")
    steps = np.diff(time_s)
    rate = 1.0 / float(np.median(steps))
    if time_s[-1] * rate > MAX_GRID_PER_SAMPLE * time_s.size + 1000:
        raise InputError(
            f"{path}: irregular timing: typical step {1 / rate:.3g} s but {time_s[-1]:.3g} s recorded "
            f"in {time_s.size} samples"
        )
    grid = np.arange(0.0, time_s[-1] + 0.5 / rate, 1.0 / rate)
    conf = np.ones(grid.size)
    notices = []
    for i in np.flatnonzero(steps > settings.flag_gap_s):
        a, b = float(time_s[i]), float(time_s[i + 1])
        inside = (grid > a) & (grid < b)
        long = b - a > settings.max_fill_s
        conf[inside] = 0.0 if long else GAP_CONF
        notices.append(
            Notice(
                "imu_gap",
                f"no IMU samples for {b - a:.3f} s ({a:.2f}-{b:.2f} s); "
                + ("angles left missing there" if long else "bridged by interpolation"),
                a,
                b,
            )
        )
    return _Grid(grid, rate, conf, tuple(notices))


def _gyro_units(name: str, acc: np.ndarray, gyr: np.ndarray, rate: float) -> tuple[np.ndarray, list, dict]:
    unit, ratio = kimu.gyro_unit(acc, gyr, rate)
    notices = []
    if unit == "deg/s":
        gyr = np.radians(gyr)
        notices.append(Notice("imu_gyro_deg_per_s", f"sensor {name}: gyroscope reads deg/s, not rad/s; converted"))
    return gyr, notices, {"gyro_unit": unit, "gyro_to_acc_rotation_ratio": round(ratio, 3)}


def _acc_units(name: str, acc: np.ndarray, rest: slice | np.ndarray) -> tuple[np.ndarray, list, dict]:
    """Accelerometer in g is scaled to m/s^2; a scale far from 1 g at rest is reported."""
    norm = float(np.median(np.linalg.norm(acc[rest], axis=1)))
    notices = []
    if 0.8 < norm < 1.2:
        acc = acc * kimu.GRAVITY
        notices.append(Notice("imu_acc_in_g", f"sensor {name}: accelerometer reads in g; converted to m/s^2"))
    elif abs(norm - kimu.GRAVITY) > 1.0:
        notices.append(
            Notice(
                "imu_acc_scale",
                f"sensor {name}: accelerometer reads {norm:.1f} m/s^2 at rest (expected 9.8): its scale is off; "
                "only its direction is used",
            )
        )
    return acc, notices, {"acc_norm_at_rest": round(norm, 2)}


def _reference(gyros: list[np.ndarray], rate: float, settings: ImuSettings) -> tuple[slice, list[Notice]]:
    still = kimu.still_mask(gyros, settings.still_gyro_rad_s)
    window = kimu.first_still_window(still, round(settings.min_still_s * rate))
    if window is not None:
        return window, []
    n = max(2, round(FALLBACK_REFERENCE_S * rate))
    return slice(0, n), [
        Notice(
            "imu_no_standing",
            "no quiet standing found: angles are relative to the first half second, which may not be standing",
        )
    ]


def _signed(rot: dict[str, kimu.SegmentRotation], rate: float) -> tuple[dict[str, float], dict[str, str]]:
    """Anatomical sign (+1 or -1) of each sensor's rotation, from the motion (see kinematics.imu)."""
    sign, rule = {}, {}
    if "thigh" in rot:
        sign["thigh"] = kimu.sign_by_excursion(rot["thigh"].angle_deg)
        rule["thigh"] = "flexes only: largest excursion is +"
    if "shank" in rot:
        a = rot["shank"].angle_deg
        if "thigh" in sign:
            sign["shank"] = kimu.sign_by_correlation(a, rot["thigh"].angle_deg * sign["thigh"])
            rule["shank"] = "tips forward as the thigh flexes"
        else:
            sign["shank"], rule["shank"] = kimu.sign_by_excursion(a), "largest excursion is +"
    legs = {role: rot[role].angle_deg * sign[role] for role in sign}
    depth = legs["thigh"] + legs["shank"] if {"thigh", "shank"} <= set(legs) else legs.get("thigh")
    for role in ("pelvis", "l1"):
        if role not in rot:
            continue
        a = rot[role].angle_deg
        by_descent = kimu.sign_by_early_descent(a, depth, rate) if depth is not None else None
        if by_descent is None:
            sign[role], rule[role] = kimu.sign_by_excursion(a), "largest excursion is + (anterior)"
        else:
            sign[role], rule[role] = by_descent, "tips forward in the first half of each descent"
    return sign, rule


# Channel -> (sensor roles it needs, how it is made from their rotations, why it may be absent).
_RECIPES = (
    (cv.PELVIS_TILT_ABS, ("pelvis",), lambda r: r["pelvis"], "no pelvis (sacrum) sensor"),
    (cv.LUMBAR_FLEXION_ABS, ("l1", "pelvis"), lambda r: r["l1"] - r["pelvis"], "needs L1 and pelvis sensors"),
    (cv.TRUNK_INCLINATION, ("l1",), lambda r: r["l1"], "needs an L1 (upper lumbar) sensor"),
    (cv.HIP_FLEXION, ("thigh", "pelvis"), lambda r: r["thigh"] + r["pelvis"], "needs thigh and pelvis sensors"),
    (cv.KNEE_FLEXION, ("thigh", "shank"), lambda r: r["thigh"] + r["shank"], "needs thigh and shank sensors"),
    (cv.SHIN_ANGLE, ("shank",), lambda r: r["shank"], "needs a shank sensor"),
    (cv.HIP_HEIGHT, ("position",), None, "IMUs measure orientation, not position"),
)


def _channels(seg: dict[str, np.ndarray], n: int, conf: np.ndarray) -> dict[str, Channel]:
    out = {}
    for name, needs, recipe, reason in _RECIPES:
        unit = cv.CHANNELS[name].unit
        if recipe is None or not set(needs) <= set(seg):
            out[name] = Channel.absent(n, reason, unit)
        else:
            out[name] = Channel.measured(np.where(conf > 0, recipe(seg), np.nan), conf, unit)
    return out


def _static_reference(static: ImuRecording, roles: Mapping[str, str]) -> dict[str, np.ndarray]:
    """Reference "up" per role: the mean accelerometer direction of a static recording."""
    refs = {}
    for role, name in roles.items():
        if name not in static.sensors:
            raise InputError(f"{static.path}: the static recording has no sensor {name!r}")
        acc, _ = static.sensors[name]
        refs[role] = kimu.unit_rows(np.mean(acc, axis=0))
    return refs


def trial_from_imu(
    recording: ImuRecording,
    *,
    imu_sensors: Mapping[str, str] | None = None,
    settings: ImuSettings | None = None,
    static: ImuRecording | None = None,
) -> Trial:
    """Fuse each sensor, find its sagittal axis and anatomical sign, and build the trial.

    Parameters
    ----------
    recording : ImuRecording
        As read by :func:`read_recording`.
    imu_sensors : mapping, optional
        ``role -> sensor name`` (roles: pelvis, l1, thigh, shank). Optional with one sensor
        (taken as the pelvis).
    settings : ImuSettings, optional
        Filter gains, stillness and gap limits, source errors.
    static : ImuRecording, optional
        A separate quiet-standing recording with the same sensors: its gravity direction
        becomes the reference posture instead of the first quiet standing.
    """
    settings = settings or ImuSettings()
    roles = _roles(recording, imu_sensors)
    grid = _grid(recording.time_s, settings, recording.path)
    notices: list[Notice] = [*recording.notices, *grid.notices]
    data, details = {}, {}
    for role, name in roles.items():
        acc_raw, gyr_raw = recording.sensors[name]
        acc = resample_uniform(recording.time_s, acc_raw, grid.time_s)
        gyr = resample_uniform(recording.time_s, gyr_raw, grid.time_s)
        gyr, unit_notices, details[role] = _gyro_units(name, acc, gyr, grid.rate_hz)
        notices += unit_notices
        data[role] = (acc, gyr)
        details[role]["sensor"] = name
    window, ref_notices = _reference([g for _, g in data.values()], grid.rate_hz, settings)
    for role, (acc_raw, gyr) in data.items():
        acc, unit_notices, more = _acc_units(roles[role], acc_raw, window)
        notices += unit_notices
        details[role].update(more)
        data[role] = (acc, gyr)
    if static is not None:
        references: dict[str, slice | np.ndarray] = dict(_static_reference(static, roles))
        reference = f"static recording {static.path}"
    else:
        notices += ref_notices
        references = dict.fromkeys(roles, window)
        reference = f"still from {grid.time_s[window.start]:.2f} s to {grid.time_s[window.stop - 1]:.2f} s"
    rot = {
        role: kimu.segment_rotation(
            acc, gyr, grid.rate_hz, reference=references[role], kp=settings.mahony_kp, ki=settings.mahony_ki
        )
        for role, (acc, gyr) in data.items()
    }
    signs, rules = _signed(rot, grid.rate_hz)
    seg = {role: r.angle_deg * signs[role] for role, r in rot.items()}
    for role, r in rot.items():
        details[role].update(
            {"axis": r.axis.round(3).tolist(), "planarity": round(r.planarity, 3), "sign": rules[role]}
        )
        if r.planarity < settings.min_planarity:
            notices.append(
                Notice(
                    "imu_not_planar",
                    f"{role} sensor: only {r.planarity:.0%} of its rotation is about one axis; "
                    "the sagittal angle is unreliable",
                )
            )
    n = grid.time_s.size
    source = Source(
        path=recording.path,
        kind="imu",
        fps=grid.rate_hz,
        duration_s=float(grid.time_s[-1]),
        frames=n,
        variable_frame_rate=bool(np.ptp(np.diff(recording.time_s)) > 0.5 / grid.rate_hz),
        pelvis_error_deg=settings.pelvis_error_deg,
        lumbar_error_deg=settings.lumbar_error_deg,
        details={
            "layout": recording.layout,
            **recording.details,
            "sensors": details,
            "reference": reference,
            "fusion": f"Mahony (ahrs), kp={settings.mahony_kp}, ki={settings.mahony_ki}",
            "raw_samples": int(recording.time_s.size),
        },
    )
    extras: dict[str, np.ndarray] = {cv.imu_rotation_key(role): v for role, v in seg.items()}
    # The signed rate of turn about the same axis: integrated within a rep it gives the rotation
    # free of the accelerometer's errors (squatlab.findings.imu_features).
    for role, (_, gyr) in data.items():
        extras[cv.imu_rate_key(role)] = np.degrees(gyr @ rot[role].axis) * signs[role]
    return Trial(
        time_s=grid.time_s,
        source=source,
        channels=_channels(seg, n, grid.gap_conf),
        notices=tuple(notices),
        extras=extras,
    )


def read_imu(
    path: str | Path,
    *,
    imu_sensors: Mapping[str, str] | None = None,
    settings: ImuSettings | None = None,
    static: str | Path | None = None,
) -> Trial:
    """Read an IMU CSV (or phone export) and return the trial; see :func:`trial_from_imu`."""
    recording = read_recording(path)
    static_rec = read_recording(static) if static is not None else None
    return trial_from_imu(recording, imu_sensors=imu_sensors, settings=settings, static=static_rec)
