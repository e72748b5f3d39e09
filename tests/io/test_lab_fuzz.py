"""Light fuzzing of the text readers: any input gives a Trial or an InputError, nothing else."""

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from squatlab.errors import InputError
from squatlab.io.imu import read_imu
from squatlab.io.markerset import trial_from_markers
from squatlab.io.opensim import read_mot
from squatlab.io.trc import read_trc
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


def run(text: str, suffix: str, reader) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"fuzz{suffix}"
        path.write_text(text, encoding="utf-8")
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
