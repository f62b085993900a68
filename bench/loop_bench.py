"""How long the event loop stalls while heavy work runs in the same process.

Starts the app in prod mode (one process, SQLite, a seeded demo network). A probe tab switches the
language in a closed loop, the cheapest round trip there is. The probe runs first alone (the
floor), then while other tabs keep building PDF reports of an assessment, exporting the network
view as XLSX and signing in (argon2 by design). If any of that ran on the event loop, the probe's
p95 would grow by its duration. Printed: the probe's p50/p95/max in both phases and the ratio,
and how many heavy operations finished and how long each took.

Environment: NLC_BENCH_SECONDS (default 10)."""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from harness import Client, app_env, percentile, start_app, stop_app

SECONDS = float(os.environ.get("NLC_BENCH_SECONDS", "10"))


class Tab(Client):
    """A tab that waits for the next update the server sends it (a delta or a frontend event such
    as a download)."""

    def __init__(self, url: str, path: str, vars: dict | None = None):
        super().__init__(url, path, vars)
        self.updated = asyncio.Event()

    def on_message(self, now: float, message: dict) -> None:
        if message.get("delta") or message.get("events"):
            self.updated.set()

    async def round_trip(self, state: str, handler: str, timeout: float = 120, **payload) -> float:
        self.updated.clear()
        start = time.perf_counter()
        await self.send(state, handler, **payload)
        await asyncio.wait_for(self.updated.wait(), timeout)
        return time.perf_counter() - start


async def probe(tab: Tab, lang_state: str, until: float) -> list[float]:
    times, i = [], 0
    while time.perf_counter() < until:
        times.append(await tab.round_trip(lang_state, "set_lang", lang=("fr", "en")[i % 2]))
        i += 1
    return times


async def keep_doing(tab: Tab, state: str, handler: str, until: float, **payload) -> list[float]:
    times = []
    while time.perf_counter() < until:
        times.append(await tab.round_trip(state, handler, **payload))
    return times


async def run(url: str, names: dict, tokens: dict, assessment_id: int) -> None:
    session = names["session"]
    probe_tab = Tab(url, "/", {session: tokens["viewer"]})
    pdf_tab = Tab(url, f"/assessments/{assessment_id}/results", {session: tokens["editor"]})
    network_tab = Tab(url, "/network", {session: tokens["staff"]})
    login_tab = Tab(url, "/login")
    for tab in (probe_tab, pdf_tab, network_tab, login_tab):
        await tab.connect()
    await asyncio.sleep(3)  # the pages' on_load work is done

    floor = await probe(probe_tab, names["lang"], time.perf_counter() + SECONDS)
    until = time.perf_counter() + SECONDS
    loaded, pdfs, exports, sign_ins = await asyncio.gather(
        probe(probe_tab, names["lang"], until),
        keep_doing(pdf_tab, names["results"], "download_pdf", until),
        keep_doing(network_tab, names["network"], "export", until, kind="xlsx"),
        keep_doing(login_tab, names["login"], "submit", until,
                   form={"email": "staff@example.org", "password": "a wrong password"}),
    )
    for tab in (probe_tab, pdf_tab, network_tab, login_tab):
        await tab.close()

    def row(name: str, times: list[float]) -> str:
        ms = [t * 1000 for t in times]
        return f"  {name:<22} {statistics.median(ms):>8.1f} {percentile(ms, 0.95):>8.1f} {max(ms):>8.1f} {len(ms):>6}"

    print(f"  {'':<22} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'count':>6}")
    print(row("probe alone (floor)", floor))
    print(row("probe under load", loaded))
    print(row("PDF report", pdfs))
    print(row("network XLSX export", exports))
    print(row("sign-in (argon2)", sign_ins))
    ratio = percentile(loaded, 0.95) / percentile(floor, 0.95)
    print(f"probe p95 under load / alone: {ratio:.1f}x")


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="nlc-loop-bench-"))
    env = app_env(f"sqlite:///{folder / 'bench.db'}")

    from sqlalchemy import select

    from nlc_toolkit.db.migrate import upgrade
    from nlc_toolkit.db.models import Assessment, User
    from nlc_toolkit.db.seed import DEMO_PASSWORD, seed_demo
    from nlc_toolkit.db.session import session_scope
    from nlc_toolkit.services import accounts
    from nlc_toolkit.ui.pages.login.page import LoginState
    from nlc_toolkit.ui.pages.network.state import NetworkState
    from nlc_toolkit.ui.pages.results.state import ResultsState
    from nlc_toolkit.ui.state.auth import AuthState
    from nlc_toolkit.ui.state.lang import LangState

    upgrade()
    with session_scope() as s:
        seed_demo(s, cities=12, seed=1)
        editor = s.scalar(select(User).where(User.role == "city_editor").order_by(User.id))
        viewer = s.scalar(select(User).where(User.role == "city_viewer").order_by(User.id))
        assessment_id = s.scalar(select(Assessment.id).where(Assessment.city_id == editor.city_id).order_by(Assessment.id))
        tokens = {name: accounts.sign_in(s, email, DEMO_PASSWORD).token
                  for name, email in (("editor", editor.email), ("viewer", viewer.email), ("staff", "staff@example.org"))}
    names = {"session": f"{AuthState.get_full_name()}.session_token_rx_state_", "lang": LangState.get_full_name(),
             "results": ResultsState.get_full_name(), "network": NetworkState.get_full_name(),
             "login": LoginState.get_full_name()}
    proc, url = start_app(env, folder / "app.log")
    try:
        print(f"loop bench: one process + SQLite; a probe tab's language switch, {SECONDS:.0f} s alone, then "
              f"{SECONDS:.0f} s while other tabs build PDFs, export the network view and sign in")
        asyncio.run(run(url, names, tokens, assessment_id))
    finally:
        stop_app(proc)


if __name__ == "__main__":
    main()
