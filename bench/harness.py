"""What the benchmarks share: the app started in prod mode on a free port (its own database),
a headless tab speaking Reflex's Socket.IO protocol (DESIGN.md §7), and process measurements."""

from __future__ import annotations

import asyncio
import functools
import gc
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import psutil
import socketio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # a bench runs as `python bench/x_bench.py`: bench/ is on the path, the app is not
HYDRATE = "reflex___state____state.hydrate_and_load"


def machine_speed() -> str:
    """How fast this machine runs Python today: milliseconds for a fixed workload (a sum over a
    million squares, then 20,000 small dicts as JSON), best of five. Figures in ms from different
    days compare only through it: the shared 2-core VM ran the same code up to 1.5x slower on
    some days (README, Performance)."""
    def workload() -> None:
        sum(i * i for i in range(1_000_000))
        json.dumps([{"id": i, "value": str(i), "level": i % 5} for i in range(20_000)])

    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        workload()
        best = min(best, time.perf_counter() - start)
    return f"machine speed: {best * 1000:.0f} ms for the reference workload (bench/harness.machine_speed; lower is faster)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@functools.cache
def initial_state_hashes() -> list[str]:
    """What a browser sends with its first hydrate of a page: the hashes of the compiled initial
    state it already holds (`.web/utils/context.jsx`, written when the app starts). With them
    Reflex sends only what differs from those defaults (about 2 KB instead of 13 KB for a phone)."""
    text = (ROOT / ".web" / "utils" / "context.jsx").read_text("utf-8")
    return json.loads(re.search(r"export const initialStateHashes = (\[.*?\])", text).group(1))


def router(path: str) -> dict:
    # Reflex matches on_load handlers by the route template, and the browser merges the route's
    # arguments into the query (the presenter reads its [code] from there).
    if path.startswith("/w/"):
        return {"pathname": "/w/[code]/present", "asPath": path, "query": {"code": path.split("/")[2]}}
    parts = path.split("?")[0].strip("/").split("/")
    if parts[0] == "workshops" and len(parts) > 1:  # the trainer's console
        return {"pathname": "/workshops/[code]", "asPath": path, "query": {"code": parts[1]}}
    query = {"assessment_id": parts[1]} if parts[0] == "assessments" and len(parts) > 1 else {}
    return {"pathname": path.split("?")[0], "asPath": path, "query": query}


class Client:
    """One browser tab: connects, hydrates a page, sends events, records deltas."""

    def __init__(self, url: str, path: str, vars: dict | None = None):
        self.url, self.path, self.vars = url, path, dict(vars or {})
        self.sio = socketio.AsyncClient(reconnection=False)
        self.deltas: list[tuple[float, dict]] = []
        self.hydrated = asyncio.Event()
        self.token = str(uuid.uuid4())

        @self.sio.on("event", namespace="/_event")
        async def on_event(data):
            now = time.perf_counter()
            delta = data.get("delta") or {}
            self.deltas.append((now, delta))
            for values in delta.values():
                if values.get("is_hydrated_rx_state_"):
                    self.hydrated.set()
            self.on_delta(now, delta)
            self.on_message(now, data)

    def on_delta(self, now: float, delta: dict) -> None:
        pass

    def on_message(self, now: float, message: dict) -> None:
        """Every update the server sends; the last one of an event carries `final`."""

    async def connect(self) -> None:
        # Cookie and local-storage values, and the initial state's hashes, as a browser sends them.
        payload = {"vars": self.vars} if self.vars else {}
        payload["hashes"] = initial_state_hashes()
        auth = {"event": {"name": HYDRATE, "payload": payload, "router_data": router(self.path)}}
        await self.sio.connect(f"{self.url}?token={self.token}", transports=["websocket"], namespaces=["/_event"],
                               socketio_path="/_event", auth=auth, wait_timeout=30)
        await asyncio.wait_for(self.hydrated.wait(), 60)

    async def send(self, state: str, handler: str, **payload) -> None:
        await self.sio.emit("event", {"name": f"{state}.{handler}", "payload": payload,
                                      "router_data": router(self.path)}, namespace="/_event")

    async def close(self) -> None:
        await self.sio.disconnect()


