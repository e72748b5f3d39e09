"""Shared test helpers: where the real recordings are, and synthetic media."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO / ".." / "shared" / "data").resolve()
VIDEOS = SHARED_DATA / "videos"


def shared_file(relative: str) -> Path:
    """A file under ../shared/data; the test is skipped (with the reason) when it is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"needs ../shared/data/{relative} (the shared recordings are not on this machine)")
    return path


@cache
def analysed_clip(name: str):
    """A real clip from ../shared/data/videos through the whole video pipeline, once per test session."""
    from squatlab.pipeline import analyze_video

    return analyze_video(shared_file(f"videos/{name}"))


@cache
def analysed_demo():
    """The built-in demo clip through the whole video pipeline, once per test session."""
    from squatlab.demo import demo_clip
    from squatlab.pipeline import analyze_video

    return analyze_video(demo_clip())
