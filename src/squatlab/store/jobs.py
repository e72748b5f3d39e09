"""The analysis queue, kept in the database so that no job is lost with a process.

A worker *claims* a queued job with a conditional update (``status = 'queued'`` in the
WHERE clause): of two workers racing for one job exactly one changes the row, on SQLite and
PostgreSQL alike. A job whose worker died (killed, crashed, the server stopped) is
*recovered*: queued again while it has attempts left, else failed with the reason.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from squatlab.store.models import Job, utcnow

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


def enqueue(db: Session, *, coach_id: int, upload_id: int, session_id: int) -> Job:
    job = Job(coach_id=coach_id, upload_id=upload_id, session_id=session_id, status=QUEUED, stage="waiting")
    db.add(job)
    db.flush()
    return job


def claim(db: Session, worker: str, pid: int) -> Job | None:
    """Take the oldest queued job for ``worker``, or None when the queue is empty."""
    candidates = db.scalars(select(Job.id).where(Job.status == QUEUED).order_by(Job.id).limit(5)).all()
    for job_id in candidates:
        now = utcnow()
        taken = db.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == QUEUED)
            .values(
                status=RUNNING,
                worker=worker,
                worker_pid=pid,
                attempts=Job.attempts + 1,
                stage="starting",
                progress=0.0,
                started_at=now,
                heartbeat_at=now,
            )
        )
        db.commit()
        if taken.rowcount == 1:
            return db.get(Job, job_id, populate_existing=True)
    return None


def report_progress(db: Session, job_id: int, worker: str, *, stage: str, progress: float) -> bool:
    """Record progress; False when the job is no longer this worker's (it was recovered meanwhile)."""
    changed = db.execute(
        update(Job)
        .where(Job.id == job_id, Job.worker == worker, Job.status == RUNNING)
        .values(stage=stage, progress=max(0.0, min(1.0, progress)), heartbeat_at=utcnow())
    )
    db.commit()
    return changed.rowcount == 1


def heartbeat(db: Session, job_id: int, worker: str) -> bool:
    """Say the worker is still alive; False when the job is no longer this worker's."""
    changed = db.execute(
        update(Job).where(Job.id == job_id, Job.worker == worker, Job.status == RUNNING).values(heartbeat_at=utcnow())
    )
    db.commit()
    return changed.rowcount == 1


def finish(db: Session, job_id: int, worker: str, *, result_name: str, reps: int, message: str = "") -> bool:
    changed = db.execute(
        update(Job)
        .where(Job.id == job_id, Job.worker == worker, Job.status == RUNNING)
        .values(
            status=DONE,
            stage="done",
            progress=1.0,
            result_name=result_name,
            reps=reps,
            # Keep a restart note when the analysis itself has nothing to say.
            message=message or Job.message,
            finished_at=utcnow(),
        )
    )
    db.commit()
    return changed.rowcount == 1


def fail(db: Session, job_id: int, worker: str, message: str) -> bool:
    changed = db.execute(
        update(Job)
        .where(Job.id == job_id, Job.worker == worker, Job.status == RUNNING)
        .values(status=FAILED, stage="failed", message=message, finished_at=utcnow())
    )
    db.commit()
    return changed.rowcount == 1


def recover(
    db: Session, *, max_attempts: int, why: str, workers: list[str] | None = None, refund: bool = False
) -> list[Job]:
    """Requeue (or fail, when out of attempts) the running jobs of ``workers`` (all when None).

    ``refund``: the interruption was no fault of the job (an orderly shutdown), so the
    attempt does not count. Returns the jobs touched, after the change.
    """
    query = select(Job).where(Job.status == RUNNING)
    if workers is not None:
        query = query.where(Job.worker.in_(workers))
    touched = []
    for job in db.scalars(query).all():
        if refund:
            job.attempts = max(0, job.attempts - 1)
        if job.attempts >= max_attempts:
            job.status, job.stage, job.finished_at = FAILED, "failed", utcnow()
            job.message = (
                f"The analysis was interrupted {job.attempts} times ({why}) and was not tried again; "
                "upload the file again, or try a shorter clip."
            )
        else:
            job.status, job.stage, job.progress = QUEUED, "waiting", 0.0
            job.message = f"Restarted: the previous attempt was interrupted ({why})."
        job.worker, job.worker_pid = "", None
        touched.append(job)
    db.commit()
    return touched


def stale_workers(db: Session, older_than: timedelta) -> list[str]:
    """Workers whose running job has not reported for ``older_than`` (hung or gone)."""
    limit: datetime = utcnow() - older_than
    query = select(Job.worker).where(Job.status == RUNNING, Job.heartbeat_at < limit).distinct()
    return list(db.scalars(query))
