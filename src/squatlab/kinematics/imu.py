"""Segment angles from body-worn IMUs (accelerometer + gyroscope), arrays in, arrays out.

Method (details and the filter comparison in docs/lab-inputs.md):

1. Sensor fusion with the Mahony filter of the ``ahrs`` library gives, per sample, the
   direction of "up" in the sensor's own frame. Only this inclination is used, never the
   heading, which drifts without a magnetometer.
2. The squat turns each segment about one medio-lateral axis: the principal axis of the
   gyroscope signal (``principal_axis``). Its share of the rotation (planarity) says how
   planar the motion was.
3. The segment angle is the sensor's rotation about that axis away from a reference
   posture (quiet standing): the angle, in the plane normal to the axis, between the
   reference "up" and the current "up" (``inclination_about``). Its sign follows the
   right-hand rule about the axis, as the gyroscope's does.
4. The axis's sign is arbitrary, so the anatomical sign comes from the motion
   (``sign_by_excursion``, ``sign_by_early_descent``, ``sign_by_correlation``): the thigh
   only flexes in a squat; the pelvis and the trunk tip forward early in every descent;
   the shank tips forward as the thigh flexes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import butter, filtfilt, find_peaks

from squatlab.kinematics.filtering import lowpass, valid_runs

GRAVITY = 9.80665  # m/s^2, standard gravity
DEG_PER_RAD = 180.0 / np.pi
# Consumer MEMS gyroscopes top out at 2000 deg/s = 34.9 rad/s: readings above are deg/s.
MAX_PLAUSIBLE_RAD_S = 35.0


def unit_rows(v: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length."""
    v = np.asarray(v, dtype=float)
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return v / n


def principal_axis(gyr: np.ndarray) -> tuple[np.ndarray, float]:
    """The axis the sensor turns about most, and the share of the rotation about it.

    Parameters
    ----------
    gyr : ndarray, shape (n, 3)
        Angular velocity in the sensor frame (any unit).

    Returns
    -------
    axis : ndarray, shape (3,)
        Unit vector in the sensor frame (sign arbitrary: fixed later from the motion).
    planarity : float
        Fraction of the gyroscope's variance about ``axis`` (1 = purely planar motion).

    Examples
    --------
    >>> t = np.linspace(0, 10, 1000)
    >>> gyr = np.column_stack([0.05 * np.cos(3 * t), np.sin(2 * t), 0.05 * np.sin(5 * t)])
    >>> axis, planarity = principal_axis(gyr)
    >>> np.round(np.abs(axis), 1), planarity > 0.99
    (array([0., 1., 0.]), True)
    """
    g = np.asarray(gyr, dtype=float)
    g = g[np.isfinite(g).all(axis=1)]
    # Second moments about zero, not the mean: a squat set's rotation averages to about zero.
    moment = g.T @ g / max(len(g), 1)
    w, v = np.linalg.eigh(moment)
    total = float(w.sum())
    return v[:, -1], (float(w[-1] / total) if total > 0 else 0.0)


def fuse_up(acc: np.ndarray, gyr: np.ndarray, rate_hz: float, *, kp: float, ki: float) -> np.ndarray:
    """Per-sample direction of "up" in the sensor frame, by Mahony's filter (``ahrs``).

    Parameters
    ----------
    acc : ndarray, shape (n, 3)
        Specific force (the accelerometer's reading; any scale: it is normalised).
    gyr : ndarray, shape (n, 3)
        Angular velocity, rad/s.
    rate_hz : float
        Uniform sampling rate.
    kp, ki : float
        Proportional and integral gains (``ImuSettings.mahony_kp``/``mahony_ki``).

    Returns
    -------
    ndarray, shape (n, 3)
        Unit vectors.

    Examples
    --------
    A sensor lying still, z axis up:

    >>> acc = np.tile([0.0, 0.0, 9.81], (200, 1)); gyr = np.zeros((200, 3))
    >>> np.round(fuse_up(acc, gyr, 100.0, kp=0.5, ki=0.05)[-1], 3) + 0.0
    array([0., 0., 1.])
    """
    from ahrs.common.orientation import q2R
    from ahrs.filters import Mahony

    q = Mahony(gyr=np.asarray(gyr, float), acc=np.asarray(acc, float), frequency=float(rate_hz), k_P=kp, k_I=ki).Q
    # The third row of the sensor-to-earth rotation is the earth's vertical in sensor axes.
    return np.array([q2R(qi)[2] for qi in q])


