"""The Alembic migrations build exactly the tables the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from squatlab.store.db import make_engine, migrate
from squatlab.store.models import Base


@pytest.mark.parametrize("fresh_db_url", ["sqlite", "postgresql"], indirect=True)
def test_migrations_match_the_models(fresh_db_url):
    migrate(fresh_db_url)
    migrate(fresh_db_url)  # a second run is a no-op
    engine = make_engine(fresh_db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []
