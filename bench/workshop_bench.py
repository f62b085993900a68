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
workers and PostgreSQL (REFLEX_REDIS_URL, two gunicorn workers, REFLEX_DB_URL); NLC_BENCH_PDF=N
(default 200, 0 for none) ends with a room of N measured twice, from the presenter and from the
trainer's console: once as it is, once while another tab of the same process builds one
assessment PDF after another."""

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
    WaitingTab,
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
PDF_ROOM = int(os.environ.get("NLC_BENCH_PDF", "200"))


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


def _latencies(screen: Presenter, since: int, sent: list[float], done: float) -> list[float]:
    """For each answer, in order sent, how long until `screen` showed a count that includes it."""
    counts = screen.counts[since:]
    return [next((when for when, count in counts if count >= i and when >= t_sent), done) - t_sent
            for i, t_sent in enumerate(sent, start=1)]


async def keep_building_pdfs(tab: WaitingTab, results_state: str, stop: asyncio.Event) -> int:
    """An assessment's PDF report, again and again until `stop`; how many were built."""
    built = 0
    while not stop.is_set():
        await tab.round_trip(results_state, "download_pdf", until_file=True)
        built += 1
    return built


async def room(url: str, code: str, n: int, presenter_state: str, app_pid: int,
               console: Presenter | None = None, pdf_tab: WaitingTab | None = None, results_state: str = "") -> dict:
    presenter = Presenter(url, f"/w/{code}/present", presenter_state)
    await presenter.connect()
    if console:
        await console.connect()
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

    console_base = len(console.counts) if console else 0
    stop_pdfs = asyncio.Event()
    pdfs = asyncio.create_task(keep_building_pdfs(pdf_tab, results_state, stop_pdfs)) if pdf_tab else None
    if pdf_tab:
        await asyncio.sleep(1.0)  # the first PDF is being built when the answers start
    spread = 2.0  # everybody answers within about two seconds
    cpu_before, wall_before = cpu_by_part(app_pid), time.perf_counter()
    await asyncio.gather(*(answer(p, random.uniform(0, spread)) for p in participants))
    sent.sort()
    done = await presenter.wait_count(n)
    console_done = await console.wait_count(n) if console else 0.0
    cpu_after, wall = cpu_by_part(app_pid), time.perf_counter() - wall_before
    stop_pdfs.set()
    built = await pdfs if pdfs else 0
    cpu = {part: cpu_after[part] - cpu_before.get(part, 0.0) for part in cpu_after}
    updates = sum(1 for when, _ in presenter.counts[base_counts:] if when >= sent[0])
    latencies = _latencies(presenter, base_counts, sent, done)
    console_latencies = _latencies(console, console_base, sent, console_done) if console else []
    for p in participants:
        await p.close()
    await presenter.close()
    if console:
        await console.close()
    return {"latencies": latencies, "last": done - sent[-1], "cpu": cpu, "wall": wall, "updates": updates,
            "workers": spread_over, "arrived": arrived, "rss_joined": rss_joined,
            "cpu_join": cpu_join, "console": console_latencies, "pdfs": built}


async def _room_with_pdfs(url: str, code: str, n: int, presenter_state: str, app_pid: int, console: Presenter,
                          pdf_tab: WaitingTab | None, results_state: str) -> dict:
    """`room`, with the trainer's console measured too, and `pdf_tab` (when given) building PDFs."""
    if pdf_tab:
        await pdf_tab.connect()
        await asyncio.sleep(2)  # the results page's own loading is done
    try:
        return await room(url, code, n, presenter_state, app_pid, console, pdf_tab, results_state)
    finally:
        if pdf_tab:
            await pdf_tab.close()


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

    from nlc_toolkit import routes
    from nlc_toolkit.core.policy import actor_of
    from nlc_toolkit.db import repo
    from nlc_toolkit.db.migrate import upgrade
    from nlc_toolkit.db.models import Assessment, User
    from nlc_toolkit.db.seed import DEMO_PASSWORD, seed_demo
    from nlc_toolkit.db.session import session_scope
    from nlc_toolkit.services import accounts, workshops
    from nlc_toolkit.ui.pages.live_room.state import PresenterState
    from nlc_toolkit.ui.pages.results.state import ResultsState
    from nlc_toolkit.ui.pages.workshops.state import ConsoleState
    from nlc_toolkit.ui.state.auth import AuthState

    upgrade()
    with session_scope() as s:
        seed_demo(s, cities=3, seed=1)
        editor = s.scalar(select(User).where(User.role == "city_editor").order_by(User.id))
        assessment_id = s.scalar(select(Assessment.id).where(Assessment.city_id == editor.city_id).order_by(Assessment.id))
        trainer_email = s.scalar(select(User.email).where(User.role == "facilitator"))
        tokens = {"editor": accounts.sign_in(s, editor.email, DEMO_PASSWORD).token,
                  "trainer": accounts.sign_in(s, trainer_email, DEMO_PASSWORD).token}
    session_var = f"{AuthState.get_full_name()}.session_token_rx_state_"
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
        if PDF_ROOM:
            print(f"a room of {PDF_ROOM}, answer -> presenter and answer -> the trainer's console, p50 / p95 / max ms:")
            for title, building in (("as it is", False), ("while PDFs are built", True)):
                code = new_code()
                console = Presenter(url, routes.console_url(code), ConsoleState.get_full_name())
                console.vars = {session_var: tokens["trainer"]}
                pdf_tab = WaitingTab(url, f"/assessments/{assessment_id}/results", {session_var: tokens["editor"]})
                result = asyncio.run(_room_with_pdfs(url, code, PDF_ROOM, pr_state, proc.pid, console,
                                                     pdf_tab if building else None, ResultsState.get_full_name()))
                shown = "; ".join(f"{who} {statistics.median(lat) * 1000:.0f} / {percentile(lat, 0.95) * 1000:.0f} / "
                                  f"{max(lat) * 1000:.0f}" for who, lat in (("presenter", result["latencies"]),
                                                                           ("console", result["console"])))
                print(f"  {title:<22} {shown}" + (f"; {result['pdfs']} PDFs built meanwhile" if building else ""))
        profile.report()
    finally:
        stop_app(proc)


if __name__ == "__main__":
    main()
