"""The web server the app runs on (nlc_toolkit/web_server.py): gunicorn with our uvicorn worker,
not Reflex's default granian (about half the memory per open websocket, README "Live workshop"),
and responses that name no server software."""

from __future__ import annotations

import psutil

from tests.security.client import FIELD, HYDRATE, TIMEOUT, Tab, raw_http, router


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


class _ForwardedTab(Tab):
    """A tab whose websocket request carries an X-Forwarded-For header of the client's choosing."""

    def __init__(self, url: str, path: str, forwarded_for: str):
        super().__init__(url, path)
        self.forwarded_for = forwarded_for

    def connect(self, hydrated: bool = True) -> Tab:
        auth = {"event": {"name": HYDRATE, "payload": {}, "router_data": router(self.path, None)}}
        self.sio.connect(f"{self.url.replace('http://', 'ws://')}?token={self.token}", transports=["websocket"],
                         namespaces=["/_event"], socketio_path="/_event", auth=auth, wait_timeout=TIMEOUT,
                         headers={"X-Forwarded-For": self.forwarded_for})
        self.wait_value_any("is_hydrated", True)
        return self


def test_a_forged_forwarded_for_header_does_not_change_the_client_s_address(app_server):
    """The join-code and sign-in limits count by client address: a client (here on the server's own
    machine, which uvicorn would trust by default) that names another address in X-Forwarded-For
    is still counted at its own."""
    with _ForwardedTab(app_server.url, "/login", "203.0.113.7").connect() as tab:
        # The router's session, as Reflex sends it to the tab: what the handlers read as client_ip.
        sessions = [values["rx_router_session" + FIELD] for values in tab.state.values()
                    if "rx_router_session" + FIELD in values]
    assert sessions and {session["client_ip"] for session in sessions} == {"127.0.0.1"}, sessions
