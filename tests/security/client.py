"""What an attacker holds: a raw Socket.IO client speaking Reflex's protocol, and raw HTTP.

`Tab` is one browser tab without the browser (DESIGN.md §7): it picks its own client token,
hydrates a route with whatever cookie and local-storage values it likes, sends any event with any
payload, and records every delta and every frontend event (an `rx.download` arrives as an event
carrying a data URL). `raw_http` sends a request line exactly as typed: `//`, `/./`, `%2e%2e`
and `\\` reach the server unnormalised.

With `reconnect=True` a tab behaves as Reflex's browser client does when its socket drops (a
backend killed, a balancer cutting it): it opens a new websocket at once with the same token and
the hydrate event (its cookie and local-storage values, kept from the deltas as the browser keeps
them), retrying with the browser's backoff until the tab is hydrated again; `reconnect_times`
holds how long each took, from the drop to the re-hydrated page."""

from __future__ import annotations

import base64
import http.client
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import socketio

from nlc_toolkit import routes

STATE = "reflex___state____state"
HYDRATE = f"{STATE}.hydrate_and_load"
UPDATE_VARS = f"{STATE}.reflex___state____update_vars_internal_state.update_vars_internal"
FIELD = "_rx_state_"
TIMEOUT = 30.0  # seconds: a 2-core machine running the app and the tests


def var_key(state_cls, name: str) -> str:
    """The fully qualified name of a state var, as the client sends cookie/local-storage vars."""
    return f"{state_cls.get_full_name()}.{name}{FIELD}"


def handler(state_cls, name: str) -> str:
    return f"{state_cls.get_full_name()}.{name}"


def route_params(pathname: str) -> dict[str, str]:
    """The `[arg]`s of the app's route that matches a path, as the browser's router reads them."""
    for route in routes.ALL:
        pattern = re.sub(r"\\\[(\w+)\\\]", r"(?P<\1>[^/]+)", re.escape(route.path))
        match = re.fullmatch(pattern + "/?", pathname)
        if match:
            return match.groupdict()
    return {}


def router(path: str, route_args: dict | None = None) -> dict:
    """router_data as the browser sends it: the real pathname, the URL as typed, and the query
    with the route's arguments merged in (Reflex's frontend does so). `route_args`: what a forged
    client claims instead."""
    parts = urlsplit(path)
    data = {"pathname": parts.path, "asPath": path}
    query = {**dict(parse_qsl(parts.query)), **route_params(parts.path), **(route_args or {})}
    if query:
        data["query"] = query
    return data


