"""A load test of the web workspace on loopback: several coaches upload clips at once.

    python -m squatlab.bench.web_load [--coaches 5] [--uploads 20] [--workers N] [--db URL]

Starts ``squatlab serve`` on a free 127.0.0.1 port with an empty data folder, signs up the
coaches, and has them submit the uploads concurrently (the built-in demo clip; each upload
in its own session with its own load, so a mix-up shows). While the worker runs, it reads
pages as a coach would and times them. It prints the time until every analysis finished,
the page latencies (median, p95, max) and the checks: every job done or failed with a
reason, none lost, and each coach seeing exactly their own results. Traffic goes to
loopback only, and every loop is bounded in count and time. Needs the ``web`` extra and httpx.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

START_TIMEOUT_S = 60
FINISH_TIMEOUT_S = 1800
# Pause between two rounds of page reads: a coach clicking around, not a flood.
_PROBE_PAUSE_S = 0.2
_MAX_PROBES = 20_000


@dataclass
class LocalServer:
    base_url: str
    data_dir: Path
    db_url: str
    process: subprocess.Popen


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def local_server(data_dir: Path, db_url: str, **options) -> Iterator[LocalServer]:
    """``squatlab serve`` on a free loopback port until the block ends (SIGTERM, then SIGKILL).

    ``options`` become command-line options (``max_upload_mb=1`` -> ``--max-upload-mb 1``).
    """
    import httpx

    port = _free_port()
    command = [sys.executable, "-m", "squatlab", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--data", str(data_dir), "--db", db_url]  # fmt: skip
    for key, value in options.items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / f"server-{port}.log").open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"}
        )
        server = LocalServer(f"http://127.0.0.1:{port}", data_dir, db_url, process)
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"squatlab serve exited with {process.returncode}; see {log.name}")
                try:
                    if httpx.get(server.base_url + "/healthz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("squatlab serve did not answer in time")
                time.sleep(0.2)
            yield server
        finally:
            stop_process(process)


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class CoachClient:
    """One coach's HTTP session: cookies, the CSRF header, a few JSON helpers."""

    def __init__(self, base_url: str, email: str, password: str = "correct horse battery") -> None:
        import httpx

        self.client = httpx.Client(base_url=base_url, timeout=120)
        self.email, self.password = email, password

    @property
    def csrf(self) -> str:
        token = self.client.cookies.get("squatlab_csrf")
        return token if token is not None else self.client.get("/api/csrf").json()["csrf_token"]

    def post(self, url: str, **kwargs):
        headers = {"X-CSRF-Token": self.csrf, **kwargs.pop("headers", {})}
        return self.client.post(url, headers=headers, **kwargs)

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)

    def created(self, url: str, **kwargs) -> dict:
        response = self.post(url, **kwargs)
        if response.status_code != 201:
            raise RuntimeError(f"POST {url}: {response.status_code} {response.text}")
        return response.json()


@dataclass
class Submission:
    coach: int
    session_id: int
    load_kg: float
    job_id: int | None = None
    status: str = ""
    message: str = ""


@dataclass
class LoadResult:
    submissions: list[Submission]
    submit_s: float
    finish_s: float
    latencies_ms: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, float | int]:
        lat = np.array(self.latencies_ms) if self.latencies_ms else np.array([np.nan])
        statuses = [s.status for s in self.submissions]
        return {
            "uploads": len(self.submissions),
            "done": statuses.count("done"),
            "failed": statuses.count("failed"),
            "lost or unfinished": sum(s not in ("done", "failed") for s in statuses),
            "mix-ups and other problems": len(self.problems),
            "time to submit all (s)": round(self.submit_s, 1),
            "time until all finished (s)": round(self.finish_s, 1),
            "page reads while the worker ran": len(self.latencies_ms),
            "page latency median (ms)": round(float(np.nanmedian(lat)), 1),
            "page latency p95 (ms)": round(float(np.nanpercentile(lat, 95)), 1),
            "page latency max (ms)": round(float(np.nanmax(lat)), 1),
        }


