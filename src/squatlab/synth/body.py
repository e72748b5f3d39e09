"""The anny body model: loading it offline, its skeleton, clothing regions, and posing it per frame.

anny (NAVER, Apache-2.0) ships its mesh, rig and skinning weights in its wheel. On its
first start it builds a model cache (~790 MB, about a minute); only the compact model
file (~50 MB) is read afterwards, so the others are deleted. The cache lives in
``$SQUATLAB_CACHE/anny`` (default ``~/.cache/squatlab/anny``), never in the source tree.

Posing uses anny's ``world-orient`` parameterisation: each bone gets its world rotation
(the rotation of its motion segment times its rest orientation), its head follows its
parent, and the root bone's head is placed at the motion's pelvis point.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from squatlab.synth.motion import Motion, Skeleton

# Phenotypes of the bodies the grid uses; anny's values lie in [0, 1].
BODIES: dict[str, dict[str, float]] = {
    "female_average": {"gender": 0.0, "age": 0.5, "muscle": 0.5, "weight": 0.5, "height": 0.5, "proportions": 0.5},
    "female_petite": {"gender": 0.05, "age": 0.45, "muscle": 0.4, "weight": 0.35, "height": 0.3, "proportions": 0.5},
    "male_average": {"gender": 1.0, "age": 0.5, "muscle": 0.55, "weight": 0.5, "height": 0.65, "proportions": 0.5},
    "male_heavy": {"gender": 0.95, "age": 0.6, "muscle": 0.6, "weight": 0.8, "height": 0.6, "proportions": 0.5},
    "male_athletic": {"gender": 1.0, "age": 0.45, "muscle": 0.85, "weight": 0.45, "height": 0.75, "proportions": 0.6},
    "female_curvy": {"gender": 0.0, "age": 0.4, "muscle": 0.45, "weight": 0.72, "height": 0.45, "proportions": 0.35},
    "male_slim": {"gender": 0.9, "age": 0.3, "muscle": 0.35, "weight": 0.25, "height": 0.55, "proportions": 0.55},
}

# The bone where each motion segment starts; bones below it in the rig move with it.
SEGMENT_BONES: dict[str, str] = {
    "root": "pelvis",
    "spine04": "lumbar_lower",
    "spine03": "lumbar_upper",
    "spine02": "thorax",
    "spine01": "upper_thorax",
    "neck01": "neck",
    "head": "head",
    **{f"upperleg01.{s}": f"thigh_{s.lower()}" for s in "LR"},
    **{f"lowerleg01.{s}": f"shank_{s.lower()}" for s in "LR"},
    **{f"foot.{s}": f"foot_{s.lower()}" for s in "LR"},
    **{f"upperarm01.{s}": f"upperarm_{s.lower()}" for s in "LR"},
    **{f"lowerarm01.{s}": f"forearm_{s.lower()}" for s in "LR"},
}
# Skeleton points that are bone heads.
POINT_BONES: dict[str, str] = {
    "pelvis": "root",
    "spine04": "spine04",
    "spine03": "spine03",
    "spine02": "spine02",
    "spine01": "spine01",
    "neck": "neck01",
    "head": "head",
    **{f"{p}_{s.lower()}": f"{b}.{s}" for s in "LR" for p, b in (("hip", "upperleg01"), ("knee", "lowerleg01"))},
    **{f"{p}_{s.lower()}": f"{b}.{s}" for s in "LR" for p, b in (("ankle", "foot"), ("shoulder", "upperarm01"))},
    **{f"{p}_{s.lower()}": f"{b}.{s}" for s in "LR" for p, b in (("elbow", "lowerarm01"), ("wrist", "wrist"))},
}
BAR_RADIUS_M = 0.016


def cache_dir() -> Path:
    """The project's cache folder: ``$SQUATLAB_CACHE`` or ``~/.cache/squatlab``."""
    root = os.environ.get("SQUATLAB_CACHE")
    return Path(root) if root else Path.home() / ".cache" / "squatlab"


@cache
def load_model(cache_root: Path | None = None):  # -> anny.Anny
    """The anny model (torch, CPU, float64), built into the cache on first use; no network."""
    import anny
    import anny.paths

    folder = (cache_root or cache_dir()) / "anny"
    anny.paths.set_anny_cache_path(folder)
    model = anny.Anny(skinning_method="lbs", pose_parameterization="world-orient")
    # The intermediate builds (~740 MB) are only needed to make the compact file.
    for stale in (*folder.glob("*/load_data_*.safetensors"), *folder.glob("*/build_model_data_*.safetensors")):
        stale.unlink(missing_ok=True)
    return model


@dataclass(frozen=True)
class Body:
    """One body shape at rest, ready to pose.

    Positions are in the world frame of :class:`~squatlab.synth.motion.Skeleton` (floor at
    ``z = 0``, mid-ankles at the origin); ``offset`` maps anny's rest frame into it.
    """

    name: str
    phenotype: dict[str, float]
    bone_labels: tuple[str, ...]
    bone_parents: np.ndarray  # (B,)
    bone_segment: tuple[str, ...]  # (B,) the motion segment of each bone
    rest_rotations: np.ndarray  # (B, 3, 3)
    rest_vertices: np.ndarray  # (V, 3) world frame
    faces: np.ndarray  # (F, 3) int
    dominant_bone: np.ndarray  # (V,) index of the bone with the largest skinning weight
    offset: np.ndarray  # (3,)
    skeleton: Skeleton
    height_m: float


