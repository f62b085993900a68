"""A room of N participants answering at once, measured from the presenter's screen.

Starts the app in prod mode (its own port and database), opens a workshop, connects one
presenter and N participants as Socket.IO clients speaking Reflex's protocol (DESIGN.md §7), all
at once (a join storm), has every participant answer within about two seconds, and prints:
- how long until the presenter counted everybody in the room,
- latency from each answer to the presenter showing a count that includes it (p50/p95/max),
- time from the last answer to the presenter showing the full count,
- backend memory per connected participant (RSS of the app's processes, before and after).
Baseline, measured in the same run: one participant alone answering (the floor of a round trip).

Environment: NLC_BENCH_SIZES (default "200,1000,2000"); NLC_BENCH_REDIS=1 runs with Redis, two
workers and PostgreSQL (REFLEX_REDIS_URL, two gunicorn workers, REFLEX_DB_URL)."""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from harness import (  # bench/ is on the path: benches run as scripts
    Client,
    Phone,
    Profile,
    app_env,
    backend_processes,
    cpu_by_part,
    machine_speed,
    percentile,
    rss_of,
    sockets_per_worker,
    start_app,
    stop_app,
)

SIZES = [int(x) for x in os.environ.get("NLC_BENCH_SIZES", "200,1000,2000").split(",")]
USE_REDIS = os.environ.get("NLC_BENCH_REDIS") == "1"


class Presenter(Client):
    def __init__(self, url: str, path: str, state: str):
        super().__init__(url, path)
        self.state = state
        self.counts: list[tuple[float, int]] = []
        self.present = 0  # participants in the room, as the presenter shows it

    def on_delta(self, now: float, delta: dict) -> None:
        for values in delta.values():  # deltas are keyed by the state that owns the var
            stats = values.get("stats_rx_state_")
            if stats:
                self.counts.append((now, stats["count"]))
                self.present = stats.get("participants", 0)

    async def wait_count(self, n: int, timeout: float = 60) -> float:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            for when, count in self.counts:
                if count >= n:
                    return when
            await asyncio.sleep(0.005)
        raise TimeoutError(f"presenter never showed {n} answers (last: {self.counts[-1:]})")


async def room(url: str, code: str, n: int, presenter_state: str, app_pid: int) -> dict:
    presenter = Presenter(url, f"/w/{code}/present", presenter_state)
    await presenter.connect()
    participants = [Phone(url, code) for _ in range(n)]
    arriving, cpu_arriving = time.perf_counter(), cpu_by_part(app_pid)

    async def arrive(i: int, p: Phone) -> None:
        await p.open()
        await p.join(f"P{i}")

    # A join storm: every phone opens the link and joins at once, as when the trainer shows the
    # QR code, not in polite waves.
    await asyncio.gather(*(arrive(i, p) for i, p in enumerate(participants)))
    deadline = time.perf_counter() + 120
    while presenter.present < n:  # the room has arrived: the presenter counts everybody
        if time.perf_counter() > deadline:
            raise TimeoutError(f"the presenter counted {presenter.present} of {n} participants")
        await asyncio.sleep(0.05)
    arrived = time.perf_counter() - arriving
    cpu_now = cpu_by_part(app_pid)
    cpu_join = {part: cpu_now[part] - cpu_arriving.get(part, 0.0) for part in cpu_now}
    await asyncio.sleep(0.5)  # and the joins' last page updates have gone out
    rss_joined = rss_of(app_pid)  # every phone connected, joined and following the room
    base_counts = len(presenter.counts)
    spread_over = sockets_per_worker(app_pid, int(url.rsplit(":", 1)[1]))

    sent: list[float] = []

    async def answer(p: Phone, delay: float):
        await asyncio.sleep(delay)
        sent.append(time.perf_counter())
        await p.pick(str(random.randint(0, 3)))

    spread = 2.0  # everybody answers within about two seconds
    cpu_before, wall_before = cpu_by_part(app_pid), time.perf_counter()
    await asyncio.gather(*(answer(p, random.uniform(0, spread)) for p in participants))
    sent.sort()
    done = await presenter.wait_count(n)
    cpu_after, wall = cpu_by_part(app_pid), time.perf_counter() - wall_before
    cpu = {part: cpu_after[part] - cpu_before.get(part, 0.0) for part in cpu_after}
    updates = sum(1 for when, _ in presenter.counts[base_counts:] if when >= sent[0])
    latencies = []
    counts = presenter.counts[base_counts:]
    for i, t_sent in enumerate(sent, start=1):
        shown = next((when for when, count in counts if count >= i and when >= t_sent), done)
        latencies.append(shown - t_sent)
    for p in participants:
        await p.close()
    await presenter.close()
    return {"latencies": latencies, "last": done - sent[-1], "cpu": cpu, "wall": wall, "updates": updates,
            "workers": spread_over, "arrived": arrived, "rss_joined": rss_joined,
            "cpu_join": cpu_join}


