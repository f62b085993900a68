"""The workshop phones' websocket (api/phone.py) on the running app, driven as an attacker would:
raw websocket clients sending junk, oversized and out-of-turn messages, and forged client
addresses. Nothing changes in the database, and the join-code limit holds."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from nlc_toolkit.core.policy import actor_of
from nlc_toolkit.db import repo
from nlc_toolkit.db.models import User
from nlc_toolkit.services import workshops
from tests import factories
from tests.security.client import Phone, raw_http
from tests.security.helpers import Unchanged


@pytest.fixture
def code(app_server) -> str:
    with app_server.db() as s:
        trainer = s.scalar(select(User).where(User.email == "trainer@example.org"))
        return workshops.create(s, actor_of(trainer), repo.find_city(s, "Rabat").id, factories.latest(s).id, []).code


def test_junk_and_out_of_turn_messages_change_nothing(app_server, code):
    with Unchanged(app_server), Phone(app_server.url) as phone:
        # (No wrong code here: wrong codes count against this machine's address, see the last test.)
        for junk in ("not json", "[1, 2]", "null", '{"type": "admin"}', '{"type": 7}', "{}"):
            assert phone.reply(phone.send(junk), ("error",))["error"] == "room.error.message"
        mark = phone.send({"type": "pick", "value": "3"})  # an answer from a phone that never joined
        assert phone.reply(mark, ("error", "saved"))["error"] == "workshop.error.code"
        phone.send("x" * 1_000_000)  # far past what a join or an answer needs
        phone.wait(lambda p: p.closed_with is not None, what="the socket closed")
        assert phone.closed_with == 1009


def test_a_page_elsewhere_cannot_open_the_socket(app_server, code):
    """A foreign page's script, run in a visitor's browser, is refused at the handshake: its
    browser names that page as the Origin."""
    import websocket

    with Unchanged(app_server):
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:
            websocket.create_connection(Phone(app_server.url).url, origin="https://evil.example", timeout=30)
        assert refused.value.status_code == 403
    with Phone(app_server.url) as phone:  # websocket-client names the socket's own origin, as our page does
        assert phone.join(code, "Amina")["type"] == "joined"


def test_a_foreign_token_joins_nobody_else(app_server, code):
    """A token taken from another room (or made up) does not make its sender that participant."""
    with Phone(app_server.url) as owner:
        assert owner.join(code, "Owner")["type"] == "joined"
        stolen = owner.token
    with app_server.db() as s:
        trainer = s.scalar(select(User).where(User.email == "trainer@example.org"))
        other = workshops.create(s, actor_of(trainer), repo.find_city(s, "Rabat").id, factories.latest(s).id, []).code
    with Phone(app_server.url) as thief:
        thief.token = stolen
        joined = thief.join(other, "Thief")
        assert joined["type"] == "joined" and joined["token"] != stolen  # a new participant of its own room
    with app_server.db() as s:
        w = workshops.by_code(s, code)
        assert workshops.participant_count(s, w) == 1


def test_a_forged_forwarded_for_header_does_not_escape_the_code_limit(app_server, code):
    """Wrong codes count against the connection's own address, whatever X-Forwarded-For says; the
    limit is shared with the projector's route (core.workshop.code_lookups)."""
    for i in range(10):
        with Phone(app_server.url, headers={"X-Forwarded-For": f"203.0.113.{i}"}) as guesser:
            assert guesser.join(f"ZZZZZ{'ABCDEFGHJK'[i]}")["error"] == "workshop.error.code"
    with Phone(app_server.url, headers={"X-Forwarded-For": "198.51.100.1"}) as guesser:
        assert guesser.join(code)["error"] == "workshop.error.rate"  # even the right code, for now
    assert raw_http(app_server.port, "GET", f"/join?code={code}").status == 200  # the page itself still opens
    # The stop lifts once the window has passed (15 s in these tests). Every test here comes from
    # the same address, so wait for it before the next one.
    deadline = time.monotonic() + 60
    while True:
        with Phone(app_server.url) as phone:
            if phone.join(code)["type"] == "joined":
                break
        assert time.monotonic() < deadline, "the code lookup stop never lifted"
        time.sleep(1)  # polling a server-side clock: no event to wait on
