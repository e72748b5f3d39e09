"""Render a clip: pose the body per frame, draw it with pyrender (EGL, CPU), encode H.264.

Writes, for a clip named ``NAME`` into ``out_dir``:

- ``NAME.mp4``: the video (H.264, yuv420p, the spec's size and frame rate);
- ``NAME.csv``: the truth per frame (see :mod:`squatlab.synth.truth`) with the pixel
  positions of the joints and of the lumbo-pelvic bone heads;
- ``NAME.json``: the spec, the reps (boundaries, posterior-tilt range), the software
  versions and the column definitions;
- ``NAME_mask.npz`` (optional): the person's true visible silhouette per frame, packed bits.
"""

from __future__ import annotations

import json
import os
import platform
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from squatlab.synth.body import BAR_RADIUS_M, Body, load_body, pose_body
from squatlab.synth.clothing import Dressing, dress, shell_positions, vertex_normals
from squatlab.synth.motion import Motion, squat_motion
from squatlab.synth.scene import box_mesh, build_stage, cylinder_mesh, project
from squatlab.synth.spec import ClipSpec
from squatlab.synth.truth import COLUMN_DOCS, JOINT_POINTS, SPINE_POINTS, point_key, rep_table, truth_table

CHUNK_FRAMES = 24
VERSION_PACKAGES = ("squatlab", "anny", "torch", "pyrender", "PyOpenGL", "numpy", "av", "trimesh")


def import_pyrender():
    """pyrender, set to draw off-screen through EGL unless the caller chose a platform."""
    os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
    import pyrender

    return pyrender


@dataclass
class _Frame:
    """pyrender handles that change per frame."""

    body: object = None
    shell: object = None
    bar: object = None
    hair: object = None


# A ponytail: an ellipsoid (radii, m) hanging behind the head, tied on at this offset from
# the head bone's head in the head's frame (behind and up).
_PONYTAIL_RADII = (0.035, 0.04, 0.10)
_PONYTAIL_TIE = (0.0, 0.10, 0.06)


def _ponytail_node(pyrender, scene, rgb) -> object:
    import trimesh

    from squatlab.synth.scene import linear

    mesh = trimesh.creation.icosphere(subdivisions=2)
    mesh.apply_scale(_PONYTAIL_RADII)
    material = pyrender.MetallicRoughnessMaterial(baseColorFactor=linear(rgb), metallicFactor=0.0, roughnessFactor=0.9)
    return scene.add(pyrender.Mesh.from_trimesh(mesh, material=material))


class _PhoneLook:
    """Motion blur (each frame blended with its neighbours) and sensor noise, one frame late."""

    # Noise frames drawn once and reused at random offsets: drawing a fresh one per frame
    # costs more than rendering it.
    _BANK = 4

    def __init__(self, spec: ClipSpec) -> None:
        self.blur, self.noise = spec.motion_blur, spec.noise_sd
        self.rng = np.random.default_rng(zlib.crc32(spec.name.encode()))
        self.prev: np.ndarray | None = None
        self.cur: np.ndarray | None = None
        self.bank: np.ndarray | None = None
        if self.noise > 0:
            shape = (self._BANK, spec.height, spec.width)
            luma = self.rng.standard_normal(shape, dtype=np.float32)[..., None]
            chroma = self.rng.standard_normal((*shape, 3), dtype=np.float32)
            self.bank = (self.noise * (luma + 0.4 * chroma)).astype(np.float32)

    def _finish(self, before: np.ndarray, frame: np.ndarray, after: np.ndarray) -> np.ndarray:
        out = frame.astype(np.float32)
        if self.blur > 0:
            out = (1 - self.blur) * out + 0.5 * self.blur * (before.astype(np.float32) + after.astype(np.float32))
        if self.bank is not None:
            k, dy, dx = self.rng.integers(self._BANK), self.rng.integers(out.shape[0]), self.rng.integers(out.shape[1])
            out += np.roll(self.bank[k], (dy, dx), axis=(0, 1))
        return np.clip(out + 0.5, 0, 255).astype(np.uint8)

    def push(self, rgb: np.ndarray) -> list[np.ndarray]:
        """The finished frames this one completes (none for the first)."""
        done = []
        if self.cur is not None:
            done.append(self._finish(self.prev if self.prev is not None else self.cur, self.cur, rgb))
        self.prev, self.cur = self.cur, rgb
        return done

    def flush(self) -> list[np.ndarray]:
        if self.cur is None:
            return []
        return [self._finish(self.prev if self.prev is not None else self.cur, self.cur, self.cur)]


