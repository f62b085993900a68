"""The web server the app runs on (nlc_toolkit/web_server.py): gunicorn with our uvicorn worker,
not Reflex's default granian (about half the memory per open websocket, README "Live workshop"),
and responses that name no server software."""

from __future__ import annotations

import psutil

from tests.security.client import raw_http


def _command_lines(pid: int) -> list[str]:
    root = psutil.Process(pid)
    return [" ".join(p.cmdline()) for p in [root, *root.children(recursive=True)]]


def test_the_backend_is_gunicorn_with_the_app_s_uvicorn_worker(app_server):
    lines = _command_lines(app_server.proc.pid)
    assert any("gunicorn" in line for line in lines), lines
    assert not any("granian" in line for line in lines), lines
    # Reflex passes GUNICORN_CMD_ARGS (set in rxconfig.py) on gunicorn's command line.
    assert any("--worker-class nlc_toolkit.web_server.Worker" in line for line in lines), lines


def test_responses_name_no_server_software(app_server):
    for path in ("/", "/_health", "/join/", "/no-such-page"):
        reply = raw_http(app_server.port, "GET", path)
        assert reply.status in (200, 404), (path, reply.status)
        assert "server" not in {name.lower() for name in reply.headers}, (path, reply.headers)
