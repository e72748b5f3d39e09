"""Driving a real workspace: start ``squatlab serve`` on a free loopback port, and a coach's HTTP client."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from squatlab.demo import demo_clip

START_TIMEOUT_S = 60
JOB_TIMEOUT_S = 240


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    base_url: str
    data_dir: Path
    db_url: str
    process: subprocess.Popen

    def coach(self, email: str | None = None, password: str = "correct horse battery") -> Coach:
        coach = Coach(httpx.Client(base_url=self.base_url, timeout=60), email or f"{uuid.uuid4().hex[:10]}@example.org")
        coach.password = password
        coach.signup()
        return coach


@contextmanager
def start_server(data_dir: Path, db_url: str, **options) -> Iterator[Server]:
    """``squatlab serve`` in a child process until the block ends (SIGTERM, then SIGKILL)."""
    port = free_port()
    command = [sys.executable, "-m", "squatlab", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--data", str(data_dir), "--db", db_url]  # fmt: skip
    for key, value in options.items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    data_dir.mkdir(parents=True, exist_ok=True)
    log = (data_dir / f"server-{port}.log").open("wb")
    process = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"}
    )
    server = Server(f"http://127.0.0.1:{port}", data_dir, db_url, process)
    try:
        wait_until_up(server)
        yield server
    finally:
        stop(process)
        log.close()


def wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"squatlab serve exited with {server.process.returncode}; see {server.data_dir}")
        try:
            if httpx.get(server.base_url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("squatlab serve did not answer in time")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Coach:
    """One coach's browser-less session: cookies, the CSRF header, JSON helpers."""

    def __init__(self, client: httpx.Client, email: str) -> None:
        self.client, self.email = client, email
        self.password = ""

    @property
    def csrf(self) -> str:
        token = self.client.cookies.get("squatlab_csrf")
        if token is None:
            token = self.client.get("/api/csrf").json()["csrf_token"]
        return token

    def post(self, url: str, **kwargs) -> httpx.Response:
        headers = {"X-CSRF-Token": self.csrf, **kwargs.pop("headers", {})}
        return self.client.post(url, headers=headers, **kwargs)

    def get(self, url: str, **kwargs) -> httpx.Response:
        return self.client.get(url, **kwargs)

    def signup(self) -> None:
        response = self.post("/api/signup", json={"email": self.email, "password": self.password})
        assert response.status_code == 201, response.text

    def athlete(self, name: str = "Alex", **fields) -> dict:
        response = self.post("/api/athletes", json={"name": name, **fields})
        assert response.status_code == 201, response.text
        return response.json()

    def session(self, athlete_id: int, **fields) -> dict:
        response = self.post(f"/api/athletes/{athlete_id}/sessions", json=fields)
        assert response.status_code == 201, response.text
        return response.json()

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
