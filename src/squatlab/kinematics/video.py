"""Per-frame joint angles, with a confidence, from a side-view video's landmarks."""

from __future__ import annotations

import warnings

import numpy as np

from squatlab import conventions as cv
from squatlab.kinematics import angles
from squatlab.kinematics.filtering import fill_gaps, lowpass, rolling_percentile
from squatlab.settings import ViewSettings
from squatlab.trial import Channel, Landmarks, View

# Interpolated samples are guesses between two measurements.
FILLED_TRUST = 0.6
# Reference lengths: a high percentile over a long window, because the 2-D segments look
# shorter whenever they turn out of the image plane, never longer.
_REF_WINDOW_S = 12.0
_REF_PERCENTILE = 90


def clean_landmarks(
    landmarks: Landmarks,
    time_s: np.ndarray,
    *,
    cutoff_hz: float,
    order: int,
    max_gap_s: float,
    segments: np.ndarray | None = None,
) -> tuple[Landmarks, np.ndarray]:
    """Fill short gaps and low-pass the landmark tracks, each track segment on its own.

    Returns the cleaned landmarks and the mask of frames filled by interpolation.
    """
    segments = np.zeros(time_s.size, dtype=int) if segments is None else segments
    xy = np.full_like(landmarks.xy, np.nan)
    z = None if landmarks.z is None else np.full_like(landmarks.z, np.nan)
    seen = np.where(np.isnan(landmarks.xy[..., 0]), np.nan, landmarks.visibility)
    visibility = np.zeros_like(landmarks.visibility)
    filled = np.zeros(time_s.size, dtype=bool)
    for seg in np.unique(segments):
        sel = np.flatnonzero(segments == seg)
        t = time_s[sel]
        seg_xy, seg_filled = fill_gaps(landmarks.xy[sel], t, max_gap_s=max_gap_s)
        xy[sel] = lowpass(seg_xy, t, cutoff_hz=cutoff_hz, order=order)
        if z is not None and landmarks.z is not None:
            z[sel] = lowpass(
                fill_gaps(landmarks.z[sel], t, max_gap_s=max_gap_s)[0], t, cutoff_hz=cutoff_hz, order=order
            )
        seg_vis = np.nan_to_num(fill_gaps(seen[sel], t, max_gap_s=max_gap_s)[0])
        visibility[sel] = seg_vis * np.where(seg_filled, FILLED_TRUST, 1.0)[:, None]
        filled[sel] = seg_filled
    return Landmarks(landmarks.names, xy, visibility, landmarks.image_size, z), filled


def _length(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.linalg.norm(a - b, axis=1)


def view_trust(kinds: np.ndarray, *, oblique: float, front: float) -> np.ndarray:
    """Per frame, how far 2-D sagittal measures hold in the frame's view (side 1, unknown 0)."""
    table = {"side": 1.0, "oblique": oblique, "front": front, "unknown": 0.0}
    return np.vectorize(table.get, otypes=[float])(kinds)


def joint_channels(
    landmarks: Landmarks,
    time_s: np.ndarray,
    view: View,
    *,
    leg_ref: np.ndarray | None = None,
    settings: ViewSettings | None = None,
) -> dict[str, Channel]:
    """Hip and knee flexion, shin angle, trunk inclination, hip depth, knee past toes, hip height.

    Uses the leg nearer the camera; the confidence is the lowest landmark visibility
    involved times the trust in the frame's view. ``leg_ref`` is that leg's
    :func:`leg_length` when the caller already has it.
    """
    side = view.leg_side
    facing = -1 if view.facing == "left" else 1
    p = {part: landmarks.point(f"{side}_{part}") for part in ("shoulder", "hip", "knee", "ankle", "heel", "foot_index")}
    v = {part: landmarks.vis(f"{side}_{part}") for part in p}
    s = settings or ViewSettings()
    trust = view_trust(view.kind, oblique=s.joint_trust_oblique, front=s.joint_trust_front)

    thigh_ref = rolling_percentile(_length(p["hip"], p["knee"]), time_s, window_s=_REF_WINDOW_S, q=_REF_PERCENTILE)
    leg_ref = leg_length(landmarks, time_s, side) if leg_ref is None else leg_ref
    foot_ref = rolling_percentile(_length(p["heel"], p["foot_index"]), time_s, window_s=_REF_WINDOW_S, q=50)
    floor_y = rolling_percentile(np.fmax(p["ankle"][:, 1], p["heel"][:, 1]), time_s, window_s=_REF_WINDOW_S, q=50)

    def conf(*parts: str) -> np.ndarray:
        return np.min([v[k] for k in parts], axis=0) * trust

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return {
            cv.HIP_FLEXION: Channel.measured(
                angles.hip_flexion(p["hip"], p["knee"], p["shoulder"], facing), conf("hip", "knee", "shoulder")
            ),
            cv.KNEE_FLEXION: Channel.measured(
                angles.knee_flexion(p["hip"], p["knee"], p["ankle"], facing), conf("hip", "knee", "ankle")
            ),
            cv.SHIN_ANGLE: Channel.measured(angles.shin_angle(p["ankle"], p["knee"], facing), conf("knee", "ankle")),
            cv.TRUNK_INCLINATION: Channel.measured(
                angles.trunk_inclination(p["hip"], p["shoulder"], facing), conf("hip", "shoulder")
            ),
            cv.HIP_DEPTH: Channel.measured(
                angles.hip_depth(p["hip"], p["knee"], thigh_ref), conf("hip", "knee"), unit="thigh lengths"
            ),
            cv.KNEE_PAST_TOES: Channel.measured(
                angles.knee_past_toes(p["knee"], p["foot_index"], facing, foot_ref),
                conf("knee", "foot_index", "heel"),
                unit="foot lengths",
            ),
            cv.HIP_HEIGHT: Channel.measured(
                angles.hip_height(p["hip"], floor_y, leg_ref),
                # Hip height is also the rep signal; it stays usable in any view.
                np.min([v["hip"], v["ankle"]], axis=0),
                unit="leg lengths",
            ),
        }


def leg_length(landmarks: Landmarks, time_s: np.ndarray, side: str) -> np.ndarray:
    """Reference leg length (hip-knee-ankle, pixels) per frame; follows the lifter's distance to the camera."""
    hip, knee, ankle = (landmarks.point(f"{side}_{part}") for part in ("hip", "knee", "ankle"))
    leg = _length(hip, knee) + _length(knee, ankle)
    return rolling_percentile(leg, time_s, window_s=_REF_WINDOW_S, q=_REF_PERCENTILE)
