"""Shared fixtures: Debian's Chromium for pytest-playwright (it cannot download its own browser
here), the one running app that e2e and security tests share (tests/app_server.py), and a fresh
migrated database on SQLite and on PostgreSQL for every db and service test (`migrated`)."""

import os
import shutil
import uuid

import psycopg
import pytest

from nlc_toolkit.db.migrate import upgrade
from nlc_toolkit.db.session import dispose_engine
from tests.app_server import _server

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """The app in prod mode, once per pytest session: its own port, SQLite file and upload folder
    (`server.uploads`)."""
    folder = tmp_path_factory.mktemp("app")
    server = _server(f"sqlite:///{folder / 'e2e.db'}", "app.log", uploads=folder / "uploads")
    yield server
    server.stop()


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
    dispose_engine(url)
    if name:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def migrated(db_url):
    upgrade(db_url)
    return db_url