def run_load(base_url: str, *, coaches: int, uploads: int, clip: Path) -> LoadResult:
    """Sign up ``coaches``, submit ``uploads`` clips concurrently spread over them, wait, check."""
    clients = [CoachClient(base_url, f"coach{i}-{uuid.uuid4().hex[:6]}@example.org") for i in range(coaches)]
    submissions = []
    for i, client in enumerate(clients):
        client.created("/api/signup", json={"email": client.email, "password": client.password})
        athlete = client.created("/api/athletes", json={"name": f"Athlete of coach {i}"})
        for n in range(i, uploads, coaches):
            load = float(100 * (i + 1) + n)  # unique per upload: a result in the wrong place shows
            session = client.created(f"/api/athletes/{athlete['id']}/sessions", json={"load_kg": load})
            submissions.append(Submission(i, session["id"], load))
    content = clip.read_bytes()

    def submit(s: Submission) -> None:
        body = clients[s.coach].created(
            f"/api/sessions/{s.session_id}/uploads", files={"file": (f"set-{s.load_kg:g}.mp4", content, "video/mp4")}
        )
        s.job_id = body["job"]["id"]

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(submissions)) as pool:
        list(pool.map(submit, submissions))
    submitted = time.monotonic()
    stop = threading.Event()
    latencies: list[float] = []
    prober = threading.Thread(target=_probe_pages, args=(clients, submissions, latencies, stop), daemon=True)
    prober.start()
    try:
        _wait_all(clients, submissions)
    finally:
        stop.set()
        prober.join()
    finished = time.monotonic()
    return LoadResult(submissions, submitted - started, finished - started, latencies, _check(clients, submissions))


def _probe_pages(clients, submissions, latencies: list[float], stop: threading.Event) -> None:
    """Read the pages a coach looks at, and time each, until told to stop (bounded in count)."""
    pages = ["/athletes", "/api/jobs"] + [f"/sessions/{s.session_id}" for s in submissions[: len(clients)]]
    for n in range(_MAX_PROBES):
        if stop.is_set():
            return
        s = submissions[n % len(submissions)]
        client = clients[s.coach]
        for url in (pages[n % 2], f"/sessions/{s.session_id}"):
            t0 = time.perf_counter()
            response = client.get(url)
            if response.status_code == 200:
                latencies.append((time.perf_counter() - t0) * 1000)
        stop.wait(_PROBE_PAUSE_S)


def _wait_all(clients, submissions) -> None:
    deadline = time.monotonic() + FINISH_TIMEOUT_S
    while time.monotonic() < deadline:
        pending = [s for s in submissions if s.status not in ("done", "failed")]
        if not pending:
            return
        for s in pending:
            job = clients[s.coach].get(f"/api/jobs/{s.job_id}").json()
            s.status, s.message = job["status"], job["message"]
        time.sleep(1.0)


def _check(clients, submissions) -> list[str]:
    """Each coach sees exactly their own jobs, and each result belongs to the session it is shown in."""
    problems = []
    for i, client in enumerate(clients):
        mine = {s.job_id for s in submissions if s.coach == i}
        seen = {j["id"] for j in client.get("/api/jobs").json()}
        if seen != mine:
            problems.append(f"coach {i} sees jobs {sorted(seen)}, submitted {sorted(mine)}")
    for s in submissions:
        client = clients[s.coach]
        if s.status == "failed" and not s.message:
            problems.append(f"job {s.job_id} failed without a reason")
        if s.status != "done":
            continue
        analysis = client.get(f"/api/sessions/{s.session_id}").json()["analysis"]
        results = client.get(analysis["results"]).json()
        if results["context"]["load_kg"] != s.load_kg:
            problems.append(f"session {s.session_id} shows the result of load {results['context']['load_kg']}")
        other = clients[(s.coach + 1) % len(clients)]
        if len(clients) > 1 and other.get(f"/api/jobs/{s.job_id}").status_code != 404:
            problems.append(f"another coach can read job {s.job_id}")
    return problems


def main(argv: list[str] | None = None) -> None:
    from squatlab.demo import demo_clip

    parser = argparse.ArgumentParser(prog="python -m squatlab.bench.web_load", description=__doc__.split("\n")[0])
    parser.add_argument("--coaches", type=int, default=5)
    parser.add_argument("--uploads", type=int, default=20)
    parser.add_argument("--workers", type=int, default=None, help="analysis processes [default: the server's]")
    parser.add_argument("--db", default=None, help="database URL [default: SQLite in a temporary folder]")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        options = {} if args.workers is None else {"workers": args.workers}
        with local_server(data, args.db or f"sqlite:///{data / 'squatlab.db'}", **options) as server:
            result = run_load(server.base_url, coaches=args.coaches, uploads=args.uploads, clip=demo_clip())
    print(f"{args.coaches} coaches, {args.uploads} uploads of the demo clip, {os.cpu_count()} CPU cores")
    for key, value in result.figures().items():
        print(f"{key:<36} {value}")
    for problem in result.problems:
        print(f"problem: {problem}")
    sys.exit(1 if result.problems or result.figures()["lost or unfinished"] else 0)


if __name__ == "__main__":
    main()
