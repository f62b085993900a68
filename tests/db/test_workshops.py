"""The workshop service on SQLite and PostgreSQL: joining, answering (one row per person and
question, changeable until locked), refusals that change nothing, and the end writing the agreed
levels and, on request, every participant into the assessment."""

import pytest
from sqlalchemy import func, select

from nlc_toolkit.core.errors import Invalid, NotFound, Refused
from nlc_toolkit.db.models import Answer, Respondent, Vote
from nlc_toolkit.db.session import session_scope
from nlc_toolkit.services import workshops as ws
from tests import factories


@pytest.fixture
def room(migrated):
    with session_scope() as s:
        version = factories.questionnaire(s)
        city = factories.city(s, "Tangier")
        editor = factories.user(s, "ed@tangier.org", "city_editor", city)
        trainer = factories.actor(s, "trainer@scn.org", "facilitator")
        admin = factories.actor(s, "admin@scn.org", "admin")
        ws.assign_cities(s, admin, trainer.user_id, [city.id])  # facilitators work for their cities only
        a = factories.assessment(s, editor, city, version)
        w = ws.create(s, trainer, city.id, version.id, ["mandate", "trust"], assessment_id=a.id)
        first = ws.current_question(w)
        return {"trainer": trainer, "code": w.code, "assessment": a.id, "first": first}


def join(code, name="", group="municipality"):
    with session_scope() as s:
        return ws.join(s, code, "", name, group).token


def vote(code, token, question, value):
    with session_scope() as s:
        ws.vote(s, code, token, question, value)


def spread(code, question):
    with session_scope() as s:
        return ws.spread(s, ws.by_code(s, code), question)


def control(room, action, value=None):
    with session_scope() as s:
        ws.control(s, room["trainer"], room["code"], action, value)


def test_answers_can_change_until_locked_and_count_once(room):
    code, q = room["code"], room["first"]
    tokens = [join(code, f"P{i}") for i in range(4)]
    for token, value in zip(tokens, ["1", "2", "2", "3"]):
        vote(code, token, q, value)
    vote(code, tokens[0], q, "2")  # changes her mind: still one answer
    sp = spread(code, q)
    assert sp.count == 4 and list(sp.distribution) == [0, 0, 3, 1]
    with session_scope() as s:
        assert s.scalar(select(func.count(Vote.id))) == 4
    control(room, "lock", True)
    with pytest.raises(Refused):
        vote(code, tokens[1], q, "0")
    assert list(spread(code, q).distribution) == [0, 0, 3, 1]


def test_refusals_change_nothing(room):
    code, q = room["code"], room["first"]
    token = join(code)
    vote(code, token, q, "1")
    with pytest.raises(Invalid):
        vote(code, token, q, "9")  # beyond the scale
    with pytest.raises(Refused):
        vote(code, token, "not_the_open_question", "2")
    with pytest.raises(NotFound):
        vote(code, "someone-else", q, "2")
    with pytest.raises(NotFound):
        vote("ZZZZZZ", token, q, "2")  # a stale or wrong code
    control(room, "pause")
    with pytest.raises(Refused):
        vote(code, token, q, "3")
    sp = spread(code, q)
    assert sp.count == 1 and list(sp.distribution) == [0, 1, 0, 0]


def test_a_rejoining_participant_keeps_the_same_answers(room):
    code, q = room["code"], room["first"]
    token = join(code, "Amina")
    vote(code, token, q, "3")
    with session_scope() as s:
        again = ws.join(s, code, token, "Amina", "municipality")
        assert again.token == token
        w, p = ws.participant(s, code, token)
        assert ws.votes_of(s, w, [p.id], q).get(p.id, "") == "3"
        assert ws.participant_count(s, w) == 1


def test_end_writes_the_consensus_and_anonymous_participants(room):
    code, q = room["code"], room["first"]
    a, b = join(code, group="national"), join(code, group="civil_society")
    vote(code, a, q, "1")
    vote(code, b, q, "3")
    control(room, "note", "Two views: the charter exists but is not used.")
    control(room, "agree", "2")
    with session_scope() as s:
        ws.end(s, room["trainer"], code, group="municipality", keep_participants=True)
    with session_scope() as s:
        people = {r.label: r for r in s.scalars(select(Respondent).where(Respondent.assessment_id == room["assessment"]))}
        consensus = people[f"{ws.CONSENSUS_LABEL} {code}"]
        answer = s.scalar(select(Answer).where(Answer.respondent_id == consensus.id, Answer.question_id == q))
        assert (answer.value, answer.note) == ("2", "Two views: the charter exists but is not used.")
        groups = sorted(r.group for label, r in people.items() if label.startswith(f"Workshop {code} participant"))
        assert groups == ["civil_society", "national"]
    with pytest.raises(Refused):
        vote(code, a, q, "2")  # ended
    with pytest.raises(Refused), session_scope() as s:
        ws.join(s, code, "", "late", "other")
