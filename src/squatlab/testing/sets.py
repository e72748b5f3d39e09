"""Synthetic squat sets with known answers, for tests and demos.

A planar model of a squat set: quiet standing, then reps (descent, bottom pause, ascent,
standing gap). Depth progress ``p`` runs 0 -> 1 -> 0 along a half cosine; hip and knee
flexion, trunk lean and thigh angle follow it. Pelvis tilt tips forward with the trunk
(``pelvis_per_trunk``); lumbar flexion is trunk lean minus pelvis tilt (both relative to
standing), so the two stay coupled as in life. A butt wink stops the pelvis at its
descent peak at the onset and rotates it back by ``wink_deg`` by the bottom; an arch adds
``arch_deg`` of anterior tilt and lumbar extension from the set-up on.

Noise, when asked for, is the kind the findings must not mistake for a finding: slow
postural drift (sum of random sinusoids, periods 2-20 s, SD ``drift_deg``) plus the
source's error (white noise low-passed at 6 Hz, SD = the error, plus a depth-proportional
bias of SD half the error per rep).
"""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, filtfilt

from squatlab import conventions as cv
from squatlab.trial import Channel, Context, Rep, Source, Trial


def _half_cosine(x: np.ndarray) -> np.ndarray:
    return (1.0 - np.cos(np.pi * np.clip(x, 0.0, 1.0))) / 2.0


def _drift(t: np.ndarray, sd: float, rng: np.random.Generator) -> np.ndarray:
    if sd <= 0:
        return np.zeros_like(t)
    periods = rng.uniform(2.0, 20.0, 4)
    wave = sum(np.sin(2 * np.pi * t / period + rng.uniform(0, 2 * np.pi)) for period in periods)
    return sd * wave / np.sqrt(len(periods) / 2.0)


def _error(n: int, fps: float, sd: float, rng: np.random.Generator) -> np.ndarray:
    if sd <= 0:
        return np.zeros(n)
    b, a = butter(2, min(0.99, 6.0 / (fps / 2.0)))
    noise = filtfilt(b, a, rng.standard_normal(n))
    return sd * noise / np.std(noise)


