"""Database fixtures: every test gets a fresh, migrated database on SQLite and on PostgreSQL."""

import os
import uuid

import psycopg
import pytest

from nlc_toolkit.db.migrate import upgrade
from nlc_toolkit.db.session import _engine_for

PG_ADMIN = os.environ.get("NLC_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_available() -> bool:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path, monkeypatch):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        name = None
    else:
        if not _pg_available():
            pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN}; start it (see README)")
        name = f"nlc_test_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
    monkeypatch.setenv("REFLEX_DB_URL", url)
    yield url
    _engine_for(url).dispose()
    if name:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def migrated(db_url):
    upgrade(db_url)
    return db_url
