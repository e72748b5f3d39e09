"""The squat motion model: per-frame segment rotations and joint positions with known truth.

Pure NumPy. A set is a standing lead-in, a set-up, ``n_reps`` reps (descent, bottom
pause, ascent) with standing pauses between them, and a standing tail. Per frame the
model fixes the sagittal angles of the pelvis and the lumbar spine (the truth), solves
the legs so that the feet stay planted, shifts the hips back or forward so that the
centre of mass stays over the feet, and places the arms (forward, on a bar, on the hips
or crossed).

The lumbo-pelvic pattern (degrees, ``+`` = anterior pelvic tilt / lumbar flexion):

- normal rhythm: the pelvis tilts anteriorly with the trunk as the hips descend
  (``pelvis_anterior_deg`` at the bottom) and the lumbar spine flattens, then flexes a
  little (``lumbar_rhythm_deg`` at the bottom);
- butt wink: from ``wink_onset`` (a fraction of the rep's depth) the pelvis stops tilting
  anteriorly and rotates posteriorly by ``wink_deg`` at the bottom, and the lumbar spine
  flexes by as much, so the thorax follows the same path as without the wink;
- over-arching: during the set-up the pelvis tilts anteriorly by ``overarch_deg`` and the
  lumbar spine extends by as much; both stay so through the reps.

So that no estimator can read the pattern off the depth, the paths are shaped
independently of it: ``pelvis_power`` and ``lumbar_power`` bend the pelvis's and the
lumbar spine's paths over the descent (early or late), ``lumbar_split`` spreads the
lumbar flexion over the two lumbar joints, ``thoracic_deg`` bends the upper thorax on
top of it, and ``sway_deg`` adds a slow postural wobble of the pelvis and the lumbar
spine that has nothing to do with the depth.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from squatlab.synth.geometry import FORWARD, UP, frame_rotation, rot_x, rot_z, two_link_ik, unit

ARMS = ("forward", "bar", "hips", "crossed")
PHASES = ("standing", "descent", "bottom", "ascent")
SIDES = ("l", "r")

# Hip drop at the bottom, in leg lengths (thigh + shank), for depth 0.5 (half squat: knees
# near 90 deg) and depth 1.0 (full squat: hip well below the knee). Picked so the model's
# knee flexion at the bottom is ~85-95 deg and ~125-140 deg.
_DROP_HALF_LEG = 0.33
_DROP_FULL_LEG = 0.66
# Standing knees are soft, not locked: hip-to-ankle distance as a fraction of the leg.
_STANDING_REACH = 0.999
# Segment mass fractions (Winter 2009, Table 4.1, rounded): head-arms-trunk without arms,
# both arms, both thighs, both shanks with feet. The centre of each along its segment.
_MASS = {"trunk": 0.578, "arms": 0.100, "thighs": 0.200, "shanks": 0.122}
_TRUNK_COM = 0.55  # from the pelvis towards the shoulders
_THIGH_COM = 0.433
_SHANK_COM = 0.6  # shank with foot, from the knee
_GRIP_HALF_WIDTH_M = 0.42
# How much of the thorax's forward lean the neck and the head keep: people look ahead, not down.
_NECK_FOLLOW = 0.5
_HEAD_FOLLOW = 0.15


@dataclass(frozen=True)
class Skeleton:
    """Rest positions of the points the motion model moves, in metres.

    World axes (+x left, -y forward, +z up) with the floor at ``z = 0`` and the mid-point
    of the ankles at ``x = y = 0``, in the body model's rest pose (legs straight, feet
    parallel). Keys: ``pelvis`` (pelvis centre, root bone head), ``spine04``, ``spine03``,
    ``spine02``, ``spine01``, ``neck``, ``head``, ``bar`` (the bar's centre on the upper
    back) and per side (suffix ``_l`` / ``_r``) ``hip``, ``knee``, ``ankle``, ``heel``,
    ``toe``, ``shoulder``, ``elbow``, ``wrist``.
    """

    points: Mapping[str, np.ndarray]

    def __getitem__(self, name: str) -> np.ndarray:
        return np.asarray(self.points[name], dtype=float)

    def length(self, a: str, b: str) -> float:
        return float(np.linalg.norm(self[b] - self[a]))


def default_skeleton() -> Skeleton:
    """A skeleton measured once on the anny body model (female, default phenotype).

    Lets the motion model run and be tested without torch; the renderer measures the
    skeleton of the body it renders instead.
    """
    left = {
        "hip": (0.110, 0.010, 0.894),
        "knee": (0.140, -0.031, 0.491),
        "ankle": (0.193, 0.000, 0.072),
        "heel": (0.196, 0.056, 0.011),
        "toe": (0.168, -0.200, 0.015),
        "shoulder": (0.176, -0.012, 1.336),
        "elbow": (0.347, -0.017, 1.142),
        "wrist": (0.471, -0.192, 1.022),
    }
    points = {
        "pelvis": (0.0, 0.001, 0.894),
        "spine04": (0.0, 0.030, 0.980),
        "spine03": (0.0, 0.021, 1.053),
        "spine02": (0.0, 0.028, 1.119),
        "spine01": (0.0, 0.059, 1.246),
        "neck": (0.0, -0.008, 1.437),
        "head": (0.0, -0.044, 1.531),
        "bar": (0.0, 0.083, 1.384),
    }
    for name, (x, y, z) in left.items():
        points[f"{name}_l"] = (x, y, z)
        points[f"{name}_r"] = (-x, y, z)
    return Skeleton({k: np.array(v) for k, v in points.items()})


@dataclass(frozen=True)
class SquatParams:
    """One set of squats. Angles in degrees, times in seconds.

    ``depth``: 0.5 = half squat (knees near 90 deg) to 1.0 = full squat. ``stance_width``:
    ankle separation over hip-joint separation (1 = narrow, 2 = wide). ``toe_out_deg``:
    each foot turned out from straight ahead; the knees track over the toes.
    ``standing_tilt_deg``: the pelvis's standing angle from the body model's rest pose
    (people differ). ``bar_mass_ratio``: bar and plates over body mass (0 without a bar).
    ``wink_deg``: one value for every rep, or one per rep.

    Shape of the lumbo-pelvic paths (defaults reproduce the original model):
    ``pelvis_power`` raises the pelvis's eased path over the depth to this power (< 1: the
    pelvis tips early in the descent, > 1: late); ``lumbar_power`` the same for the lumbar
    rhythm (``lumbar_rhythm_deg * depth ** lumbar_power``); ``lumbar_split`` is the share
    of the lumbar flexion taken at the lower lumbar joint (the rest at the upper one);
    ``thoracic_deg`` flexes the upper thorax (spine01 and above) at the bottom, on top of
    the lumbar spine (not part of the lumbar truth); ``sway_deg`` is the largest slow
    wobble (0.15-0.6 Hz, drawn from ``sway_seed``) added to the pelvis and, independently,
    to the lumbar spine over the whole clip.
    """

    n_reps: int = 2
    depth: float = 0.85
    descent_s: float = 1.2
    bottom_s: float = 0.3
    ascent_s: float = 1.0
    pause_s: float = 0.6
    lead_in_s: float = 1.0
    setup_s: float = 0.5
    tail_s: float = 0.6
    fps: float = 30.0
    stance_width: float = 1.6
    toe_out_deg: float = 15.0
    pelvis_anterior_deg: float = 18.0
    lumbar_rhythm_deg: float = 8.0
    wink_deg: float | tuple[float, ...] = 0.0
    wink_onset: float = 0.7
    overarch_deg: float = 0.0
    standing_tilt_deg: float = 0.0
    arms: str = "forward"
    bar_mass_ratio: float = 0.0
    pelvis_power: float = 1.0
    lumbar_power: float = 1.5
    lumbar_split: float = 0.5
    thoracic_deg: float = 0.0
    sway_deg: float = 0.0
    sway_seed: int = 0

    def __post_init__(self) -> None:
        checks = (
            (self.n_reps >= 1, "n_reps must be >= 1"),
            (0.5 <= self.depth <= 1.0, "depth must lie in [0.5, 1.0] (half to full squat)"),
            (len(self.winks) == self.n_reps, "wink_deg must be one value or one per rep"),
            (all(0.0 <= w <= 25.0 for w in self.winks), "wink_deg must lie in [0, 25]"),
            (0.3 <= self.wink_onset <= 0.95, "wink_onset must lie in [0.3, 0.95] (fraction of the depth)"),
            (0.0 <= self.overarch_deg <= 20.0, "overarch_deg must lie in [0, 20]"),
            (0.0 <= self.pelvis_anterior_deg <= 50.0, "pelvis_anterior_deg must lie in [0, 50]"),
            (-10.0 <= self.lumbar_rhythm_deg <= 30.0, "lumbar_rhythm_deg must lie in [-10, 30]"),
            (0.8 <= self.stance_width <= 2.5, "stance_width must lie in [0.8, 2.5] hip widths"),
            (0.0 <= self.toe_out_deg <= 40.0, "toe_out_deg must lie in [0, 40]"),
            (self.arms in ARMS, f"arms must be one of {', '.join(ARMS)}"),
            (min(self.descent_s, self.ascent_s) >= 0.3, "descent_s and ascent_s must be >= 0.3"),
            (min(self.bottom_s, self.pause_s, self.setup_s) >= 0.0, "durations must be >= 0"),
            (self.lead_in_s >= 0.3, "lead_in_s must be >= 0.3 (the standing baseline)"),
            (self.fps > 0, "fps must be > 0"),
            (self.bar_mass_ratio >= 0.0, "bar_mass_ratio must be >= 0"),
            (0.3 <= self.pelvis_power <= 3.0, "pelvis_power must lie in [0.3, 3]"),
            (0.5 <= self.lumbar_power <= 4.0, "lumbar_power must lie in [0.5, 4]"),
            (0.0 <= self.lumbar_split <= 1.0, "lumbar_split must lie in [0, 1]"),
            (-10.0 <= self.thoracic_deg <= 20.0, "thoracic_deg must lie in [-10, 20]"),
            (0.0 <= self.sway_deg <= 5.0, "sway_deg must lie in [0, 5]"),
        )
        for ok, message in checks:
            if not ok:
                raise ValueError(message)

    @property
    def winks(self) -> tuple[float, ...]:
        """The butt-wink amplitude of each rep (deg)."""
        if isinstance(self.wink_deg, int | float):
            return (float(self.wink_deg),) * self.n_reps
        return tuple(float(w) for w in self.wink_deg)

    @property
    def duration_s(self) -> float:
        rep = self.descent_s + self.bottom_s + self.ascent_s
        return self.lead_in_s + self.setup_s + self.n_reps * rep + (self.n_reps - 1) * self.pause_s + self.tail_s


@dataclass(frozen=True)
class Schedule:
    """Per-frame timing of a set: the depth fraction and the phase of each frame."""

    time_s: np.ndarray  # (n,)
    depth: np.ndarray  # (n,) 0 = standing, 1 = the rep's bottom
    rep: np.ndarray  # (n,) int, 1..n_reps inside a rep, 0 outside
    phase: np.ndarray  # (n,) str, one of PHASES
    arch: np.ndarray  # (n,) 0-1, how much of the over-arch is set up
    events: tuple[dict[str, float], ...]  # per rep: start_s, bottom_s, end_s and frames


@dataclass(frozen=True)
class Motion:
    """A posed set: everything the renderer and the truth need, per frame.

    ``rotations`` maps a segment name to its world rotation from the rest pose, shape
    ``(n, 3, 3)``; ``points`` maps a point name (see :class:`Skeleton`) to its world
    position, shape ``(n, 3)``; ``angles`` holds the sagittal angles the model set
    (degrees from the rest pose): ``pelvis``, ``lumbar`` (thorax minus pelvis),
    ``thorax``.
    """

    params: SquatParams
    skeleton: Skeleton
    schedule: Schedule
    rotations: Mapping[str, np.ndarray]
    points: Mapping[str, np.ndarray]
    angles: Mapping[str, np.ndarray]
    info: Mapping[str, float] = field(default_factory=dict)

    @property
    def n_frames(self) -> int:
        return int(self.schedule.time_s.size)


def _ease(u: np.ndarray) -> np.ndarray:
    """0 to 1 with zero velocity at both ends (half a cosine)."""
    return 0.5 - 0.5 * np.cos(np.pi * np.clip(u, 0.0, 1.0))


def squat_schedule(params: SquatParams) -> Schedule:
    """Frame times, depth fraction, rep index and phase of a set.

    Examples
    --------
    >>> s = squat_schedule(SquatParams(n_reps=1, fps=10.0))
    >>> sorted(set(s.phase.tolist())) == sorted(PHASES)
    True
    >>> float(s.depth.max())
    1.0
    """
    p = params
    n = round(p.duration_s * p.fps)
    t = np.arange(n) / p.fps
    depth = np.zeros(n)
    rep = np.zeros(n, dtype=int)
    phase = np.full(n, "standing", dtype=object)
    start = p.lead_in_s + p.setup_s
    events = []
    for k in range(1, p.n_reps + 1):
        bottom_start = start + p.descent_s
        bottom_end = bottom_start + p.bottom_s
        end = bottom_end + p.ascent_s
        down = (t >= start) & (t < bottom_start)
        hold = (t >= bottom_start) & (t < bottom_end)
        up = (t >= bottom_end) & (t < end)
        depth[down] = _ease((t[down] - start) / p.descent_s)
        depth[hold] = 1.0
        depth[up] = 1.0 - _ease((t[up] - bottom_end) / p.ascent_s)
        phase[down], phase[hold], phase[up] = "descent", "bottom", "ascent"
        rep[down | hold | up] = k
        bottom_t = 0.5 * (bottom_start + bottom_end)
        events.append(
            {
                "rep": k,
                "start_s": start,
                "bottom_s": bottom_t,
                "end_s": end,
                "start_frame": int(np.ceil(start * p.fps - 1e-9)),
                "bottom_frame": round(bottom_t * p.fps),
                "end_frame": min(int(np.ceil(end * p.fps - 1e-9)), n - 1),
            }
        )
        start = end + p.pause_s
    last_end = start - p.pause_s
    arch = _ease((t - p.lead_in_s) / max(p.setup_s, 1e-6)) * (1.0 - _ease((t - last_end) / max(p.tail_s / 2, 1e-6)))
    return Schedule(t, depth, rep, phase, arch, tuple(events))


def lumbopelvic_angles(schedule: Schedule, params: SquatParams) -> dict[str, np.ndarray]:
    """Sagittal angles (deg from the rest pose) of the pelvis and the lumbar spine per frame.

    Returns ``pelvis`` (+ = anterior tilt), ``lumbar`` (+ = flexion: thorax minus pelvis)
    and ``thorax`` (their sum, + = forward).
    """
    p = params
    s = schedule.depth
    rhythm_s = _ease(s) ** p.pelvis_power
    wink = np.where(schedule.rep > 0, np.array((0.0, *p.winks))[schedule.rep], 0.0)
    # Past the onset a winking pelvis stops following the trunk and tucks under; the lumbar
    # spine takes up both, so the thorax keeps its path.
    frozen = np.where(wink > 0, _ease(np.minimum(s, p.wink_onset)) ** p.pelvis_power, rhythm_s)
    tuck = _ease((s - p.wink_onset) / (1.0 - p.wink_onset)) * wink
    arch = schedule.arch * p.overarch_deg
    pelvis = p.standing_tilt_deg + arch + p.pelvis_anterior_deg * frozen - tuck
    lumbar = -arch + p.lumbar_rhythm_deg * s**p.lumbar_power + p.pelvis_anterior_deg * (rhythm_s - frozen) + tuck
    if p.sway_deg > 0:
        pelvis = pelvis + sway(schedule.time_s, p.sway_deg, (p.sway_seed, 0))
        lumbar = lumbar + sway(schedule.time_s, p.sway_deg, (p.sway_seed, 1))
    thorax = pelvis + lumbar
    return {"pelvis": pelvis, "lumbar": lumbar, "thorax": thorax, "upper_thorax": thorax + p.thoracic_deg * _ease(s)}


def sway(time_s: np.ndarray, amplitude_deg: float, seed: tuple[int, int]) -> np.ndarray:
    """A slow wobble (three sines of 0.15-0.6 Hz, random phases) peaking at ``amplitude_deg``.

    >>> w = sway(np.arange(300) / 30.0, 2.0, (0, 0))
    >>> bool(np.abs(w).max() <= 2.0 + 1e-9)
    True
    """
    rng = np.random.default_rng(seed)
    freqs, phases, weights = rng.uniform(0.15, 0.6, 3), rng.uniform(0, 2 * np.pi, 3), rng.uniform(0.5, 1.0, 3)
    wave = np.sum(weights[:, None] * np.sin(2 * np.pi * freqs[:, None] * time_s[None, :] + phases[:, None]), axis=0)
    return amplitude_deg * wave / weights.sum()


def _ankles(sk: Skeleton, p: SquatParams) -> dict[str, np.ndarray]:
    """Planted ankle positions and toe directions of each foot."""
    hip_sep = sk["hip_l"][0] - sk["hip_r"][0]
    out = {}
    for side, sign in (("l", 1.0), ("r", -1.0)):
        ankle = sk[f"ankle_{side}"].copy()
        ankle[0] = sign * 0.5 * p.stance_width * hip_sep
        out[f"ankle_{side}"] = ankle
        out[f"foot_rot_{side}"] = rot_z(sign * p.toe_out_deg)
        out[f"toe_dir_{side}"] = rot_z(sign * p.toe_out_deg) @ FORWARD
    return out


def _standing_hip_height(sk: Skeleton, feet: Mapping[str, np.ndarray]) -> float:
    """Mid-hip height at which the knees are soft but nearly straight."""
    leg = sk.length("hip_l", "knee_l") + sk.length("knee_l", "ankle_l")
    dx = feet["ankle_l"][0] - sk["hip_l"][0]
    dy = feet["ankle_l"][1] - sk["hip_l"][1]
    return float(feet["ankle_l"][2] + np.sqrt((_STANDING_REACH * leg) ** 2 - dx**2 - dy**2))


def _upper_body(
    sk: Skeleton, angles: Mapping[str, np.ndarray], mid_hip: np.ndarray, split: float = 0.5
) -> tuple[dict, dict]:
    """Rotations and points of the pelvis, spine, neck and head for a given mid-hip position.

    ``split``: the share of the lumbar flexion taken at the lower lumbar joint.
    """
    upper = angles.get("upper_thorax", angles["thorax"])
    rot = {
        "pelvis": rot_x(angles["pelvis"]),
        "lumbar_lower": rot_x(angles["pelvis"] + split * angles["lumbar"]),
        "lumbar_upper": rot_x(angles["thorax"]),
        "thorax": rot_x(angles["thorax"]),
        "upper_thorax": rot_x(upper),
        "neck": rot_x(_NECK_FOLLOW * upper),
        "head": rot_x(_HEAD_FOLLOW * upper),
    }
    rest_mid_hip = 0.5 * (sk["hip_l"] + sk["hip_r"])
    pts = {"pelvis": mid_hip + rot["pelvis"] @ (sk["pelvis"] - rest_mid_hip)}

    def attach(name: str, parent_point: str, segment: str) -> None:
        pts[name] = pts[parent_point] + rot[segment] @ (sk[name] - sk[parent_point])

    for side in SIDES:
        attach(f"hip_{side}", "pelvis", "pelvis")
    attach("spine04", "pelvis", "pelvis")
    attach("spine03", "spine04", "lumbar_lower")
    attach("spine02", "spine03", "lumbar_upper")
    attach("spine01", "spine02", "thorax")
    for name in ("neck", "bar", "shoulder_l", "shoulder_r"):
        attach(name, "spine01", "upper_thorax")
    attach("head", "neck", "neck")
    return rot, pts


def _legs(sk: Skeleton, feet: Mapping[str, np.ndarray], pts: dict, rot: dict) -> None:
    """Knees by two-link IK towards the toes; thigh, shank and foot rotations."""
    n = pts["pelvis"].shape[0]
    for side in SIDES:
        hip, ankle = pts[f"hip_{side}"], np.broadcast_to(feet[f"ankle_{side}"], (n, 3))
        toe_dir = np.broadcast_to(feet[f"toe_dir_{side}"], (n, 3))
        thigh, shank = sk.length(f"hip_{side}", f"knee_{side}"), sk.length(f"knee_{side}", f"ankle_{side}")
        knee = two_link_ik(hip, ankle, toe_dir, thigh, shank)
        rest_fwd = np.broadcast_to(FORWARD, (n, 3))
        rot[f"thigh_{side}"] = frame_rotation(sk[f"knee_{side}"] - sk[f"hip_{side}"], rest_fwd, knee - hip, toe_dir)
        rot[f"shank_{side}"] = frame_rotation(sk[f"ankle_{side}"] - sk[f"knee_{side}"], rest_fwd, ankle - knee, toe_dir)
        rot[f"foot_{side}"] = np.broadcast_to(feet[f"foot_rot_{side}"], (n, 3, 3)).copy()
        pts[f"knee_{side}"] = knee
        pts[f"ankle_{side}"] = ankle.copy()
        for name in ("heel", "toe"):
            pts[f"{name}_{side}"] = ankle + rot[f"foot_{side}"] @ (sk[f"{name}_{side}"] - sk[f"ankle_{side}"])


def _arm_targets(sk: Skeleton, arms: str, pts: dict, rot: dict, side: str) -> tuple[np.ndarray, np.ndarray]:
    """Wrist target and elbow pole direction of one arm, per frame."""
    sign = 1.0 if side == "l" else -1.0
    other = "r" if side == "l" else "l"
    shoulder = pts[f"shoulder_{side}"]
    lateral = np.array([sign, 0.0, 0.0])
    if arms == "forward":
        reach = sk.length(f"shoulder_{side}", f"elbow_{side}") + sk.length(f"elbow_{side}", f"wrist_{side}")
        direction = rot_x(-12.0) @ FORWARD  # a little below horizontal
        target = shoulder + 0.97 * reach * direction - 0.04 * lateral
        pole = np.broadcast_to(-UP, shoulder.shape)
    elif arms == "bar":
        target = pts["bar"] + _GRIP_HALF_WIDTH_M * lateral + rot["upper_thorax"] @ np.array([0.0, -0.02, -0.05])
        pole = rot["upper_thorax"] @ unit(np.array([0.6 * sign, 0.5, -1.0]))
    elif arms == "hips":
        target = pts[f"hip_{side}"] + rot["pelvis"] @ np.array([0.07 * sign, 0.01, 0.09])
        pole = rot["pelvis"] @ unit(np.array([sign, 0.6, 0.0]))
    else:  # crossed over the chest, each hand towards the other shoulder
        target = pts[f"shoulder_{other}"] + rot["upper_thorax"] @ np.array([0.0, -0.11, -0.07])
        pole = rot["upper_thorax"] @ unit(np.array([0.5 * sign, -0.3, -1.0]))
    return target, pole


def _arms(sk: Skeleton, arms: str, pts: dict, rot: dict) -> None:
    """Elbows and wrists by two-link IK; upper-arm and forearm rotations."""
    for side in SIDES:
        shoulder = pts[f"shoulder_{side}"]
        target, pole = _arm_targets(sk, arms, pts, rot, side)
        upper, fore = sk.length(f"shoulder_{side}", f"elbow_{side}"), sk.length(f"elbow_{side}", f"wrist_{side}")
        elbow = two_link_ik(shoulder, target, pole, upper, fore)
        wrist = elbow + fore * unit(target - elbow)
        back = np.broadcast_to(-FORWARD, shoulder.shape)
        rot[f"upperarm_{side}"] = frame_rotation(
            sk[f"elbow_{side}"] - sk[f"shoulder_{side}"], back, elbow - shoulder, pole
        )
        rot[f"forearm_{side}"] = frame_rotation(sk[f"wrist_{side}"] - sk[f"elbow_{side}"], back, wrist - elbow, pole)
        pts[f"elbow_{side}"], pts[f"wrist_{side}"] = elbow, wrist


def _pose(sk: Skeleton, p: SquatParams, angles: Mapping[str, np.ndarray], mid_hip: np.ndarray) -> tuple[dict, dict]:
    feet = _ankles(sk, p)
    rot, pts = _upper_body(sk, angles, mid_hip, p.lumbar_split)
    _legs(sk, feet, pts, rot)
    _arms(sk, p.arms, pts, rot)
    return rot, pts


def centre_of_mass_y(pts: Mapping[str, np.ndarray], bar_mass_ratio: float = 0.0) -> np.ndarray:
    """Fore-aft (y) position of a segment-weighted centre of mass, per frame (m)."""

    def mean(*names: str) -> np.ndarray:
        return np.mean([pts[n][..., 1] for n in names], axis=0)

    shoulders, hips = mean("shoulder_l", "shoulder_r"), mean("hip_l", "hip_r")
    knees, ankles = mean("knee_l", "knee_r"), mean("ankle_l", "ankle_r")
    arms = mean("shoulder_l", "shoulder_r", "elbow_l", "elbow_r", "wrist_l", "wrist_r")
    total = (
        _MASS["trunk"] * (hips + _TRUNK_COM * (shoulders - hips))
        + _MASS["arms"] * arms
        + _MASS["thighs"] * (hips + _THIGH_COM * (knees - hips))
        + _MASS["shanks"] * (knees + _SHANK_COM * (ankles - knees))
        + bar_mass_ratio * pts["bar"][..., 1]
    )
    return total / (sum(_MASS.values()) + bar_mass_ratio)


def squat_motion(params: SquatParams, skeleton: Skeleton | None = None) -> Motion:
    """Pose a whole set: segment rotations and point positions per frame.

    The hips drop by the depth profile; their fore-aft position is solved (bisection,
    0.1 mm) so that the centre of mass stays where it is in quiet standing.

    Examples
    --------
    >>> m = squat_motion(SquatParams(n_reps=1, fps=10.0))
    >>> m.points["ankle_l"].shape == (m.n_frames, 3)
    True
    """
    sk = skeleton or default_skeleton()
    p = params
    schedule = squat_schedule(p)
    angles = lumbopelvic_angles(schedule, p)
    n = schedule.time_s.size
    feet = _ankles(sk, p)
    leg = sk.length("hip_l", "knee_l") + sk.length("knee_l", "ankle_l")
    drop = (_DROP_HALF_LEG + (p.depth - 0.5) / 0.5 * (_DROP_FULL_LEG - _DROP_HALF_LEG)) * leg
    z_hip = _standing_hip_height(sk, feet) - schedule.depth * drop

    def hip_at(y: np.ndarray) -> np.ndarray:
        return np.stack([np.zeros(n), y, z_hip], axis=1)

    tilt = np.full(1, p.standing_tilt_deg)
    standing = {"pelvis": tilt, "lumbar": np.zeros(1), "thorax": tilt, "upper_thorax": tilt}
    ref_hip = np.array([[0.0, 0.0, _standing_hip_height(sk, feet)]])
    target = centre_of_mass_y(_pose(sk, p, standing, ref_hip)[1], p.bar_mass_ratio)

    # Moving the hips back moves the centre of mass back: bisection on the hip's y.
    lo, hi = np.full(n, -0.6), np.full(n, 0.6)
    for _ in range(14):
        mid = 0.5 * (lo + hi)
        com = centre_of_mass_y(_pose(sk, p, angles, hip_at(mid))[1], p.bar_mass_ratio)
        ahead = com < target  # -y is forward: the centre of mass lies ahead, move the hips back (+y)
        lo = np.where(ahead, mid, lo)
        hi = np.where(ahead, hi, mid)
    rot, pts = _pose(sk, p, angles, hip_at(0.5 * (lo + hi)))
    info = {"hip_drop_m": float(drop), "standing_hip_z_m": float(z_hip[0])}
    return Motion(p, sk, schedule, rot, pts, angles, info)
