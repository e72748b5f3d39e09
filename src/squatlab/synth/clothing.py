"""Clothing as vertex colours on the body, and loose tops as an offset shell.

Regions come from each vertex's dominant bone and its rest height: hair, skin, eyes,
shirt, shorts (or long pants), shoes. A loose shirt is a second mesh: the shirt's
torso vertices pushed out along their normals (more towards the hem) and smoothed, so
that the waist and the low back's outline disappear under it, as under a real T-shirt.

``drape`` makes the shell's back hang from the shoulder blades instead of following the
skin: in the trunk's own frame it is lifted towards the back's upper envelope (the line a
cloth stretched from the shoulder blades to the buttocks would take), so the lumbar
hollow vanishes under it while a rounded low back still pushes it out. A hoodie is a
thicker, longer shell with a hood bunched on the upper back and long sleeves; loose
trousers stand off the legs and the buttocks.
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
    "very_light": (0.97, 0.84, 0.76),
    "olive": (0.70, 0.55, 0.36),
    "deep": (0.27, 0.18, 0.13),
}
TORSO_SEGMENTS = ("pelvis", "lumbar_lower", "lumbar_upper", "thorax", "upper_thorax")


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
    drape: float = 0.0
    hoodie: bool = False
    loose_pants: bool = False
    ponytail: bool = False

    def __post_init__(self) -> None:
        if self.skin not in SKIN_TONES:
            raise ValueError(f"skin must be one of {', '.join(SKIN_TONES)}")
        if not 0.0 <= self.drape <= 1.0:
            raise ValueError("drape must lie in [0, 1]")
        if self.drape > 0 and not (self.loose_shirt or self.hoodie):
            raise ValueError("drape needs a loose shirt or a hoodie")

    @property
    def shell(self) -> bool:
        """Whether the top is a separate, loose mesh."""
        return self.loose_shirt or self.hoodie


@dataclass(frozen=True)
class Dressing:
    """Per-vertex colours of the body and, for a loose shirt, the shell's topology."""

    colors: np.ndarray  # (V, 3) float32
    shell_vertices: np.ndarray  # (S,) indices into the body's vertices; empty without a shell
    shell_faces: np.ndarray  # (G, 3) indices into shell_vertices
    shell_offset_m: np.ndarray  # (S,) outward offset of each shell vertex
    shell_smoother: sparse.csr_matrix | None  # (S, S) one Laplacian smoothing step
    shell_color: np.ndarray | None = None  # (3,) linear RGB of the shell
    drape: float = 0.0
    shell_hood_m: np.ndarray | None = None  # (S,) extra outward offset of the hood
    drape_support: np.ndarray | None = None  # (K,) body vertices the drape may rest on (back, midline)
    body_offset_m: np.ndarray | None = None  # (V,) loose trousers: outward offset of the body's skin
    shell_x: np.ndarray | None = None  # (S,) rest lateral position of each shell vertex


def _regions(body: Body, outfit: Outfit) -> dict[str, np.ndarray]:
    v = body.rest_vertices
    sk = body.skeleton
    seg = np.array(body.bone_segment)[body.dominant_bone]
    labels = np.array(body.bone_labels)[body.dominant_bone]
    pelvis_z, neck_z = sk["pelvis"][2], sk["neck"][2]
    hem_z = pelvis_z - (0.12 if outfit.hoodie else 0.07 if outfit.loose_shirt else -0.06)
    torso = np.isin(seg, TORSO_SEGMENTS)
    sleeve = np.isin(seg, ("upperarm_l", "upperarm_r")) & (v[:, 2] > sk["shoulder_l"][2] - 0.13)
    if outfit.hoodie:
        sleeve = np.isin(seg, ("upperarm_l", "upperarm_r", "forearm_l", "forearm_r"))
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
    body_offset = _trouser_offset(body, regions["shorts"]) if outfit.loose_pants else None
    if not outfit.shell:
        return Dressing(colors, empty, np.zeros((0, 3), dtype=np.int64), np.zeros(0), None, body_offset_m=body_offset)
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
    rest = body.rest_vertices[idx]
    z = rest[:, 2]
    chest_z, hem_z = body.skeleton["spine01"][2], z.min()
    # Fabric hangs from the chest: little ease there, most at the hem. A hoodie's fleece is thicker.
    ease = np.clip((chest_z - z) / max(chest_z - hem_z, 1e-3), 0.0, 1.0)
    offset = (0.025 + 0.045 * ease) if outfit.hoodie else (0.012 + 0.05 * ease)
    hood = None
    if outfit.hoodie:
        # The hood lies bunched between the shoulder blades, below the neck.
        neck = body.skeleton["neck"]
        behind = rest[:, 1] > neck[1]
        near = np.exp(-(((z - (neck[2] - 0.08)) / 0.07) ** 2) - (rest[:, 0] / 0.1) ** 2)
        hood = np.where(behind, 0.06 * near, 0.0)
    shell_colors = np.power(np.array(outfit.shirt, dtype=np.float32), 2.2)
    return Dressing(
        colors,
        idx,
        faces,
        offset,
        _smoother(faces, idx.size),
        shell_colors,
        drape=outfit.drape,
        shell_hood_m=hood,
        drape_support=_drape_support(body, hem_z) if outfit.drape > 0 else None,
        body_offset_m=body_offset,
        shell_x=rest[:, 0].copy(),
    )


