"""Starts the worker processes, restarts one that dies, and makes sure no job is ever lost.

- At start-up, jobs left ``running`` by a server that stopped are queued again (or failed,
  when out of attempts): nothing stays "running" forever.
- When a worker process ends (killed, crashed), its job is recovered the same way and a
  new worker takes its place.
- A job silent for longer than ``heartbeat_timeout_s`` is taken as hung: its worker is
  killed and the job recovered.

One server per database is assumed (the start-up recovery takes every running job).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import uuid
from datetime import timedelta
from pathlib import Path

from squatlab.store import jobs
from squatlab.web.config import ServerConfig

log = logging.getLogger("squatlab.web")
# Seconds between checks on the workers: a dead worker's job is requeued within this.
_CHECK_EVERY_S = 1.0
# Seconds a worker gets to stop after SIGTERM before it is killed.
_STOP_GRACE_S = 5.0


def _ended(code: int) -> str:
    if code < 0:
        try:
            return f"the worker process was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"the worker process was killed by signal {-code}"
    return f"the worker process exited with code {code}"


class Supervisor:
    def __init__(self, config: ServerConfig, factory) -> None:
        self.config, self.factory = config, factory
        self.workers: dict[str, subprocess.Popen] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def recover_all(self, why: str) -> list:
        with self.factory() as db:
            return jobs.recover(db, max_attempts=self.config.web.max_attempts, why=why)

    def start(self) -> None:
        self.recover_all("the server stopped during the analysis")
        for _ in range(self.config.web.workers):
            self._spawn()
        self._thread = threading.Thread(target=self._watch, name="squatlab-supervisor", daemon=True)
        self._thread.start()

    def _spawn(self) -> None:
        worker = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        command = [
            sys.executable, "-m", "squatlab.web.worker", "--db", self.config.db_url,
            "--data", str(Path(self.config.data_dir).resolve()), "--worker", worker,
        ]  # fmt: skip
        self.workers[worker] = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        log.info("worker %s started (pid %d)", worker, self.workers[worker].pid)

    def _watch(self) -> None:
        while not self._stop.wait(_CHECK_EVERY_S):
            try:
                self.check()
            except Exception:  # the watcher must outlive a database hiccup
                log.exception("supervisor check failed")

    def check(self) -> None:
        """Recover the jobs of dead or hung workers and replace the workers."""
        with self._lock:
            if self._stop.is_set():
                return
            timeout = timedelta(seconds=self.config.web.heartbeat_timeout_s)
            with self.factory() as db:
                hung = set(jobs.stale_workers(db, timeout))
            for worker in hung & set(self.workers):
                self.workers[worker].kill()
                self.workers[worker].wait()
            for worker, process in list(self.workers.items()):
                code = process.poll()
                if code is None:
                    continue
                why = "it stopped reporting progress" if worker in hung else _ended(code)
                with self.factory() as db:
                    jobs.recover(db, max_attempts=self.config.web.max_attempts, why=why, workers=[worker])
                del self.workers[worker]
                log.warning("worker %s ended (%s); starting another", worker, why)
                self._spawn()
            foreign = hung - set(self.workers)
            if foreign:
                with self.factory() as db:
                    jobs.recover(
                        db, max_attempts=self.config.web.max_attempts, why="it stopped reporting progress",
                        workers=sorted(foreign),
                    )  # fmt: skip

    def stop(self) -> None:
        """Stop the workers; their running jobs go back to the queue without using up an attempt."""
        with self._lock:
            self._stop.set()
            for process in self.workers.values():
                process.terminate()
            for process in self.workers.values():
                try:
                    process.wait(_STOP_GRACE_S)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            with self.factory() as db:
                jobs.recover(
                    db, max_attempts=self.config.web.max_attempts, why="the server was stopped",
                    workers=list(self.workers), refund=True,
                )  # fmt: skip
            self.workers.clear()
        if self._thread is not None:
            self._thread.join(timeout=5)
