"""Engine and sessions. The URL comes from REFLEX_DB_URL; default a SQLite file in the project."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEFAULT_DB_URL = f"sqlite:///{PROJECT_DIR / 'nlc.db'}"
# Seconds a new PostgreSQL connection may take: when the server is away, an event fails after
# this long instead of waiting for the operating system's TCP timeout.
CONNECT_TIMEOUT = 3


def database_url() -> str:
    url = os.environ.get("REFLEX_DB_URL") or DEFAULT_DB_URL
    # A plain postgresql:// URL would pick psycopg2, which we do not install.
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT})


def is_unreachable(error: BaseException) -> bool:
    """A connection-type failure (the server down, restarting or cut off), not a refusal of the
    statement: SQLAlchemy saw a disconnect, or psycopg could not open or keep the connection (an
    OperationalError with no SQLSTATE, class 08, or a server shutdown 57P0x). SQLite's errors
    ("database is locked") have no SQLSTATE attribute and are not this."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if not isinstance(error, (OperationalError, InterfaceError)) or not hasattr(error.orig, "sqlstate"):
        return False
    state = error.orig.sqlstate
    return state is None or state.startswith("08") or state in ("57P01", "57P02", "57P03")


@lru_cache(maxsize=None)
def engine_for(url: str) -> Engine:
    return make_engine(url)


def dispose_engine(url: str) -> None:
    """Close every pooled connection to `url` (before its database is dropped, in the tests)."""
    engine_for(url).dispose()


def get_engine() -> Engine:
    return engine_for(database_url())


@lru_cache(maxsize=None)
def _factory_for(url: str) -> sessionmaker[Session]:
    return sessionmaker(bind=engine_for(url), expire_on_commit=False)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A transaction: committed on success, rolled back on any error."""
    session = _factory_for(database_url())()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
