"""The static scene around the lifter: floor, walls, clutter, a squat rack, lights, camera.

Everything is generated from a seed (no downloaded images). Builders return pyrender
objects; :func:`look_at` and :func:`project` are plain NumPy so that pixel positions of
the truth points need no renderer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BACKGROUNDS = ("plain", "cluttered", "photo")


@dataclass(frozen=True)
class CameraSpec:
    """Where the phone stands. ``side``: the lifter's side that faces the camera.

    ``yaw_deg``: 0 = pure side view, + = the camera swung towards the lifter's front.
    The camera stands ``distance_m`` from the lifter (horizontally), ``height_m`` above
    the floor, and aims at ``aim_height_m``; its pitch follows.
    """

    side: str = "left"
    yaw_deg: float = 0.0
    distance_m: float = 3.2
    height_m: float = 1.0
    aim_height_m: float = 0.85
    yfov_deg: float = 50.0

    def __post_init__(self) -> None:
        if self.side not in ("left", "right"):
            raise ValueError("camera side must be 'left' or 'right'")
        if not -45.0 <= self.yaw_deg <= 45.0:  # a phone up to 45 deg off the side view
            raise ValueError("yaw_deg must lie in [-45, 45]")
        if not 1.5 <= self.distance_m <= 8.0:
            raise ValueError("distance_m must lie in [1.5, 8]")

    @property
    def pitch_deg(self) -> float:
        """Downward tilt of the optical axis (+ = looking down)."""
        return float(np.degrees(np.arctan2(self.height_m - self.aim_height_m, self.distance_m)))


@dataclass(frozen=True)
class StageSpec:
    """Background and lighting. ``light``: key-light intensity (W/m^2-like pyrender units).

    ``background``: ``plain`` (one colour), ``cluttered`` (generated textures, boxes, a shelf,
    a squat rack) or ``photo`` (the cluttered room in front of a generated picture of a
    room: windows, doors, posters, soft light and blur, as a phone's background looks).
    """

    background: str = "plain"
    wall_rgb: tuple[float, float, float] = (0.82, 0.82, 0.78)
    floor_rgb: tuple[float, float, float] = (0.45, 0.40, 0.36)
    light: float = 3.0
    light_azimuth_deg: float = 30.0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.background not in BACKGROUNDS:
            raise ValueError(f"background must be one of {', '.join(BACKGROUNDS)}")


def linear(rgb) -> tuple[float, float, float, float]:
    """An sRGB colour as a pyrender material factor (its shader takes factors as linear light), with alpha."""
    return (*(float(c) ** 2.2 for c in rgb), 1.0)


def look_at(eye: np.ndarray, target: np.ndarray, up: np.ndarray | None = None) -> np.ndarray:
    """Camera-to-world 4x4 pose of a camera at ``eye`` looking at ``target`` (OpenGL: looks down -z)."""
    up = np.array([0.0, 0.0, 1.0]) if up is None else up
    back = eye - target
    back = back / np.linalg.norm(back)
    right = np.cross(up, back)
    right /= np.linalg.norm(right)
    pose = np.eye(4)
    pose[:3, 0], pose[:3, 1], pose[:3, 2], pose[:3, 3] = right, np.cross(back, right), back, eye
    return pose


def camera_pose(cam: CameraSpec) -> np.ndarray:
    """Camera-to-world pose for a camera spec (the lifter stands at the origin, facing -y)."""
    sign = 1.0 if cam.side == "left" else -1.0
    yaw = np.radians(cam.yaw_deg)
    # From the lifter's side (+x for the left), swung towards the front (-y) by the yaw.
    direction = np.array([sign * np.cos(yaw), -np.sin(yaw), 0.0])
    target = np.array([0.0, 0.0, cam.aim_height_m])
    eye = np.array([0.0, 0.0, cam.height_m]) + cam.distance_m * direction
    return look_at(eye, target)


def projection_matrix(cam: CameraSpec, width: int, height: int, znear: float = 0.05, zfar: float = 50.0) -> np.ndarray:
    """OpenGL perspective projection of the camera (the same as pyrender's)."""
    f = 1.0 / np.tan(np.radians(cam.yfov_deg) / 2.0)
    aspect = width / height
    p = np.zeros((4, 4))
    p[0, 0], p[1, 1] = f / aspect, f
    p[2, 2], p[2, 3] = (zfar + znear) / (znear - zfar), 2.0 * zfar * znear / (znear - zfar)
    p[3, 2] = -1.0
    return p


def project(points: np.ndarray, cam: CameraSpec, width: int, height: int) -> np.ndarray:
    """Pixel positions (x right, y down) of world points ``(..., 3)``, shape ``(..., 2)``.

    Examples
    --------
    >>> import numpy as np
    >>> cam = CameraSpec(height_m=0.85, aim_height_m=0.85)
    >>> project(np.array([0.0, 0.0, 0.85]), cam, 640, 480).round(3).tolist()
    [320.0, 240.0]
    """
    view = np.linalg.inv(camera_pose(cam))
    proj = projection_matrix(cam, width, height)
    homo = np.concatenate([points, np.ones((*points.shape[:-1], 1))], axis=-1)
    clip = homo @ (proj @ view).T
    ndc = clip[..., :2] / clip[..., 3:4]
    return np.stack([(ndc[..., 0] + 1.0) * 0.5 * width, (1.0 - ndc[..., 1]) * 0.5 * height], axis=-1)


def _noise(rng: np.random.Generator, size: int, scale: int) -> np.ndarray:
    """Smooth value noise in [0, 1], shape ``(size, size)``."""
    coarse = rng.random((scale + 1, scale + 1))
    x = np.linspace(0, scale, size)
    i = np.minimum(x.astype(int), scale - 1)
    f = x - i
    rows = coarse[i] * (1 - f)[:, None] + coarse[i + 1] * f[:, None]
    return rows[:, i] * (1 - f)[None, :] + rows[:, i + 1] * f[None, :]


def texture_image(kind: str, base: tuple[float, float, float], rng: np.random.Generator, size: int = 256) -> np.ndarray:
    """A generated RGB texture (uint8): ``tiles``, ``bricks``, ``planks`` or ``noise``."""
    base_arr = np.array(base)
    shade = 0.85 + 0.3 * _noise(rng, size, 8)[..., None]
    img = base_arr * shade
    y, x = np.mgrid[0:size, 0:size]
    if kind == "tiles":
        grout = (x % 64 < 3) | (y % 64 < 3)
        img[grout] = base_arr * 0.55
    elif kind == "bricks":
        row = y // 32
        grout = (y % 32 < 3) | (((x + 32 * (row % 2)) % 64) < 3)
        img *= (0.9 + 0.2 * rng.random(size // 32 + 1))[row][..., None]
        img[grout] = (0.75, 0.74, 0.70)
    elif kind == "planks":
        grain = 0.08 * np.sin(y / 3.0 + 4 * _noise(rng, size, 4))
        img = img * (1 + grain[..., None])
        img[(x % 48) < 2] = base_arr * 0.5
    return (np.clip(img, 0, 1) * 255).astype(np.uint8)


def _blur(img: np.ndarray, sigma: float) -> np.ndarray:
    from scipy.ndimage import gaussian_filter

    return gaussian_filter(img, sigma=(sigma, sigma, 0))


def photo_image(rng: np.random.Generator, height: int = 512, width: int = 1024) -> np.ndarray:
    """A generated picture of a room's far side (uint8 RGB): nothing downloaded.

    Light falling off across a painted wall, windows (bright), doors and cabinets (dark),
    posters with busy content, horizontal shelving, a few bright out-of-focus spots, film
    grain, and a slight blur for the camera's depth of field.
    """
    y, x = np.mgrid[0:height, 0:width] / np.array([height, width])[:, None, None]
    wall = rng.uniform(0.35, 0.85, 3) * rng.uniform(0.8, 1.0)
    light_x, light_y = rng.uniform(0.0, 1.0), rng.uniform(-0.2, 0.4)
    falloff = 1.0 - 0.45 * np.clip(np.hypot(x - light_x, 0.6 * (y - light_y)), 0, 1.4) / 1.4
    img = wall[None, None, :] * falloff[..., None]
    img *= 0.9 + 0.2 * _noise(rng, max(height, width), 12)[:height, :width, None]

    def rect(x0: float, y0: float, w: float, h: float) -> tuple[slice, slice]:
        rows = slice(int(y0 * height), int(min(y0 + h, 1) * height))
        return rows, slice(int(x0 * width), int(min(x0 + w, 1) * width))

    for _ in range(rng.integers(1, 3)):  # windows: bright, with mullions
        r = rect(rng.uniform(0, 0.85), rng.uniform(0.05, 0.3), rng.uniform(0.1, 0.25), rng.uniform(0.25, 0.45))
        sky = np.array([0.85, 0.9, 0.97]) * rng.uniform(0.9, 1.1)
        img[r] = np.clip(sky + 0.06 * rng.standard_normal(3), 0, 1)
        sub = img[r]
        sub[:, sub.shape[1] // 2 - 2 : sub.shape[1] // 2 + 2] = 0.3
        sub[sub.shape[0] // 2 - 2 : sub.shape[0] // 2 + 2] = 0.3
    for _ in range(rng.integers(1, 4)):  # doors, cabinets, machines: dark blocks reaching the floor
        w = rng.uniform(0.06, 0.2)
        r = rect(rng.uniform(0, 1 - w), rng.uniform(0.25, 0.55), w, 1.0)
        img[r] = rng.uniform(0.05, 0.45, 3) * (0.85 + 0.3 * rng.random((1, 1, 1)))
    for _ in range(rng.integers(2, 6)):  # posters: busy colour content
        w, h = rng.uniform(0.04, 0.12), rng.uniform(0.08, 0.2)
        r = rect(rng.uniform(0, 1 - w), rng.uniform(0.1, 0.5), w, h)
        patch = img[r]
        if patch.size:
            n = max(patch.shape[:2])
            content = _noise(rng, n, 6)[: patch.shape[0], : patch.shape[1], None]
            patch[:] = rng.uniform(0, 1, 3) * content + rng.uniform(0, 1, 3) * (1 - content)
    for _ in range(rng.integers(0, 3)):  # shelving lines
        row = int(rng.uniform(0.3, 0.8) * height)
        img[row : row + 4] *= 0.5
    spots = np.zeros((height, width))
    for _ in range(rng.integers(3, 9)):  # out-of-focus lights
        cy, cx, rad = rng.uniform(0, 0.6) * height, rng.uniform(0, 1) * width, rng.uniform(6, 22)
        spots += np.exp(-(((np.arange(height)[:, None] - cy) ** 2 + (np.arange(width)[None, :] - cx) ** 2) / rad**2))
    img = img + 0.5 * np.clip(spots, 0, 1)[..., None]
    img = _blur(img, rng.uniform(1.0, 3.0))
    img = img + 0.02 * rng.standard_normal(img.shape)
    return (np.clip(img, 0, 1) * 255).astype(np.uint8)


def _quad(pyrender, corners: np.ndarray, image: np.ndarray | None, rgb, repeat: float = 1.0):
    """A flat rectangle (4 corners, counter-clockwise seen from the front), textured or plain."""
    uv = np.array([[0, 0], [repeat, 0], [repeat, repeat], [0, repeat]], dtype=np.float32)
    normal = np.cross(corners[1] - corners[0], corners[3] - corners[0])
    normals = np.tile(normal / np.linalg.norm(normal), (4, 1)).astype(np.float32)
    faces = np.array([[0, 1, 2], [0, 2, 3]], dtype=np.uint32)
    if image is None:
        material = pyrender.MetallicRoughnessMaterial(
            baseColorFactor=linear(rgb), metallicFactor=0.0, roughnessFactor=0.9, doubleSided=True
        )
        return pyrender.Mesh(
            [pyrender.Primitive(corners.astype(np.float32), normals, indices=faces, material=material)]
        )
    sampler = pyrender.Sampler(wrapS=10497, wrapT=10497)  # GL_REPEAT
    texture = pyrender.Texture(source=image, source_channels="RGB", sampler=sampler)
    material = pyrender.MetallicRoughnessMaterial(
        baseColorTexture=texture, metallicFactor=0.0, roughnessFactor=0.9, doubleSided=True
    )
    prim = pyrender.Primitive(corners.astype(np.float32), normals, texcoord_0=uv, indices=faces, material=material)
    return pyrender.Mesh([prim])


def box_mesh(pyrender, size: tuple[float, float, float], rgb) -> object:
    """A plain box mesh centred at the origin."""
    import trimesh

    mesh = trimesh.creation.box(extents=size)
    material = pyrender.MetallicRoughnessMaterial(baseColorFactor=linear(rgb), metallicFactor=0.0, roughnessFactor=0.8)
    return pyrender.Mesh.from_trimesh(mesh, material=material, smooth=False)


def cylinder_mesh(pyrender, radius: float, length: float, rgb, *, metallic: float = 0.0) -> object:
    """A cylinder along +x centred at the origin."""
    import trimesh

    mesh = trimesh.creation.cylinder(radius=radius, height=length, sections=32)
    mesh.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 2, [0, 1, 0]))
    material = pyrender.MetallicRoughnessMaterial(
        baseColorFactor=linear(rgb), metallicFactor=metallic, roughnessFactor=0.5
    )
    return pyrender.Mesh.from_trimesh(mesh, material=material, smooth=False)


def _translation(xyz) -> np.ndarray:
    pose = np.eye(4)
    pose[:3, 3] = xyz
    return pose


def _add_clutter(pyrender, scene, rng: np.random.Generator, far_x: float) -> None:
    """Boxes, a shelf with things on it, and a squat rack behind the lifter."""
    toward = -np.sign(far_x)  # from the far wall towards the lifter
    # A squat rack: four uprights and two cross-members, behind the lifter.
    steel = (0.15, 0.15, 0.17)
    rack_x = far_x + toward * rng.uniform(0.7, 1.1)
    rack_y = rng.uniform(-0.4, 0.4)
    for dx in (0.0, -toward * 0.6):
        for dy in (-0.55, 0.55):
            scene.add(box_mesh(pyrender, (0.06, 0.06, 2.2), steel), pose=_translation((rack_x + dx, rack_y + dy, 1.1)))
        scene.add(box_mesh(pyrender, (0.06, 1.16, 0.06), steel), pose=_translation((rack_x + dx, rack_y, 2.2)))
    # A shelf against the wall, with boxes on its boards.
    shelf_y = rng.choice([-1.0, 1.0]) * rng.uniform(1.4, 2.2)
    wood = tuple(rng.uniform(0.35, 0.6) * np.array([1.0, 0.8, 0.6]))
    for z in (0.4, 0.9, 1.4, 1.9):
        scene.add(box_mesh(pyrender, (0.4, 1.2, 0.03), wood), pose=_translation((far_x + toward * 0.22, shelf_y, z)))
        for _ in range(rng.integers(1, 4)):
            size = tuple(rng.uniform(0.1, 0.3, 3))
            pos = (far_x + toward * 0.22, shelf_y + rng.uniform(-0.45, 0.45), z + 0.015 + size[2] / 2)
            scene.add(box_mesh(pyrender, size, tuple(rng.uniform(0.1, 0.9, 3))), pose=_translation(pos))
    # Boxes and plates on the floor, away from the lifter's space.
    for _ in range(rng.integers(3, 7)):
        size = tuple(rng.uniform(0.2, 0.6, 3))
        y = rng.choice([-1.0, 1.0]) * rng.uniform(1.0, 2.8)
        pos = (far_x + toward * rng.uniform(0.3, 1.6), y, size[2] / 2)
        scene.add(box_mesh(pyrender, size, tuple(rng.uniform(0.1, 0.9, 3))), pose=_translation(pos))


def build_stage(pyrender, stage: StageSpec, cam: CameraSpec):
    """A pyrender scene with the floor, the walls, optional clutter, lights and the camera."""
    rng = np.random.default_rng(stage.seed)
    scene = pyrender.Scene(bg_color=(*stage.wall_rgb, 1.0), ambient_light=(0.35, 0.35, 0.35))
    far_x = -3.0 if cam.side == "left" else 3.0  # the wall behind the lifter, seen by the camera
    cluttered = stage.background in ("cluttered", "photo")
    floor_img = texture_image(rng.choice(["tiles", "planks"]), stage.floor_rgb, rng) if cluttered else None
    floor = np.array([[-8, -8, 0], [8, -8, 0], [8, 8, 0], [-8, 8, 0]], dtype=float)
    scene.add(_quad(pyrender, floor, floor_img, stage.floor_rgb, repeat=8.0))
    ys, zs = (-8, 8), (0, 4)
    repeat = 6.0
    if stage.background == "photo":
        wall_img, repeat = photo_image(rng, 512, 2048), 1.0  # one picture across the wall, 16 m x 4 m
    else:
        wall_img = texture_image(rng.choice(["bricks", "noise"]), stage.wall_rgb, rng) if cluttered else None
    wall = np.array([[far_x, ys[0], zs[0]], [far_x, ys[1], zs[0]], [far_x, ys[1], zs[1]], [far_x, ys[0], zs[1]]], float)
    if far_x > 0:
        wall = wall[::-1]
    scene.add(_quad(pyrender, wall, wall_img, stage.wall_rgb, repeat=repeat))
    if cluttered:
        _add_clutter(pyrender, scene, rng, far_x)
    pose = camera_pose(cam)
    scene.add(pyrender.PerspectiveCamera(yfov=np.radians(cam.yfov_deg), znear=0.05, zfar=50.0), pose=pose)
    # Key light from the camera's side and above, turned by the azimuth; a weaker fill.
    for azimuth, elevation, scale in ((stage.light_azimuth_deg, 50.0, 1.0), (-60.0, 20.0, 0.35)):
        az = np.radians(azimuth)
        direction = pose[:3, :3] @ np.array([np.sin(az), 0.0, np.cos(az)])
        direction[2] = np.tan(np.radians(elevation)) * np.linalg.norm(direction[:2])
        eye = direction / np.linalg.norm(direction)
        light = pyrender.DirectionalLight(color=np.ones(3), intensity=stage.light * scale)
        scene.add(light, pose=look_at(eye, np.zeros(3)))
    return scene
