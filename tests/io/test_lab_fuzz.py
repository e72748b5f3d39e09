"""Light fuzzing of the readers: any input gives a Trial or an InputError, nothing else.

Random text exercises the parsers' front doors; mutations of a valid file (lines dropped,
repeated or swapped, characters replaced, the file cut) get past them into the angle code.
"""

import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from squatlab.errors import InputError
from squatlab.io.c3d import read_c3d
from squatlab.io.imu import read_imu
from squatlab.io.markerset import trial_from_markers
from squatlab.io.opensim import read_mot
from squatlab.io.trc import read_trc
from squatlab.testing.markers import squat_markers
from squatlab.trial import Trial

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CHARS = st.sampled_from(list("0123456789.-+eE,;\t \n:=#abcxyzNn"))
NUMBER = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=32).map(lambda v: f"{v:g}"),
    st.integers(-5, 5000).map(str),
    st.sampled_from(["", "nan", "abc", "1e400", "-0"]),
)

TRC_HEAD = (
    "PathFileType\t4\t(X/Y/Z)\tf.trc\n"
    "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames\n"
    "100\t100\t3\t3\tmm\t100\t1\t3\n"
    "Frame#\tTime\tLHip\t\t\tLKnee\t\t\tLAnkle\t\t\n"
    "\t\tX1\tY1\tZ1\tX2\tY2\tZ2\tX3\tY3\tZ3\n\n"
)
MOT_HEAD = "Coordinates\nversion=1\ninDegrees=yes\nendheader\ntime\tpelvis_tilt\tknee_angle_r\n"
CSV_HEAD = "time,s0_ax,s0_ay,s0_az,s0_gx,s0_gy,s0_gz\n"


def rows(n_cols: int, sep: str):
    return st.lists(st.lists(NUMBER, min_size=n_cols - 1, max_size=n_cols + 1).map(sep.join), max_size=40).map(
        "\n".join
    )


def run(data: str | bytes, suffix: str, reader) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"fuzz{suffix}"
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
        try:
            out = reader(path)
        except InputError as exc:
            assert str(exc) and "\n" not in str(exc)
            return
        assert isinstance(out, Trial)


def trc_trial(path):
    return trial_from_markers(read_trc(path))


def imu_trial(path):
    return read_imu(path)


@FUZZ
@given(st.one_of(st.text(CHARS, max_size=300), rows(11, "\t").map(lambda r: TRC_HEAD + r)))
def test_trc_reader_never_crashes(text):
    run(text, ".trc", trc_trial)


@FUZZ
@given(st.one_of(st.text(CHARS, max_size=300), rows(3, "\t").map(lambda r: MOT_HEAD + r)))
def test_mot_reader_never_crashes(text):
    run(text, ".mot", read_mot)


@FUZZ
@given(st.one_of(st.text(CHARS, max_size=300), rows(7, ",").map(lambda r: CSV_HEAD + r)))
def test_imu_reader_never_crashes(text):
    run(text, ".csv", imu_trial)


# --- mutations of valid files -------------------------------------------------------------

RATE_HZ = 50.0
N_FRAMES = 100  # two squats


def two_squats(up_axis: str = "z") -> dict[str, np.ndarray]:
    t = np.arange(N_FRAMES) / RATE_HZ
    depth = 0.5 * (1 - np.cos(2 * np.pi * t))
    m = squat_markers(
        pelvis_deg=15 * depth, thigh_deg=80 * depth, shank_deg=25 * depth, trunk_deg=30 * depth, up_axis=up_axis
    )
    return {k: v * 1000.0 for k, v in m.items() if k not in ("LHJC", "RHJC")}


@cache
def valid_trc() -> str:
    m = two_squats("y")
    lines = [
        "PathFileType\t4\t(X/Y/Z)\tsquat.trc",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
        f"{RATE_HZ}\t{RATE_HZ}\t{N_FRAMES}\t{len(m)}\tmm\t{RATE_HZ}\t1\t{N_FRAMES}",
        "Frame#\tTime\t" + "\t\t\t".join(m),
        "\t\t" + "\t".join(f"X{i + 1}\tY{i + 1}\tZ{i + 1}" for i in range(len(m))),
        "",
    ]
    for i in range(N_FRAMES):
        cells = [str(i + 1), f"{i / RATE_HZ:.4f}", *(f"{v:.2f}" for xyz in m.values() for v in xyz[i])]
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


@cache
def valid_mot() -> str:
    t = np.arange(N_FRAMES) / RATE_HZ
    depth = 0.5 * (1 - np.cos(2 * np.pi * t))
    cols = {"time": t, "pelvis_tilt": -15 * depth, "lumbar_extension": -10 * depth, "hip_flexion_r": 90 * depth}
    cols["knee_angle_r"] = 100 * depth
    header = f"Coordinates\nversion=1\nnRows={N_FRAMES}\nnColumns={len(cols)}\ninDegrees=yes\nendheader\n"
    rows = "\n".join("\t".join(f"{cols[c][i]:.4f}" for c in cols) for i in range(N_FRAMES))
    return header + "\t".join(cols) + "\n" + rows + "\n"


