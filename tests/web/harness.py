"""Driving a real workspace: ``squatlab serve`` on a free loopback port, and a coach's HTTP client."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from squatlab.bench.web_load import CoachClient, LocalServer, local_server
from squatlab.demo import demo_clip

JOB_TIMEOUT_S = 240


@dataclass
class Server(LocalServer):
    def coach(self, email: str | None = None) -> Coach:
        coach = Coach(self.base_url, email or f"{uuid.uuid4().hex[:10]}@example.org")
        coach.signup()
        return coach


@contextmanager
def start_server(data_dir: Path, db_url: str, **options) -> Iterator[Server]:
    """``squatlab serve`` in a child process until the block ends."""
    with local_server(data_dir, db_url, **options) as server:
        yield Server(server.base_url, server.data_dir, server.db_url, server.process)


class Coach(CoachClient):
    """A coach's client with the steps the tests repeat."""

    def signup(self) -> None:
        self.created("/api/signup", json={"email": self.email, "password": self.password})

    def athlete(self, name: str = "Alex", **fields) -> dict:
        return self.created("/api/athletes", json={"name": name, **fields})

    def session(self, athlete_id: int, **fields) -> dict:
        return self.created(f"/api/athletes/{athlete_id}/sessions", json=fields)

    def upload(self, session_id: int, content: bytes | None = None, name: str = "squat.mp4") -> httpx.Response:
        content = demo_clip().read_bytes() if content is None else content
        return self.post(f"/api/sessions/{session_id}/uploads", files={"file": (name, content, "video/mp4")})

    def wait_for(self, job_id: int, timeout: float = JOB_TIMEOUT_S) -> dict:
        """The job once it is done or failed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.get(f"/api/jobs/{job_id}").json()
            if job["status"] in ("done", "failed"):
                return job
            time.sleep(0.3)
        raise AssertionError(f"job {job_id} did not finish in {timeout} s: {job}")
