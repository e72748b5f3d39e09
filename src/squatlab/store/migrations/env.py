"""Alembic's entry point: run the migrations on the URL the caller put in the config."""

from __future__ import annotations

from alembic import context

from squatlab.store.db import make_engine
from squatlab.store.models import Base

config = context.config
engine = make_engine(config.get_main_option("sqlalchemy.url"))
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
