"""BlazePose (MediaPipe 0.10.21, legacy ``solutions.pose``), fully offline.

That wheel carries the BlazePose *full* landmark model (model_complexity=1), the
person detector and the segmentation head inside it; complexity 0 and 2 would try to
download their models and are therefore not offered. Nothing is fetched at run time.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from squatlab.conventions import BLAZEPOSE_LANDMARKS
from squatlab.pose.base import PoseResult
from squatlab.timing import stage


@contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Hide what MediaPipe's C++ side prints to stderr, keep what Python prints.

    TensorFlow Lite and absl write their notes straight to file descriptor 2, from
    several threads and at any time; they would bury squatlab's one-line messages and
    progress bars. Inside this block, fd 2 goes to /dev/null and ``sys.stderr`` writes
    to a copy of the real stderr.
    """
    try:
        fd = sys.__stderr__.fileno() if sys.__stderr__ is not None else -1
        if fd != 2 or sys.stderr is not sys.__stderr__:
            raise ValueError("stderr is redirected")
    except (AttributeError, ValueError, OSError):  # stderr replaced (e.g. captured in tests)
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    python_stderr = os.fdopen(os.dup(saved), "w", buffering=1, encoding=sys.stderr.encoding, errors="replace")
    previous = sys.stderr
    os.dup2(devnull, fd)
    sys.stderr = python_stderr
    try:
        yield
    finally:
        python_stderr.flush()
        sys.stderr = previous
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)
        python_stderr.close()


# The model sees a 256x256 crop; larger frames only cost memory and time (MediaPipe's use
# grows to ~1.8 GB at 4K). Frames are shrunk to this longest side first; the landmarks and
# the mask come back at full size.
MAX_INPUT_SIDE = 1920


class BlazePose:
    """BlazePose full with its segmentation mask.

    ``tracking=True`` follows one person from frame to frame (video mode);
    ``tracking=False`` detects afresh in every frame (used to count people).
    """

    name = "blazepose-full (mediapipe 0.10.21)"
    landmark_names = BLAZEPOSE_LANDMARKS

    def __init__(self, *, tracking: bool = True, min_detection_confidence: float = 0.5) -> None:
        # Silence TensorFlow Lite's start-up chatter; must be set before mediapipe loads.
        os.environ.setdefault("GLOG_minloglevel", "2")
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import mediapipe as mp

        self._tracking = tracking
        self._min_detection_confidence = min_detection_confidence
        self._pose_cls = mp.solutions.pose.Pose
        self._pose = None  # made on first use: a model that is never run costs no memory

    def _make(self):  # mediapipe ships no type hints
        return self._pose_cls(
            static_image_mode=not self._tracking,
            model_complexity=1,
            smooth_landmarks=False,  # squatlab filters once, with zero lag, in kinematics
            enable_segmentation=True,
            smooth_segmentation=self._tracking,
            min_detection_confidence=self._min_detection_confidence,
            min_tracking_confidence=0.5,
        )

    def __call__(self, rgb: np.ndarray) -> PoseResult | None:
        with stage("pose" if self._tracking else "people scan"):
            return self._infer(rgb)

    def _infer(self, rgb: np.ndarray) -> PoseResult | None:
        import cv2

        height, width = rgb.shape[:2]
        scale = min(1.0, MAX_INPUT_SIDE / max(height, width))
        small = rgb if scale == 1.0 else cv2.resize(rgb, (round(width * scale), round(height * scale)), cv2.INTER_AREA)
        if self._pose is None:
            self._pose = self._make()
        result = self._pose.process(small)
        if result.pose_landmarks is None:
            return None
        raw = np.array([(p.x, p.y, p.z, p.visibility) for p in result.pose_landmarks.landmark])
        xy = raw[:, :2] * (width, height)
        mask = None
        if result.segmentation_mask is not None:
            mask = np.asarray(result.segmentation_mask, dtype=np.float32)
            if scale != 1.0:
                mask = cv2.resize(mask, (width, height), interpolation=cv2.INTER_LINEAR)
        return PoseResult(xy=xy, z=raw[:, 2] * width, visibility=raw[:, 3], mask=mask)

    def reset(self) -> None:
        self.close()

    def close(self) -> None:
        """Free the model; it is made again if called after."""
        if self._pose is not None:
            self._pose.close()
            self._pose = None
