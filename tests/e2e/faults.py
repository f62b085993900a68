"""What the fault tests (test_faults.py) run against a scaled cluster: editors answering their
own draft assessments in closed loops, and a live workshop (a presenter and phones), all as
headless tabs speaking Reflex's protocol (tests/security/client.py) that reconnect as a browser
does. Each records what the server acknowledged, to check against the database afterwards."""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

from reflex.istate.manager.redis import NOTIFY_KEYSPACE_EVENTS
from sqlalchemy import func, select

from nlc_toolkit.core.policy import actor_of
from nlc_toolkit.db import repo
from nlc_toolkit.db.models import Answer, Respondent, User, Vote
from nlc_toolkit.services import accounts
from nlc_toolkit.services import workshops as ws
from nlc_toolkit.ui.pages.assessment.state import AssessmentState
from nlc_toolkit.ui.pages.live_room.state import PresenterState
from nlc_toolkit.ui.state.auth import AuthState
from tests import factories
from tests.app_server import _free_port
from tests.security.client import FIELD, Phone, Tab, handler, var_key

PASSWORD = "fault-password-1"
DEADLINE = 60.0  # seconds for anything to come true on a busy 2-core machine (a reconnect included)


def until(condition, what: str, timeout: float = DEADLINE, step: float = 0.05):
    """Poll `condition()` until it is truthy (returns it) or the deadline passes."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout} s")
        time.sleep(step)  # polling state kept by other threads (tabs, processes); no event to wait on
    return result


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))] if ordered else 0.0


# --------------------------------------------------------------------------- editors


class Editor:
    """A city editor's tab on its own draft assessment, answering in a closed loop: send an
    answer, wait for its update (the stored value and "saved"), send the next. An answer whose
    update does not come (its socket dropped) is not acknowledged; the tab reconnects and goes on."""

    def __init__(self, url: str, assessment_id: int, user_id: int, token: str, questions: list[str], levels: list[str]):
        self.assessment_id, self.user_id, self.questions, self.levels = assessment_id, user_id, questions, levels
        self.tab = Tab(url, f"/assessments/{assessment_id}", {var_key(AuthState, "session_token"): token},
                       reconnect=True, reconnect_deadline=DEADLINE)
        self.sent = 0
        self.acked: dict[str, str] = {}  # question -> the last value the server acknowledged
        self.since_ack: dict[str, list[str]] = defaultdict(list)  # values sent after that, not acknowledged
        self.ack_times: list[float] = []  # when each acknowledgement came (monotonic)
        self.refused: list[str] = []
        self.errors: list[str] = []
        self._thread: threading.Thread | None = None

    def connect(self) -> None:
        self.tab.connect()
        self.tab.wait(lambda t: t.value(AssessmentState, "loading") is False, DEADLINE, "the assessment page loaded")

    @staticmethod
    def _acknowledged(tab: Tab, mark: int, question: str, value: str):
        for message in tab.messages[mark:]:
            values = (message.get("delta") or {}).get(AssessmentState.get_full_name(), {})
            if values.get("message" + FIELD) == "assessment.saved" and not values.get("message_is_error" + FIELD) \
                    and (values.get("values" + FIELD) or {}).get(question) == value:
                return "ok"
            if values.get("message_is_error" + FIELD):
                return "refused: " + str(values.get("message" + FIELD))
        return None

    def answer_once(self, i: int, timeout: float = 30.0) -> bool:
        """Send the i-th answer and wait for its acknowledgement; False if none came."""
        question = self.questions[i % len(self.questions)]
        value = self.levels[(i // len(self.questions) + i) % len(self.levels)]
        self.tab.wait_connected(DEADLINE)
        generation = self.tab.drops
        self.since_ack[question].append(value)
        self.sent += 1
        try:
            mark = self.tab.send(handler(AssessmentState, "answer"), question_id=question, value=value)
        except Exception:  # noqa: BLE001 - the socket went between the check and the send
            return False
        try:
            outcome = self.tab.wait(lambda t: self._acknowledged(t, mark, question, value)
                                    or (t.drops != generation and "dropped"), timeout, f"answer {question}={value}")
        except TimeoutError:
            return False  # no update: not acknowledged (the test counts these)
        if outcome == "ok":
            self.acked[question] = value
            self.since_ack[question] = []
            self.ack_times.append(time.monotonic())
            return True
        if outcome != "dropped":
            self.refused.append(outcome)
        return False

    def start(self, stop: threading.Event) -> None:
        def run():
            i = 0
            try:
                while not stop.is_set():
                    self.answer_once(i)
                    i += 1
            except Exception as e:  # noqa: BLE001 - reported by the test
                self.errors.append(repr(e))

        self._thread = threading.Thread(target=run, daemon=True, name=f"editor-{self.assessment_id}")
        self._thread.start()

    def join(self) -> None:
        if self._thread:
            self._thread.join(DEADLINE)

    def acked_after(self, moment: float) -> int:
        return sum(1 for t in self.ack_times if t > moment)


def make_editors(server, n: int) -> list[Editor]:
    """n city editors, each in a new city with a draft of the quick scan, signed in."""
    tag = uuid.uuid4().hex[:6]
    people = []
    with server.db() as s:
        version = factories.latest(s)
        q = repo.questionnaire_model(version)
        questions = [x.id for x in q.questions if not x.show_if][:12]
        levels = [str(level) for level in range(q.max_level + 1)]
        for i in range(n):
            city = factories.city(s, f"Fault city {tag} {i}")
            email = f"fault-{tag}-{i}@example.org"
            user = factories.user(s, email, "city_editor", city, password=PASSWORD)
            assessment = factories.assessment(s, user, city, version)
            people.append((assessment.id, user.id, accounts.sign_in(s, email, PASSWORD).token))
    return [Editor(server.url, a, u, token, questions, levels) for a, u, token in people]


def check_answers(server, editors: list[Editor]) -> dict:
    """Every acknowledged answer is in the database: for each question, the stored value is the
    last one acknowledged, or one sent after it whose update never came (stored or not, it was
    never shown as saved). Returns the counts and what is missing."""
    lost, acked, stored = [], 0, 0
    with server.db() as s:
        for e in editors:
            rows = dict(s.execute(select(Answer.question_id, Answer.value).join(Respondent).where(
                Respondent.assessment_id == e.assessment_id, Respondent.user_id == e.user_id)).all())
            stored += len(rows)
            for question, value in e.acked.items():
                acked += 1
                if rows.get(question) not in {value, *e.since_ack[question]}:
                    lost.append(f"assessment {e.assessment_id} {question}: acknowledged {value!r}, "
                                f"later unacknowledged {e.since_ack[question]!r}, stored {rows.get(question)!r}")
    return {"questions_acked": acked, "rows_stored": stored, "lost": lost}


# --------------------------------------------------------------------------- the workshop


class Room:
    """A live workshop: a presenter tab and phones (the phone page's websocket, api/phone.py) that
    join and vote; the trainer's "next" is the service call the console makes, announced on Redis
    as the console does."""

    def __init__(self, server, redis_url: str, phones: int):
        self.server, self.redis_url = server, redis_url
        with server.db() as s:
            trainer = s.scalar(select(User).where(User.email == "trainer@example.org"))
            self.trainer_id = trainer.id
            city = repo.find_city(s, "Tangier")
            self.code = ws.create(s, actor_of(trainer), city.id, factories.latest(s).id, []).code
        self.presenter = Tab(server.url, f"/w/{self.code}/present", reconnect=True, reconnect_deadline=DEADLINE)
        self.phones = [Phone(server.url, reconnect=True, reconnect_deadline=DEADLINE) for _ in range(phones)]
        self.votes_sent = self.votes_acked = 0
        self.outcomes: list[str] = []  # of every vote sent: "ok", "refused: ...", "dropped", "no update"

    @property
    def tabs(self) -> list[Tab | Phone]:
        return [self.presenter, *self.phones]

    def shown(self) -> dict:
        """What the projector shows: the question and its counts."""
        room = self.presenter.value(PresenterState, "room", {}) or {}
        stats = self.presenter.value(PresenterState, "stats", {}) or {}
        return {"question": room.get("question"), "count": stats.get("count", 0),
                "participants": stats.get("participants", 0)}

    def join_all(self) -> None:
        for i, phone in enumerate(self.phones):
            phone.wait_connected(DEADLINE)
            reply = phone.join(self.code, f"Phone {i}")
            assert reply["type"] == "joined", reply
        self.presenter.wait(lambda t: self.shown()["participants"] >= len(self.phones), DEADLINE,
                            "the presenter counts every phone")

    def question(self) -> str:
        with self.server.db() as s:
            return ws.current_question(ws.by_code(s, self.code))

    def vote_all(self, values: list[str]) -> tuple[int, int]:
        """Every phone answers the open question (waiting for its socket if it dropped, and
        trying again if its vote was not acknowledged); returns (sent, acknowledged)."""
        sent = acked = 0
        for i, phone in enumerate(self.phones):
            value = values[i % len(values)]
            for _ in range(3):
                phone.wait_connected(DEADLINE)
                generation = phone.drops
                sent += 1
                try:
                    mark = phone.send({"type": "pick", "value": value})
                except OSError:  # websocket-client's closed-socket errors are OSErrors
                    self.outcomes.append("dropped")
                    continue

                def done(t, m=mark, g=generation):
                    for msg in t.messages[m:]:
                        if msg["type"] == "error":
                            return "refused: " + msg["error"]
                        if msg["type"] == "saved":
                            return "ok"
                    return "dropped" if t.drops != g else None

                try:
                    outcome = phone.wait(done, 30, "vote")
                except TimeoutError:
                    outcome = "no update"
                self.outcomes.append(outcome)
                if outcome == "ok":
                    acked += 1
                    break
        self.votes_sent += sent
        self.votes_acked += acked
        return sent, acked

    def next_question(self) -> str:
        import redis

        with self.server.db() as s:
            trainer = s.get(User, self.trainer_id)
            ws.control(s, actor_of(trainer), self.code, "next")
        client = redis.Redis.from_url(self.redis_url)
        try:
            client.publish(f"nlc:live:{self.code}:control", "1")  # as the console's hub.publish does
        finally:
            client.close()
        return self.question()

    def stored_votes(self, question: str) -> int:
        with self.server.db() as s:
            w = ws.by_code(s, self.code)
            return s.scalar(select(func.count()).select_from(Vote).where(Vote.workshop_id == w.id,
                                                                         Vote.question_id == question))


# --------------------------------------------------------------------------- a private Redis


class PrivateRedis:
    """A redis-server of the test's own on a free port, without persistence: killing it loses
    every tab's state, as a Redis restart without a snapshot does (never the machine's Redis)."""

    def __init__(self, log: Path):
        self.port, self.log = _free_port(), log
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> float:
        """Start it and wait until it accepts connections; returns how long that took."""
        start = time.monotonic()
        # Reflex's state locks learn of releases from keyspace notifications, which Reflex turns
        # on once at start (CONFIG SET); a Redis that restarts must have them in its own
        # configuration, as this one does on its command line (README: Production mode).
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--daemonize", "no",
                                      "--notify-keyspace-events", NOTIFY_KEYSPACE_EVENTS],
                                     stdout=self.log.open("a"), stderr=subprocess.STDOUT)

        def answers() -> bool:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.proc.returncode}: {self.log.read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    return conn.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        until(answers, "the private redis-server answers", 30)
        return time.monotonic() - start

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)

    stop = kill


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL a backend's whole process group (reflex, gunicorn and its workers, build processes)."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(30)


def figures(name: str, tabs: list[Tab]) -> str:
    times = [t for tab in tabs for t in tab.reconnect_times]
    dropped = sum(1 for tab in tabs if tab.drops)
    if not times:
        return f"{name}: {dropped} of {len(tabs)} sockets dropped, none reconnected"
    return (f"{name}: {dropped} of {len(tabs)} sockets dropped, {len(times)} reconnects, "
            f"median {statistics.median(times):.2f} s, p95 {p95(times):.2f} s, max {max(times):.2f} s")
