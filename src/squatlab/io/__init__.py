"""Readers and writers at the edges: video, C3D, TRC, OpenSim .mot/.sto, IMU CSV. Each reader returns a Trial.

Lab and wearable inputs: :func:`detect_format`, :func:`load_lab_trial`,
:func:`parse_imu_sensor_args`, :func:`load_marker_map`; exports in :mod:`squatlab.io.export`.
They are imported on first use, so ``import squatlab.io`` stays light (no pandas/scipy).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {
    "FORMATS": "squatlab.io.lab",
    "detect_format": "squatlab.io.lab",
    "load_lab_trial": "squatlab.io.lab",
    "load_marker_map": "squatlab.io.marker_names",
    "parse_imu_sensor_args": "squatlab.io.imu",
}
__all__ = ["FORMATS", "detect_format", "load_lab_trial", "load_marker_map", "parse_imu_sensor_args"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'squatlab.io' has no attribute {name!r}")
