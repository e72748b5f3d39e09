"""The engine, sessions and migrations, for SQLite (the default) and PostgreSQL.

SQLite is shared by the web server and the worker processes, so it runs in WAL mode (readers
never wait for the writer) with a busy timeout instead of failing on a lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# Seconds a SQLite writer waits for the lock before giving up: longer than any one write here.
SQLITE_BUSY_TIMEOUT_S = 30


def default_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'squatlab.db').resolve()}"


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (``sqlite:///...`` or ``postgresql+psycopg://...``)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with factory() as db, db.begin():
        yield db


def migrate(url: str) -> None:
    """Bring the database at ``url`` to the newest schema (Alembic ``upgrade head``)."""
    from alembic import command

    command.upgrade(alembic_config(url), "head")


def alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(str(resources.files("squatlab.store") / "migrations"))))
    # ConfigParser interpolation: a password with % must be doubled.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config
