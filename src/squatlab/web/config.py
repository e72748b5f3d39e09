"""The web workspace's settings, each with its unit and the reason for its value.

Kept apart from :mod:`squatlab.settings`, whose thresholds every report prints: these
govern the server (limits, workers, cookies), not the measurement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from squatlab.settings import Settings as AnalysisSettings
from squatlab.settings import describe_group, param


@dataclass(frozen=True)
class WebSettings:
    max_upload_mb: float = param(
        500.0,
        "MB",
        "A 60-s 4K phone clip is about 400 MB; larger files are more likely a wrong file than a set, and the "
        "limit keeps one upload from filling a laptop's disk.",
        allowed=(1.0, 100_000.0),
    )
    workers: int = param(
        1,
        "processes",
        "One analysis process keeps one of a 2-core laptop's cores busy (pose model and decoding); the other "
        "keeps the pages responsive. Raise it on a bigger machine.",
        allowed=(1, 64),
    )
    max_attempts: int = param(
        2,
        "attempts",
        "A job whose worker died is started once more (a restart or a one-off crash); a file that kills the "
        "worker twice would otherwise loop forever, so it fails with the reason.",
        allowed=(1, 10),
    )
    heartbeat_timeout_s: float = param(
        180.0,
        "s",
        "A worker says it is alive every 15 s while it runs a job; a job silent this long has lost its worker "
        "(frozen, or gone with a server that shared the database) and is recovered.",
        allowed=(30.0, 86_400.0),
    )
    login_max_failures: int = param(
        5,
        "failed sign-ins",
        "Per address and per e-mail within the window: enough for typos, far too few to guess a password "
        "(OWASP Authentication Cheat Sheet: throttle after a handful of failures).",
        allowed=(1, 1000),
    )
    login_window_s: float = param(
        300.0, "s", "The rate limit's window; a locked-out coach waits at most this long.", allowed=(1.0, 86_400.0)
    )
    session_days: float = param(
        14.0,
        "days",
        "A sign-in lasts two weeks on the coach's own device, then the password is asked again.",
        allowed=(0.01, 365.0),
    )
    min_password_length: int = param(
        8, "characters", "NIST SP 800-63B's minimum for a password chosen by the user.", allowed=(8, 1024)
    )
    poll_s: float = param(
        0.5,
        "s",
        "How often an idle worker looks for a queued job: an upload starts within half a second.",
        allowed=(0.05, 60.0),
    )

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)


def describe_web(settings: WebSettings) -> list[dict]:
    return describe_group("web", settings)


@dataclass(frozen=True)
class ServerConfig:
    """Where the workspace keeps its data and which database it uses."""

    data_dir: Path
    db_url: str
    web: WebSettings = field(default_factory=WebSettings)
    analysis: AnalysisSettings = field(default_factory=AnalysisSettings)
    start_workers: bool = True

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def results_dir(self) -> Path:
        return self.data_dir / "results"
