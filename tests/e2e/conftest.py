"""Browser tests: the app is started once per pytest session by the root conftest's `app_server`
(tests/app_server.py); this adds the scaled-out app, the `app` fixture and the test order."""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from nlc_toolkit.web_server import gunicorn_args
from tests.app_server import ARTIFACTS, AppServer, _env, _free_port
from tests.e2e.balancer import Balancer

# The shared workshop session (run_room) asserts in helpers: let pytest explain its failures.
pytest.register_assert_rewrite("tests.e2e.helpers")

# A 2-core machine running the app, Chromium and the tests: give conditions time to come true
# (a reconnect after a backend restart backs off for several seconds).
expect.set_options(timeout=20_000)

__all__ = ["ARTIFACTS"]


@dataclass
class ScaledServer(AppServer):
    """The app scaled out behind a load balancer: the first backend (two workers, serving the
    pages too) and a second backend process, sharing Redis and PostgreSQL. The balancer hands each
    new websocket to the next backend, so browser tabs sit on both for certain."""

    second: AppServer | None = None
    balancer: Balancer | None = None

    def start(self) -> None:
        super().start()
        self.second.start()
        self.balancer.start()

    def stop(self) -> None:
        if self.balancer:
            self.balancer.stop()
        if self.second:
            self.second.stop()
        super().stop()


@contextmanager
def scaled_cluster(redis_url: str, log_name: str = "app-scaled.log"):
    """A fresh PostgreSQL database, migrated and seeded, and the app scaled out on it with the
    Redis at `redis_url`: yields the running ScaledServer, stops it and drops the database after."""
    import uuid

    import psycopg

    admin = os.environ.get("NLC_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"nlc_e2e_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
    front, first, second = _free_port(), _free_port(), _free_port()
    # Pages tell browsers to open their websocket at the balancer, which spreads them.
    env = _env(url, REFLEX_REDIS_URL=redis_url, REFLEX_API_URL=f"http://localhost:{front}")
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / log_name
    log.write_text("")
    server = ScaledServer(url=f"http://localhost:{front}", env={**env, "GUNICORN_CMD_ARGS": gunicorn_args(2)}, port=first, log=log,
                          second=AppServer(url="", env={**env, "GUNICORN_CMD_ARGS": gunicorn_args(1)}, port=second, log=log,
                                           backend_only=True),
                          balancer=Balancer(front, pages=first, sockets=[first, second]))
    try:
        server.nlc("migrate")
        server.nlc("seed-demo", "--cities", "30", "--seed", "3")
        server.start()
        yield server
    finally:
        server.stop()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def scaled_app_server():
    """The app as it scales out: Redis for state and live notifications, two workers, PostgreSQL."""
    with scaled_cluster(os.environ.get("NLC_TEST_REDIS", "redis://127.0.0.1:6379")) as server:
        yield server


@pytest.fixture
def app(app_server, page):
    """A browser page and the running app; the default timeout suits a 2-core machine."""
    page.set_default_timeout(20_000)
    return app_server


# Apps that rebuild the shared frontend (`.web`) for themselves (tests/e2e/test_database_away.py).
OWN_BUILD = ("scaled_app_server", "proxied_app_server")


def pytest_collection_modifyitems(items):
    """The scaled-out apps (every fixture starting one is named `scaled_...`) and the app behind a
    database proxy rebuild the shared frontend (`.web`) with their own address, so a page of the
    single app served afterwards would connect nowhere: run those tests last, each module's together."""
    items.sort(key=lambda item: any(name.startswith("scaled_") or name in OWN_BUILD
                                    for name in getattr(item, "fixturenames", ())))
