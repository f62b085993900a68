"""How long the event loop stalls while heavy work runs in the same process.

Starts the app in prod mode (one process, SQLite, a seeded demo network). A probe tab switches the
language fifty times a second, the cheapest round trip there is. The probe runs first alone (the
floor), then while other tabs keep building PDF reports of an assessment, exporting the network
view as XLSX, importing a filled XLSX template and signing in (argon2 by design). If any of that ran on the event loop, the probe's
p95 would grow by its duration. Printed: the probe's p50/p95/max in both phases and the ratio,
and how many heavy operations finished and how long each took.

Environment: NLC_BENCH_SECONDS (default 10)."""

from __future__ import annotations

import asyncio
import io
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from harness import Profile, WaitingTab, app_env, percentile, start_app, stop_app

SECONDS = float(os.environ.get("NLC_BENCH_SECONDS", "10"))
PROBE_EVERY = 0.02


async def probe(tab: WaitingTab, lang_state: str, until: float) -> list[float]:
    """A language switch every PROBE_EVERY seconds (a heartbeat, not a closed loop: a closed loop
    of the cheapest event would itself keep both cores busy and starve the work it measures)."""
    times, i = [], 0
    while time.perf_counter() < until:
        times.append(await tab.round_trip(lang_state, "set_lang", lang=("fr", "en")[i % 2]))
        i += 1
        await asyncio.sleep(max(0.0, PROBE_EVERY - times[-1]))
    return times


async def keep_doing(tab: WaitingTab, state: str, handler: str, until: float, **payload) -> list[float]:
    """`handler` again and again until `until`, each time until the file (or the sign-in's
    redirect) arrives."""
    times = []
    while time.perf_counter() < until:
        times.append(await tab.round_trip(state, handler, until_file=True, **payload))
    return times


async def keep_importing(tab: WaitingTab, handler: str, session: str, data: bytes, until: float) -> list[float]:
    """POST a filled template to Reflex's upload route as the browser does (the tab's token names
    the page, the cookie the user); the reply streams the handler's updates and ends with it."""
    import aiohttp

    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"filled.xlsx\"\r\n"
            "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n").encode()
    body += data + f"\r\n--{boundary}--\r\n".encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "reflex-client-token": tab.token,
               "reflex-event-handler": handler, "Cookie": f"nlc_session={session}"}
    times = []
    async with aiohttp.ClientSession() as http:
        while time.perf_counter() < until:
            start = time.perf_counter()
            async with http.post(f"{tab.url}/_upload", data=body, headers=headers) as reply:
                text = await reply.text()
                if reply.status != 200 or "import_done" not in text:
                    raise RuntimeError(f"the import failed: {reply.status} {text[:300]}")
            times.append(time.perf_counter() - start)
    return times


async def run(url: str, names: dict, tokens: dict, assessment_id: int, template: bytes) -> None:
    session = names["session"]
    probe_tab = WaitingTab(url, "/", {session: tokens["viewer"]})
    pdf_tab = WaitingTab(url, f"/assessments/{assessment_id}/results", {session: tokens["editor"]})
    network_tab = WaitingTab(url, "/network", {session: tokens["staff"]})
    login_tab = WaitingTab(url, "/login")
    import_tab = WaitingTab(url, f"/assessments/{assessment_id}/results", {session: tokens["editor"]})
    for tab in (probe_tab, pdf_tab, network_tab, login_tab, import_tab):
        await tab.connect()
    await asyncio.sleep(3)  # the pages' on_load work is done

    loads = {
        "PDF report": lambda until: keep_doing(pdf_tab, names["results"], "download_pdf", until),
        "network XLSX export": lambda until: keep_doing(network_tab, names["network"], "export", until, kind="xlsx"),
        "XLSX template import": lambda until: keep_importing(
            import_tab, f'{names["results"]}.import_template', tokens["editor"], template, until),
        "sign-in (argon2)": lambda until: keep_doing(
            login_tab, names["login"], "submit", until, form={"email": "staff@example.org", "password": names["password"]}),
    }
    floor = await probe(probe_tab, names["lang"], time.perf_counter() + SECONDS)
    phases = [(name, [name]) for name in loads] + [("all of them at once", list(loads))]
    only = os.environ.get("NLC_BENCH_ONLY", "")  # e.g. "import": only the phases whose name holds it
    phases = [phase for phase in phases if only.lower() in phase[0].lower()]
    print(f"  {'probe while':<28} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'p95 ratio':>9}   the heavy work: p50 / p95 ms (count)")
    print(f"  {'nothing else (floor)':<28} {statistics.median(floor) * 1000:>7.1f} {percentile(floor, 0.95) * 1000:>7.1f} "
          f"{max(floor) * 1000:>7.1f} {1.0:>9.1f}")
    for title, names_ in phases:
        until = time.perf_counter() + SECONDS
        loaded, *heavy = await asyncio.gather(probe(probe_tab, names["lang"], until),
                                              *(loads[name](until) for name in names_))
        work = "; ".join(f"{name} {statistics.median(t) * 1000:.0f} / {percentile(t, 0.95) * 1000:.0f} ({len(t)})"
                         for name, t in zip(names_, heavy))
        print(f"  {title:<28} {statistics.median(loaded) * 1000:>7.1f} {percentile(loaded, 0.95) * 1000:>7.1f} "
              f"{max(loaded) * 1000:>7.1f} {percentile(loaded, 0.95) / percentile(floor, 0.95):>9.1f}   {work}")
    for tab in (probe_tab, pdf_tab, network_tab, login_tab, import_tab):
        await tab.close()


def _filled_template(s, assessment_id: int) -> bytes:
    """The assessment's offline template with every answer filled in, as a city would send it back."""
    from openpyxl import load_workbook

    from nlc_toolkit.core.exports.spreadsheets import ANSWER_SHEET, answer_template
    from nlc_toolkit.db import repo
    from nlc_toolkit.db.models import Assessment

    q = repo.questionnaire_model(s.get(Assessment, assessment_id).questionnaire_version)
    workbook = load_workbook(io.BytesIO(answer_template(q, "en")))
    sheet = workbook[ANSWER_SHEET]
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row, 5).value = "2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


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
        template = _filled_template(s, assessment_id)
        tokens = {name: accounts.sign_in(s, email, DEMO_PASSWORD).token
                  for name, email in (("editor", editor.email), ("viewer", viewer.email), ("staff", "staff@example.org"))}
    names = {"session": f"{AuthState.get_full_name()}.session_token_rx_state_", "lang": LangState.get_full_name(),
             "results": ResultsState.get_full_name(), "network": NetworkState.get_full_name(),
             "login": LoginState.get_full_name(), "password": DEMO_PASSWORD}
    proc, url = start_app(env, folder / "app.log")
    profile = Profile(proc.pid)
    try:
        print(f"loop bench: one process + SQLite; a probe tab's language switch, {SECONDS:.0f} s alone, then "
              f"{SECONDS:.0f} s while other tabs keep doing each heavy thing, then all of them at once")
        asyncio.run(run(url, names, tokens, assessment_id, template))
        profile.report()
    finally:
        stop_app(proc)




if __name__ == "__main__":
    main()