def _segments(labels: list[str], parents: list[int]) -> tuple[str, ...]:
    out: list[str] = []
    for i, label in enumerate(labels):
        out.append(SEGMENT_BONES.get(label) or (out[parents[i]] if parents[i] >= 0 else "pelvis"))
    return tuple(out)


def _foot_point(verts: np.ndarray, foot_only: np.ndarray, side_sign: float, *, back: bool) -> np.ndarray:
    """The rearmost heel point or the foremost toe tip among the vertices skinned to one foot."""
    side = foot_only & (np.sign(verts[:, 0]) == side_sign)
    cand = verts[side]
    low = cand[cand[:, 2] < np.percentile(cand[:, 2], 40 if back else 60)]
    return low[np.argmax(low[:, 1])] if back else low[np.argmin(low[:, 1])]


def _bar_point(verts: np.ndarray, heads: dict[str, np.ndarray]) -> np.ndarray:
    """The bar's rest centre: on the skin of the upper back (a high-bar position)."""
    z = heads["spine01"][2] + 0.72 * (heads["neck01"][2] - heads["spine01"][2])
    band = (np.abs(verts[:, 2] - z) < 0.025) & (np.abs(verts[:, 0]) < 0.06)
    return np.array([0.0, verts[band, 1].max() + BAR_RADIUS_M + 0.005, z])


@cache
def load_body(name: str, cache_root: Path | None = None) -> Body:
    """Build a named body (see :data:`BODIES`) at rest and measure its skeleton."""
    import torch

    if name not in BODIES:
        raise ValueError(f"unknown body {name!r}; allowed: {', '.join(BODIES)}")
    model = load_model(cache_root)
    with torch.no_grad():
        out = model(pose_parameters=None, phenotype_kwargs=BODIES[name])
    rest_poses = out["rest_bone_poses"][0].numpy()
    verts = out["rest_vertices"][0].numpy()
    labels = list(model.bone_labels)
    parents = list(model.bone_parents)
    heads = {label: rest_poses[i, :3, 3] for i, label in enumerate(labels)}
    offset = np.array(
        [0.0, -0.5 * (heads["foot.L"][1] + heads["foot.R"][1]), -verts[:, 2].min()],
    )
    weights = model.vertex_bone_weights.numpy()
    indices = model.vertex_bone_indices.numpy()
    dominant = indices[np.arange(len(indices)), weights.argmax(axis=1)]
    foot_bones = [i for i, lab in enumerate(labels) if lab.startswith(("foot.", "toe"))]
    foot_only = np.all(np.isin(indices, foot_bones) | (weights < 1e-6), axis=1)
    world = verts + offset
    points = {key: heads[bone] + offset for key, bone in POINT_BONES.items()}
    for side, sign in (("l", 1.0), ("r", -1.0)):
        points[f"heel_{side}"] = _foot_point(world, foot_only, sign, back=True)
        points[f"toe_{side}"] = _foot_point(world, foot_only, sign, back=False)
    points["bar"] = _bar_point(world, {k: v + offset for k, v in heads.items()})
    return Body(
        name=name,
        phenotype=dict(BODIES[name]),
        bone_labels=tuple(labels),
        bone_parents=np.array(parents),
        bone_segment=_segments(labels, parents),
        rest_rotations=rest_poses[:, :3, :3].copy(),
        rest_vertices=world,
        faces=model.get_triangular_faces().numpy().astype(np.int64),
        dominant_bone=dominant,
        offset=offset,
        skeleton=Skeleton(points),
        height_m=float(np.ptp(verts[:, 2])),
    )


def bone_world_poses(body: Body, motion: Motion, frames: slice | np.ndarray) -> np.ndarray:
    """anny ``world-orient`` pose parameters for some frames, shape ``(n, B, 4, 4)``."""
    rot = {seg: np.asarray(r)[frames] for seg, r in motion.rotations.items()}
    n = next(iter(rot.values())).shape[0]
    poses = np.tile(np.eye(4), (n, len(body.bone_labels), 1, 1))
    for i, seg in enumerate(body.bone_segment):
        poses[:, i, :3, :3] = rot[seg] @ body.rest_rotations[i]
    # World-orient reads the translation of the root only; anny's rest frame is offset.
    poses[:, 0, :3, 3] = np.asarray(motion.points["pelvis"])[frames]
    return poses


def pose_body(body: Body, motion: Motion, frames: slice | np.ndarray, cache_root: Path | None = None) -> dict:
    """Posed vertices ``(n, V, 3)`` and bone heads ``(n, B, 3)`` (float32, world frame) for some frames."""
    import torch

    model = load_model(cache_root)
    poses = torch.from_numpy(bone_world_poses(body, motion, frames))
    with torch.no_grad():
        out = model(pose_parameters=poses, phenotype_kwargs=body.phenotype)
    return {
        "vertices": out["vertices"].numpy().astype(np.float32),
        "bone_heads": out["bone_poses"][..., :3, 3].numpy().astype(np.float32),
    }