async def arrival_floor(url: str, code: str, n: int, app_pid: int) -> tuple[float, float]:
    """The same storm without the join: N phones open the join page at once (the page, then its
    websocket). What opening the page costs (wall seconds, backend CPU seconds)."""
    phones = [Phone(url, code) for _ in range(n)]
    started, cpu_before = time.perf_counter(), cpu_by_part(app_pid)
    await asyncio.gather(*(p.open() for p in phones))
    wall, cpu_after = time.perf_counter() - started, cpu_by_part(app_pid)
    cpu = sum(cpu_after.get(part, 0.0) - cpu_before.get(part, 0.0) for part in cpu_after if part.startswith("backend"))
    for p in phones:
        await p.close()
    return wall, cpu


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="nlc-ws-bench-"))
    if USE_REDIS:
        import psycopg

        from nlc_toolkit.web_server import gunicorn_args

        name = f"nlc_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env = app_env(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", REFLEX_REDIS_URL="redis://127.0.0.1:6379",
                      GUNICORN_CMD_ARGS=gunicorn_args(int(os.environ.get("NLC_BENCH_WORKERS", "2"))), NLC_MAX_PARTICIPANTS=str(max(SIZES)))
    else:
        env = app_env(f"sqlite:///{folder / 'bench.db'}", NLC_MAX_PARTICIPANTS=str(max(SIZES)))

    from sqlalchemy import select

    from nlc_toolkit.core.policy import actor_of
    from nlc_toolkit.db import repo
    from nlc_toolkit.db.migrate import upgrade
    from nlc_toolkit.db.models import User
    from nlc_toolkit.db.seed import seed_demo
    from nlc_toolkit.db.session import session_scope
    from nlc_toolkit.services import workshops
    from nlc_toolkit.ui.pages.live_room.state import PresenterState

    upgrade()
    with session_scope() as s:
        seed_demo(s, cities=3, seed=1)
    proc, url = start_app(env, folder / "app.log")
    try:
        workers = backend_processes(proc.pid)
        mode = "Redis + 2 workers + PostgreSQL" if USE_REDIS else "one process + SQLite"
        print(machine_speed())
        print(f"backend processes: {len(workers)}")
        print(f"workshop bench ({mode}): the presenter as a Socket.IO client, N phones as the phone page's "
              "clients (the page, then its websocket), on this machine")

        def new_code() -> str:
            with session_scope() as s:
                trainer = s.scalar(select(User).where(User.role == "facilitator"))
                city = repo.find_city(s, "Tangier")
                version = next(v for v in repo.latest_questionnaires(s) if v.questionnaire_id == "nlc-quick-scan")
                return workshops.create(s, actor_of(trainer), city.id, version.id, []).code

        profile = Profile(proc.pid)
        pr_state = PresenterState.get_full_name()
        baseline = asyncio.run(room(url, new_code(), 1, pr_state, proc.pid))["latencies"][0]
        print(f"baseline: one participant alone, answer -> presenter: {baseline * 1000:.1f} ms")
        print(f"{'N':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'last->full ms':>14} {'p95/baseline':>13} {'KiB/participant':>16}")
        for n in SIZES:
            floor_wall, floor_cpu = asyncio.run(arrival_floor(url, new_code(), n, proc.pid))
            before = rss_of(proc.pid)
            result = asyncio.run(room(url, new_code(), n, pr_state, proc.pid))
            after = result["rss_joined"]
            lat = result["latencies"]
            print(f"{n:>5} {statistics.median(lat) * 1000:>8.1f} {percentile(lat, 0.95) * 1000:>8.1f} "
                  f"{max(lat) * 1000:>8.1f} {result['last'] * 1000:>14.1f} {percentile(lat, 0.95) / baseline:>13.1f} "
                  f"{max(0, after - before) / 1024 / n:>16.1f}")
            cpu = "  ".join(f"{part} {seconds:.1f}" for part, seconds in sorted(result["cpu"].items()) if seconds >= 0.05)
            cpu_join = "  ".join(f"{part} {seconds:.1f}" for part, seconds in sorted(result["cpu_join"].items())
                                 if seconds >= 0.05)
            print(f"      {n} phones opened the link at once, all joined (counted by the presenter) in "
                  f"{result['arrived']:.1f} s (CPU seconds: {cpu_join}); floor, the same phones only opening the "
                  f"page: {floor_wall:.1f} s, backend CPU {floor_cpu:.1f} s; "
                  f"answering took {result['wall']:.1f} s wall; CPU seconds: {cpu}; "
                  f"presenter updates: {result['updates']}; connections per worker: {result['workers']}")
        profile.report()
    finally:
        stop_app(proc)


if __name__ == "__main__":
    main()