def inclination_about(up: np.ndarray, axis: np.ndarray, ref_up: np.ndarray) -> np.ndarray:
    """Rotation of the sensor about ``axis`` from the posture where up was ``ref_up``, degrees.

    The sign follows the right-hand rule about ``axis`` (as the gyroscope's does): a sensor
    turning +30 deg about ``axis`` sees the world's up turn -30 deg, and this returns +30.

    >>> ax = np.array([0.0, 1.0, 0.0])
    >>> th = np.radians(30)   # after +30 deg about y, up (0,0,1) reads (-sin, 0, cos) in the sensor
    >>> np.round(inclination_about(np.array([[-np.sin(th), 0.0, np.cos(th)]]), ax, np.array([0.0, 0.0, 1.0])), 6)
    array([30.])
    """
    axis = axis / np.linalg.norm(axis)
    e1 = ref_up - axis * (ref_up @ axis)
    e1 = e1 / np.linalg.norm(e1)
    e2 = np.cross(axis, e1)
    return -np.degrees(np.arctan2(up @ e2, up @ e1))


def still_mask(gyros: list[np.ndarray], threshold_rad_s: float) -> np.ndarray:
    """True where every sensor turns slower than ``threshold_rad_s``."""
    mags = np.stack([np.linalg.norm(g, axis=1) for g in gyros])
    return (mags < threshold_rad_s).all(axis=0)


def first_still_window(still: np.ndarray, min_samples: int) -> slice | None:
    """The first run of at least ``min_samples`` still samples, or None.

    >>> first_still_window(np.array([0, 1, 1, 0, 1, 1, 1, 1], dtype=bool), 3)
    slice(4, 8, None)
    """
    for a, b in valid_runs(still):
        if b - a >= min_samples:
            return slice(a, b)
    return None


def _band(x: np.ndarray, rate_hz: float, low_hz: float, high_hz: float) -> np.ndarray:
    b, a = butter(2, [low_hz / (rate_hz / 2), high_hz / (rate_hz / 2)], btype="band")
    return filtfilt(b, a, x)


def gyro_unit(acc: np.ndarray, gyr: np.ndarray, rate_hz: float) -> tuple[str, float]:
    """Whether the gyroscope reads rad/s or deg/s, from the physics of the recording.

    The rotation the gyroscope integrates to must match the turn of gravity that the
    accelerometer sees. The ratio of the two (band-passed to the squat's 0.1-2 Hz) is
    about 1 for rad/s and about 57 for deg/s. Recordings with too little rotation fall
    back on the range: no consumer gyroscope reads beyond 35 rad/s.

    Returns
    -------
    unit : str
        ``"rad/s"`` or ``"deg/s"``.
    ratio : float
        The measured gyro/accelerometer rotation ratio (NaN when it could not be measured).

    Examples
    --------
    >>> from squatlab.testing.imu import simulate_squat_imu
    >>> sim = simulate_squat_imu(n_reps=3, seed=0)
    >>> gyro_unit(sim.acc, sim.gyr, sim.rate_hz)[0], gyro_unit(sim.acc, np.degrees(sim.gyr), sim.rate_hz)[0]
    ('rad/s', 'deg/s')
    """
    axis, _ = principal_axis(gyr)
    lowpassed = unit_rows(lowpass(acc, np.arange(len(acc)) / rate_hz, cutoff_hz=2.0))
    theta_acc = np.radians(inclination_about(lowpassed, axis, lowpassed[0]))
    theta_gyr = np.cumsum(gyr @ axis) / rate_hz
    if theta_acc.size > 3 * rate_hz:
        a = _band(np.unwrap(theta_acc), rate_hz, 0.1, 2.0)
        g = _band(theta_gyr, rate_hz, 0.1, 2.0)
        if np.std(a) > np.radians(2.0):
            ratio = float(abs(a @ g) / (a @ a))
            return ("deg/s" if abs(np.log(ratio / DEG_PER_RAD)) < abs(np.log(ratio)) else "rad/s"), ratio
    return ("deg/s" if np.nanmax(np.abs(gyr)) > MAX_PLAUSIBLE_RAD_S else "rad/s"), float("nan")


