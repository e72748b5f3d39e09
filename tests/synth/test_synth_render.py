"""A tiny render: video, CSV and sidecar are written, and the truth points lie on the person.

Needs the ``synth`` extra (torch, anny, pyrender) and EGL; skipped without the extra.
The first run on a machine builds anny's model cache (about a minute).
"""

import json

import numpy as np
import pandas as pd
import pytest

for _module in ("torch", "anny", "pyrender"):
    pytest.importorskip(_module, reason=f"the synth extra is not installed ({_module} missing)")

from scipy import ndimage  # noqa: E402

from squatlab.synth.body import POINT_BONES, load_body, pose_body  # noqa: E402
from squatlab.synth.motion import SquatParams, squat_motion  # noqa: E402
from squatlab.synth.render import load_mask, render_clip  # noqa: E402
from squatlab.synth.spec import ClipSpec  # noqa: E402
from squatlab.synth.truth import JOINT_POINTS, SPINE_POINTS, TRUTH_CHANNELS  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:tostring:DeprecationWarning")  # PyOpenGL 3.1.0 inside pyrender

TINY = SquatParams(
    n_reps=1, fps=8.0, lead_in_s=0.4, setup_s=0.0, descent_s=0.5, bottom_s=0.25, ascent_s=0.4, tail_s=0.2,
    depth=1.0, wink_deg=15.0,
)  # fmt: skip


@pytest.fixture(scope="module")
def tiny_clip(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny")
    spec = ClipSpec("tiny", body="male_average", squat=TINY, width=192, height=144)
    video = render_clip(spec, out, write_mask=True)
    return spec, video, out


def test_writes_video_csv_sidecar_and_mask(tiny_clip):
    import av

    spec, video, out = tiny_clip
    n = round(spec.squat.duration_s * spec.squat.fps)
    with av.open(str(video)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(frames) == n and frames[0].shape == (144, 192, 3)
    table = pd.read_csv(out / "tiny.csv")
    assert len(table) == n
    assert set(TRUTH_CHANNELS) <= set(table.columns)
    assert {"rep", "phase", "left_hip_x", "right_toe_y", "pelvis_x", "spine02_y"} <= set(table.columns)
    sidecar = json.loads((out / "tiny.json").read_text())
    assert ClipSpec.from_dict(sidecar["spec"]) == spec
    rep = sidecar["reps"][0]
    tilt = table["pelvis_tilt_deg"]
    descent_max = tilt[rep["start_frame"] : rep["bottom_frame"] + 1].max()
    # At 8 fps the descent's frames miss the wink's onset, so the sampled range is a little short of 15.
    assert rep["posterior_tilt_range_deg"] == pytest.approx(tilt[rep["bottom_frame"]] - descent_max, abs=1e-3)
    assert -15.5 < rep["posterior_tilt_range_deg"] < -10.0
    assert sidecar["versions"]["anny"] != "not installed"
    assert load_mask(out / "tiny_mask.npz").shape == (n, 144, 192)


def test_projected_points_lie_inside_the_silhouette(tiny_clip):
    _, _, out = tiny_clip
    table = pd.read_csv(out / "tiny.csv")
    masks = load_mask(out / "tiny_mask.npz")
    outside = []
    for i, mask in enumerate(masks):
        grown = ndimage.binary_dilation(mask, iterations=2)  # points on the skin's edge, e.g. the toe tip
        for name in (*JOINT_POINTS, *SPINE_POINTS):
            x, y = round(table.at[i, f"{name}_x"]), round(table.at[i, f"{name}_y"])
            inside = 0 <= y < mask.shape[0] and 0 <= x < mask.shape[1] and grown[y, x]
            if not inside:
                outside.append((i, name))
    assert outside == []


def test_posed_body_matches_the_motion_and_keeps_its_feet_planted():
    body = load_body("female_petite")
    motion = squat_motion(TINY, body.skeleton)
    posed = pose_body(body, motion, np.arange(motion.n_frames))
    for point, bone in POINT_BONES.items():
        np.testing.assert_allclose(
            posed["bone_heads"][:, body.bone_labels.index(bone)], motion.points[point], atol=1e-4
        )
    feet = np.isin(np.array(body.bone_segment)[body.dominant_bone], ("foot_l", "foot_r"))
    drift = np.ptp(posed["vertices"][:, feet], axis=0).max(axis=-1)
    assert np.percentile(drift, 95) < 0.01  # within 1 cm
    assert posed["vertices"][..., 2].min() > -0.01  # nothing sinks through the floor


def test_a_draped_shirt_bridges_the_lumbar_hollow():
    from squatlab.synth.clothing import Outfit, dress, shell_positions, vertex_normals

    body = load_body("female_average")
    motion = squat_motion(TINY, body.skeleton)
    posed = pose_body(body, motion, np.arange(1))["vertices"][0]
    normals = vertex_normals(posed, body.faces)
    sk = body.skeleton
    gaps = {}
    for drape in (0.0, 1.0):
        dressing = dress(body, Outfit(loose_shirt=True, drape=drape))
        shell = shell_positions(dressing, posed, normals)
        near = np.abs(shell[:, 0]) < 0.03
        hollow = near & (np.abs(shell[:, 2] - sk["spine03"][2]) < 0.02)
        skin = (np.abs(posed[:, 0]) < 0.03) & (np.abs(posed[:, 2] - sk["spine03"][2]) < 0.02)
        gaps[drape] = shell[hollow, 1].max() - posed[skin, 1].max()  # +y is behind the body
    assert gaps[0.0] < 0.04  # the plain shell follows the skin's hollow
    assert gaps[1.0] > gaps[0.0] + 0.01  # the draped one hangs free of it


def test_phone_look_hoodie_ponytail_and_photo_background_render(tmp_path):
    from dataclasses import replace

    import av

    from squatlab.synth.clothing import Outfit
    from squatlab.synth.scene import StageSpec

    squat = replace(TINY, thoracic_deg=10.0, lumbar_split=0.3, sway_deg=1.0)
    base = ClipSpec("plain", body="female_petite", squat=squat, width=160, height=120)
    dressed = replace(
        base,
        name="dressed",
        outfit=Outfit(hoodie=True, drape=0.6, long_pants=True, loose_pants=True, ponytail=True, skin="deep"),
        stage=StageSpec(background="photo", seed=3),
        motion_blur=0.3,
        noise_sd=5.0,
        crf=30,
    )
    frames = {}
    for spec in (base, dressed):
        video = render_clip(spec, tmp_path, write_mask=True)
        frames[spec.name] = np.stack([f.to_ndarray(format="rgb24") for f in av.open(str(video)).decode(video=0)])
        assert len(frames[spec.name]) == squat_motion(squat).n_frames
    assert np.abs(frames["plain"].astype(float) - frames["dressed"]).mean() > 5.0
    # The hoodie, trousers and ponytail belong to the person's silhouette.
    assert load_mask(tmp_path / "dressed_mask.npz").sum() > load_mask(tmp_path / "plain_mask.npz").sum()
