"""Synthetic IMU signals of a squatting segment, with a known answer.

For tests, examples and the choice of the fusion filter (docs/lab-inputs.md). The
segment turns about the lab's lateral axis by ``angle_deg(t)`` (a rep-shaped bump,
optionally with a late reversal like a butt wink) while its pivot drops and moves back;
the sensor sits ``lever_m`` below the pivot and is mounted at an arbitrary orientation.
The accelerometer reads the specific force (gravity up plus the linear acceleration),
the gyroscope the angular velocity, both in the sensor frame, with noise and bias.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.transform import Rotation

from squatlab.kinematics.imu import GRAVITY


@dataclass(frozen=True)
class SimulatedImu:
    time_s: np.ndarray
    rate_hz: float
    acc: np.ndarray  # (n, 3) m/s^2, sensor frame
    gyr: np.ndarray  # (n, 3) rad/s, sensor frame
    angle_deg: np.ndarray  # (n,) the segment's true rotation from standing, + = forward
    lab_axis: np.ndarray  # (3,) lab axis of the rotation (+ = forward by the right-hand rule)


def rep_profile(time_s: np.ndarray, *, n_reps: int, rep_s: float, start_s: float) -> np.ndarray:
    """0 while standing, rising to 1 at the bottom of each rep and back (raised cosine).

    >>> np.round(rep_profile(np.array([0.0, 1.0, 2.0, 3.0]), n_reps=1, rep_s=2.0, start_s=1.0), 3)
    array([0., 0., 1., 0.])
    """
    phase = np.clip((time_s - start_s) / rep_s, 0.0, n_reps)
    return 0.5 * (1.0 - np.cos(2.0 * np.pi * phase))


def simulate_squat_imu(
    *,
    n_reps: int = 10,
    rep_s: float = 2.5,
    amplitude_deg: float = 30.0,
    wink_deg: float = 0.0,
    lever_m: float = 0.0,
    drop_m: float = 0.25,
    gyro_bias_rad_s: tuple[float, float, float] = (0.02, -0.015, 0.01),
    acc_noise: float = 0.05,
    gyr_noise: float = 0.01,
    rate_hz: float = 100.0,
    standing_s: float = 2.0,
    seed: int = 0,
) -> SimulatedImu:
    """A sensor on a segment that tips forward ``amplitude_deg`` in each of ``n_reps`` squats.

    ``wink_deg`` subtracts a short backward rotation at each bottom (a butt wink on a
    pelvis sensor). The mounting orientation is random (``seed``).

    >>> sim = simulate_squat_imu(n_reps=2, seed=3)
    >>> sim.acc.shape == sim.gyr.shape == (sim.time_s.size, 3), round(float(sim.angle_deg.max()))
    (True, 30)
    """
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, 2 * standing_s + n_reps * rep_s, 1.0 / rate_hz)
    w = rep_profile(t, n_reps=n_reps, rep_s=rep_s, start_s=standing_s)
    phase = np.clip((t - standing_s) / rep_s, 0.0, n_reps)
    in_reps = (phase > 0) & (phase < n_reps)
    theta = (
        np.radians(amplitude_deg) * w - np.radians(wink_deg) * np.exp(-((((phase % 1) - 0.5) / 0.08) ** 2)) * in_reps
    )
    axis = np.array([0.0, 1.0, 0.0])  # lab: x forward, y left, z up; + about y tips +z toward +x
    seg = Rotation.from_rotvec(axis[None] * theta[:, None])
    mount = Rotation.from_euler("xyz", rng.uniform(-90, 90, 3), degrees=True)
    sensor = seg * mount
    omega = np.gradient(theta, 1.0 / rate_hz)
    gyr = sensor.inv().apply(axis[None] * omega[:, None])
    pivot = np.column_stack([-0.15 * w, np.zeros_like(w), -drop_m * w])
    pos = pivot + seg.apply(np.array([0.0, 0.0, -lever_m]))
    lin = np.gradient(np.gradient(pos, 1.0 / rate_hz, axis=0), 1.0 / rate_hz, axis=0)
    acc = sensor.inv().apply(lin + np.array([0.0, 0.0, GRAVITY]))
    acc = acc + rng.normal(0.0, acc_noise, acc.shape)
    gyr = gyr + rng.normal(0.0, gyr_noise, gyr.shape) + np.asarray(gyro_bias_rad_s)
    return SimulatedImu(t, rate_hz, acc, gyr, np.degrees(theta), axis)