def sign_by_excursion(angle: np.ndarray) -> float:
    """+1 if the angle's large excursions from its reference are positive, else -1.

    For a segment that moves one way only in a squat (the thigh flexes).

    >>> sign_by_excursion(np.array([0.0, -5.0, -80.0, -3.0, 2.0]))
    -1.0
    """
    lo, hi = np.nanpercentile(angle, [1, 99])
    return 1.0 if hi >= -lo else -1.0


def descents(depth: np.ndarray, rate_hz: float, *, min_prominence: float) -> list[tuple[int, int]]:
    """(start, bottom) sample pairs of each squat descent in a depth signal (+ = deeper).

    A descent starts at the last sample before the bottom where the depth was within a
    tenth of the rep's excursion from its preceding minimum.

    >>> t = np.arange(0, 6, 0.01)
    >>> d = 90 * np.clip(np.sin(np.pi * (t - 1) / 2), 0, None) * (t > 1) * (t < 5)
    >>> [(round(a / 100, 1), round(b / 100, 1)) for a, b in descents(d, 100.0, min_prominence=30)]
    [(1.1, 2.0)]
    """
    peaks, _ = find_peaks(np.nan_to_num(depth, nan=np.nanmin(depth)), prominence=min_prominence,
                          distance=max(1, int(0.8 * rate_hz)))  # fmt: skip
    out = []
    prev = 0
    for p in peaks:
        seg = depth[prev : p + 1]
        low = int(np.nanargmin(seg)) + prev
        level = depth[low] + 0.1 * (depth[p] - depth[low])
        above = np.flatnonzero(depth[low : p + 1] <= level)
        out.append((low + int(above[-1]), int(p)))
        prev = p
    return out


def sign_by_early_descent(angle: np.ndarray, depth: np.ndarray, rate_hz: float) -> float | None:
    """+1 if the angle grows over the first half of the descents, -1 if it falls, None if no reps.

    The pelvis and trunk tip forward early in every squat descent (the hips move back
    and the trunk leans to keep balance); a butt wink, if any, comes late. So the first
    half of each descent fixes the anatomical sign of a pelvis or trunk sensor.
    """
    span = np.nanpercentile(depth, 99) - np.nanpercentile(depth, 1)
    changes = []
    for start, bottom in descents(depth, rate_hz, min_prominence=0.4 * span):
        half = depth[start] + 0.5 * (depth[bottom] - depth[start])
        mid = start + int(np.flatnonzero(depth[start : bottom + 1] >= half)[0])
        changes.append(angle[mid] - angle[start])
    if not changes:
        return None
    return 1.0 if np.nanmedian(changes) >= 0 else -1.0


def sign_by_correlation(angle: np.ndarray, reference: np.ndarray) -> float:
    """+1 if ``angle`` rises with ``reference`` (e.g. the shank with the thigh), else -1."""
    good = np.isfinite(angle) & np.isfinite(reference)
    c = np.corrcoef(angle[good], reference[good])[0, 1]
    return 1.0 if c >= 0 else -1.0


@dataclass(frozen=True)
class SegmentRotation:
    """One sensor's rotation about its segment's medio-lateral axis, from the reference posture."""

    angle_deg: np.ndarray
    axis: np.ndarray
    planarity: float


