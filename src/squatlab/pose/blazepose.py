"""BlazePose (MediaPipe 0.10.21), fully offline, with the region it looks at under our control.

That wheel carries the BlazePose *full* landmark model, the person detector and the
segmentation head inside it; nothing is fetched at run time. Instead of the legacy
``solutions.pose`` loop (detect, then follow the region the last pose gives, and detect
again as soon as the pose score drops below 0.5), two of MediaPipe's own subgraphs run
separately: ``PoseDetectionCpu`` (the detector) and ``PoseLandmarkByRoiCpu`` (the landmark
model and the person mask on a region of the frame). The detector finds a person by the
face; with a plate in front of it, it finds nobody, while the landmark model still sees
the body. :mod:`squatlab.pose.follow` decides where to look in each frame.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from squatlab.conventions import BLAZEPOSE_LANDMARKS
from squatlab.pose.base import PoseResult, Region
from squatlab.pose.follow import Follower
from squatlab.settings import PoseSettings
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
# MediaPipe's pose graphs, wired so that the region is an input and the pose score an output.
_LANDMARK_GRAPH = """
input_stream: "image"
input_stream: "roi"
node { calculator: "ImagePropertiesCalculator" input_stream: "IMAGE_CPU:image" output_stream: "SIZE:image_size" }
node {
  calculator: "PoseLandmarkByRoiCpu"
  input_side_packet: "MODEL_COMPLEXITY:model_complexity"
  input_side_packet: "ENABLE_SEGMENTATION:enable_segmentation"
  input_stream: "IMAGE:image"
  input_stream: "ROI:roi"
  output_stream: "LANDMARKS:landmarks"
  output_stream: "AUXILIARY_LANDMARKS:auxiliary_landmarks"
  output_stream: "SEGMENTATION_MASK:raw_mask"
}
node {
  calculator: "PoseLandmarksToRoi"
  input_stream: "LANDMARKS:auxiliary_landmarks"
  input_stream: "IMAGE_SIZE:image_size"
  output_stream: "ROI:next_roi"
}
node {
  calculator: "PoseSegmentationFiltering"
  input_side_packet: "ENABLE:smooth_segmentation"
  input_stream: "SEGMENTATION_MASK:raw_mask"
  output_stream: "FILTERED_SEGMENTATION_MASK:filtered_mask"
}
node { calculator: "FromImageCalculator" input_stream: "IMAGE:filtered_mask" output_stream: "IMAGE_CPU:mask" }
"""
# Inside PoseLandmarkByRoiCpu: the pose-presence score, and the gate that drops the pose below it.
_PRESENCE = "poselandmarkbyroicpu__tensorstoposelandmarksandsegmentation__pose_presence_score"
_PRESENCE_GATE = "poselandmarkbyroicpu__tensorstoposelandmarksandsegmentation__ThresholdingCalculator.threshold"
_DETECTOR_GRAPH = """
input_stream: "image"
output_stream: "detections"
node { calculator: "PoseDetectionCpu" input_stream: "IMAGE:image" output_stream: "DETECTIONS:detections" }
"""
_DETECTOR_SCORE = "posedetectioncpu__TensorsToDetectionsCalculator.min_score_thresh"
# The detector's region: a square of twice the hip-centre-to-body-top distance, widened
# by the margin the landmark model was trained with (MediaPipe's pose_detection_to_roi).
_DETECTION_SCALE = 1.25


class BlazePose:
    """BlazePose full with its segmentation mask; the caller may choose where it looks.

    Called on a frame (:class:`~squatlab.pose.base.PoseModel`), it behaves like MediaPipe's
    own loop: ``tracking=True`` follows one person from frame to frame with
    :class:`~squatlab.pose.follow.Follower`; ``tracking=False`` detects afresh in every
    frame (used to count people). :meth:`detect` and :meth:`landmarks_in` are the two
    halves (:class:`~squatlab.pose.base.RegionPoseModel`).
    """

    name = "blazepose-full (mediapipe 0.10.21)"
    landmark_names = BLAZEPOSE_LANDMARKS

    def __init__(
        self, *, tracking: bool = True, min_detection_confidence: float = 0.5, settings: PoseSettings | None = None
    ) -> None:
        # Silence TensorFlow Lite's start-up chatter; must be set before mediapipe loads.
        os.environ.setdefault("GLOG_minloglevel", "2")
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        from mediapipe.python import solution_base

        settings = settings or PoseSettings()
        self._tracking = tracking
        self._min_presence = settings.track_min_presence
        self._min_detection_confidence = min_detection_confidence
        self._solution = solution_base.SolutionBase
        # Both graphs are made on first use: a model that is never run (a detector whose
        # part of the video is too short to share) costs no memory.
        self._landmark_graph = self._detector_graph = None
        self._follower = None
        self._frames = 0
        if tracking:
            self._follower = Follower(
                self,
                track_min=settings.track_min_presence,
                keep_min=settings.keep_min_presence,
                reseed_s=settings.reseed_s,
            )

    def _landmarks(self):  # mediapipe ships no type hints
        if self._landmark_graph is None:
            self._landmark_graph = self._solution(
                graph_config=_LANDMARK_GRAPH,
                side_inputs={"model_complexity": 1, "enable_segmentation": True, "smooth_segmentation": self._tracking},
                calculator_params={_PRESENCE_GATE: 0.0},  # keep every pose; the score decides later
                outputs=["landmarks", "next_roi", "mask", _PRESENCE],
            )
        return self._landmark_graph

    def _detector(self):
        if self._detector_graph is None:
            self._detector_graph = self._solution(
                graph_config=_DETECTOR_GRAPH,
                calculator_params={_DETECTOR_SCORE: self._min_detection_confidence},
                outputs=["detections"],
            )
        return self._detector_graph

    def detect(self, rgb: np.ndarray) -> list[tuple[float, Region]]:
        small, scale = _shrunk(rgb)
        height, width = small.shape[:2]
        detections = self._detector().process({"image": small}).detections or []
        found = []
        for det in detections:
            kp = det.location_data.relative_keypoints
            x0, y0 = kp[0].x * width, kp[0].y * height  # hip centre
            x1, y1 = kp[1].x * width, kp[1].y * height  # top of the body's circle
            size = 2.0 * float(np.hypot(x1 - x0, y1 - y0)) * _DETECTION_SCALE
            rotation = _normalized(np.pi / 2 - np.arctan2(-(y1 - y0), x1 - x0))
            found.append((float(det.score[0]), Region(x0 / scale, y0 / scale, size / scale, rotation)))
        return sorted(found, key=lambda f: -f[0])

    def landmarks_in(self, rgb: np.ndarray, region: Region) -> PoseResult:
        from mediapipe.framework.formats import rect_pb2

        small, scale = _shrunk(rgb)
        height, width = small.shape[:2]
        roi = rect_pb2.NormalizedRect(
            x_center=region.x * scale / width,
            y_center=region.y * scale / height,
            width=region.size * scale / width,
            height=region.size * scale / height,
            rotation=region.rotation,
        )
        out = self._landmarks().process({"image": small, "roi": roi})
        if out.landmarks is None:  # the gate is open, so only a degenerate region gets here
            n = len(self.landmark_names)
            return PoseResult(np.full((n, 2), np.nan), np.full(n, np.nan), np.zeros(n), None, presence=0.0)
        raw = np.array([(p.x, p.y, p.z, p.visibility) for p in out.landmarks.landmark[: len(self.landmark_names)]])
        full_w, full_h = rgb.shape[1], rgb.shape[0]
        mask = None
        if out.mask is not None:
            mask = np.asarray(out.mask, dtype=np.float32)
            if scale != 1.0:
                import cv2

                mask = cv2.resize(mask, (full_w, full_h), interpolation=cv2.INTER_LINEAR)
        nxt = out.next_roi
        next_region = None
        if nxt is not None:
            next_region = Region(
                nxt.x_center * full_w, nxt.y_center * full_h, max(nxt.width * full_w, nxt.height * full_h), nxt.rotation
            )
        return PoseResult(
            xy=raw[:, :2] * (full_w, full_h),
            z=raw[:, 2] * full_w,
            visibility=raw[:, 3],
            mask=mask,
            presence=float(getattr(out, _PRESENCE)),
            next_region=next_region,
        )

    def __call__(self, rgb: np.ndarray, time_s: float | None = None) -> PoseResult | None:
        with stage("pose" if self._tracking else "people scan"):
            if self._follower is not None:
                # Without a clock, frames are taken as 1/30 s apart (the follower only uses time
                # to judge how long ago it last saw the person).
                self._frames += 1
                return self._follower(rgb, self._frames / 30.0 if time_s is None else time_s)
            for _, region in self.detect(rgb)[:1]:
                result = self.landmarks_in(rgb, region)
                if result.presence >= self._min_presence:
                    return result
            return None

    def reset(self) -> None:
        if self._landmark_graph is not None:
            self._landmark_graph.reset()
        self._frames = 0
        if self._follower is not None:
            self._follower.reset()

    def close(self) -> None:
        """Free both graphs (made again if the model is called after)."""
        for graph in (self._landmark_graph, self._detector_graph):
            if graph is not None:
                graph.close()
        self._landmark_graph = self._detector_graph = None


def _shrunk(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    """The frame with its longest side at most MAX_INPUT_SIDE, and the scale applied."""
    height, width = rgb.shape[:2]
    scale = min(1.0, MAX_INPUT_SIDE / max(height, width))
    if scale == 1.0:
        return rgb, 1.0
    import cv2

    return cv2.resize(rgb, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA), scale


def _normalized(angle: float) -> float:
    return float((angle + np.pi) % (2 * np.pi) - np.pi)
