"""The app in Reflex prod mode, started as a user would start it, for the tests that drive it.

It runs as a subprocess (`reflex run --env prod`) on its own port with its own SQLite file,
migrated and seeded, and its own upload folder (`server.uploads`), so tests can look at what
reached the disk and can also restart it (a backend restart mid-session). The session-scoped
`app_server` fixture (tests/conftest.py) starts ONE such app per pytest session for every test
that needs it: two would rebuild the shared `.web` folder under each other."""

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

from tests.helpers import ROOT

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


def _nothing_listens(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    except OSError:
        pass  # a listener too busy to accept still holds the port
    return False


def _wait_until_port_free(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _nothing_listens(port):
            return True
        time.sleep(0.2)  # a server's workers finishing their shutdown; there is no event to wait on
    return False


@dataclass
class AppServer:
    url: str
    env: dict
    port: int
    log: Path
    proc: subprocess.Popen | None = None

    backend_only: bool = False  # a further backend process of the same app (no pages)

    @property
    def uploads(self) -> Path:
        """The app's upload folder (REFLEX_UPLOADED_FILES_DIR), where evidence lands."""
        return Path(self.env.get("REFLEX_UPLOADED_FILES_DIR") or ROOT / "uploaded_files").resolve()

    def start(self) -> None:
        # A listener left on the port would answer the readiness check in the new process's place
        # while the new one fails to bind: a restart must start on a free port.
        if not _wait_until_port_free(self.port, timeout=30):
            raise RuntimeError(f"port {self.port} is still taken before the app starts")
        command = [str(Path(sys.executable).with_name("reflex")), "run", "--env", "prod", "--backend-port", str(self.port),
                   *(["--backend-only"] if self.backend_only else ["--frontend-port", str(self.port)])]
        self.proc = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=self.log.open("a"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        _wait_until_up(f"http://localhost:{self.port}", self.proc, self.log, pages=not self.backend_only)

    def stop(self) -> None:
        """Stops the whole process group, and returns only once nothing listens on the port: `reflex
        run` may exit while its server's workers are still closing their websockets."""
        if not self.proc:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        if not (self.proc.poll() is not None and _wait_until_port_free(self.port, timeout=30)):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
            if not _wait_until_port_free(self.port, timeout=30):
                raise RuntimeError(f"port {self.port} is still taken after the app was killed")

    def db_url(self) -> str:
        """Where a test reads and arranges the app's data (a proxied app's test reads behind the proxy)."""
        return self.env["REFLEX_DB_URL"]

    @contextmanager
    def db(self):
        """A transaction on the app's own database, for arranging what a test needs."""
        from nlc_toolkit.db.session import session_scope

        previous = os.environ.get("REFLEX_DB_URL")
        os.environ["REFLEX_DB_URL"] = self.db_url()
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
        "NLC_CODE_LOOKUP_WINDOW": "15",  # a stopped code guesser is let in again within the test
        "PATH": f"{tools}:{Path(sys.executable).parent}:{os.environ['PATH']}",
        **extra_env,
    }


def _server(db_url: str, log_name: str, uploads: Path | None = None, **extra_env) -> AppServer:
    """A migrated, seeded app on a free port; `uploads`: its own upload folder."""
    ARTIFACTS.mkdir(exist_ok=True)
    if uploads is not None:
        uploads.mkdir(parents=True, exist_ok=True)
        extra_env["REFLEX_UPLOADED_FILES_DIR"] = str(uploads.resolve())
    port = _free_port()
    server = AppServer(url=f"http://localhost:{port}", env=_env(db_url, **extra_env), port=port,
                       log=ARTIFACTS / log_name)
    server.log.write_text("")
    server.nlc("migrate")
    server.nlc("seed-demo", "--cities", "30", "--seed", "3")
    server.start()
    return server
