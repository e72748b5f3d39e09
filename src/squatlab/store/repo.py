"""Reading and writing a coach's rows. Every function takes the coach's id and filters on it.

A row that exists but belongs to another coach is reported exactly like a row that does not
exist (:class:`NotFoundError`), so ids reveal nothing across accounts.
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from squatlab.store.models import Athlete, Base, Job, TrainingSession, Upload

Row = TypeVar("Row", bound=Base)


class NotFoundError(LookupError):
    """No such row for this coach."""


def owned(db: Session, model: type[Row], row_id: int, coach_id: int) -> Row:
    """The row ``row_id`` of ``model`` if ``coach_id`` owns it; else :class:`NotFoundError`."""
    row = db.scalar(select(model).where(model.id == row_id, model.coach_id == coach_id))
    if row is None:
        raise NotFoundError(f"{model.__tablename__} {row_id}")
    return row


def athletes(db: Session, coach_id: int) -> list[Athlete]:
    return list(db.scalars(select(Athlete).where(Athlete.coach_id == coach_id).order_by(Athlete.name, Athlete.id)))


def add_athlete(
    db: Session, coach_id: int, *, name: str, sex: str | None, bodyweight_kg: float | None, notes: str
) -> Athlete:
    athlete = Athlete(coach_id=coach_id, name=name, sex=sex, bodyweight_kg=bodyweight_kg, notes=notes)
    db.add(athlete)
    db.flush()
    return athlete


def sessions_of(db: Session, coach_id: int, athlete_id: int) -> list[TrainingSession]:
    """The athlete's sessions, oldest first."""
    owned(db, Athlete, athlete_id, coach_id)
    query = (
        select(TrainingSession)
        .where(TrainingSession.coach_id == coach_id, TrainingSession.athlete_id == athlete_id)
        .order_by(TrainingSession.date, TrainingSession.id)
    )
    return list(db.scalars(query))


def all_sessions(db: Session, coach_id: int) -> list[TrainingSession]:
    query = select(TrainingSession).where(TrainingSession.coach_id == coach_id)
    return list(db.scalars(query.order_by(TrainingSession.date, TrainingSession.id)))


def add_session(
    db: Session,
    coach_id: int,
    athlete_id: int,
    *,
    day: date,
    load_kg: float | None,
    stance: str | None,
    footwear: str,
    notes: str,
) -> TrainingSession:
    owned(db, Athlete, athlete_id, coach_id)
    row = TrainingSession(
        coach_id=coach_id, athlete_id=athlete_id, date=day, load_kg=load_kg, stance=stance, footwear=footwear,
        notes=notes,
    )  # fmt: skip
    db.add(row)
    db.flush()
    return row


def uploads_of(db: Session, coach_id: int, session_id: int) -> list[Upload]:
    query = select(Upload).where(Upload.coach_id == coach_id, Upload.session_id == session_id)
    return list(db.scalars(query.order_by(Upload.id)))


def jobs_of(db: Session, coach_id: int, session_id: int) -> list[Job]:
    query = select(Job).where(Job.coach_id == coach_id, Job.session_id == session_id)
    return list(db.scalars(query.order_by(Job.id)))


def latest_done_job(db: Session, coach_id: int, session_id: int) -> Job | None:
    """The session's newest finished analysis (the one its page, trends and comparison show)."""
    query = (
        select(Job)
        .where(Job.coach_id == coach_id, Job.session_id == session_id, Job.status == "done")
        .order_by(Job.id.desc())
        .limit(1)
    )
    return db.scalar(query)


def jobs_for_coach(db: Session, coach_id: int) -> list[Job]:
    return list(db.scalars(select(Job).where(Job.coach_id == coach_id).order_by(Job.id)))
