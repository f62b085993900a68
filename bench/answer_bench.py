"""Answering assessments from many tabs at once, against Reflex's own floor in the same run.

Starts the app in prod mode (one process, its own SQLite file), signs in one city editor per tab,
each with a draft assessment of the quick scan (and, for the shared case, ten editors of one city
on one assessment), and opens each tab's assessment page as a headless Socket.IO client speaking
Reflex's protocol (DESIGN.md §7). Each tab then works in a closed loop for NLC_BENCH_SECONDS: send
one event, wait for its update, send the next. The events rotate through what a
person does: a level, a note, N/A, "don't know". The floor is the same loop with the language
switch, a near-empty handler, on the same tabs. Printed per case: p50/p95/p99/max of the round
trip (event sent -> its update received), events per second, backend CPU ms per event, and backend memory per tab. At the end every
tab's last answer and note to each question is read back from the database: a lost one fails the
bench (exit 1).

Environment: NLC_BENCH_TABS (default "1,10,50"), NLC_BENCH_SECONDS (default 8), NLC_BENCH_PROFILE
(a file: py-spy samples the backend meanwhile and the top frames are printed)."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from itertools import cycle
from pathlib import Path

from harness import (  # bench/ is on the path: benches run as scripts
    Client,
    Profile,
    app_env,
    backend_processes,
    machine_speed,
    percentile,
    rss_of,
    start_app,
    stop_app,
)

TABS = [int(x) for x in os.environ.get("NLC_BENCH_TABS", "1,10,50").split(",")]
SECONDS = float(os.environ.get("NLC_BENCH_SECONDS", "8"))
SHARED = 10  # respondents answering one assessment together
PASSWORD = "bench password 1"
KINDS = ("level", "note", "na", "unknown")


class Tab(Client):
    """A signed-in tab on one assessment page that measures event round trips."""

    def __init__(self, url: str, assessment_id: int, session_var: str, token: str):
        super().__init__(url, f"/assessments/{assessment_id}", {session_var: token})
        self.assessment_id = assessment_id
        self.done = asyncio.Event()
        self.loaded = asyncio.Event()
        self.errors: list[str] = []
        self.sent: dict[tuple[str, str], str] = {}  # (question, "value" | "note") -> last sent
        self.update_bytes: list[int] = []  # the size of each update received, as JSON

    def on_delta(self, now: float, delta: dict) -> None:
        for values in delta.values():
            if values.get("loading_rx_state_") is False:
                self.loaded.set()
            if values.get("message_is_error_rx_state_") is True:
                self.errors.append(str(values.get("message_rx_state_")))

    def on_message(self, now: float, message: dict) -> None:
        # Reflex 0.10 marks no update as an event's last; each event measured here returns one
        # update (a handler that does not yield), and a tab sends its next event only after it.
        if message.get("delta"):
            self.update_bytes.append(len(json.dumps(message["delta"])))
            self.done.set()

    async def round_trip(self, state: str, handler: str, **payload) -> float:
        self.done.clear()
        start = time.perf_counter()
        await self.send(state, handler, **payload)
        await asyncio.wait_for(self.done.wait(), 60)
        return time.perf_counter() - start


def cpu_seconds(app_pid: int) -> float:
    total = 0.0
    for p in backend_processes(app_pid):
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except Exception:  # noqa: BLE001 - a worker gone between listing and reading
            pass
    return total


async def closed_loop(tabs: list[Tab], step) -> tuple[list[float], float]:
    """Every tab sends `step(tab, i)` and waits for its answer, again and again, for SECONDS."""
    times: list[float] = []
    stop = time.perf_counter() + SECONDS

    async def run(tab: Tab):
        i = 0
        while time.perf_counter() < stop:
            times.append(await step(tab, i))
            i += 1

    start = time.perf_counter()
    await asyncio.gather(*(run(t) for t in tabs))
    return times, time.perf_counter() - start


def line(name: str, times: list[float], wall: float, cpu: float, floor_p95: float | None) -> str:
    ms = [t * 1000 for t in times]
    ratio = f"{percentile(ms, 0.95) / floor_p95:>6.1f}x" if floor_p95 else "   --  "
    return (f"  {name:<8} {statistics.median(ms):>8.1f} {percentile(ms, 0.95):>8.1f} {percentile(ms, 0.99):>8.1f} "
            f"{max(ms):>8.1f} {len(ms) / wall:>9.0f} {1000 * cpu / max(1, len(ms)):>8.2f}  {ratio}")


async def case(url: str, app_pid: int, name: str, people: list[tuple[int, str]], session_var: str, lang_state: str,
               page_state: str, questions: list[str], max_level: int) -> tuple[list[Tab], bool]:
    rss_before = rss_of(app_pid)
    tabs = [Tab(url, assessment_id, session_var, token) for assessment_id, token in people]
    for start in range(0, len(tabs), 10):
        await asyncio.gather(*(t.connect() for t in tabs[start:start + 10]))
    await asyncio.gather(*(asyncio.wait_for(t.loaded.wait(), 60) for t in tabs))
    per_tab = max(0, rss_of(app_pid) - rss_before) / 1024 / len(tabs)

    async def floor(tab: Tab, i: int) -> float:
        return await tab.round_trip(lang_state, "set_lang", lang=("fr", "en")[i % 2])

    def update_size() -> float:
        sizes = [n for t in tabs for n in t.update_bytes]
        for t in tabs:
            t.update_bytes.clear()
        return sum(sizes) / max(1, len(sizes))

    update_size()
    cpu0 = cpu_seconds(app_pid)
    floor_times, floor_wall = await closed_loop(tabs, floor)
    floor_cpu = cpu_seconds(app_pid) - cpu0
    floor_bytes = update_size()
    floor_p95 = percentile([t * 1000 for t in floor_times], 0.95)

    by_kind: dict[str, list[float]] = {k: [] for k in KINDS}
    levels = cycle([str(level) for level in range(max_level + 1)])

    async def answer(tab: Tab, i: int) -> float:
        kind, question = KINDS[i % len(KINDS)], questions[(i // len(KINDS)) % len(questions)]
        if kind == "note":
            note = f"note {i} from tab {tab.token[:6]}"
            tab.sent[(question, "note")] = note
            took = await tab.round_trip(page_state, "save_note", question_id=question, note=note)
        else:
            value = next(levels) if kind == "level" else kind
            tab.sent[(question, "value")] = value
            took = await tab.round_trip(page_state, "answer", question_id=question, value=value)
        by_kind[kind].append(took)
        return took

    cpu0 = cpu_seconds(app_pid)
    answer_times, answer_wall = await closed_loop(tabs, answer)
    answer_cpu = cpu_seconds(app_pid) - cpu0
    answer_bytes = update_size()

    print(f"{name}: {len(tabs)} tab(s), {per_tab:.0f} KiB of backend memory per tab; an update is "
          f"{answer_bytes:,.0f} bytes of JSON on average (the floor's {floor_bytes:,.0f})")
    print(f"  {'event':<8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'events/s':>9} {'CPU ms':>8}  p95/floor")
    print(line("floor", floor_times, floor_wall, floor_cpu, None))
    print(line("all", answer_times, answer_wall, answer_cpu, floor_p95))
    for kind, times in by_kind.items():
        if times:
            print(line(kind, times, answer_wall, answer_cpu * len(times) / len(answer_times), floor_p95))
    for t in tabs:
        await t.close()
    return tabs, not any(t.errors for t in tabs)


def lost_answers(tabs: list[Tab], user_of_token: dict[str, int]) -> tuple[int, list[str]]:
    """The last answer and note each person sent to each question (later cases reuse the same
    people, so later tabs win), compared with the database: (how many compared, what differs)."""
    from sqlalchemy import select

    from nlc_toolkit.db.models import Answer, Respondent
    from nlc_toolkit.db.session import session_scope

    last: dict[tuple[int, int, str, str], str] = {}
    for tab in tabs:  # in the order they ran
        user_id = user_of_token[next(iter(tab.vars.values()))]
        for (question, what), value in tab.sent.items():
            last[(tab.assessment_id, user_id, question, what)] = value
    lost = []
    with session_scope() as s:
        for (assessment_id, user_id, question, what), value in last.items():
            row = s.scalar(select(Answer).join(Respondent).where(
                Respondent.assessment_id == assessment_id, Respondent.user_id == user_id, Answer.question_id == question))
            got = None if row is None else (row.value if what == "value" else row.note)
            if got != value:
                lost.append(f"assessment {assessment_id} {question} {what}: sent {value!r}, stored {got!r}")
    return len(last), lost


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="nlc-answer-bench-"))
    env = app_env(f"sqlite:///{folder / 'bench.db'}")

    from nlc_toolkit.core.policy import actor_of
    from nlc_toolkit.db import repo
    from nlc_toolkit.db.migrate import upgrade
    from nlc_toolkit.db.session import session_scope
    from nlc_toolkit.services import accounts, assessments
    from nlc_toolkit.ui.pages.assessment.state import AssessmentState
    from nlc_toolkit.ui.state.auth import AuthState
    from nlc_toolkit.ui.state.lang import LangState

    upgrade()
    most = max(TABS)
    people: list[tuple[int, str]] = []  # (assessment, session token), one per tab
    shared: list[tuple[int, str]] = []
    user_of_token: dict[str, int] = {}
    with session_scope() as s:
        version = next(v for v in repo.sync_questionnaires(s) if v.questionnaire_id == "nlc-quick-scan")
        q = repo.questionnaire_model(version)
        questions = [x.id for x in q.questions if not x.show_if][:20]
        max_level = q.max_level

        def editor(email: str, city) -> tuple[object, str]:
            user = repo.create_user(s, email, PASSWORD, "city_editor", city)
            token = accounts.sign_in(s, email, PASSWORD).token
            user_of_token[token] = user.id
            return user, token

        for i in range(most):
            city = repo.create_city(s, f"Bench city {i}", "Morocco", "mena", "100k_500k")
            user, token = editor(f"editor{i}@bench.example.org", city)
            people.append((assessments.create(s, actor_of(user), city.id, version.id, 2026, 1).id, token))
        city = repo.create_city(s, "Bench shared city", "Morocco", "mena", "100k_500k")
        editors = [editor(f"shared{i}@bench.example.org", city) for i in range(SHARED)]
        one = assessments.create(s, actor_of(editors[0][0]), city.id, version.id, 2026, 1).id
        shared = [(one, token) for _, token in editors]

    proc, url = start_app(env, folder / "app.log")
    session_var = f"{AuthState.get_full_name()}.session_token_rx_state_"
    names = (session_var, LangState.get_full_name(), AssessmentState.get_full_name(), questions, max_level)
    failed = False
    all_tabs: list[Tab] = []
    profile = Profile(proc.pid)
    try:
        print(machine_speed())
        print(f"answer bench: one process + SQLite, closed loops of {SECONDS:.0f} s, {len(questions)} questions; "
              "round trip = event sent -> its update received")
        for n in TABS:
            tabs, ok = asyncio.run(case(url, proc.pid, f"{n} tab(s), each on its own assessment", people[:n], *names))
            all_tabs += tabs
            failed |= not ok
        tabs, ok = asyncio.run(case(url, proc.pid, f"{SHARED} respondents on one assessment", shared, *names))
        all_tabs += tabs
        failed |= not ok
        profile.report()
    finally:
        stop_app(proc)
    sent, lost = lost_answers(all_tabs, user_of_token)
    print(f"read back: {sent - len(lost)} of {sent} last answers and notes stored as sent")
    for problem in lost[:20]:
        print("  LOST", problem)
    refused = [e for t in all_tabs for e in t.errors]
    if refused:
        print(f"  {len(refused)} events refused, e.g. {refused[:3]}")
    if lost or failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
