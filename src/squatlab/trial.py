"""The one data model that flows through the pipeline: a :class:`Trial`.

A trial is a recording of one set: per-frame time, named angle channels (each with a
confidence), landmarks when the source is a video, the view, the reps, the findings and
the warnings met on the way. Stages never modify a trial; they return a new one with
:func:`dataclasses.replace`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from squatlab import conventions as cv


@dataclass(frozen=True)
class Channel:
    """One per-frame quantity.

    ``values`` is NaN where the frame could not be measured and ``conf`` is in [0, 1]
    (0 where ``values`` is NaN). A channel that cannot be measured at all carries
    ``absent_reason`` and all-NaN values.
    """

    values: np.ndarray
    conf: np.ndarray
    unit: str = "deg"
    absent_reason: str | None = None

    @classmethod
    def absent(cls, n_frames: int, reason: str, unit: str = "deg") -> Channel:
        return cls(np.full(n_frames, np.nan), np.zeros(n_frames), unit, reason)

    @classmethod
    def measured(cls, values: np.ndarray, conf: np.ndarray | float = 1.0, unit: str = "deg") -> Channel:
        values = np.asarray(values, dtype=float)
        conf = np.broadcast_to(np.asarray(conf, dtype=float), values.shape).copy()
        conf[~np.isfinite(values)] = 0.0
        return cls(values, np.clip(conf, 0.0, 1.0), unit)

    @property
    def is_absent(self) -> bool:
        return self.absent_reason is not None


@dataclass(frozen=True)
class Landmarks:
    """2-D body landmarks in the upright image (x right, y down, pixels).

    ``z`` is the model's relative depth (same scale as x, smaller = nearer the
    camera) where the pose model gives one.
    """

    names: tuple[str, ...]
    xy: np.ndarray  # (n_frames, n_landmarks, 2)
    visibility: np.ndarray  # (n_frames, n_landmarks), 0-1
    image_size: tuple[int, int]  # (width, height)
    z: np.ndarray | None = None  # (n_frames, n_landmarks)

    def index(self, name: str) -> int:
        return self.names.index(name)

    def point(self, name: str) -> np.ndarray:
        return self.xy[:, self.index(name)]

    def vis(self, name: str) -> np.ndarray:
        return self.visibility[:, self.index(name)]


@dataclass(frozen=True)
class Source:
    """Where the trial came from and what the source can measure."""

    path: str
    kind: str  # video | c3d | trc | mot | imu | synthetic
    fps: float  # nominal frames (samples) per second
    duration_s: float
    frames: int
    width: int | None = None
    height: int | None = None
    rotation_deg: int = 0
    codec: str | None = None
    variable_frame_rate: bool = False
    # The source's own error for pelvis tilt and lumbar flexion (1 SD, degrees); the
    # findings keep their thresholds above it plus the postural noise floor.
    pelvis_error_deg: float = 5.0
    lumbar_error_deg: float = 6.0
    # The error of a butt wink's size (descent peak minus bottom, within one rep) where it was
    # measured apart from the pelvis's (1 SD, degrees); None: the pelvis tilt error stands for it.
    wink_error_deg: float | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def wink_error(self) -> float:
        """The error the butt-wink threshold uses: the wink's own where measured, else the pelvis tilt's.

        A wink is a change within one rep (descent peak minus bottom), so it escapes the
        slow offsets that make up much of a video estimate's error against standing.
        """
        return float(self.wink_error_deg if self.wink_error_deg is not None else self.pelvis_error_deg)


@dataclass(frozen=True)
class Notice:
    """A warning met during the analysis; ``code`` is stable, ``message`` is for people."""

    code: str
    message: str
    start_s: float | None = None
    end_s: float | None = None


@dataclass(frozen=True)
class View:
    """How the camera sees the lifter, per frame and overall."""

    kind: np.ndarray  # (n_frames,) of "side" | "oblique" | "front" | "unknown"
    yaw_deg: np.ndarray  # (n_frames,) 90 = pure side view, 0 = front or back
    facing: str  # the way the lifter faces in the image: "right" | "left" | "unknown"
    near_side: str  # the body side toward the camera: "left" | "right" | "unknown"

    @property
    def leg_side(self) -> str:
        """The leg to measure: in a side view the near leg is the one seen; left when unknown."""
        return self.near_side if self.near_side in cv.SIDES else "left"

    @property
    def side_fraction(self) -> float:
        """Share of the frames with a known view (the lifter tracked) that are side views; NaN with none."""
        known = self.kind != "unknown"
        return float(np.mean(self.kind[known] == "side")) if known.any() else float("nan")

    @property
    def overall(self) -> str:
        known = self.kind[self.kind != "unknown"]
        if known.size == 0:
            return "unknown"
        values, counts = np.unique(known, return_counts=True)
        return str(values[np.argmax(counts)])


@dataclass(frozen=True)
class Rep:
    """One squat repetition. Times in seconds from the start of the recording.

    Phases: descent ``start_s``-``bottom_start_s``, bottom ``bottom_start_s``-
    ``bottom_end_s`` (the deepest frame ``bottom_s`` lies inside), ascent
    ``bottom_end_s``-``end_s``. ``standing`` is the (start, end) window of quiet
    standing used as this rep's baseline.
    """

    index: int
    start_frame: int
    bottom_frame: int
    end_frame: int
    start_s: float
    bottom_s: float
    end_s: float
    bottom_start_s: float
    bottom_end_s: float
    depth: float  # peak of the depth signal (its unit is the rep finder's)
    partial: bool = False
    measurable: bool = True
    reason: str | None = None
    standing: tuple[float, float] | None = None


@dataclass(frozen=True)
class Context:
    """What the user told us about the lifter and the set; all optional."""

    sex: str | None = None  # "female" | "male"
    load_kg: float | None = None
    bodyweight_kg: float | None = None
    stance: str | None = None  # "narrow" | "medium" | "wide"


@dataclass(frozen=True)
class Trial:
    time_s: np.ndarray
    source: Source
    channels: Mapping[str, Channel] = field(default_factory=dict)
    landmarks: Landmarks | None = None
    view: View | None = None
    reps: tuple[Rep, ...] = ()
    baseline: Mapping[str, float] = field(default_factory=dict)
    findings: Mapping[str, Any] = field(default_factory=dict)
    notices: tuple[Notice, ...] = ()
    context: Context = field(default_factory=Context)
    # Per-frame arrays a later stage needs but that are not angles (e.g. back-outline
    # features, the depth signal used for reps), keyed by name.
    extras: Mapping[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_frames(self) -> int:
        return int(self.time_s.size)

    def with_channels(self, **channels: Channel) -> Trial:
        return replace(self, channels={**self.channels, **channels})

    def with_notices(self, *notices: Notice) -> Trial:
        return replace(self, notices=self.notices + tuple(notices))

    def with_extras(self, **extras: np.ndarray) -> Trial:
        return replace(self, extras={**self.extras, **extras})

    def frame_at(self, t_s: float) -> int:
        """Index of the frame nearest to time ``t_s``."""
        return int(np.argmin(np.abs(self.time_s - t_s)))