class _Waits:
    """What a tab and a phone share: waiting on what their sockets receive (`messages`, under
    `_changed`), and for a dropped socket to be back (`connected`, `_reconnecting`)."""

    def wait_connected(self, timeout: float = 60.0) -> None:
        """Wait until a dropped socket is back (a tab hydrated again, a phone joined again)."""
        deadline = time.monotonic() + timeout
        while not self.connected:
            if self.reconnect_failed and not self._reconnecting:
                raise TimeoutError(f"{self!r} gave up reconnecting: {self.reconnect_failed}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self!r} not reconnected: {self.reconnect_failed}")
            with self._changed:
                self._changed.wait(0.1)

    def wait(self, condition, timeout: float = TIMEOUT, what: str = "a condition"):
        """Wait until `condition(self)` is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not (result := condition(self)):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{what} never came true; last messages: {self.messages[-3:]!r}"[:3000])
                self._changed.wait(left)
            return result


class Tab(_Waits):
    """One tab: connect (hydrating `path` with `vars`), send events, wait for what comes back."""

    def __init__(self, url: str, path: str, vars: dict | None = None, token: str | None = None,
                 route_args: dict | None = None, reconnect: bool = False, reconnect_deadline: float = 60.0):
        self.url, self.path, self.vars, self.route_args = url, path, dict(vars or {}), route_args
        self.token = token or str(uuid.uuid4())
        self.messages: list[dict] = []  # every "event" message: {"delta": ..., "events": [...], "final": ...}
        self.state: dict[str, dict] = {}  # the deltas merged: state full name -> var -> value
        self._changed = threading.Condition()
        self.reconnect = reconnect
        self.reconnect_times: list[float] = []  # seconds from each drop to the tab hydrated again
        self.reconnect_deadline = reconnect_deadline
        self.reconnect_failed: str = ""  # why the last reconnect gave up, if it did
        self.drops = 0  # sockets lost without the test closing them
        self._closing = self._reconnecting = False
        self.sio = self._socket()

    def _socket(self) -> socketio.Client:
        sio = socketio.Client(reconnection=False)
        sio.on("event", self._on_event, namespace="/_event")
        sio.on("new_token", self._on_new_token, namespace="/_event")
        sio.on("disconnect", self._on_disconnect, namespace="/_event")
        return sio

    # ------------------------------------------------------------------ receiving

    def _on_event(self, data) -> None:
        if isinstance(data, str):
            data = json.loads(data)
        with self._changed:
            self.messages.append(data)
            delta = data.get("delta") or {}
            # The browser keeps the cookie and storage values a delta sets, except from a delta
            # of a tab not hydrated yet (state.js applyClientStorageDelta).
            roots = [v for k, v in delta.items() if "." not in k]
            keep = not (len(roots) == 1 and roots[0].get("is_hydrated" + FIELD) is False)
            for state, values in delta.items():
                self.state.setdefault(state, {}).update(values)
                for name, value in values.items():
                    if keep and f"{state}.{name}" in self.vars:
                        self.vars[f"{state}.{name}"] = value
            self._changed.notify_all()

    def _on_new_token(self, token) -> None:
        self.token = token

    def _on_disconnect(self, *reason) -> None:
        with self._changed:
            self._changed.notify_all()  # a waiter may give up on a socket that is gone
        if self._closing or not self.reconnect or self._reconnecting:
            return  # a reconnect under way sees its own attempt fail and tries again
        self._reconnecting = True
        self.drops += 1
        threading.Thread(target=self._reconnect, args=(time.monotonic(),), daemon=True,
                         name=f"reconnect-{self.token[:6]}").start()

    def _reconnect(self, dropped: float) -> None:
        """What Reflex's browser client does on a dropped socket: a new websocket at once, with
        the same token and the hydrate event; a failed attempt is retried after 200 ms times the
        attempts so far (at most ten), as state.js does."""
        try:
            self._reconnect_until_hydrated(dropped)
        finally:
            self._reconnecting = False
            with self._changed:
                self._changed.notify_all()

    def _reconnect_until_hydrated(self, dropped: float) -> None:
        attempts = 0
        while not self._closing:
            if time.monotonic() - dropped > self.reconnect_deadline:
                self.reconnect_failed = f"no socket within {self.reconnect_deadline} s ({attempts} attempts)"
                return
            mark = len(self.messages)
            self.sio = self._socket()
            try:
                self.connect(hydrated=False)
                self.wait(lambda t: any(v.get("is_hydrated" + FIELD) is True for m in t.messages[mark:]
                                        for v in (m.get("delta") or {}).values()) or not t.sio.connected,
                          max(1.0, self.reconnect_deadline - (time.monotonic() - dropped)), "hydrated again")
                if self.sio.connected:
                    self.reconnect_times.append(time.monotonic() - dropped)
                    self.reconnect_failed = ""
                    return
            except (socketio.exceptions.ConnectionError, TimeoutError, OSError) as e:
                self.reconnect_failed = repr(e)
            attempts = min(attempts + 1, 10)
            time.sleep(0.2 * attempts)  # the browser's backoff between attempts, not a wait on a condition

    @property
    def connected(self) -> bool:
        """Connected and not re-hydrating after a drop."""
        return self.sio.connected and not self._reconnecting

    def value(self, state_cls, name: str, default=None):
        return self.state.get(state_cls.get_full_name(), {}).get(name + FIELD, default)

    def wait_value(self, state_cls, name: str, condition, timeout: float = TIMEOUT):
        """Wait until the var's latest value satisfies `condition` (a value or a predicate)."""
        test = condition if callable(condition) else (lambda v: v == condition)
        marker = object()
        self.wait(lambda t: (v := t.value(state_cls, name, marker)) is not marker and test(v), timeout,
                  f"{state_cls.__name__}.{name} matching {condition!r}")
        return self.value(state_cls, name)

    def events(self, since: int = 0) -> list[dict]:
        return [e for m in self.messages[since:] for e in (m.get("events") or [])]

    def download(self, since: int = 0, timeout: float = 60.0) -> bytes:
        """The bytes of the next `rx.download` (an event carrying a data URL) after `since`."""

        def found(t):
            for event in t.events(since):
                for value in (event.get("payload") or {}).values():
                    if isinstance(value, str) and value.startswith("data:"):
                        return value
            return None

        url = self.wait(found, timeout, "a download")
        header, _, data = url.partition(",")
        return base64.b64decode(data) if header.endswith(";base64") else data.encode()

    # ------------------------------------------------------------------ sending

    def connect(self, hydrated: bool = True) -> "Tab":
        payload = {"vars": self.vars} if self.vars else {}
        auth = {"event": {"name": HYDRATE, "payload": payload, "router_data": router(self.path, self.route_args)}}
        base = self.url.replace("http://", "ws://")
        self.sio.connect(f"{base}?token={self.token}", transports=["websocket"], namespaces=["/_event"],
                         socketio_path="/_event", auth=auth, wait_timeout=TIMEOUT)
        if hydrated:
            self.wait_value_any("is_hydrated", True)
        return self

    def wait_value_any(self, name: str, value, timeout: float = TIMEOUT) -> None:
        """Wait until some state's delta sets `name` to `value` (is_hydrated lives on the root)."""
        self.wait(lambda t: any(v.get(name + FIELD) == value for v in t.state.values()), timeout, f"{name}={value!r}")

    def send(self, name: str, router_path: str | None = None, **payload) -> int:
        """Send the event `name` (a full handler name); returns the message count before it, to
        look only at what came after."""
        mark = len(self.messages)
        self.sio.emit("event", {"name": name, "payload": payload, "router_data": router(router_path or self.path, self.route_args)},
                      namespace="/_event")
        return mark

    def set_vars(self, values: dict) -> int:
        """What any client may do at any time: set cookie/local-storage vars by full name."""
        return self.send(UPDATE_VARS, vars=values)

    def ping(self, lang_state) -> None:
        """A round trip that always answers: the socket is still served after what came before."""
        for lang in ("fr", "en"):
            self.send(handler(lang_state, "set_lang"), lang=lang)
            self.wait_value(lang_state, "lang", lang)

    def close(self) -> None:
        self._closing = True
        if self.sio.connected:
            self.sio.disconnect()

    def __enter__(self) -> "Tab":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# ---------------------------------------------------------------------- raw HTTP


