"""Names, units and sign conventions, written down once.

Every module, output file and document uses these names. The signs follow
docs/conventions.md (and ../shared/docs/DOMAIN.md):

- pelvis tilt: + = anterior tilt (the pelvis tips forward), relative to standing;
- lumbar flexion: + = flexion (rounding), - = extension, relative to standing;
- hip and knee flexion: + = flexion, 0 = straight;
- shin angle: 0 = vertical, + = knee ahead of the ankle (the dorsiflexion proxy);
- trunk inclination: 0 = upright, + = leaning forward;
- hip depth: hip below the knee, in thigh lengths (0 = thigh level, + = below parallel);
- knee past toes: knee ahead of the toes, in foot lengths (+ = ahead);
- hip height: vertical ankle-to-hip distance in leg lengths (1 = standing tall).
"""

from __future__ import annotations

from dataclasses import dataclass

PELVIS_TILT = "pelvis_tilt_deg"
LUMBAR_FLEXION = "lumbar_flexion_deg"
HIP_FLEXION = "hip_flexion_deg"
KNEE_FLEXION = "knee_flexion_deg"
SHIN_ANGLE = "shin_angle_deg"
TRUNK_INCLINATION = "trunk_inclination_deg"
HIP_DEPTH = "hip_depth_thigh"
KNEE_PAST_TOES = "knee_past_toes_foot"
HIP_HEIGHT = "hip_height_leg"

# Sources first give pelvis tilt and lumbar flexion in their own absolute frame (e.g.
# the sacral outline's angle from vertical, or the ASIS-PSIS line's angle from level).
# The baseline stage subtracts the lifter's standing value and writes PELVIS_TILT and
# LUMBAR_FLEXION, which are the numbers reported. Signs are the same in both.
PELVIS_TILT_ABS = "pelvis_tilt_abs_deg"
LUMBAR_FLEXION_ABS = "lumbar_flexion_abs_deg"


@dataclass(frozen=True)
class ChannelSpec:
    """What one per-frame channel means."""

    name: str
    unit: str
    label: str
    positive: str
    zero: str


CHANNELS: dict[str, ChannelSpec] = {
    spec.name: spec
    for spec in (
        ChannelSpec(PELVIS_TILT, "deg", "Pelvis tilt", "anterior tilt", "standing baseline"),
        ChannelSpec(LUMBAR_FLEXION, "deg", "Lumbar flexion", "flexion (rounding)", "standing baseline"),
        ChannelSpec(HIP_FLEXION, "deg", "Hip flexion", "flexion", "trunk in line with thigh"),
        ChannelSpec(KNEE_FLEXION, "deg", "Knee flexion", "flexion", "straight knee"),
        ChannelSpec(SHIN_ANGLE, "deg", "Shin angle", "knee ahead of ankle", "vertical shin"),
        ChannelSpec(TRUNK_INCLINATION, "deg", "Trunk inclination", "leaning forward", "upright trunk"),
        ChannelSpec(HIP_DEPTH, "thigh lengths", "Hip depth", "hip below knee", "hip level with knee"),
        ChannelSpec(KNEE_PAST_TOES, "foot lengths", "Knee past toes", "knee ahead of toes", "knee above toes"),
        ChannelSpec(HIP_HEIGHT, "leg lengths", "Hip height", "higher", "hip at ankle height"),
        ChannelSpec(PELVIS_TILT_ABS, "deg", "Pelvis tilt (absolute)", "anterior tilt", "the source's own reference"),
        ChannelSpec(LUMBAR_FLEXION_ABS, "deg", "Lumbar flexion (absolute)", "flexion", "the source's own reference"),
    )
}

LUMBO_PELVIC = (PELVIS_TILT, LUMBAR_FLEXION)
JOINT_ANGLES = (HIP_FLEXION, KNEE_FLEXION, SHIN_ANGLE, TRUNK_INCLINATION)


def imu_rotation_key(role: str) -> str:
    """``Trial.extras`` key of an IMU's signed sagittal rotation from the reference posture, deg.

    >>> imu_rotation_key("pelvis")
    'pelvis_rotation_deg'
    """
    return f"{role}_rotation_deg"


def imu_rate_key(role: str) -> str:
    """``Trial.extras`` key of an IMU's signed rate of turn about its sagittal axis, deg/s."""
    return f"{role}_rate_deg_s"


def conf_column(channel: str) -> str:
    """Name of the confidence column that sits beside ``channel`` in tables."""
    return f"{channel}_conf"


# BlazePose's 33 landmarks, in the model's order.
BLAZEPOSE_LANDMARKS: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_pinky", "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb",
    "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    "left_heel", "right_heel", "left_foot_index", "right_foot_index",
)  # fmt: skip

# The segments drawn as the skeleton in keyframes and the overlay video.
SKELETON_EDGES: tuple[tuple[str, str], ...] = (
    *(
        (f"{side}_{a}", f"{side}_{b}")
        for side in ("left", "right")
        for a, b in (
            ("shoulder", "elbow"), ("elbow", "wrist"), ("shoulder", "hip"), ("hip", "knee"),
            ("knee", "ankle"), ("ankle", "heel"), ("heel", "foot_index"), ("ankle", "foot_index"),
        )
    ),
    ("left_shoulder", "right_shoulder"),
    ("left_hip", "right_hip"),
)  # fmt: skip

SIDES = ("left", "right")

# How the camera sees the lifter per frame (scene.view), and the number that stands for each
# kind in numeric tables (the view column of an exported .mot).
VIEW_KINDS = ("unknown", "front", "oblique", "side")
VIEW_CODES = {kind: code for code, kind in enumerate(VIEW_KINDS)}

# Per-frame keys of a video trial's ``Trial.extras`` about how the lifter was followed.
# The pose model's presence score for the pose kept in the frame (0-1; NaN: no pose). Below
# PoseSettings.track_min_presence the landmarks' visibility is scaled down by it.
POSE_PRESENCE = "pose_presence"
# How the frame's pose was found: one of POSE_SOURCES' codes.
POSE_SOURCE = "pose_source"
# "interpolated": the model skipped the frame while the lifter stood still (pose.slow_stride).
POSE_SOURCES = {"none": -1, "tracked": 0, "detected": 1, "reseeded": 2, "scanned": 3, "interpolated": 4}
# Where a barbell rides on the back: the centre of its near plates per frame (pixels, NaN
# where not seen); only present when a bar was found (scene.bar).
BAR_XY = "bar_xy"
# The back's outline sampled from the person mask per frame (pose.outline; pixels, NaN where
# not seen): what pelvis tilt and lumbar flexion are read from.
TRUNK_OUTLINE_XY = "trunk_outline_xy"
# The near leg's length per frame (pixels): the unit of hip drop for the rep finder.
LEG_LENGTH_PX = "leg_length_px"
# Which piece of the pose track each frame belongs to (pose.identity.track_segments: a new piece
# where the hips jump to another body); the rep finder never joins two pieces into one rep.
TRACK_SEGMENT = "track_segment"
# The signal the reps were found on (hip drop in leg lengths, or knee flexion in deg), per frame.
DEPTH_SIGNAL = "depth_signal"
