"""No job is lost: a worker killed mid-analysis, or the whole server, leaves a job that resumes or fails clearly."""

from __future__ import annotations

import os
import signal
import time
from datetime import date

import pytest
from harness import start_server

from squatlab.store import jobs
from squatlab.store.db import make_engine, migrate, session_factory
from squatlab.store.models import Athlete, Coach, Job, TrainingSession, Upload

RUNNING_TIMEOUT_S = 120


def _wait_running(coach, job_id: int) -> dict:
    """The job once a worker is inside the pose pass (so a kill lands mid-analysis)."""
    deadline = time.monotonic() + RUNNING_TIMEOUT_S
    while time.monotonic() < deadline:
        job = coach.get(f"/api/jobs/{job_id}").json()
        if job["status"] == "running" and job["stage"] == "pose" and job["progress"] > 0.02:
            return job
        assert job["status"] in ("queued", "running"), job
        time.sleep(0.05)
    raise AssertionError("the analysis never started")


def _job_row(db_url: str, job_id: int) -> Job:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as db:
            return db.get(Job, job_id)
    finally:
        engine.dispose()


def _start_job(server):
    coach = server.coach()
    session = coach.session(coach.athlete()["id"])
    response = coach.upload(session["id"])
    assert response.status_code == 201
    return coach, response.json()["job"]["id"]


@pytest.mark.parametrize("fresh_db_url", ["sqlite", "postgresql"], indirect=True)
def test_a_killed_worker_is_replaced_and_its_job_resumed(tmp_path, fresh_db_url):
    with start_server(tmp_path, fresh_db_url) as server:
        coach, job_id = _start_job(server)
        _wait_running(coach, job_id)
        pid = _job_row(server.db_url, job_id).worker_pid
        os.kill(pid, signal.SIGKILL)
        job = coach.wait_for(job_id)
        assert job["status"] == "done", job
        assert job["attempts"] == 2
        assert "interrupted (the worker process was killed by SIGKILL)" in job["message"]
        assert _job_row(server.db_url, job_id).worker_pid != pid


# SQLite only: the start-up recovery is the same SQL as the worker's (tested on both backends above and below).
@pytest.mark.parametrize("fresh_db_url", ["sqlite"], indirect=True)
def test_a_job_running_when_the_server_died_resumes_after_restart(tmp_path, fresh_db_url):
    with start_server(tmp_path, fresh_db_url) as server:
        coach, job_id = _start_job(server)
        _wait_running(coach, job_id)
        pid = _job_row(server.db_url, job_id).worker_pid
        server.process.kill()  # no clean-up at all: the worker goes with it (it asked the kernel to)
        server.process.wait()
        deadline = time.monotonic() + 10
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(pid), "the worker outlived the server"
        assert _job_row(server.db_url, job_id).status == "running"  # left behind, as after a power cut
    with start_server(tmp_path, fresh_db_url) as server:
        coach.client.base_url = server.base_url
        job = coach.wait_for(job_id)
        assert job["status"] == "done", job
        assert job["attempts"] == 2
        assert "the server stopped during the analysis" in job["message"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie has ended too
        return f.read().split()[2] != "Z"


@pytest.mark.parametrize("fresh_db_url", ["sqlite", "postgresql"], indirect=True)
def test_recovery_fails_a_job_out_of_attempts_and_requeues_the_others(fresh_db_url):
    migrate(fresh_db_url)
    engine = make_engine(fresh_db_url)
    factory = session_factory(engine)
    with factory() as db:
        coach = Coach(email="c@example.org", password_hash="x")
        db.add(coach)
        db.flush()
        athlete = Athlete(coach_id=coach.id, name="A", notes="")
        db.add(athlete)
        db.flush()
        session = TrainingSession(coach_id=coach.id, athlete_id=athlete.id, date=date.today())
        db.add(session)
        db.flush()
        ids = []
        for n in range(3):
            upload = Upload(coach_id=coach.id, session_id=session.id, kind="video", display_name=f"{n}.mp4",
                            stored_name=f"{n:032x}.mp4", size_bytes=1, sha256="0" * 64)  # fmt: skip
            db.add(upload)
            db.flush()
            ids.append(jobs.enqueue(db, coach_id=coach.id, upload_id=upload.id, session_id=session.id).id)
        db.commit()
        first = jobs.claim(db, "w1", 1)
        second = jobs.claim(db, "w2", 2)
        assert (first.id, second.id) == (ids[0], ids[1])
        assert jobs.claim(db, "w3", 3).id == ids[2]
        assert jobs.claim(db, "w4", 4) is None  # nothing left to take
        touched = jobs.recover(db, max_attempts=2, why="test", workers=["w1", "w2"])
        assert {j.id for j in touched} == {ids[0], ids[1]}
        again = jobs.claim(db, "w5", 5)
        assert again.id == ids[0]
        assert again.attempts == 2
        jobs.recover(db, max_attempts=2, why="the worker process was killed by SIGKILL", workers=["w5"])
        failed = db.get(Job, ids[0], populate_existing=True)
        assert failed.status == "failed"
        assert "interrupted 2 times (the worker process was killed by SIGKILL)" in failed.message
        # An orderly shutdown does not use up an attempt.
        jobs.recover(db, max_attempts=2, why="the server was stopped", workers=["w3"], refund=True)
        requeued = db.get(Job, ids[2], populate_existing=True)
        assert (requeued.status, requeued.attempts) == ("queued", 0)
        # A worker that lost its job cannot report on it any more.
        assert not jobs.report_progress(db, ids[0], "w5", stage="pose", progress=0.5)
        assert not jobs.finish(db, ids[0], "w5", result_name="x", reps=1)
    engine.dispose()