class Phone(_Waits):
    """One phone of a live room without the browser: the phone page's websocket (api/phone.py)
    and its JSON messages. `send` sends anything. With `reconnect=True` it does what the page's
    script does when its socket drops: it opens another and rejoins with the token it was given;
    `reconnect_times` holds how long each took, from the drop to joined again."""

    def __init__(self, url: str, reconnect: bool = False, reconnect_deadline: float = 60.0,
                 headers: dict | None = None):
        self.url = url.replace("http://", "ws://").rstrip("/") + routes.JOIN + "/ws"
        self.reconnect, self.reconnect_deadline, self.headers = reconnect, reconnect_deadline, headers or {}
        self.messages: list[dict] = []
        self.code = self.token = self.device = ""
        self.closed_with: int | None = None  # the close code of a socket the server closed
        self.drops = 0
        self.reconnect_times: list[float] = []
        self.reconnect_failed = ""
        self._changed = threading.Condition()
        self._closing = self._reconnecting = False
        self.ws = None

    def connect(self) -> "Phone":
        import websocket

        ws = websocket.create_connection(self.url, timeout=TIMEOUT, header=self.headers)
        ws.settimeout(None)  # a quiet room is no error: the reader waits as long as the socket lives
        self.ws = ws
        threading.Thread(target=self._read, args=(ws,), daemon=True, name="phone-reader").start()
        return self

    def _read(self, ws) -> None:
        import websocket

        while True:
            try:
                opcode, data = ws.recv_data()
            except (websocket.WebSocketException, OSError):
                break
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                self.closed_with = int.from_bytes(data[:2], "big") if len(data) >= 2 else 1005
                break
            message = json.loads(data)
            with self._changed:
                self.messages.append(message)
                if message.get("type") == "joined":
                    self.code, self.token, self.device = message["code"], message["token"], message["device"]
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()
        if ws is self.ws and not self._closing and self.reconnect and not self._reconnecting:
            self._reconnecting = True
            self.drops += 1
            threading.Thread(target=self._reconnect, args=(time.monotonic(),), daemon=True,
                             name="phone-reconnect").start()

    def _reconnect(self, dropped: float) -> None:
        attempts = 0
        try:
            while not self._closing:
                if time.monotonic() - dropped > self.reconnect_deadline:
                    self.reconnect_failed = f"not joined again within {self.reconnect_deadline} s"
                    return
                try:
                    self.connect()
                    mark = self.send({"type": "join", "code": self.code, "token": self.token, "device": self.device})
                    self.wait(lambda t: any(m["type"] == "joined" for m in t.messages[mark:]), 10, "joined again")
                    self.reconnect_times.append(time.monotonic() - dropped)
                    self.reconnect_failed = ""
                    return
                except Exception as e:  # noqa: BLE001 - refused, reset, timed out: try again, as the page does
                    self.reconnect_failed = repr(e)
                attempts = min(attempts + 1, 6)
                time.sleep(0.5 * attempts)  # the page's backoff between attempts, not a wait on a condition
        finally:
            self._reconnecting = False
            with self._changed:
                self._changed.notify_all()

    @property
    def connected(self) -> bool:
        return self.ws is not None and self.ws.connected and not self._reconnecting

    def send(self, message) -> int:
        """Send `message` (JSON, or a str as it is); returns where its replies start in `messages`."""
        import websocket

        mark = len(self.messages)
        try:
            self.ws.send(message if isinstance(message, str) else json.dumps(message))
        except websocket.WebSocketException as e:
            raise ConnectionError(f"the phone's socket is closed: {e!r}") from e
        return mark

    def reply(self, mark: int, kinds: tuple[str, ...], timeout: float = TIMEOUT) -> dict:
        """The first message since `mark` of one of `kinds`."""
        return self.wait(lambda t: next((m for m in t.messages[mark:] if m.get("type") in kinds), None), timeout,
                         f"a reply of {kinds}")

    def join(self, code: str, name: str = "", group: str = "municipality") -> dict:
        mark = self.send({"type": "join", "code": code, "name": name, "group": group, "token": self.token,
                          "device": self.device})
        return self.reply(mark, ("joined", "error"))

    def close(self) -> None:
        self._closing = True
        if self.ws is not None:
            self.ws.close()

    def __enter__(self) -> "Phone":
        return self.connect()

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass
class Reply:
    status: int
    headers: dict = field(default_factory=dict)
    body: bytes = b""