MUTATION = st.tuples(
    st.sampled_from(["drop_line", "repeat_line", "swap_lines", "replace_char", "insert_token", "cut"]),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.one_of(CHARS, NUMBER),
)


def mutate(text: str, mutations: list[tuple[str, int, int, str]]) -> str:
    for op, a, b, token in mutations:
        lines = text.split("\n")
        i, j = a % len(lines), b % len(lines)
        if op == "drop_line":
            del lines[i]
        elif op == "repeat_line":
            lines.insert(i, lines[i])
        elif op == "swap_lines":
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "replace_char" and lines[i]:
            k = b % len(lines[i])
            lines[i] = lines[i][:k] + token + lines[i][k + 1 :]
        elif op == "insert_token":
            k = b % (len(lines[i]) + 1)
            lines[i] = lines[i][:k] + token + lines[i][k:]
        elif op == "cut":
            return text[: a % (len(text) + 1)]
        text = "\n".join(lines)
    return text


@FUZZ
@given(st.lists(MUTATION, min_size=1, max_size=4))
def test_mutated_trc_never_crashes(mutations):
    run(mutate(valid_trc(), mutations), ".trc", trc_trial)


@FUZZ
@given(st.lists(MUTATION, min_size=1, max_size=4))
def test_mutated_mot_never_crashes(mutations):
    run(mutate(valid_mot(), mutations), ".mot", read_mot)


def test_unmutated_files_are_valid(tmp_path):
    """The mutations start from files that read: otherwise the fuzzing above tests nothing."""
    (tmp_path / "ok.trc").write_text(valid_trc())
    (tmp_path / "ok.mot").write_text(valid_mot())
    assert not trc_trial(tmp_path / "ok.trc").channels["pelvis_tilt_abs_deg"].is_absent
    assert not read_mot(tmp_path / "ok.mot").channels["lumbar_flexion_abs_deg"].is_absent


# --- C3D: byte-level mutations ---------------------------------------------------------------

C3D_BLOCK = 512


@cache
def valid_c3d() -> bytes:
    ezc3d = pytest.importorskip("ezc3d")
    m = two_squats()
    c3d = ezc3d.c3d()
    c3d["parameters"]["POINT"]["RATE"]["value"] = [RATE_HZ]
    c3d["parameters"]["POINT"]["LABELS"]["value"] = tuple(m)
    c3d["parameters"]["POINT"]["UNITS"]["value"] = ["mm"]
    points = np.ones((4, len(m), N_FRAMES))
    for j, xyz in enumerate(m.values()):
        points[:3, j] = xyz.T
    c3d["data"]["points"] = points
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "valid.c3d"
        c3d.write(str(path))
        return path.read_bytes()


def parameter_section(data: bytes) -> range:
    """Where the parameter blocks lie: byte 1 of the header points to the first, its byte 3 counts them."""
    start = (data[0] - 1) * C3D_BLOCK
    return range(start, start + data[start + 2] * C3D_BLOCK)


def c3d_trial(path):
    return trial_from_markers(read_c3d(path))


@FUZZ
@given(
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=6),
    st.one_of(st.none(), st.integers(0, 10**6)),
)
def test_mutated_c3d_never_crashes(changes, cut):
    """Bytes changed in the header block or the data, and the file cut anywhere but in its parameters.

    The parameter section, and the header byte that points to it, are left alone here:
    ezc3d crashes or hangs on them (see the next test).
    """
    data = bytearray(valid_c3d())
    params = parameter_section(data)
    for position, value in changes:
        at = position % len(data)
        if at > 0 and at not in params:
            data[at] = value
    end = None if cut is None else cut % (len(data) + 1)
    if end is not None and not params.start < end < params.stop:
        data = data[:end]
    run(bytes(data), ".c3d", c3d_trial)


# Found by scanning every single-byte change and cut of a valid file's parameter section,
# each in a child process: the first group's description length set to 255, or the file
# cut 8 bytes into the section, crash ezc3d (segmentation fault); the first group's name
# length set to 0x80 (-128), or the file cut mid-section, make it loop for minutes. Crashes
# come first so that, while the bug stands, the test fails fast.
_C3D_BREAKERS = (
    ("byte", C3D_BLOCK + 13, 0xFF),  # crash
    ("cut", C3D_BLOCK + 8, None),  # crash
    ("byte", C3D_BLOCK + 4, 0x80),  # loop
    ("cut", C3D_BLOCK + 358, None),  # loop
)
_READ_ONE = (
    "import sys\nfrom squatlab.errors import InputError\nfrom squatlab.io.c3d import read_c3d\n"
    "try:\n    read_c3d(sys.argv[1])\nexcept InputError:\n    pass\n"
)


def test_corrupt_c3d_parameters_do_not_crash(tmp_path):
    for kind, position, value in _C3D_BREAKERS:
        data = bytearray(valid_c3d())
        if kind == "cut":
            data = data[:position]
        else:
            assert data[position] != value
            data[position] = value
        path = tmp_path / f"corrupt_{kind}_{position}.c3d"
        path.write_bytes(bytes(data))
        run = subprocess.run([sys.executable, "-c", _READ_ONE, str(path)], capture_output=True, timeout=20, check=False)
        assert run.returncode == 0, f"{kind} at byte {position}: exit {run.returncode}"
