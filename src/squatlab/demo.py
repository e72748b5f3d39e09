"""The built-in example: a short rendered squat clip shipped inside the package."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from squatlab.errors import InputError

DEMO_PACKAGE = "squatlab.data.demo"


def demo_clip() -> Path:
    """Path of the packaged demo video."""
    folder = resources.files(DEMO_PACKAGE)
    clips = sorted(p for p in folder.iterdir() if p.name.endswith(".mp4"))
    if not clips:
        raise InputError("the demo clip is missing from this installation")
    return Path(str(clips[0]))
