"""The demo account: the built-in example clip, uploaded and queued for analysis on first start."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from squatlab.store.db import make_engine, session_factory, transaction
from squatlab.store.models import Coach
from squatlab.web import service
from squatlab.web.config import ServerConfig

DEMO_EMAIL = "demo@squatlab.local"
# A local demo account on the coach's own machine, printed at start-up; not a secret.
DEMO_PASSWORD = "squatlab-demo"


def seed_demo(config: ServerConfig) -> bool:
    """Create the demo account with one athlete, one session and the demo clip; False if it exists."""
    from squatlab.demo import demo_clip

    engine = make_engine(config.db_url)
    try:
        with transaction(session_factory(engine)) as db:
            if db.scalar(select(Coach).where(Coach.email == DEMO_EMAIL)) is not None:
                return False
            coach = service.signup(db, DEMO_EMAIL, DEMO_PASSWORD, config.web)
            athlete = service.add_athlete(
                db, coach, name="Demo lifter", sex="male", bodyweight_kg=80,
                notes="A rendered squat clip that ships with squatlab (a butt wink in the second rep).",
            )  # fmt: skip
            session = service.add_session(
                db, coach, athlete.id, day=date.today(), load_kg=0, stance="medium", footwear="flat shoes",
                notes="The built-in example clip.",
            )  # fmt: skip
            with demo_clip().open("rb") as clip:
                service.add_upload(db, config, coach, session.id, source=clip, sent_name="demo.mp4")
    finally:
        engine.dispose()
    return True