def _body_mesh(
    pyrender, vertices: np.ndarray, faces: np.ndarray, colors: np.ndarray, material, normals: np.ndarray | None = None
) -> object:
    """A mesh of ``vertices``; ``normals`` are its vertex normals when the caller has them already."""
    if normals is None:
        normals = vertex_normals(vertices, faces)
    prim = pyrender.Primitive(vertices, normals.astype(np.float32), color_0=colors, indices=faces, material=material)
    return pyrender.Mesh([prim])


def _bar_node(pyrender, scene, plate_radius_m: float) -> object:
    """A loaded barbell (bar, two plates a side, collars) as one node; posed per frame."""
    node = pyrender.Node(matrix=np.eye(4))
    scene.add_node(node)
    parts = [(cylinder_mesh(pyrender, BAR_RADIUS_M, 2.1, (0.75, 0.75, 0.78), metallic=0.6), 0.0)]
    for sign in (1.0, -1.0):
        parts.append((cylinder_mesh(pyrender, plate_radius_m, 0.055, (0.12, 0.12, 0.13)), sign * 0.78))
        parts.append((cylinder_mesh(pyrender, plate_radius_m, 0.045, (0.70, 0.10, 0.10)), sign * 0.84))
        parts.append((box_mesh(pyrender, (0.03, 0.07, 0.07), (0.8, 0.8, 0.1)), sign * 0.885))
    for mesh, x in parts:
        pose = np.eye(4)
        pose[0, 3] = x
        scene.add(mesh, pose=pose, parent_node=node)
    return node


def _seg_map(scene, person_nodes: set) -> dict:
    return {node: (255, 255, 255) if node in person_nodes else (0, 0, 0) for node in scene.mesh_nodes}


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in VERSION_PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def _sidecar(spec: ClipSpec, motion: Motion, body: Body, timing: dict[str, float]) -> dict:
    return {
        "spec": spec.to_dict(),
        "fps": spec.squat.fps,
        "n_frames": motion.n_frames,
        "duration_s": motion.n_frames / spec.squat.fps,
        "camera_pitch_deg": spec.camera.pitch_deg,
        "body_height_m": body.height_m,
        "reps": rep_table(motion).to_dict(orient="records"),
        "columns": COLUMN_DOCS,
        "timing": timing,
        "versions": _versions(),
        "motion": dict(motion.info),
    }


def _frame_meshes(
    pyrender,
    scene,
    handles: _Frame,
    posed: np.ndarray,
    body: Body,
    dressing: Dressing,
    material,
    trunk_up: np.ndarray | None = None,
):
    """Swap the body (and shell) meshes of one frame into the scene."""
    for node in (handles.body, handles.shell):
        if node is not None:
            scene.remove_node(node)
    normals = vertex_normals(posed, body.faces)
    skin = posed if dressing.body_offset_m is None else posed + normals * dressing.body_offset_m[:, None]
    handles.body = scene.add(
        _body_mesh(pyrender, skin, body.faces.astype(np.uint32), dressing.colors, material, normals=normals)
    )
    handles.shell = None
    if dressing.shell_smoother is not None:
        shell = shell_positions(dressing, posed, normals, trunk_up=trunk_up)
        colors = np.tile(dressing.shell_color, (len(shell), 1)).astype(np.float32)
        handles.shell = scene.add(_body_mesh(pyrender, shell, dressing.shell_faces.astype(np.uint32), colors, material))


class _VideoWriter:
    """H.264 (yuv420p) through PyAV, one RGB frame at a time."""

    def __init__(self, path: Path, spec: ClipSpec) -> None:
        import av

        self._av = av
        self.container = av.open(str(path), mode="w")
        self.stream = self.container.add_stream("libx264", rate=round(spec.squat.fps))
        self.stream.width, self.stream.height, self.stream.pix_fmt = spec.width, spec.height, "yuv420p"
        self.stream.options = {"crf": str(spec.crf), "preset": "medium"}

    def write(self, rgb: np.ndarray) -> None:
        frame = self._av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
        for packet in self.stream.encode(frame):
            self.container.mux(packet)

    def close(self) -> None:
        for packet in self.stream.encode():
            self.container.mux(packet)
        self.container.close()


