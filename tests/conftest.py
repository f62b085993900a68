"""Shared fixtures: Debian's Chromium for pytest-playwright (it cannot download its own browser
here), and the one running app that e2e and security tests share (tests/app_server.py)."""

import shutil

import pytest

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