def segment_rotation(
    acc: np.ndarray,
    gyr: np.ndarray,
    rate_hz: float,
    *,
    reference: slice | np.ndarray,
    kp: float,
    ki: float,
) -> SegmentRotation:
    """Fuse one sensor and return its rotation about its principal axis (sign not yet anatomical).

    Parameters
    ----------
    acc, gyr : ndarray, shape (n, 3)
        Accelerometer (any scale) and gyroscope (rad/s) on a uniform grid.
    rate_hz : float
        Sampling rate.
    reference : slice or ndarray, shape (3,)
        Samples of the reference (standing) posture, or the reference "up" vector in the
        sensor frame (e.g. from a separate static recording).
    kp, ki : float
        Mahony gains.

    Examples
    --------
    >>> from squatlab.testing.imu import simulate_squat_imu
    >>> sim = simulate_squat_imu(n_reps=4, seed=1)
    >>> rot = segment_rotation(sim.acc, sim.gyr, sim.rate_hz, reference=slice(0, 100), kp=0.5, ki=0.05)
    >>> est = rot.angle_deg * sign_by_excursion(rot.angle_deg)
    >>> bool(np.sqrt(np.mean((est - sim.angle_deg)[200:] ** 2)) < 2.0)
    True
    """
    up = fuse_up(acc, gyr, rate_hz, kp=kp, ki=ki)
    axis, planarity = principal_axis(gyr)
    ref_up = unit_rows(np.mean(up[reference], axis=0)) if isinstance(reference, slice) else unit_rows(reference)
    return SegmentRotation(inclination_about(up, axis, ref_up), axis, planarity)


def rep_rotation(rate_deg_s: np.ndarray, fused_deg: np.ndarray, start: int, end: int, rate_hz: float) -> np.ndarray:
    """A segment's rotation over one rep, from its start: the gyroscope integrated, anchored by the fusion.

    Within a 2-4 s rep the integrated gyroscope is the better record of the motion: the fused
    angle is pulled towards the accelerometer, which reads the squat's own accelerations and,
    on sensors with unequal axis gains (the shared thigh sensor reads 12.8-14.5 m/s^2 at rest),
    a direction warped by how the sensor is mounted. Over seconds the fusion is the better one
    (no drift), so the integral's start-to-end change is set to the fused one by removing a
    linear drift, which also removes a constant gyroscope bias.

    Parameters
    ----------
    rate_deg_s : ndarray, shape (n,)
        Signed rate of turn about the segment's sagittal axis on a uniform grid.
    fused_deg : ndarray, shape (n,)
        The fused rotation of the same segment (same sign).
    start, end : int
        First and last sample of the rep (inclusive).
    rate_hz : float
        Sampling rate.

    Returns
    -------
    ndarray, shape (end - start + 1,)
        Rotation from the rep's first sample, deg (NaN when the fused angle is missing at either end).

    Examples
    --------
    A segment that tips 40 deg forward and back, read by a gyroscope with a 2 deg/s bias:

    >>> t = np.arange(0, 3.0, 0.01)
    >>> true = 40 * np.sin(np.pi * t / 3) ** 2
    >>> rate = np.gradient(true, 0.01) + 2.0
    >>> rot = rep_rotation(rate, true + 5.0, 0, t.size - 1, 100.0)
    >>> bool(np.abs(rot - true).max() < 0.5)
    True
    """
    rates = np.asarray(rate_deg_s[start : end + 1], dtype=float)
    if rates.size < 2:
        return np.zeros(rates.size)
    angle = np.concatenate(([0.0], np.cumsum(0.5 * (rates[1:] + rates[:-1])) / rate_hz))
    change = fused_deg[end] - fused_deg[start]
    if not np.isfinite(change):
        return np.full(rates.size, np.nan)
    return angle - np.linspace(0.0, angle[-1] - change, angle.size)
