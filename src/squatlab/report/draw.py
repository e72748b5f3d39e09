"""Drawing the skeleton, the back line and the numbers onto a frame (OpenCV; labels with Pillow)."""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np
from matplotlib import font_manager
from PIL import Image, ImageDraw, ImageFont

from squatlab import conventions as cv
from squatlab.trial import Rep, Trial

NEAR = (60, 220, 255)
FAR = (150, 150, 150)
BACK = (255, 80, 200)
OUTLINE = (255, 230, 0)
TEXT = (255, 255, 255)


def unmeasured_rep(trial: Trial, frame: int) -> Rep | None:
    """The rep marked not measurable that ``frame`` lies in, or None."""
    return next((r for r in trial.reps if not r.measurable and r.start_frame <= frame <= r.end_frame), None)


def draw_pose(
    rgb: np.ndarray, trial: Trial, frame: int, *, scale: float = 1.0, origin: tuple[float, float] = (0.0, 0.0)
) -> np.ndarray:
    """``rgb`` with the skeleton of ``frame``, the trunk line and the back's outline.

    ``rgb`` is the frame cut at ``origin`` (x, y in frame pixels) and then scaled by ``scale``.

    In a rep marked not measurable the skeleton is drawn all grey (the lifter is tracked, which
    is how the rep was counted) without the trunk line and the outline, from which nothing is
    read there.
    """
    out = rgb.copy()
    lm = trial.landmarks
    if lm is None:
        return out
    measured = unmeasured_rep(trial, frame) is None
    # "none" matches no landmark name: every segment takes the grey of the far side.
    near = (trial.view.near_side if trial.view is not None else "left") if measured else "none"
    thick = max(1, round(out.shape[0] / 300))
    offset = np.asarray(origin, dtype=float)

    def _pt(xy: np.ndarray) -> tuple[int, int]:
        return round(float(xy[0] - offset[0]) * scale), round(float(xy[1] - offset[1]) * scale)

    xy = lm.xy[frame]
    for a, b in cv.SKELETON_EDGES:
        pa, pb = xy[lm.index(a)], xy[lm.index(b)]
        if not (np.all(np.isfinite(pa)) and np.all(np.isfinite(pb))):
            continue
        colour = NEAR if a.startswith(near) and b.startswith(near) else FAR
        cv2.line(out, _pt(pa), _pt(pb), colour, thick, cv2.LINE_AA)
    for name in lm.names[11:]:
        p = xy[lm.index(name)]
        if np.all(np.isfinite(p)):
            cv2.circle(out, _pt(p), thick + 1, NEAR if name.startswith(near) else FAR, -1, cv2.LINE_AA)
    if not measured:
        return out
    shoulder, hip = xy[lm.index(f"{near}_shoulder")], xy[lm.index(f"{near}_hip")]
    if np.all(np.isfinite(shoulder)) and np.all(np.isfinite(hip)):
        cv2.line(out, _pt(hip), _pt(shoulder), BACK, thick + 1, cv2.LINE_AA)
    outline = trial.extras.get(cv.TRUNK_OUTLINE_XY)
    # Withheld frames carry no value: an outline drawn there would show a reading that was not used.
    read = any(
        (ch := trial.channels.get(name)) is not None and np.isfinite(ch.values[frame])
        for name in (cv.PELVIS_TILT, cv.LUMBAR_FLEXION)
    )
    if outline is not None and trial.view is not None and read:
        back = outline[frame, :, 0 if trial.view.facing != "left" else 1]
        back = back[np.isfinite(back).all(axis=1)]
        if len(back) >= 2:  # the back's outline, as the pelvis and lumbar estimate reads it
            pts = np.round((back - offset) * scale).astype(np.int32).reshape(-1, 1, 2)
            cv2.polylines(out, [pts], False, OUTLINE, thick, cv2.LINE_AA)
    return out


def draw_text_block(rgb: np.ndarray, lines: list[str]) -> np.ndarray:
    """Lines of text on a dark band at the top left."""
    out = rgb
    size = max(0.35, min(out.shape[:2]) / 1100)
    thick = max(1, round(size * 1.5))
    (_, h), _ = cv2.getTextSize("Ag", cv2.FONT_HERSHEY_SIMPLEX, size, thick)
    step = int(h * 1.7)
    width = max(cv2.getTextSize(s, cv2.FONT_HERSHEY_SIMPLEX, size, thick)[0][0] for s in lines) + 2 * h if lines else 0
    band = out[: step * len(lines) + h, : min(out.shape[1], width)]
    band[:] = (band * 0.45).astype(out.dtype)
    for i, line in enumerate(lines):
        cv2.putText(out, line, (h, step * (i + 1)), cv2.FONT_HERSHEY_SIMPLEX, size, TEXT, thick, cv2.LINE_AA)
    return out


def frame_caption(trial: Trial, frame: int) -> list[str]:
    """The numbers shown on a frame: time, rep, and the measured angles."""
    t = trial.time_s[frame]
    reps = trial.reps
    done = sum(r.end_frame < frame for r in reps)
    current = next((r for r in reps if r.start_frame <= frame <= r.end_frame), None)
    rep_text = f"rep {current.index}/{len(reps)}" if current else f"reps {done}/{len(reps)}"
    lines = [f"{t:5.1f} s  {rep_text}"]
    if trial.view is not None:
        lines[0] += f"  {trial.view.kind[frame]} view"
    if current is not None and not current.measurable:
        return [*lines, f"not measured: {current.reason or 'no reason given'}"]
    for name in (
        cv.HIP_FLEXION,
        cv.KNEE_FLEXION,
        cv.SHIN_ANGLE,
        cv.TRUNK_INCLINATION,
        cv.PELVIS_TILT,
        cv.LUMBAR_FLEXION,
    ):
        ch = trial.channels.get(name)
        if ch is None or ch.is_absent:
            continue
        value = ch.values[frame]
        label = cv.CHANNELS[name].label.lower()
        lines.append(f"{label}: {value:5.0f} deg" if np.isfinite(value) else f"{label}: -")
    return lines


@cache
def _font(size_px: int) -> ImageFont.FreeTypeFont:
    # DejaVu Sans ships with matplotlib, so the labels look the same on every machine.
    return ImageFont.truetype(font_manager.findfont("DejaVu Sans"), size_px)


def draw_labels(rgb: np.ndarray, lines: list[str]) -> np.ndarray:
    """Lines of text on a dark band across the top of the picture, sized to its width."""
    image = Image.fromarray(rgb)
    draw = ImageDraw.Draw(image, "RGBA")
    size = max(12, round(min(image.width / 18, image.height / 22)))
    font = _font(size)
    step = round(size * 1.3)
    draw.rectangle((0, 0, image.width, step * len(lines) + size // 2), fill=(0, 0, 0, 150))
    for i, line in enumerate(lines):
        draw.text((size // 2, size // 4 + i * step), line, font=font, fill=TEXT)
    return np.asarray(image)