class WaitingTab(Client):
    """A tab that waits for the next update the server sends it: a delta, or for a file the
    download itself (a frontend event; the file's handler first says it is preparing it)."""

    def __init__(self, url: str, path: str, vars: dict | None = None):
        super().__init__(url, path, vars)
        self.updated = asyncio.Event()
        self.downloaded = asyncio.Event()

    def on_message(self, now: float, message: dict) -> None:
        if message.get("delta") or message.get("events"):
            self.updated.set()
        if message.get("events"):
            self.downloaded.set()

    async def round_trip(self, state: str, handler: str, timeout: float = 120, until_file: bool = False,
                         **payload) -> float:
        done = self.downloaded if until_file else self.updated
        done.clear()
        start = time.perf_counter()
        await self.send(state, handler, **payload)
        await asyncio.wait_for(done.wait(), timeout)
        return time.perf_counter() - start


class Phone:
    """One workshop phone as its page does it (api/phone.py): fetch the page (its script and
    stylesheet are inside) on a connection of its own, then open the websocket; `join` and `pick`
    send the page's JSON messages."""

    def __init__(self, url: str, code: str):
        self.url, self.code = url, code
        self.ws = None
        self.messages: list[dict] = []
        self.joined = asyncio.Event()
        self._reader: asyncio.Task | None = None
        self._session = None

    async def open(self) -> None:
        import aiohttp

        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, force_close=True))
        async with self._session.get(f"{self.url}/join?code={self.code}") as reply:
            reply.raise_for_status()
            await reply.read()
        self.ws = await self._session.ws_connect(self.url.replace("http://", "ws://") + "/join/ws", max_msg_size=0)
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            data = json.loads(message.data)
            self.messages.append(data)
            if data["type"] == "joined":
                self.joined.set()
            elif data["type"] == "error":
                raise RuntimeError(f"the phone was refused: {data}")

    async def join(self, name: str, group: str = "municipality") -> None:
        await self.ws.send_str(json.dumps({"type": "join", "code": self.code, "name": name, "group": group}))
        await asyncio.wait_for(self.joined.wait(), 120)

    async def pick(self, value: str) -> None:
        await self.ws.send_str(json.dumps({"type": "pick", "value": value}))

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()
        if self._session is not None:
            await self._session.close()


def is_build_process(p: psutil.Process) -> bool:
    """A build process (services/builds.py) or multiprocessing's helper, not a web worker."""
    try:
        return "multiprocessing" in " ".join(p.cmdline())
    except psutil.Error:
        return False


def cpu_by_part(app_pid: int) -> dict[str, float]:
    """CPU seconds used so far by each part of the system: the backend workers, PostgreSQL, Redis
    and this bench (the simulated phones), to see where a room's time goes on two cores."""
    parts: dict[str, float] = {}

    def add(part: str, proc: psutil.Process) -> None:
        try:
            t = proc.cpu_times()
            parts[part] = parts.get(part, 0.0) + t.user + t.system
        except psutil.Error:
            pass

    try:
        for p in [psutil.Process(app_pid), *psutil.Process(app_pid).children(recursive=True)]:
            if is_build_process(p):
                add("build processes", p)
            elif not any(x in p.name() for x in ("node", "bun")):
                add(f"backend {p.pid}", p)
    except psutil.Error:
        pass
    for p in psutil.process_iter(["name"]):
        name = (p.info["name"] or "").lower()
        if name.startswith("postgres"):
            add("postgres", p)
        elif name.startswith("redis"):
            add("redis", p)
    add("phones", psutil.Process())
    return parts