def _trouser_offset(body: Body, pants: np.ndarray) -> np.ndarray:
    """Loose trousers: 1.5 cm off the skin at the seat, 2.5 cm lower down the legs."""
    z = body.rest_vertices[:, 2]
    knee_z, hip_z = body.skeleton["knee_l"][2], body.skeleton["hip_l"][2]
    down = np.clip((hip_z - z) / max(hip_z - knee_z, 1e-3), 0.0, 1.0)
    return np.where(pants, 0.015 + 0.01 * down, 0.0)


def _drape_support(body: Body, hem_z: float) -> np.ndarray:
    """Body vertices a hanging shirt can rest on: the back's midline from the hem's reach to the neck.

    The buttocks (below the hem) are included: a shirt stretched from the shoulder blades
    reaches them when the lumbar hollow lies between.
    """
    v = body.rest_vertices
    sk = body.skeleton
    back = v[:, 1] > sk["pelvis"][1] - 0.02
    band = (v[:, 2] > hem_z - 0.12) & (v[:, 2] < sk["neck"][2] - 0.05) & (np.abs(v[:, 0]) < 0.07)
    return np.flatnonzero(back & band)


def vertex_normals(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Area-weighted unit vertex normals, shape ``(V, 3)``."""
    tri = vertices[faces]
    fn = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    n = len(vertices)
    flat = faces.ravel()
    normals = np.stack([np.bincount(flat, np.repeat(fn[:, c], 3), minlength=n) for c in range(3)], axis=1)
    return normals / np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)


def shell_positions(
    dressing: Dressing,
    vertices: np.ndarray,
    normals: np.ndarray,
    iterations: int = 8,
    trunk_up: np.ndarray | None = None,
) -> np.ndarray:
    """Posed positions of the loose-shirt shell for one frame of posed body vertices.

    ``trunk_up`` (unit, world) is the trunk's axis in this frame; the drape bridges the
    back's hollow in the frame it defines (defaults to vertical).
    """
    idx = dressing.shell_vertices
    offset = dressing.shell_offset_m
    if dressing.shell_hood_m is not None:
        offset = offset + dressing.shell_hood_m
    pos = vertices[idx] + normals[idx] * offset[:, None]
    for _ in range(iterations):
        pos = dressing.shell_smoother @ pos
    # Smoothing shrinks convex parts; keep every shell point at least 1 cm outside the skin.
    n = normals[idx]
    lift = np.maximum(0.0, 0.01 - np.sum((pos - vertices[idx]) * n, axis=1))
    pos = pos + n * lift[:, None]
    if dressing.drape > 0 and dressing.drape_support is not None:
        pos = _drape(dressing, pos, vertices, trunk_up)
    return pos.astype(np.float32)


def _drape(dressing: Dressing, pos: np.ndarray, vertices: np.ndarray, trunk_up: np.ndarray | None) -> np.ndarray:
    """Lift the shell's back towards the upper envelope of the back's side profile.

    In the sagittal plane, with ``up`` along the trunk and ``out`` behind it, the envelope
    is the smallest concave function of height lying on or behind every back point (the
    shell's and the midline skin's, buttocks included): a cloth stretched over the back.
    """
    up = np.array([0.0, 0.0, 1.0]) if trunk_up is None else np.asarray(trunk_up, float)
    up = np.array([0.0, up[1], up[2]]) / np.hypot(up[1], up[2])
    out = np.array([0.0, up[2], -up[1]])  # behind the trunk: +y when upright
    support = vertices[dressing.drape_support] + 0.01 * out
    h, o = pos @ up, pos @ out
    behind = o > np.percentile(o, 40)  # the back half of the shell
    h_all = np.concatenate([h[behind], support @ up])
    o_all = np.concatenate([o[behind], support @ out])
    order = np.argsort(h_all)
    hull_h, hull_o = _upper_hull(h_all[order], o_all[order])
    envelope = np.interp(h, hull_h, hull_o)
    lateral = np.clip(1.0 - (np.abs(dressing.shell_x) - 0.06) / 0.1, 0.0, 1.0) if dressing.shell_x is not None else 1.0
    weight = dressing.drape * lateral * behind * (h <= hull_h[-1]) * (h >= hull_h[0])
    return pos + (weight * np.maximum(envelope - o, 0.0))[:, None] * out[None, :]


def _upper_hull(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The upper convex hull of points sorted by ``x`` (monotone chain), as (x, y) vertices."""
    hull: list[int] = []
    for i in range(x.size):
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            if (x[b] - x[a]) * (y[i] - y[a]) - (y[b] - y[a]) * (x[i] - x[a]) >= 0:
                hull.pop()
            else:
                break
        hull.append(i)
    return x[hull], y[hull]
