"""Faults (issue 16), on the app scaled out as in production: PostgreSQL, Redis, a first backend
(two workers, serving the pages) and a second backend process behind a balancer that hands each
new websocket to the next backend (tests/e2e/conftest.py).

- A worker dies: the second backend is killed with SIGKILL while editors answer and a workshop
  runs; the tabs it held reconnect through the balancer to the first, no acknowledged answer is
  lost, and the room goes on.
- Redis restarts (a private redis-server, never the machine's): every tab's state is lost while
  editors answer and a workshop runs; the pages recover from the database and no acknowledged
  answer is lost.

The tabs are headless clients speaking Reflex's protocol that reconnect as a browser does
(tests/security/client.py); tests/e2e/faults.py holds the editors and the room. Each test prints
its figures (reconnect times, answers sent, acknowledged and stored, votes)."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from contextlib import contextmanager

import pytest

from tests.app_server import ARTIFACTS
from tests.e2e.conftest import scaled_cluster
from tests.e2e.faults import (
    PrivateRedis,
    Room,
    check_answers,
    figures,
    kill_group,
    make_editors,
    until,
)

pytestmark = pytest.mark.e2e

EDITORS = 6
PHONES = 20


@pytest.fixture
def scaled_fresh():
    """A cluster of the test's own on the machine's Redis: the test kills part of it."""
    url = os.environ.get("NLC_TEST_REDIS", "redis://127.0.0.1:6379")
    with scaled_cluster(url, "app-faults-worker.log") as server:
        server.redis_url = url
        yield server


@pytest.fixture
def scaled_private_redis():
    """A cluster on a private redis-server that the test may kill and restart."""
    ARTIFACTS.mkdir(exist_ok=True)
    redis = PrivateRedis(ARTIFACTS / "redis-faults.log")
    redis.log.write_text("")
    redis.start()
    try:
        with scaled_cluster(redis.url, "app-faults-redis.log") as server:
            server.redis, server.redis_url = redis, redis.url
            yield server
    finally:
        redis.stop()


def _start(server):
    """Editors and a room, connected, every phone joined and having answered the first question."""
    editors = make_editors(server, EDITORS)
    room = Room(server, server.redis_url, PHONES)
    for e in editors:
        e.connect()
    balancer = server.balancer
    phones = list(room.phones)
    # The projector's socket goes to the second backend (the one killed): the room must go on
    # although the screen everybody watches lost its backend.
    while balancer.sockets[balancer._turn % len(balancer.sockets)] != server.second.port:
        phones.pop().connect()
    room.presenter.connect()
    for phone in phones:
        phone.connect()
    room.join_all()
    first = room.question()
    sent, acked = room.vote_all(["1", "2", "3"])
    assert acked == PHONES, f"{acked} of {PHONES} first votes acknowledged"
    until(lambda: room.shown()["question"] == first and room.shown()["count"] == PHONES,
          "the presenter counts every first vote")
    return editors, room, first


def _go_on(server, editors, room, stop: threading.Event, fault: float, first: str) -> dict:
    """After the fault: every tab is back, every editor gets answers acknowledged again, the
    trainer opens the next question and the presenter counts every phone's new vote."""
    until(lambda: all(not t.drops or t.connected for t in [*[e.tab for e in editors], *room.tabs]),
          "every dropped tab reconnected")
    try:
        until(lambda: all(e.acked_after(fault) >= 3 or e.errors for e in editors), "every editor's answers saved again")
    except TimeoutError:
        for e in editors:
            print(f"editor {e.assessment_id}: acked after fault {e.acked_after(fault)}, refused {e.refused[-3:]}, "
                  f"errors {e.errors}, drops {e.tab.drops}, last messages {str(e.tab.messages[-2:])[:1500]}")
        raise
    resumed = [min((t for t in e.ack_times if t > fault), default=None) for e in editors]
    second = room.next_question()
    assert second != first
    until(lambda: room.shown()["question"] == second, "the presenter shows the next question")
    sent, acked = room.vote_all(["0", "2", "3"])
    try:
        until(lambda: room.shown()["count"] == PHONES, f"the presenter counts all {PHONES} votes after the fault")
    except TimeoutError:
        p = room.presenter
        print(Counter(room.outcomes), [(ph.drops, len(ph.reconnect_times), ph.connected) for ph in room.phones])
        for ph in room.phones[:3]:
            print("phone", ph.code, ph.token[:6], ph.drops, ph.reconnect_failed, ph.messages[-3:])
        print(f"shown {room.shown()}, votes sent {sent} acknowledged {acked}, stored {room.stored_votes(second)}; "
              f"presenter drops {p.drops}, reconnects {p.reconnect_times}, {p.reconnect_failed!r}, connected "
              f"{p.connected}, last messages {str(p.messages[-3:])[:2000]}")
        raise
    stop.set()
    for e in editors:
        e.join()
    return {"second": second, "votes_after": (sent, acked), "resumed": resumed}