def synthetic_set(
    *,
    n_reps: int = 5,
    fps: float = 30.0,
    stand_s: float = 1.5,
    descent_s: float = 1.4,
    pause_s: float = 0.3,
    ascent_s: float = 1.2,
    gap_s: float = 0.8,
    hip_max_deg: float = 115.0,
    knee_max_deg: float = 120.0,
    trunk_max_deg: float = 40.0,
    thigh_max_deg: float = 100.0,
    shin_max_deg: float = 35.0,
    pelvis_per_trunk: float = 0.6,
    depth_jitter: float = 0.0,
    wink_deg: float = 0.0,
    wink_onset_frac: float = 0.65,
    wink_onset_hip_deg: float | None = None,
    limit: str = "hip",
    ankle_lead_s: float = 0.15,
    arch_deg: float = 0.0,
    arch_through: bool = False,
    noise: bool = False,
    drift_deg: float = 3.0,
    pelvis_error_deg: float = 2.0,
    lumbar_error_deg: float = 3.0,
    angle_noise_deg: float = 0.0,
    conf: float = 1.0,
    omit: tuple[str, ...] = (),
    kind: str = "synthetic",
    context: Context | None = None,
    seed: int = 0,
) -> Trial:
    """A synthetic set with known butt wink, arch and cause; the truth is in ``source.details["truth"]``.

    Parameters (the main ones)
    --------------------------
    wink_deg : float
        Posterior rotation of the pelvis from its descent peak to the bottom (deg).
    wink_onset_frac, wink_onset_hip_deg : float
        When the wink begins: at this fraction of the descent time, or (if given) when hip
        flexion reaches this angle, which gives the same onset angle in reps of different depth.
    limit : "hip" | "ankle"
        "ankle": the shin stops moving forward ``ankle_lead_s`` before the wink begins;
        "hip": the shin keeps moving forward to the bottom.
    arch_deg, arch_through : float, bool
        Extra anterior tilt and lumbar extension, held from the set-up (or growing with depth).
    noise : bool
        Add postural drift and the source's own error (see the module docstring).
    omit : tuple of str
        Channel names to mark absent.

    Examples
    --------
    >>> trial = synthetic_set(n_reps=2, wink_deg=15.0)
    >>> len(trial.reps), round(trial.source.details["truth"][0]["wink_deg"], 1)
    (2, 15.0)
    """
    rng = np.random.default_rng(seed)
    rep_s = descent_s + pause_s + ascent_s + gap_s
    duration = stand_s + n_reps * rep_s
    t = np.arange(round(duration * fps)) / fps
    curves = {name: np.zeros(t.size) for name in (*cv.JOINT_ANGLES, cv.PELVIS_TILT, cv.LUMBAR_FLEXION)}
    curves[cv.HIP_DEPTH] = np.full(t.size, -1.0)
    curves[cv.KNEE_PAST_TOES] = np.full(t.size, -0.3)
    progress = np.zeros(t.size)
    arched = np.zeros(t.size)  # extra anterior tilt = extra lumbar extension, set-up included
    reps, truth = [], []
    for i in range(n_reps):
        t0 = stand_s + i * rep_s
        scale = 1.0 + depth_jitter * rng.standard_normal()
        model = _RepModel(t0, descent_s, pause_s, ascent_s, scale)
        in_rep = (t >= t0) & (t <= t0 + descent_s + pause_s + ascent_s)
        p = model.progress(t)
        progress = np.where(in_rep, p, progress)
        hip = hip_max_deg * scale * p
        onset_t = model.onset_time(wink_onset_frac, wink_onset_hip_deg, hip_max_deg * scale)
        shin = _shin(t, model, onset_t, limit, ankle_lead_s, shin_max_deg * scale)
        trunk = trunk_max_deg * scale * p
        pelvis = _pelvis(t, model, onset_t, pelvis_per_trunk * trunk, wink_deg)
        arched += _arch(t, model, arch_deg, arch_through, p)
        thigh = np.radians(min(thigh_max_deg * scale, 175.0) * p)
        for name, values in (
            (cv.HIP_FLEXION, hip),
            (cv.KNEE_FLEXION, knee_max_deg * scale * p),
            (cv.SHIN_ANGLE, shin),
            (cv.TRUNK_INCLINATION, trunk),
            (cv.PELVIS_TILT, pelvis),
            (cv.LUMBAR_FLEXION, trunk - pelvis),
            (cv.HIP_DEPTH, -np.cos(thigh)),
            (cv.KNEE_PAST_TOES, -0.3 + shin / 60.0),
        ):
            curves[name] = np.where(in_rep, values, curves[name])
        reps.append(model.rep(i + 1, t, stand_s, hip_max_deg * scale))
        onset_frame = int(np.argmin(np.abs(t - onset_t)))
        truth.append(
            {
                "index": i + 1,
                "wink_deg": wink_deg,
                "onset_s": onset_t if wink_deg > 0 else None,
                "onset_hip_flexion_deg": float(hip[onset_frame]),
                "onset_hip_depth_thigh": float(-np.cos(thigh[onset_frame])),
                "arch_deg": arch_deg,
            }
        )
    curves[cv.PELVIS_TILT] += arched
    curves[cv.LUMBAR_FLEXION] -= arched
    if noise:
        curves[cv.PELVIS_TILT] += _drift(t, drift_deg, rng) + _error(t.size, fps, pelvis_error_deg, rng)
        curves[cv.PELVIS_TILT] += pelvis_error_deg / 2 * rng.standard_normal() * progress
        curves[cv.LUMBAR_FLEXION] += _drift(t, drift_deg, rng) + _error(t.size, fps, lumbar_error_deg, rng)
        curves[cv.LUMBAR_FLEXION] += lumbar_error_deg / 2 * rng.standard_normal() * progress
        for name in cv.JOINT_ANGLES:
            curves[name] += _error(t.size, fps, angle_noise_deg, rng)
    units = {cv.HIP_DEPTH: "thigh lengths", cv.KNEE_PAST_TOES: "foot lengths"}
    channels = {
        name: Channel.absent(t.size, "not simulated", units.get(name, "deg"))
        if name in omit
        else Channel.measured(values, conf, units.get(name, "deg"))
        for name, values in curves.items()
    }
    source = Source(
        "synthetic",
        kind,
        fps,
        float(duration),
        int(t.size),
        pelvis_error_deg=pelvis_error_deg,
        lumbar_error_deg=lumbar_error_deg,
        details={"truth": truth},
    )
    return Trial(
        t, source, channels, reps=tuple(reps), baseline={cv.TRUNK_INCLINATION: 0.0}, context=context or Context()
    )


