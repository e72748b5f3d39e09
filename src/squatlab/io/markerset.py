"""From marker trajectories (C3D, TRC) to a :class:`~squatlab.trial.Trial`.

The readers (:mod:`squatlab.io.c3d`, :mod:`squatlab.io.trc`) return :class:`MarkerData`;
this module maps the labels, bridges short gaps, reports long ones, low-pass filters,
computes the angles (:func:`squatlab.kinematics.markers.sagittal_angles`) and fills the
trial's source, channels and notices.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from squatlab import conventions as cv
from squatlab.errors import InputError
from squatlab.io._messages import one_line
from squatlab.io.marker_names import match_labels
from squatlab.kinematics.filtering import fill_gaps_spline, lowpass, valid_runs
from squatlab.kinematics.markers import MarkerAngles, sagittal_angles
from squatlab.settings import LabSettings
from squatlab.trial import Channel, Notice, Source, Trial

# Metres per unit, for the units marker files declare.
UNIT_TO_M = {"mm": 1e-3, "cm": 1e-2, "m": 1.0, "dm": 0.1, "in": 0.0254}
# Confidence of a sample whose value relied on a bridged (interpolated) marker gap.
FILLED_CONF = 0.7


@dataclass(frozen=True)
class MarkerData:
    """Marker or keypoint trajectories as read from a file.

    ``xyz`` is ``(n_frames, n_markers, 3)`` in ``scale_m`` metres per unit (NaN where
    missing); ``time_s`` starts wherever the file says.
    """

    path: str
    kind: str
    time_s: np.ndarray
    rate_hz: float
    labels: tuple[str, ...]
    xyz: np.ndarray
    unit: str
    scale_m: float | None
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def n_frames(self) -> int:
        return int(self.xyz.shape[0])


@dataclass(frozen=True)
class _Prepared:
    points: dict[str, np.ndarray]
    filled: dict[str, np.ndarray]
    notices: tuple[Notice, ...]
    details: dict[str, Any]


def _gap_notices(data: MarkerData, used: Mapping[str, str], max_gap: int) -> tuple[tuple[Notice, ...], dict]:
    """Notices for marker gaps too long to bridge, grouped by time range; and gap counts."""
    missing = ~np.isfinite(data.xyz).all(axis=2)  # (n, k)
    frames_missing = int(missing.any(axis=1).sum())
    long_gaps: dict[tuple[int, int], list[str]] = {}
    short = 0
    for label in used.values():
        j = data.labels.index(label)
        for a, b in valid_runs(missing[:, j]):
            if a > 0 and b < data.n_frames and b - a <= max_gap:
                short += 1
            else:
                long_gaps.setdefault((a, b), []).append(label)
    t = data.time_s - data.time_s[0]
    dt = 1.0 / data.rate_hz
    notices = [
        Notice(
            "marker_gap",
            f"marker{'s' if len(names) > 1 else ''} {', '.join(sorted(names))} missing "
            f"{t[a]:.2f}-{t[b - 1]:.2f} s ({b - a} frames, {(b - a) * dt:.2f} s): longer than the "
            "gaps bridged by interpolation, left missing",
            float(t[a]),
            float(t[b - 1]),
        )
        for (a, b), names in sorted(long_gaps.items())
    ]
    if frames_missing:
        gappy = [data.labels[j] for j in np.flatnonzero(missing.any(axis=0))]
        notices.insert(
            0,
            Notice(
                "marker_gaps",
                f"{frames_missing} of {data.n_frames} frames miss at least one marker ({', '.join(gappy)})",
            ),
        )
    details = {
        "frames_missing_any_marker": frames_missing,
        "frames_missing_any_used_marker": int(
            missing[:, [data.labels.index(v) for v in used.values()]].any(axis=1).sum()
        )
        if used
        else 0,
        "short_gaps_bridged": short,
        "long_gaps": len(long_gaps),
    }
    return tuple(notices), details


def _prepare(data: MarkerData, marker_map: Mapping[str, str] | None, settings: LabSettings) -> _Prepared:
    used = match_labels(data.labels, marker_map)
    empty = sorted(c for c, label in used.items() if not np.isfinite(data.xyz[:, data.labels.index(label)]).any())
    # A marker that never appears is as good as absent: let the angle code fall back.
    used = {c: label for c, label in used.items() if c not in empty}
    if not used and empty:
        raise InputError(f"{data.path}: the markers ({', '.join(empty[:5])}, ...) carry no samples in any frame")
    if not used:
        raise InputError(
            f"{data.path}: none of the {len(data.labels)} marker labels is known "
            f"(e.g. {', '.join(data.labels[:5])}); pass a marker map (--marker-map)"
        )
    max_gap = round(settings.max_gap_s * data.rate_hz)
    notices, details = _gap_notices(data, used, max_gap)
    scale = data.scale_m if data.scale_m is not None else 1.0
    points, filled = {}, {}
    for canonical, label in used.items():
        xyz = data.xyz[:, data.labels.index(label)] * scale
        bridged, was_filled = fill_gaps_spline(xyz, max_gap)
        points[canonical] = lowpass(
            bridged, np.arange(len(bridged)) / data.rate_hz, cutoff_hz=settings.marker_cutoff_hz
        )
        filled[canonical] = was_filled
    details["markers_used"] = dict(used)
    details["markers_never_seen"] = empty
    return _Prepared(points, filled, notices, details)


def _channels(prep: _Prepared, n: int) -> tuple[dict[str, Channel], MarkerAngles]:
    angles = sagittal_angles(prep.points)
    # The same angles without the bridged samples show which values relied on them.
    unbridged = {k: np.where(prep.filled[k][:, None], np.nan, v) for k, v in prep.points.items()}
    try:
        strict = sagittal_angles(unbridged).channels
    except ValueError:
        strict = {}
    channels: dict[str, Channel] = {}
    for name, values in angles.channels.items():
        unit = cv.CHANNELS[name].unit
        own = strict.get(name, np.full(n, np.nan))
        conf = np.where(np.isfinite(own), 1.0, FILLED_CONF)
        channels[name] = Channel.measured(values, conf, unit=unit)
    for name, reason in angles.absent.items():
        unit = cv.CHANNELS[name].unit
        channels[name] = Channel.absent(n, reason, unit=unit)
    return channels, angles


def _errors(angles: MarkerAngles, settings: LabSettings) -> tuple[float, float]:
    lumbar = {
        "lumbar_markers": settings.marker_lumbar_error_deg,
        "thorax_relative_to_pelvis": settings.thorax_proxy_error_deg,
    }.get(angles.method.get("lumbar", ""), settings.thorax_proxy_error_deg)
    return settings.marker_pelvis_error_deg, lumbar


def trial_from_markers(
    data: MarkerData,
    *,
    marker_map: Mapping[str, str] | None = None,
    settings: LabSettings | None = None,
) -> Trial:
    """Build a trial from marker trajectories.

    Parameters
    ----------
    data : MarkerData
        As returned by :func:`squatlab.io.c3d.read_c3d` or :func:`squatlab.io.trc.read_trc`.
    marker_map : mapping, optional
        ``canonical name -> label in the file`` for marker sets the built-in names miss.
    settings : LabSettings, optional
        Gap and filter limits, and the source errors.

    Returns
    -------
    Trial
        Absolute pelvis tilt and lumbar flexion (``*_abs_deg``), hip, knee, shin and
        trunk angles and hip height where the markers allow, absent channels with a reason
        otherwise; a notice per unbridged gap.
    """
    settings = settings or LabSettings()
    if data.n_frames < 2:
        raise InputError(f"{data.path}: {data.n_frames} frame(s) of marker data; need at least 2")
    prep = _prepare(data, marker_map, settings)
    n = data.n_frames
    try:
        channels, angles = _channels(prep, n)
    except ValueError as exc:
        raise InputError(f"{data.path}: {one_line(exc)}") from exc
    notices = list(prep.notices)
    if angles.method.get("lumbar") == "thorax_relative_to_pelvis":
        notices.append(
            Notice(
                "lumbar_from_thorax",
                "no lumbar markers: lumbar flexion is the thorax's flexion relative to the pelvis "
                "(it includes the lower thoracic spine)",
            )
        )
    pelvis_err, lumbar_err = _errors(angles, settings)
    time_s = data.time_s - data.time_s[0]
    source = Source(
        path=data.path,
        kind=data.kind,
        fps=float(data.rate_hz),
        duration_s=float(time_s[-1]) if n else 0.0,
        frames=n,
        pelvis_error_deg=pelvis_err,
        lumbar_error_deg=lumbar_err,
        details={
            **dict(data.details),
            **prep.details,
            "unit": data.unit,
            "angles": dict(angles.method),
            "lumbar_flexion_method": angles.method.get("lumbar", "absent"),
        },
    )
    return Trial(time_s=time_s, source=source, channels=channels, notices=tuple(notices))


def standing_baseline(trial: Trial) -> dict[str, float]:
    """Mean of each measured channel over a static (standing) trial: the baseline.

    Keys are channel names; the absolute pelvis tilt and lumbar flexion appear under
    ``pelvis_tilt_abs_deg`` and ``lumbar_flexion_abs_deg``.
    """
    out = {}
    for name, channel in trial.channels.items():
        if channel.is_absent or not np.isfinite(channel.values).any():
            continue
        out[name] = float(np.nanmean(channel.values))
    return out