def sockets_per_worker(app_pid: int, port: int) -> list[int]:
    """Open client connections held by each backend process (each simulated phone has one)."""
    counts = []
    for p in psutil.Process(app_pid).children(recursive=True):
        try:
            n = sum(1 for c in p.net_connections("tcp") if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port)
        except psutil.Error:
            continue
        if n:
            counts.append(n)
    return sorted(counts, reverse=True)


def rss_of(pid: int) -> int:
    total = 0
    try:
        parent = psutil.Process(pid)
        for p in [parent, *parent.children(recursive=True)]:
            try:
                if "node" in p.name() or "bun" in p.name() or is_build_process(p):
                    continue  # the frontend is static in prod, build processes hold no client
                total += p.memory_info().rss
            except psutil.Error:
                pass
    except psutil.Error:
        pass
    return total


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def app_env(db_url: str, **more: str) -> dict:
    """The environment of a benchmarked app (and of this process, so it reaches the same database)."""
    env = {**os.environ, "REFLEX_TELEMETRY_ENABLED": "False", "REFLEX_CHECK_LATEST_VERSION": "False",
           "PATH": f"{ROOT / '.tools' / 'node_modules' / '.bin'}:{Path(sys.executable).parent}:{os.environ['PATH']}",
           "REFLEX_DB_URL": db_url, **more}
    os.environ.update({k: v for k, v in env.items() if k.startswith("REFLEX_")})
    return env


def start_app(env: dict, log_path: Path) -> tuple[subprocess.Popen, str]:
    """`reflex run --env prod` on a free port; returns the process and its URL once it answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = log_path.open("w")
    proc = subprocess.Popen([str(Path(sys.executable).with_name("reflex")), "run", "--env", "prod", "--frontend-port",
                             str(port), "--backend-port", str(port)], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 600
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/ping", timeout=2):
                # This process imported the app to seed its database: millions of objects that a
                # full collection walks, pausing every client it runs for 150 ms (seen as a
                # server stall). Kept out of the collector from here on.
                gc.collect()
                gc.freeze()
                return proc, url
        except OSError:
            time.sleep(0.5)
    stop_app(proc)
    raise TimeoutError(f"the app did not start; see {log_path}")


def stop_app(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def backend_processes(app_pid: int) -> list[psutil.Process]:
    return [p for p in psutil.Process(app_pid).children(recursive=True)
            if not any(x in p.name() for x in ("node", "bun")) and not is_build_process(p)]


class Profile:
    """`py-spy record` on the backend process while a bench runs (when NLC_BENCH_PROFILE names
    an output file), then the functions where the samples were, by own time and by time inside."""

    def __init__(self, app_pid: int):
        self.path = os.environ.get("NLC_BENCH_PROFILE", "")
        self.proc: subprocess.Popen | None = None
        if self.path:
            # A worker, not gunicorn's master: the first backend process that starts no other.
            processes = backend_processes(app_pid)
            backend = next(p for p in processes if not any(c in processes for c in p.children())).pid
            self.proc = subprocess.Popen([str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(backend),
                                          "--format", "raw", "--output", self.path, "--rate", "250", "--nonblocking", "--threads"],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def report(self, top: int = 15) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=60)
        own: dict[str, int] = {}
        inside: dict[str, int] = {}
        total = 0
        for line in Path(self.path).read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            frames, n = stack.split(";"), int(count)
            total += n
            leaf = frames[-1]
            own[leaf] = own.get(leaf, 0) + n
            for frame in set(frames):
                inside[frame] = inside.get(frame, 0) + n
        print(f"profile ({total} samples, {self.path}): own time")
        for frame, n in sorted(own.items(), key=lambda x: -x[1])[:top]:
            print(f"  {100 * n / total:5.1f}%  {frame}")
        print("time inside (our code):")
        ours = [(f, n) for f, n in inside.items() if "nlc_toolkit" in f]
        for frame, n in sorted(ours, key=lambda x: -x[1])[:top]:
            print(f"  {100 * n / total:5.1f}%  {frame}")
