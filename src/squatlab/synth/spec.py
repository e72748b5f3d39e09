"""A clip's full description: body, outfit, motion, camera, stage, size. Serialisable to JSON."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

from squatlab.synth.clothing import Outfit
from squatlab.synth.motion import SquatParams
from squatlab.synth.scene import CameraSpec, StageSpec


@dataclass(frozen=True)
class ClipSpec:
    """Everything that decides a rendered clip; two equal specs render the same clip."""

    name: str
    body: str = "female_average"
    squat: SquatParams = field(default_factory=SquatParams)
    outfit: Outfit = field(default_factory=Outfit)
    camera: CameraSpec = field(default_factory=CameraSpec)
    stage: StageSpec = field(default_factory=StageSpec)
    width: int = 640
    height: int = 480
    bar: bool = False
    plate_radius_m: float = 0.225  # 0.225 = 45 cm bumper/20 kg plates; ~0.16 = small iron plates
    crf: int = 23
    # A phone's look: share of each neighbouring frame blended in (motion blur of a slow
    # shutter, 0-0.5) and the SD of sensor noise in 8-bit levels; ``crf`` sets the compression.
    motion_blur: float = 0.0
    noise_sd: float = 0.0

    def __post_init__(self) -> None:
        if not self.name or any(c in self.name for c in "/\\ "):
            raise ValueError("clip name must be non-empty, without slashes or spaces")
        if self.width % 2 or self.height % 2 or min(self.width, self.height) < 120:
            raise ValueError("width and height must be even and >= 120 (H.264 4:2:0)")
        if self.bar and self.squat.arms != "bar":
            raise ValueError("a clip with a bar needs squat.arms == 'bar'")
        if not 0.1 <= self.plate_radius_m <= 0.25:
            raise ValueError("plate_radius_m must lie in [0.1, 0.25]")
        if not 0.0 <= self.motion_blur <= 0.5 or not 0.0 <= self.noise_sd <= 20.0:
            raise ValueError("motion_blur must lie in [0, 0.5] and noise_sd in [0, 20]")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClipSpec:
        def tupled(d: dict[str, Any]) -> dict[str, Any]:
            return {k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}

        return cls(
            **{
                **data,
                "squat": SquatParams(**tupled(data["squat"])),
                "outfit": Outfit(**tupled(data["outfit"])),
                "camera": CameraSpec(**data["camera"]),
                "stage": StageSpec(**tupled(data["stage"])),
            }
        )

    def key(self) -> str:
        """A stable text form of the spec: equal keys mean equal clips."""
        return json.dumps(self.to_dict(), sort_keys=True)
