"""The ballot box (services/ballot_box.py) on SQLite and PostgreSQL: a room answering at once is
written in a few transactions, not one per answer; every accepted answer is stored, the later of
one person's two answers wins, and each refused answer gets its own refusal while the others of
its batch are kept. The same for a room joining at once (the join desk)."""

import asyncio

import pytest
from sqlalchemy import event, select

from nlc_toolkit.core.errors import Invalid, NotFound, Refused
from nlc_toolkit.db.models import Participant, Vote
from nlc_toolkit.db.session import get_engine, session_scope
from nlc_toolkit.services import workshops as ws
from nlc_toolkit.services.ballot_box import BallotBox, JoinDesk
from tests import factories
from tests.helpers import run_coroutine

ROOM = 200


@pytest.fixture
def room(migrated):
    with session_scope() as s:
        w, _ = factories.workshop(s)
        code, first = w.code, ws.current_question(w)
    with session_scope() as s:
        tokens = [ws.join(s, code, "", f"P{i}", "municipality").token for i in range(ROOM)]
    return {"code": code, "first": first, "tokens": tokens}


def _stored(code: str, question: str) -> dict[str, str]:
    """Each participant's stored answer to `question`, by token."""
    with session_scope() as s:
        w = ws.by_code(s, code)
        rows = s.execute(select(Participant.token, Vote.value).join(Vote, Vote.participant_id == Participant.id)
                         .where(Participant.workshop_id == w.id, Vote.question_id == question)).all()
        return dict(rows)


def test_a_room_answering_at_once_is_written_in_a_few_transactions(room):
    code, question, tokens = room["code"], room["first"], room["tokens"]
    commits = []
    listener = lambda *_: commits.append(1)  # noqa: E731
    event.listen(get_engine(), "commit", listener)
    box = BallotBox()

    async def everybody():
        cast = [box.cast(code, token, question, str(i % 4)) for i, token in enumerate(tokens)]
        cast.append(box.cast(code, tokens[0], question, "3"))  # the first changes her mind, later
        return await asyncio.gather(*cast, return_exceptions=True)

    try:
        outcomes = run_coroutine(everybody())
    finally:
        event.remove(get_engine(), "commit", listener)
    assert outcomes == [None] * (ROOM + 1)
    stored = _stored(code, question)
    assert len(stored) == ROOM and stored[tokens[0]] == "3"
    assert all(stored[t] == str(i % 4) for i, t in enumerate(tokens) if i)
    # One transaction per answer would be ROOM + 1 commits.
    assert box.batches == len(commits) and 1 <= box.batches <= 5, box.batches


def test_each_refusal_is_its_own_and_the_rest_of_the_batch_is_kept(room):
    code, question, tokens = room["code"], room["first"], room["tokens"]
    box = BallotBox()

    async def mixed():
        return await asyncio.gather(
            box.cast(code, tokens[0], question, "2"),
            box.cast(code, "not a participant's token", question, "2"),
            box.cast(code, tokens[1], question, "99"),  # no such level
            box.cast(code, tokens[2], "another.question", "1"),  # not the open question
            box.cast("ZZZZZZ", tokens[3], question, "1"),  # another room's code
            box.cast(code, tokens[4], question, "na"),
            return_exceptions=True)

    outcomes = run_coroutine(mixed())
    assert outcomes[0] is None and outcomes[5] is None
    assert isinstance(outcomes[1], NotFound) and isinstance(outcomes[4], NotFound)
    assert isinstance(outcomes[2], Invalid) and isinstance(outcomes[3], Refused)
    assert _stored(code, question) == {tokens[0]: "2", tokens[4]: "na"}
    with session_scope() as s:
        assert len(s.scalars(select(Vote)).all()) == 2


