"""Clothing as vertex colours on the body, and a loose shirt as an offset shell.

Regions come from each vertex's dominant bone and its rest height: hair, skin, eyes,
shirt, shorts (or long pants), shoes. A loose shirt is a second mesh: the shirt's
torso vertices pushed out along their normals (more towards the hem) and smoothed, so
that the waist and the low back's outline disappear under it, as under a real T-shirt.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from squatlab.synth.body import Body

SKIN_TONES = {
    "light": (0.93, 0.76, 0.65),
    "medium": (0.78, 0.57, 0.42),
    "tan": (0.64, 0.45, 0.31),
    "dark": (0.40, 0.27, 0.19),
}
TORSO_SEGMENTS = ("pelvis", "lumbar_lower", "lumbar_upper", "thorax")


@dataclass(frozen=True)
class Outfit:
    """Colours (RGB, 0-1) and cut of the clothes."""

    skin: str = "medium"
    hair: tuple[float, float, float] = (0.18, 0.12, 0.08)
    shirt: tuple[float, float, float] = (0.15, 0.35, 0.70)
    shorts: tuple[float, float, float] = (0.12, 0.12, 0.14)
    shoes: tuple[float, float, float] = (0.90, 0.90, 0.92)
    long_pants: bool = False
    loose_shirt: bool = False

    def __post_init__(self) -> None:
        if self.skin not in SKIN_TONES:
            raise ValueError(f"skin must be one of {', '.join(SKIN_TONES)}")


@dataclass(frozen=True)
class Dressing:
    """Per-vertex colours of the body and, for a loose shirt, the shell's topology."""

    colors: np.ndarray  # (V, 3) float32
    shell_vertices: np.ndarray  # (S,) indices into the body's vertices; empty without a shell
    shell_faces: np.ndarray  # (G, 3) indices into shell_vertices
    shell_offset_m: np.ndarray  # (S,) outward offset of each shell vertex
    shell_smoother: sparse.csr_matrix | None  # (S, S) one Laplacian smoothing step
    shell_color: np.ndarray | None = None  # (3,) linear RGB of the shell


def _regions(body: Body, outfit: Outfit) -> dict[str, np.ndarray]:
    v = body.rest_vertices
    sk = body.skeleton
    seg = np.array(body.bone_segment)[body.dominant_bone]
    labels = np.array(body.bone_labels)[body.dominant_bone]
    pelvis_z, neck_z = sk["pelvis"][2], sk["neck"][2]
    hem_z = pelvis_z - (0.07 if outfit.loose_shirt else -0.06)
    torso = np.isin(seg, TORSO_SEGMENTS)
    sleeve = np.isin(seg, ("upperarm_l", "upperarm_r")) & (v[:, 2] > sk["shoulder_l"][2] - 0.13)
    shirt = (torso & (v[:, 2] >= hem_z) & (v[:, 2] < neck_z - 0.02)) | sleeve
    legs = np.isin(seg, ("thigh_l", "thigh_r", "shank_l", "shank_r"))
    shorts_low = 0.0 if outfit.long_pants else sk["knee_l"][2] + 0.12
    shorts = ((torso & (v[:, 2] < hem_z)) | (legs & (v[:, 2] > shorts_low))) & ~shirt
    head = np.isin(seg, ("head", "neck"))
    head_top = v[head, 2].max() if head.any() else 0.0
    hair = (seg == "head") & (
        (v[:, 2] > head_top - 0.05) | ((v[:, 1] > sk["head"][1] + 0.02) & (v[:, 2] > sk["head"][2]))
    )
    return {
        "shirt": shirt,
        "shorts": shorts,
        "shoes": np.isin(seg, ("foot_l", "foot_r")),
        "hair": hair,
        "eyes": np.char.startswith(labels.astype(str), "eye."),
    }


