"""Exports: write .mot / .trc, read them back with our own readers."""

import numpy as np
import pytest

from squatlab import conventions as cv
from squatlab.errors import InputError
from squatlab.io.export import write_mot, write_trc
from squatlab.io.markerset import trial_from_markers
from squatlab.io.opensim import read_mot
from squatlab.io.trc import read_trc
from squatlab.trial import Channel, Landmarks, Source, Trial

T = np.arange(0, 3, 1 / 30)
BUMP = 0.5 * (1 - np.cos(2 * np.pi * T / 3))


def trial_with_angles():
    values = {
        cv.PELVIS_TILT_ABS: 12 + 25 * BUMP,
        cv.LUMBAR_FLEXION_ABS: -20 + 30 * BUMP,
        cv.PELVIS_TILT: 25 * BUMP,
        cv.KNEE_FLEXION: 110 * BUMP,
        cv.HIP_FLEXION: 100 * BUMP,
        cv.SHIN_ANGLE: 30 * BUMP,
        cv.TRUNK_INCLINATION: 5 + 40 * BUMP,
        cv.HIP_HEIGHT: 1 - 0.4 * BUMP,
    }
    values[cv.KNEE_FLEXION][10:13] = np.nan
    channels = {k: Channel.measured(v, unit=cv.CHANNELS[k].unit) for k, v in values.items()}
    channels[cv.LUMBAR_FLEXION] = Channel.absent(T.size, "not measured")
    return Trial(T, Source("in.mp4", "video", 30.0, float(T[-1]), T.size), channels)


def test_mot_round_trip(tmp_path):
    trial = trial_with_angles()
    path = write_mot(trial, tmp_path / "angles.mot")
    text = path.read_text()
    assert "inDegrees=yes" in text and "endheader" in text and f"nRows={T.size}" in text
    header = text.split("endheader\n")[1].splitlines()[0].split("\t")
    assert header[:3] == ["time", "pelvis_tilt", "lumbar_extension"] and cv.LUMBAR_FLEXION not in header
    # OpenSim signs on the way out.
    first = dict(zip(header, text.split("endheader\n")[1].splitlines()[1].split("\t"), strict=True))
    assert float(first["pelvis_tilt"]) == pytest.approx(-12)
    back = read_mot(path)
    for name, ch in trial.channels.items():
        if ch.is_absent:
            continue
        got = back.channels[name].values
        assert np.allclose(got, ch.values, atol=1e-5, equal_nan=True), name
    assert np.allclose(back.time_s, T, atol=1e-9)


def landmark_trial():
    # A side view: hip above knee above ankle, knee moving forward (+x) as the lifter squats.
    n = T.size
    names = ("left_hip", "left_knee", "left_ankle", "left_shoulder")
    xy = np.zeros((n, 4, 2))
    ankle = np.array([300.0, 900.0])
    knee = ankle + 200 * np.column_stack([np.sin(np.radians(30 * BUMP)), -np.cos(np.radians(30 * BUMP))])
    hip = knee + 210 * np.column_stack([-np.sin(np.radians(90 * BUMP)), -np.cos(np.radians(90 * BUMP))])
    xy[:, 0], xy[:, 1], xy[:, 2] = hip, knee, ankle
    xy[:, 3] = hip + np.array([0.0, -250.0])
    xy[5, 3] = np.nan
    lm = Landmarks(names, xy, np.ones((n, 4)), (608, 1080))
    return Trial(T, Source("in.mp4", "video", 30.0, float(T[-1]), n), landmarks=lm), xy


def test_trc_round_trip(tmp_path):
    trial, xy = landmark_trial()
    path = write_trc(trial, tmp_path / "pose.trc")
    data = read_trc(path)
    assert data.labels == trial.landmarks.names and data.unit == "px" and data.rate_hz == pytest.approx(30.0)
    assert np.allclose(data.xyz[:, :, 0], xy[..., 0], atol=1e-3, equal_nan=True)
    assert np.allclose(data.xyz[:, :, 1], 1080 - xy[..., 1], atol=1e-3, equal_nan=True)  # y up
    assert np.isnan(data.xyz[5, 3]).all()
    again = trial_from_markers(data)
    assert np.allclose(again.channels[cv.KNEE_FLEXION].values, 120 * BUMP, atol=0.5)
    assert again.channels[cv.PELVIS_TILT_ABS].is_absent


def test_trc_needs_landmarks(tmp_path):
    with pytest.raises(InputError, match="no landmarks"):
        write_trc(trial_with_angles(), tmp_path / "x.trc")