class _RepModel:
    """The timing of one rep: descent, bottom pause, ascent, from ``t0``."""

    def __init__(self, t0: float, descent_s: float, pause_s: float, ascent_s: float, scale: float) -> None:
        self.t0, self.descent_s, self.pause_s, self.ascent_s, self.scale = t0, descent_s, pause_s, ascent_s, scale
        self.bottom_start = t0 + descent_s
        self.bottom_end = self.bottom_start + pause_s
        self.end = self.bottom_end + ascent_s

    def progress(self, t: np.ndarray) -> np.ndarray:
        down = _half_cosine((t - self.t0) / self.descent_s)
        up = 1.0 - _half_cosine((t - self.bottom_end) / self.ascent_s)
        return np.where(t < self.bottom_end, down, up) * ((t >= self.t0) & (t <= self.end))

    def mirror(self, t: np.ndarray) -> np.ndarray:
        """Descent time with the same depth as ``t`` (the ascent mirrors the descent)."""
        frac_up = (t - self.bottom_end) / self.ascent_s
        mirrored = self.t0 + (1.0 - frac_up) * self.descent_s
        return np.where(t <= self.bottom_start, t, np.where(t <= self.bottom_end, self.bottom_start, mirrored))

    def onset_time(self, frac: float, hip_deg: float | None, hip_max: float) -> float:
        if hip_deg is None:
            return self.t0 + frac * self.descent_s
        p = np.clip(hip_deg / hip_max, 0.0, 1.0)
        return self.t0 + float(np.arccos(1.0 - 2.0 * p) / np.pi) * self.descent_s

    def rep(self, index: int, t: np.ndarray, stand_s: float, depth: float) -> Rep:
        def frame(x: float) -> int:
            return int(np.argmin(np.abs(t - x)))

        bottom = (self.bottom_start + self.bottom_end) / 2
        return Rep(
            index=index,
            start_frame=frame(self.t0),
            bottom_frame=frame(bottom),
            end_frame=frame(self.end),
            start_s=float(t[frame(self.t0)]),
            bottom_s=float(t[frame(bottom)]),
            end_s=float(t[frame(self.end)]),
            bottom_start_s=self.bottom_start,
            bottom_end_s=self.bottom_end,
            depth=depth,
            standing=(0.0, stand_s),
        )


def _pelvis(t: np.ndarray, model: _RepModel, onset_t: float, normal: np.ndarray, wink_deg: float) -> np.ndarray:
    """Normal forward tilt with the trunk; with a wink, held at the onset value then rotated back."""
    if wink_deg <= 0:
        return normal
    ts = model.mirror(t)
    at_onset = np.interp(onset_t, t, normal)
    ramp = _half_cosine((ts - onset_t) / max(model.bottom_start - onset_t, 1e-6))
    winked = at_onset - wink_deg * ramp
    return np.where(ts > onset_t, winked, normal)


def _shin(t: np.ndarray, model: _RepModel, onset_t: float, limit: str, lead_s: float, shin_max: float) -> np.ndarray:
    """Shin angle: follows depth; with an ankle limit it stops ``lead_s`` before the wink onset."""
    p = model.progress(t)
    if limit != "ankle":
        return shin_max * p
    stop = _half_cosine((onset_t - lead_s - model.t0) / model.descent_s)
    return shin_max * np.minimum(p, stop)


def _arch(t: np.ndarray, model: _RepModel, arch_deg: float, through: bool, p: np.ndarray) -> np.ndarray:
    """Extra anterior tilt of an arched back: set up over 0.3 s ending 0.4 s before the descent, out after it."""
    if arch_deg <= 0:
        return np.zeros_like(t)
    ramp_in = np.clip((t - (model.t0 - 0.7)) / 0.3, 0.0, 1.0)
    ramp_out = np.clip((model.end + 0.2 - t) / 0.2, 0.0, 1.0)
    shape = np.minimum(ramp_in, ramp_out)
    return arch_deg * (p if through else shape)
