"""Fixtures for the web workspace: a real ``squatlab serve`` process on loopback, on SQLite or PostgreSQL.

The PostgreSQL server comes from ``SQUATLAB_TEST_POSTGRES`` (an admin URL that may create
databases; ``make test`` sets it after ``make postgres`` started Debian's server). Without
one the PostgreSQL cases skip, saying why; under CI (``CI=true``) they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

pytest.importorskip("fastapi", reason="the web workspace needs the web extra (pip install 'squatlab[web]')")

from harness import Server, start_server

BACKENDS = ["sqlite", "postgresql"]


def _postgres_admin_url() -> str:
    url = os.environ.get("SQUATLAB_TEST_POSTGRES")
    why = None
    if not url:
        why = "SQUATLAB_TEST_POSTGRES is not set (make test sets it and starts Debian's PostgreSQL)"
    else:
        from sqlalchemy import create_engine, text

        try:
            engine = create_engine(url, connect_args={"connect_timeout": 5})
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            engine.dispose()
        except Exception as exc:
            why = f"no PostgreSQL server reachable at SQUATLAB_TEST_POSTGRES ({type(exc).__name__}: {exc})"
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must test PostgreSQL: {why}")
        pytest.skip(why)
    return url


@pytest.fixture
def fresh_db_url(request, tmp_path_factory) -> Iterator[str]:
    """A database URL with nothing in it, on the backend named by ``request.param``."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'squatlab.db'}"
        return
    yield from _postgres_database(_postgres_admin_url())


def _postgres_database(admin_url: str) -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"squatlab_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, tmp_path_factory) -> Iterator[Server]:
    """One server per test module and backend; each test signs up its own coaches."""
    data = tmp_path_factory.mktemp("data")
    if request.param == "sqlite":
        url = f"sqlite:///{data / 'squatlab.db'}"
        with start_server(data, url, max_upload_mb=1) as srv:
            yield srv
        return
    for url in _postgres_database(_postgres_admin_url()):
        with start_server(data, url, max_upload_mb=1) as srv:
            yield srv