def raw_http(port: int, method: str, path: str, headers: dict | None = None, body: bytes | None = None,
             chunks: list[bytes] | None = None, timeout: float = TIMEOUT) -> Reply:
    """One request with the request line exactly as given. `chunks`: sent with chunked
    transfer encoding and no Content-Length. A Content-Length in `headers` is sent as declared,
    whatever the body really is."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", f"localhost:{port}")
        names = {k.lower() for k in (headers or {})}
        for key, value in (headers or {}).items():
            conn.putheader(key, value)
        if chunks is not None:
            conn.putheader("Transfer-Encoding", "chunked")
        elif body is not None and "content-length" not in names:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        try:
            if chunks is not None:
                for chunk in chunks:
                    conn.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                conn.send(b"0\r\n\r\n")
            elif body:
                conn.send(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before taking the whole body
        response = conn.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        conn.close()


def multipart(files: list[tuple[str, bytes, str]], field_name: str = "files") -> tuple[str, bytes]:
    """A multipart/form-data body of (filename, bytes, content type) parts; returns (content
    type header, body)."""
    boundary = uuid.uuid4().hex
    out = b""
    for name, data, ctype in files:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field_name}\"; filename=\"{name}\"\r\n"
                f"Content-Type: {ctype}\r\n\r\n").encode() + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", out


def upload(port: int, handler_name: str, client_token: str, files: list[tuple[str, bytes, str]],
           session: str = "", path: str = "/_upload", **extra_headers) -> Reply:
    """POST files to Reflex's upload endpoint as the browser does, naming the handler and tab."""
    ctype, body = multipart(files)
    headers = {"Content-Type": ctype, "reflex-client-token": client_token, "reflex-event-handler": handler_name,
               **extra_headers}
    if session:
        headers["Cookie"] = f"nlc_session={session}"
    return raw_http(port, "POST", path, headers, body)