def _smoother(faces: np.ndarray, n: int) -> sparse.csr_matrix:
    """Half-step umbrella smoothing: each vertex moves halfway to its neighbours' mean.

    A vertex on the shell's edge (the hem, the neck and arm holes) averages only its
    neighbours along that edge, which straightens the triangle-by-triangle zigzag of the
    cut instead of pulling the edge inwards.
    """
    i = np.concatenate([faces[:, 0], faces[:, 1], faces[:, 2]])
    j = np.concatenate([faces[:, 1], faces[:, 2], faces[:, 0]])
    edges, counts = np.unique(np.sort(np.stack([i, j], axis=1), axis=1), axis=0, return_counts=True)
    boundary = edges[counts == 1]
    on_edge = np.zeros(n, dtype=bool)
    on_edge[boundary.ravel()] = True
    neighbours = sparse.diags((~on_edge).astype(float)) @ _pairs(edges, n) + sparse.diags(
        on_edge.astype(float)
    ) @ _pairs(boundary, n)
    deg = np.asarray(neighbours.sum(axis=1)).ravel()
    mean = sparse.diags(1.0 / np.maximum(deg, 1.0)) @ neighbours
    return (0.5 * sparse.identity(n) + 0.5 * mean).tocsr()


def _pairs(edges: np.ndarray, n: int) -> sparse.csr_matrix:
    rows = np.concatenate([edges[:, 0], edges[:, 1]])
    cols = np.concatenate([edges[:, 1], edges[:, 0]])
    return sparse.coo_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n)).tocsr()


def dress(body: Body, outfit: Outfit) -> Dressing:
    """Colour the body for an outfit and, for a loose shirt, prepare the shell."""
    regions = _regions(body, outfit)
    colors = np.tile(np.array(SKIN_TONES[outfit.skin], dtype=np.float32), (len(body.rest_vertices), 1))
    for name in ("shirt", "shorts", "shoes", "hair"):
        colors[regions[name]] = getattr(outfit, name)
    colors[regions["eyes"]] = (0.08, 0.06, 0.05)
    # pyrender multiplies vertex colours into the linear light before its gamma step.
    colors = np.power(colors, 2.2).astype(np.float32)
    empty = np.zeros(0, dtype=np.int64)
    if not outfit.loose_shirt:
        return Dressing(colors, empty, np.zeros((0, 3), dtype=np.int64), np.zeros(0), None)
    seg = np.array(body.bone_segment)[body.dominant_bone]
    torso_shirt = regions["shirt"] & np.isin(seg, TORSO_SEGMENTS)
    # Under the shell the body wears the shorts' colour: where the smoothed hem rides up,
    # a waistband shows, not a second, jagged shirt edge.
    waist = torso_shirt & (body.rest_vertices[:, 2] < body.skeleton["spine02"][2])
    colors[waist] = np.power(np.array(outfit.shorts), 2.2)
    keep = np.all(torso_shirt[body.faces], axis=1)
    idx = np.flatnonzero(torso_shirt)
    remap = np.full(len(torso_shirt), -1)
    remap[idx] = np.arange(idx.size)
    faces = remap[body.faces[keep]]
    z = body.rest_vertices[idx, 2]
    chest_z, hem_z = body.skeleton["spine01"][2], z.min()
    # Fabric hangs from the chest: little ease there, most at the hem.
    offset = 0.012 + 0.05 * np.clip((chest_z - z) / max(chest_z - hem_z, 1e-3), 0.0, 1.0)
    shell_colors = np.power(np.array(outfit.shirt, dtype=np.float32), 2.2)
    return Dressing(colors, idx, faces, offset, _smoother(faces, idx.size), shell_colors)


def vertex_normals(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Area-weighted unit vertex normals, shape ``(V, 3)``."""
    tri = vertices[faces]
    fn = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    n = len(vertices)
    flat = faces.ravel()
    normals = np.stack([np.bincount(flat, np.repeat(fn[:, c], 3), minlength=n) for c in range(3)], axis=1)
    return normals / np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)


def shell_positions(dressing: Dressing, vertices: np.ndarray, normals: np.ndarray, iterations: int = 8) -> np.ndarray:
    """Posed positions of the loose-shirt shell for one frame of posed body vertices."""
    idx = dressing.shell_vertices
    pos = vertices[idx] + normals[idx] * dressing.shell_offset_m[:, None]
    for _ in range(iterations):
        pos = dressing.shell_smoother @ pos
    # Smoothing shrinks convex parts; keep every shell point at least 1 cm outside the skin.
    n = normals[idx]
    lift = np.maximum(0.0, 0.01 - np.sum((pos - vertices[idx]) * n, axis=1))
    return (pos + n * lift[:, None]).astype(np.float32)
