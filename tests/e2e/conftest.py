"""The app in Reflex prod mode, started once per test session as a user would start it.

It runs as a subprocess (`reflex run --env prod`) on its own port with its own SQLite file,
migrated and seeded, so tests can also restart it (a backend restart mid-session)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.balancer import Balancer
from tests.helpers import ROOT

# A 2-core machine running the app, Chromium and the tests: give conditions time to come true
# (a reconnect after a backend restart backs off for several seconds).
expect.set_options(timeout=20_000)

ARTIFACTS = ROOT / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, proc: subprocess.Popen, log: Path, timeout: float = 600, pages: bool = True) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url + "/ping", timeout=2) as r1, \
                    urllib.request.urlopen(url + ("/" if pages else "/ping"), timeout=2) as r2:
                if r1.status == 200 and r2.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)  # polling a server that is starting; there is no event to wait on
    raise RuntimeError(f"the app did not come up within {timeout} s:\n{log.read_text()[-4000:]}")


@dataclass
class AppServer:
    url: str
    env: dict
    port: int
    log: Path
    proc: subprocess.Popen | None = None

    backend_only: bool = False  # a further backend process of the same app (no pages)

    def start(self) -> None:
        command = [str(Path(sys.executable).with_name("reflex")), "run", "--env", "prod", "--backend-port", str(self.port),
                   *(["--backend-only"] if self.backend_only else ["--frontend-port", str(self.port)])]
        self.proc = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=self.log.open("a"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        _wait_until_up(f"http://localhost:{self.port}", self.proc, self.log, pages=not self.backend_only)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    @contextmanager
    def db(self):
        """A transaction on the app's own database, for arranging what a test needs."""
        from nlc_toolkit.db.session import session_scope

        previous = os.environ.get("REFLEX_DB_URL")
        os.environ["REFLEX_DB_URL"] = self.env["REFLEX_DB_URL"]
        try:
            with session_scope() as s:
                yield s
        finally:
            if previous is None:
                os.environ.pop("REFLEX_DB_URL", None)
            else:
                os.environ["REFLEX_DB_URL"] = previous

    def nlc(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "nlc_toolkit", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, check=True)


def _env(db_url: str, **extra_env) -> dict:
    tools = ROOT / ".tools" / "node_modules" / ".bin"
    return {
        **os.environ,
        "REFLEX_DB_URL": db_url,
        "REFLEX_TELEMETRY_ENABLED": "False",
        "REFLEX_CHECK_LATEST_VERSION": "False",
        "NLC_WATCH_HEARTBEAT": "1",  # live pages go through many heartbeats during each test
        "PATH": f"{tools}:{Path(sys.executable).parent}:{os.environ['PATH']}",
        **extra_env,
    }


def _server(db_url: str, log_name: str, **extra_env) -> AppServer:
    ARTIFACTS.mkdir(exist_ok=True)
    port = _free_port()
    server = AppServer(url=f"http://localhost:{port}", env=_env(db_url, **extra_env), port=port,
                       log=ARTIFACTS / log_name)
    server.log.write_text("")
    server.nlc("migrate")
    server.nlc("seed-demo", "--cities", "30", "--seed", "3")
    server.start()
    return server


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


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    server = _server(f"sqlite:///{tmp_path_factory.mktemp('app') / 'e2e.db'}", "app.log")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def scaled_app_server():
    """The app as it scales out: Redis for state and live notifications, two workers, PostgreSQL."""
    import uuid

    import psycopg

    admin = os.environ.get("NLC_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"nlc_e2e_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
    front, first, second = _free_port(), _free_port(), _free_port()
    # Pages tell browsers to open their websocket at the balancer, which spreads them.
    env = _env(url, REFLEX_REDIS_URL=os.environ.get("NLC_TEST_REDIS", "redis://127.0.0.1:6379"),
               REFLEX_API_URL=f"http://localhost:{front}")
    log = ARTIFACTS / "app-scaled.log"
    log.write_text("")
    server = ScaledServer(url=f"http://localhost:{front}", env={**env, "GRANIAN_WORKERS": "2"}, port=first, log=log,
                          second=AppServer(url="", env={**env, "GRANIAN_WORKERS": "1"}, port=second, log=log,
                                           backend_only=True),
                          balancer=Balancer(front, pages=first, sockets=[first, second]))
    server.nlc("migrate")
    server.nlc("seed-demo", "--cities", "30", "--seed", "3")
    server.start()
    yield server
    server.stop()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def app(app_server, page):
    """A browser page and the running app; the default timeout suits a 2-core machine."""
    page.set_default_timeout(20_000)
    return app_server


def pytest_collection_modifyitems(items):
    """The scaled-out app rebuilds the shared frontend (`.web`) with its balancer's address, so a
    page of the single app served afterwards would connect nowhere: run the scaled tests last."""
    items.sort(key=lambda item: "scaled_app_server" in getattr(item, "fixturenames", ()))