def test_a_room_joining_at_once_is_written_in_a_few_transactions(room):
    code = room["code"]
    commits, statements = [], []
    listener = lambda *_: commits.append(1)  # noqa: E731
    counter = lambda *_: statements.append(1)  # noqa: E731
    event.listen(get_engine(), "commit", listener)
    event.listen(get_engine(), "before_cursor_execute", counter)
    desk = JoinDesk()

    async def everybody():
        joins = [desk.join(code, "", f"New {i}", "national", f"device-{i:04d}-abcdefghijkl") for i in range(ROOM)]
        joins.append(desk.join(code, room["tokens"][0], "P0", "municipality", ""))  # a reload: she rejoins
        return await asyncio.gather(*joins, return_exceptions=True)

    try:
        outcomes = run_coroutine(everybody())
    finally:
        event.remove(get_engine(), "commit", listener)
        event.remove(get_engine(), "before_cursor_execute", counter)
    # A batch reads, locks and counts its room once, and reads its phones' answers at once: a new
    # join costs its device check, its row and its audit line (each alone took eight statements).
    assert len(statements) <= 3 * (ROOM + 1) + 10 * desk.batches, len(statements)
    assert not [o for o in outcomes if isinstance(o, Exception)]
    tokens = [token for token, _, _ in outcomes]
    assert len(set(tokens)) == ROOM + 1 and tokens[-1] == room["tokens"][0]
    # Every phone gets the room as a phone sees it (no trainer note), and its own answer (none yet).
    assert all(snapshot["code"] == code and snapshot["note"] == "" and mine == "" for _, snapshot, mine in outcomes)
    with session_scope() as s:
        w = ws.by_code(s, code)
        assert ws.participant_count(s, w) == 2 * ROOM  # the fixture's room, and as many new
    # One transaction per join would be ROOM + 1 commits.
    assert desk.batches == len(commits) and 1 <= desk.batches <= 5, desk.batches


def test_a_refused_join_is_its_own_and_the_rest_of_the_batch_joins(room, monkeypatch):
    code = room["code"]
    monkeypatch.setattr(ws, "MAX_PARTICIPANTS", ROOM + 1)  # room for one more
    desk = JoinDesk()

    async def mixed():
        return await asyncio.gather(
            desk.join(code, "", "First", "municipality", "device-first-abcdefghijkl"),
            desk.join("ZZZZZZ", "", "Lost", "municipality", ""),  # no such room
            desk.join(code, "", "Odd", "not a group", ""),
            desk.join(code, "", "Late", "municipality", "device-late-abcdefghijklm"),  # the room is full now
            desk.join(code, room["tokens"][1], "P1", "municipality", ""),  # an old hand: full rooms take them back
            return_exceptions=True)

    outcomes = run_coroutine(mixed())
    assert isinstance(outcomes[1], NotFound) and isinstance(outcomes[2], Invalid)
    assert isinstance(outcomes[3], Refused) and str(outcomes[3]) == "workshop.error.full"
    assert not isinstance(outcomes[0], Exception) and outcomes[4][0] == room["tokens"][1]
    with session_scope() as s:
        names = set(s.scalars(select(Participant.display_name).where(Participant.workshop_id == ws.by_code(s, code).id)))
        assert "First" in names and not names & {"Lost", "Odd", "Late"} and len(names) == ROOM + 1


def test_a_storm_past_the_room_s_limit_lets_in_exactly_as_many_as_it_takes(room, monkeypatch):
    """The batch counts the room once and each join it lets in: never one more than the limit."""
    code = room["code"]
    monkeypatch.setattr(ws, "MAX_PARTICIPANTS", ROOM + 30)
    desk = JoinDesk()

    async def storm():
        return await asyncio.gather(*(desk.join(code, "", f"S{i}", "national", f"device-s{i:04d}-abcdefghijk")
                                      for i in range(50)), return_exceptions=True)

    outcomes = run_coroutine(storm())
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 20 and {str(o) for o in refused} == {"workshop.error.full"}
    with session_scope() as s:
        assert ws.participant_count(s, ws.by_code(s, code)) == ROOM + 30
