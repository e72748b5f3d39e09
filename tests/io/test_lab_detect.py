"""Format detection, the one lab loader, and the user marker map."""

import json
from pathlib import Path

import numpy as np
import pytest

from squatlab import conventions as cv
from squatlab.errors import InputError
from squatlab.io import detect_format, load_lab_trial, load_marker_map

SHARED = Path(__file__).resolve().parents[2] / "../shared/data"
MOT = SHARED / "mocap/opencap_squat/squats1_videoAndMocap.mot"
needs_shared = pytest.mark.skipif(not MOT.exists(), reason="../shared/data is not available")

TRC_HEAD = (
    "PathFileType\t4\t(X/Y/Z)\tx.trc\nDataRate\tUnits\n100\tmm\nFrame#\tTime\tLASI\n\t\tX1\tY1\tZ1\n1\t0\t1\t2\t3\n"
)
MOT_HEAD = "Coordinates\nversion=1\ninDegrees=yes\nendheader\ntime\tpelvis_tilt\n0\t-3\n0.01\t-3\n"


def put(tmp_path: Path, name: str, data: bytes | str) -> Path:
    p = tmp_path / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode())
    return p


def test_by_extension_and_content(tmp_path):
    assert detect_format(put(tmp_path, "a.trc", TRC_HEAD)) == "trc"
    assert detect_format(put(tmp_path, "a.sto", MOT_HEAD)) == "mot"
    assert detect_format(put(tmp_path, "a.csv", "time,s0_ax\n0,1\n")) == "imu"
    # Content beats a misleading extension.
    assert detect_format(put(tmp_path, "markers.csv", TRC_HEAD)) == "trc"
    assert detect_format(put(tmp_path, "ik.txt", MOT_HEAD)) == "mot"
    assert detect_format(put(tmp_path, "clip.bin", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 40)) == "video"
    assert detect_format(put(tmp_path, "clip.mov", b"\x00" * 64)) == "video"
    assert detect_format(put(tmp_path, "lab.dat", b"\x02\x50" + b"\x00" * 600)) == "c3d"


def test_explicit_format_and_errors(tmp_path):
    p = put(tmp_path, "x.csv", "time,s0_ax\n0,1\n")
    assert detect_format(p, "STO") == "mot" and detect_format(p, "csv") == "imu"
    with pytest.raises(InputError, match="unknown format"):
        detect_format(p, "fbx")
    with pytest.raises(InputError, match="no such file"):
        detect_format(tmp_path / "missing.c3d")
    with pytest.raises(InputError, match="empty"):
        detect_format(put(tmp_path, "e.c3d", b""))
    with pytest.raises(InputError, match="cannot tell the format"):
        detect_format(put(tmp_path, "x.xyz", "hello"))


def test_load_lab_trial_refuses_video(tmp_path):
    with pytest.raises(InputError, match="a video"):
        load_lab_trial(put(tmp_path, "v.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 40))


def test_marker_map_files(tmp_path):
    j = put(tmp_path, "map.json", json.dumps({"LASI": "PelvisFrontLeft"}))
    t = put(tmp_path, "map.toml", '[markers]\nRASI = "PelvisFrontRight"\n')
    assert load_marker_map(j) == {"LASI": "PelvisFrontLeft"}
    assert load_marker_map(t) == {"RASI": "PelvisFrontRight"}
    with pytest.raises(InputError, match="unknown canonical names"):
        load_marker_map(put(tmp_path, "bad.json", json.dumps({"ASIS_L": "x"})))
    with pytest.raises(InputError, match="cannot read marker map"):
        load_marker_map(put(tmp_path, "broken.json", "{"))


def test_static_mot_gives_the_baseline(tmp_path):
    t = np.arange(0, 1, 0.01)
    rows = "\n".join(f"{x:.2f}\t{-12 + 0.1 * np.sin(9 * x):.4f}\t{-5:.1f}" for x in t)
    static = put(
        tmp_path, "static.mot", "s\nversion=1\ninDegrees=yes\nendheader\ntime\tpelvis_tilt\tlumbar_extension\n" + rows
    )
    trial = load_lab_trial(static, static=static)
    assert trial.baseline[cv.PELVIS_TILT_ABS] == pytest.approx(12, abs=0.1)
    assert trial.baseline[cv.LUMBAR_FLEXION_ABS] == pytest.approx(5)
    assert any(n.code == "static_baseline" for n in trial.notices)


@needs_shared
def test_loads_the_opencap_file():
    trial = load_lab_trial(MOT)
    assert trial.source.kind == "mot" and trial.n_frames == 801