def _report(name, server, editors, room, first, after, fault) -> None:
    result = check_answers(server, editors)
    sent = sum(e.sent for e in editors)
    acked = sum(len(e.ack_times) for e in editors)
    resumed = [t - fault for t in after["resumed"] if t is not None]
    print(f"\n{name}:")
    print("  " + figures("editors", [e.tab for e in editors]))
    print("  " + figures("workshop tabs", room.tabs))
    print(f"  answers: {sent} sent, {acked} acknowledged, {sent - acked} not acknowledged; "
          f"{result['questions_acked']} questions' last acknowledged values checked, {result['rows_stored']} "
          f"answer rows stored, {len(result['lost'])} lost; first answer saved again after the fault: "
          + (f"max {max(resumed):.2f} s" if resumed else "never"))
    print(f"  votes: question 1 {room.stored_votes(first)} stored and {PHONES} shown before the fault; "
          f"question 2 {after['votes_after'][1]} acknowledged ({after['votes_after'][0]} sent), "
          f"{room.stored_votes(after['second'])} stored, {room.shown()['count']} shown by the presenter")
    assert not result["lost"], result["lost"]
    assert not [e.errors for e in editors if e.errors], [e.errors for e in editors]
    assert room.stored_votes(after["second"]) == PHONES
    assert after["votes_after"][1] == PHONES


@contextmanager
def _answering(server):
    """Editors answering in closed loops and a workshop room with its phones, on `server`, until
    the test is done: (editors, room, the room's first question, the editors' stop)."""
    editors, room, first = _start(server)
    stop = threading.Event()
    try:
        for e in editors:
            e.start(stop)
        until(lambda: all(len(e.ack_times) >= 5 for e in editors), "every editor answering")
        yield editors, room, first, stop
    finally:
        stop.set()
        for tab in [*[e.tab for e in editors], *room.tabs]:
            tab.close()


def test_a_backend_killed_mid_session(scaled_fresh):
    server = scaled_fresh
    with _answering(server) as (editors, room, first, stop):
        on_second = sum(server.balancer.sent.values())
        assert set(server.balancer.sent) == {server.port, server.second.port}, server.balancer.sent
        fault = time.monotonic()
        kill_group(server.second.proc)
        after = _go_on(server, editors, room, stop, fault, first)
        dropped = [t for t in [*[e.tab for e in editors], *room.tabs] if t.drops]
        assert dropped, f"no tab was on the killed backend ({on_second} sockets handed out)"
        assert room.presenter.drops == 1 and room.presenter.connected  # the projector lost its backend too
        _report("a backend killed (SIGKILL of the second backend's process group)", server, editors, room, first,
                after, fault)


def test_redis_restarted_mid_session(scaled_private_redis):
    server = scaled_private_redis
    with _answering(server) as (editors, room, first, stop):
        fault = time.monotonic()
        server.redis.kill()  # every tab's state, the token map and the locks go with it
        down = time.monotonic() - fault
        took = server.redis.start()
        print(f"\nredis killed in {down:.2f} s and answering again {took:.2f} s later")
        after = _go_on(server, editors, room, stop, fault, first)
        _report("Redis killed and restarted empty", server, editors, room, first, after, fault)
