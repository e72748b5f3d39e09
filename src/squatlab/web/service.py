"""What the pages and the JSON API both do, in one place: accounts, records, uploads, views.

Every function that touches a coach's data takes the coach and goes through
:mod:`squatlab.store.repo`, whose queries all filter on the coach's id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from squatlab.store import jobs, repo
from squatlab.store.models import Athlete, Coach, Job, TrainingSession, Upload
from squatlab.web import results, security, uploads
from squatlab.web.config import ServerConfig, WebSettings

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
SEXES = ("female", "male")
STANCES = ("narrow", "medium", "wide")


class FormError(ValueError):
    """Input a person can fix; the message says how."""


class RateLimitedError(Exception):
    pass


def signup(db: Session, email: str, password: str, settings: WebSettings) -> Coach:
    email = email.strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise FormError("enter a valid e-mail address")
    if len(password) < settings.min_password_length:
        raise FormError(f"the password needs at least {settings.min_password_length} characters")
    if db.scalar(select(func.count()).select_from(Coach).where(Coach.email == email)):
        raise FormError("an account with this e-mail exists; sign in instead")
    coach = Coach(email=email, password_hash=security.hash_password(password))
    db.add(coach)
    db.flush()
    return coach


def login(db: Session, email: str, password: str, client: str, settings: WebSettings) -> Coach:
    """The coach for these credentials; :class:`FormError` or :class:`RateLimitedError` otherwise."""
    email = email.strip().lower()
    if security.login_blocked(db, email, client, settings):
        raise RateLimitedError(
            f"too many failed sign-ins; wait {settings.login_window_s / 60:.0f} minutes and try again"
        )
    coach = db.scalar(select(Coach).where(Coach.email == email))
    if not security.check_password(coach, password):
        security.record_failure(db, email, client, settings)
        raise FormError("wrong e-mail or password")
    return coach


def _number(text: str | float | None, what: str, low: float, high: float) -> float | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        value = float(text)
    except ValueError:
        raise FormError(f"{what} must be a number") from None
    if not low <= value <= high:
        raise FormError(f"{what} must be between {low:g} and {high:g}")
    return value


def _choice(text: str | None, allowed: tuple[str, ...], what: str) -> str | None:
    if not text:
        return None
    if text not in allowed:
        raise FormError(f"{what} must be one of: {', '.join(allowed)}")
    return text


def add_athlete(db: Session, coach: Coach, *, name: str, sex: str | None, bodyweight_kg, notes: str) -> Athlete:
    name = name.strip()
    if not name:
        raise FormError("the athlete needs a name")
    return repo.add_athlete(
        db, coach.id, name=name[:200], sex=_choice(sex, SEXES, "sex"),
        bodyweight_kg=_number(bodyweight_kg, "body weight (kg)", 20, 400), notes=notes.strip(),
    )  # fmt: skip


def add_session(
    db: Session, coach: Coach, athlete_id: int, *, day: str | date | None, load_kg, stance, footwear: str, notes: str
) -> TrainingSession:
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day) if day.strip() else None
        except ValueError:
            raise FormError("the date must look like 2026-03-14") from None
    return repo.add_session(
        db, coach.id, athlete_id, day=day or date.today(), load_kg=_number(load_kg, "load (kg)", 0, 1000),
        stance=_choice(stance, STANCES, "stance"), footwear=footwear.strip()[:200], notes=notes.strip(),
    )  # fmt: skip


def add_upload(
    db: Session, config: ServerConfig, coach: Coach, session_id: int, *, source: BinaryIO, sent_name: str | None,
    imu_sensors: str = "",
) -> tuple[Upload, Job]:  # fmt: skip
    """Store a file under a generated name, check its type by content, and queue its analysis."""
    session = repo.owned(db, TrainingSession, session_id, coach.id)
    shown = uploads.display_name(sent_name)
    saved = uploads.save_stream(
        source, config.uploads_dir, uploads.stored_name(sent_name), limit=config.web.max_upload_bytes
    )
    try:
        kind = uploads.check_kind(saved.path, shown)
    except uploads.UnsupportedFileError:
        uploads.remove(saved.path)
        raise
    upload = Upload(
        coach_id=coach.id, session_id=session.id, kind=kind, display_name=shown, stored_name=saved.path.name,
        size_bytes=saved.size, sha256=saved.sha256, imu_sensors=imu_sensors.strip()[:200],
    )  # fmt: skip
    db.add(upload)
    db.flush()
    return upload, jobs.enqueue(db, coach_id=coach.id, upload_id=upload.id, session_id=session.id)


def result_dir(config: ServerConfig, job: Job) -> Path | None:
    if job.status != jobs.DONE or not job.result_name:
        return None
    return config.results_dir / job.result_name


def athlete_json(a: Athlete) -> dict[str, Any]:
    return {"id": a.id, "name": a.name, "sex": a.sex, "bodyweight_kg": a.bodyweight_kg, "notes": a.notes}


def session_json(s: TrainingSession) -> dict[str, Any]:
    return {
        "id": s.id, "athlete_id": s.athlete_id, "date": s.date.isoformat(), "load_kg": s.load_kg,
        "stance": s.stance, "footwear": s.footwear, "notes": s.notes,
    }  # fmt: skip


def upload_json(u: Upload) -> dict[str, Any]:
    return {"id": u.id, "session_id": u.session_id, "kind": u.kind, "name": u.display_name, "size_bytes": u.size_bytes}


def job_json(j: Job) -> dict[str, Any]:
    return {
        "id": j.id, "upload_id": j.upload_id, "session_id": j.session_id, "status": j.status, "stage": j.stage,
        "progress": round(j.progress, 3), "message": j.message, "attempts": j.attempts, "reps": j.reps,
    }  # fmt: skip


@dataclass
class SessionView:
    session: TrainingSession
    athlete: Athlete
    uploads: list[Upload]
    jobs: list[Job]
    latest: Job | None
    results: dict[str, Any] | None
    rows: list[dict[str, Any]]
    keyframes: list[int]


def session_view(
    db: Session, config: ServerConfig, coach: Coach, session_id: int, job_id: int | None = None
) -> SessionView:
    """The session with one finished analysis shown: ``job_id`` when given, else the newest."""
    session = repo.owned(db, TrainingSession, session_id, coach.id)
    athlete = repo.owned(db, Athlete, session.athlete_id, coach.id)
    latest = repo.latest_done_job(db, coach.id, session.id)
    if job_id is not None:
        chosen = repo.owned(db, Job, job_id, coach.id)
        if chosen.session_id != session.id or chosen.status != jobs.DONE:
            raise repo.NotFoundError(f"jobs {job_id}")
        latest = chosen
    folder = result_dir(config, latest) if latest else None
    data = results.load(folder) if folder and (folder / "results.json").exists() else None
    return SessionView(
        session=session, athlete=athlete, uploads=repo.uploads_of(db, coach.id, session.id),
        jobs=repo.jobs_of(db, coach.id, session.id), latest=latest, results=data,
        rows=results.rep_rows(data) if data else [], keyframes=results.keyframe_reps(folder) if folder else [],
    )  # fmt: skip


def trend(db: Session, config: ServerConfig, coach: Coach, athlete_id: int) -> list[dict[str, Any]]:
    """One point per session with a finished analysis, oldest first."""
    points = []
    for s in repo.sessions_of(db, coach.id, athlete_id):
        job = repo.latest_done_job(db, coach.id, s.id)
        folder = result_dir(config, job) if job else None
        if folder is None or not (folder / "results.json").exists():
            continue
        points.append({"session_id": s.id, "date": s.date.isoformat(), **results.trend_point(results.load(folder))})
    return points


def session_label(db: Session, coach: Coach, s: TrainingSession) -> str:
    athlete = repo.owned(db, Athlete, s.athlete_id, coach.id)
    extra = ", ".join(x for x in (s.stance and f"{s.stance} stance", s.footwear) if x)
    return f"{athlete.name} {s.date.isoformat()}" + (f" ({extra})" if extra else "") + f" #{s.id}"


def comparison(db: Session, config: ServerConfig, coach: Coach, a: int, b: int) -> dict[str, Any]:
    """``squatlab compare`` on the latest analyses of two of the coach's sessions."""
    from squatlab.findings.compare import compare_results, load_results

    loaded, labels = [], []
    for session_id in (a, b):
        s = repo.owned(db, TrainingSession, session_id, coach.id)
        job = repo.latest_done_job(db, coach.id, s.id)
        folder = result_dir(config, job) if job else None
        if folder is None:
            raise FormError(f"session #{s.id} has no finished analysis yet")
        loaded.append(load_results(folder))
        labels.append(session_label(db, coach, s))
    return compare_results(
        loaded[0], loaded[1], label_a=labels[0], label_b=labels[1], settings=config.analysis.findings
    )
