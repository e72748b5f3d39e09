"""Does BlazePose see the rendered person? Detection rate and mask IoU of a rendered clip.

A diagnostic for the renderer's realism, not part of the measurement pipeline: it runs
MediaPipe's legacy BlazePose (full model, with segmentation) over a clip and compares
its person mask with the true silhouette that :func:`~squatlab.synth.render.render_clip`
wrote.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from squatlab.synth.render import load_mask

if TYPE_CHECKING:
    import pandas as pd


def blazepose_check(video: Path, mask: Path | None = None, *, model_complexity: int = 1) -> dict[str, float]:
    """Fraction of frames with a pose, and the mean mask IoU over those frames (NaN without a mask).

    Also returns the mean pixel error of the hips, knees and ankles against the CSV truth
    when the clip's CSV lies beside the video (``joint_err_px``, NaN otherwise).
    """
    import av
    import mediapipe as mp
    import pandas as pd

    truth_mask = load_mask(mask) if mask is not None else None
    csv = Path(video).with_suffix(".csv")
    truth = pd.read_csv(csv) if csv.exists() else None
    found, ious, errs = [], [], []
    lm_index = {"hip": (23, 24), "knee": (25, 26), "ankle": (27, 28)}
    with (
        mp.solutions.pose.Pose(
            static_image_mode=False, model_complexity=model_complexity, enable_segmentation=True
        ) as pose,
        av.open(str(video)) as container,
    ):
        for i, frame in enumerate(container.decode(video=0)):
            rgb = frame.to_ndarray(format="rgb24")
            result = pose.process(rgb)
            ok = result.pose_landmarks is not None
            found.append(ok)
            if not ok:
                continue
            h, w = rgb.shape[:2]
            if truth_mask is not None and result.segmentation_mask is not None:
                pred, true = result.segmentation_mask > 0.5, truth_mask[i]
                ious.append((pred & true).sum() / max((pred | true).sum(), 1))
            if truth is not None:
                lms = result.pose_landmarks.landmark
                for joint, (li, ri) in lm_index.items():
                    for side, k in (("left", li), ("right", ri)):
                        dx = lms[k].x * w - truth.at[i, f"{side}_{joint}_x"]
                        dy = lms[k].y * h - truth.at[i, f"{side}_{joint}_y"]
                        errs.append(np.hypot(dx, dy))
    return {
        "frames": float(len(found)),
        "detection_rate": float(np.mean(found)) if found else 0.0,
        "mask_iou": float(np.mean(ious)) if ious else float("nan"),
        "joint_err_px": float(np.median(errs)) if errs else float("nan"),
    }


def check_clips(names: list[str], folder: Path) -> pd.DataFrame:
    """:func:`blazepose_check` over rendered clips in ``folder``, one row per clip (masks used when present)."""
    import pandas as pd

    rows = []
    for name in names:
        mask = Path(folder) / f"{name}_mask.npz"
        result = blazepose_check(Path(folder) / f"{name}.mp4", mask if mask.exists() else None)
        rows.append({"clip": name, **result})
    return pd.DataFrame(rows)