def _render_frames(
    spec: ClipSpec,
    body: Body,
    motion: Motion,
    video: Path,
    *,
    write_mask: bool,
    cache_root: Path | None,
    on_frame: Callable[[int, int], None] | None,
) -> list[np.ndarray]:
    """Draw every frame into the video; returns the silhouette masks (empty unless asked)."""
    pyrender = import_pyrender()
    dressing = dress(body, spec.outfit)
    scene = build_stage(pyrender, spec.stage, spec.camera)
    material = pyrender.MetallicRoughnessMaterial(
        baseColorFactor=(1.0, 1.0, 1.0, 1.0), metallicFactor=0.0, roughnessFactor=0.75
    )
    handles = _Frame(bar=_bar_node(pyrender, scene, spec.plate_radius_m) if spec.bar else None)
    if spec.outfit.ponytail:
        handles.hair = _ponytail_node(pyrender, scene, spec.outfit.hair)
    renderer = pyrender.OffscreenRenderer(spec.width, spec.height)
    writer = _VideoWriter(video, spec)
    look = _PhoneLook(spec)
    pts = motion.points
    trunk_up = 0.5 * (pts["shoulder_l"] + pts["shoulder_r"] - pts["hip_l"] - pts["hip_r"])
    n, masks = motion.n_frames, []
    try:
        for start in range(0, n, CHUNK_FRAMES):
            frames = np.arange(start, min(start + CHUNK_FRAMES, n))
            posed = pose_body(body, motion, frames, cache_root)["vertices"]
            for k, i in enumerate(frames):
                _frame_meshes(pyrender, scene, handles, posed[k], body, dressing, material, trunk_up[i])
                if handles.bar is not None:
                    pose = np.eye(4)
                    pose[:3, :3] = motion.rotations["upper_thorax"][i]
                    pose[:3, 3] = motion.points["bar"][i]
                    scene.set_pose(handles.bar, pose)
                if handles.hair is not None:
                    pose = np.eye(4)
                    tie = pts["head"][i] + motion.rotations["head"][i] @ np.array(_PONYTAIL_TIE)
                    pose[:3, 3] = tie - np.array([0.0, 0.0, 0.7 * _PONYTAIL_RADII[2]])  # it hangs
                    scene.set_pose(handles.hair, pose)
                rgb, _ = renderer.render(scene)
                for out in look.push(rgb):
                    writer.write(out)
                if write_mask:
                    person = {handles.body, handles.shell, handles.hair} - {None}
                    seg, _ = renderer.render(scene, pyrender.RenderFlags.SEG, _seg_map(scene, person))
                    masks.append(seg[..., 0] > 127)
                if on_frame is not None:
                    on_frame(int(i) + 1, n)
        for out in look.flush():
            writer.write(out)
    finally:
        writer.close()
        renderer.delete()
    return masks


def render_clip(
    spec: ClipSpec,
    out_dir: Path,
    *,
    write_mask: bool = False,
    cache_root: Path | None = None,
    on_frame: Callable[[int, int], None] | None = None,
) -> Path:
    """Render one clip and its truth into ``out_dir``; returns the video's path.

    ``on_frame(done, total)`` is called after each frame (for a progress bar).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    body = load_body(spec.body, cache_root)
    motion = squat_motion(spec.squat, body.skeleton)
    video = out_dir / f"{spec.name}.mp4"
    t_setup = time.perf_counter() - t0
    masks = _render_frames(spec, body, motion, video, write_mask=write_mask, cache_root=cache_root, on_frame=on_frame)
    t_frames = time.perf_counter() - t0 - t_setup
    pixels = {
        name: project(np.asarray(motion.points[point_key(name)]), spec.camera, spec.width, spec.height)
        for name in (*JOINT_POINTS, *SPINE_POINTS)
    }
    truth_table(motion, pixels).to_csv(out_dir / f"{spec.name}.csv", index=False)
    if write_mask:
        packed = np.packbits(np.stack(masks), axis=-1)
        np.savez_compressed(out_dir / f"{spec.name}_mask.npz", mask=packed, width=spec.width)
    timing = {"setup_s": t_setup, "frames_s": t_frames, "s_per_frame": t_frames / max(motion.n_frames, 1)}
    sidecar = _sidecar(spec, motion, body, timing)
    (out_dir / f"{spec.name}.json").write_text(json.dumps(sidecar, indent=1, default=float))
    return video


def load_mask(path: Path) -> np.ndarray:
    """The silhouette masks written by :func:`render_clip`, shape ``(n, height, width)`` bool."""
    with np.load(path) as data:
        return np.unpackbits(data["mask"], axis=-1, count=int(data["width"])).astype(bool)
