"""Workshop integrity on SQLite and PostgreSQL: one participant per device, a bounded room, the
trainer removing a participant with their answers, facilitators kept to their assigned cities,
screens that hold only what they show, and an audited console."""

import hashlib
import threading

import pytest
from sqlalchemy import func, select

from nlc_toolkit.core.errors import Invalid, NotFound, Refused
from nlc_toolkit.db.models import AuditEvent, Participant, Respondent, Vote
from nlc_toolkit.db.session import session_scope
from nlc_toolkit.services import workshops as ws
from nlc_toolkit.services.rooms import EMPTY_STATS, room_snapshot, stats_snapshot
from tests import factories

PHONE = "device-" + "a" * 24  # what a browser keeps in local storage
OTHER_PHONE = "device-" + "b" * 24


@pytest.fixture
def world(migrated):
    """Two cities with a draft each; a trainer assigned to Tangier only; a room for Tangier."""
    with session_scope() as s:
        version = factories.questionnaire(s)
        tangier, rabat = factories.city(s, "Tangier"), factories.city(s, "Rabat")
        admin = factories.actor(s, "admin@scn.org", "admin")
        trainer = factories.actor(s, "trainer@scn.org", "facilitator")
        other_trainer = factories.actor(s, "other@scn.org", "facilitator")
        ws.assign_cities(s, admin, trainer.user_id, [tangier.id])
        ws.assign_cities(s, admin, other_trainer.user_id, [tangier.id])
        drafts = {}
        for city in (tangier, rabat):
            editor = factories.user(s, f"ed@{city.name.lower()}.org", "city_editor", city)
            drafts[city.name] = factories.assessment(s, editor, city, version).id
        w = ws.create(s, trainer, tangier.id, version.id, ["mandate", "trust"], assessment_id=drafts["Tangier"])
        return {"admin": admin, "trainer": trainer, "other_trainer": other_trainer, "version": version.id,
                "tangier": tangier.id, "rabat": rabat.id, "drafts": drafts, "code": w.code,
                "first": ws.current_question(w)}


def join(code, token="", device="", name="", group="municipality"):
    with session_scope() as s:
        return ws.join(s, code, token, name, group, device=device).token


def vote(code, token, question, value):
    with session_scope() as s:
        ws.vote(s, code, token, question, value)


def control(world, action, value=None):
    with session_scope() as s:
        ws.control(s, world["trainer"], world["code"], action, value)


def count_participants(code):
    with session_scope() as s:
        return ws.participant_count(s, ws.by_code(s, code))


def snapshots(code, audience):
    with session_scope() as s:
        w = ws.by_code(s, code)
        return room_snapshot(s, w, audience), stats_snapshot(s, w, audience)


# --------------------------------------------------------------------------- one participant per device


def test_the_same_device_resumes_its_participant_even_without_the_room_token(world):
    code, q = world["code"], world["first"]
    token = join(code, device=PHONE, name="Amina")
    vote(code, token, q, "2")
    assert join(code, token=token, device=PHONE) == token  # a second join from the same browser
    assert join(code, device=PHONE, name="Amina again") == token  # the room's token was lost
    assert count_participants(code) == 1
    with session_scope() as s:
        w, p = ws.participant(s, code, token)
        assert ws.votes_of(s, w, [p.id], q).get(p.id, "") == "2"
        # Stored hashed: a leaked database does not give away the phone's id.
        assert p.device == hashlib.sha256(PHONE.encode()).hexdigest() and PHONE not in p.device
    assert join(code, device=OTHER_PHONE) != token  # another phone is another voter
    assert count_participants(code) == 2


def test_a_malformed_device_id_counts_as_none(world):
    code = world["code"]
    for bad in ("short", "x" * 65, "a" * 20 + "/../", "ä" * 20):
        join(code, device=bad)
    assert count_participants(code) == 4  # each one a new participant, none of them resumed
    with session_scope() as s:
        assert s.scalars(select(Participant.device)).all() == [None] * 4


def test_a_device_id_attaches_to_the_participant_that_joined_without_one(world):
    code = world["code"]
    token = join(code)  # an older page: no device id
    assert join(code, token=token, device=PHONE) == token
    assert join(code, device=PHONE) == token  # from now on the device alone finds it
    assert count_participants(code) == 1


def test_joins_are_limited_per_room(world, monkeypatch):
    monkeypatch.setattr(ws, "MAX_PARTICIPANTS", 3)
    code = world["code"]
    tokens = [join(code, device=f"phone-number-{i:08d}") for i in range(3)]
    with pytest.raises(Refused, match="workshop.error.full"):
        join(code, device=OTHER_PHONE)
    with pytest.raises(Refused, match="workshop.error.full"):
        join(code)
    assert join(code, device="phone-number-00000001") == tokens[1]  # a full room still lets its people back
    assert count_participants(code) == 3


def _at_once(n, fn) -> tuple[list, list]:
    """Run fn(i) in n threads released together; returns (results, errors)."""
    barrier, results, errors = threading.Barrier(n), [], []

    def go(i):
        barrier.wait()
        try:
            results.append(fn(i))
        except Exception as e:  # noqa: BLE001 - collected for the assertion
            errors.append(e)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_a_double_tapped_join_still_makes_one_participant(world):
    results, errors = _at_once(8, lambda i: join(world["code"], device=PHONE))
    assert errors == [] and len(set(results)) == 1
    assert count_participants(world["code"]) == 1


def test_the_room_limit_holds_when_phones_join_at_once(world, monkeypatch):
    monkeypatch.setattr(ws, "MAX_PARTICIPANTS", 3)
    results, errors = _at_once(8, lambda i: join(world["code"], device=f"phone-number-{i:08d}"))
    assert len(results) == 3 and [str(e) for e in errors] == ["workshop.error.full"] * 5
    assert count_participants(world["code"]) == 3


def test_joins_are_audited_without_personal_data(world):
    token = join(world["code"], device=PHONE, name="Amina Benali")
    with session_scope() as s:
        pid = s.scalar(select(Participant.id).where(Participant.token == token))
        row = s.scalar(select(AuditEvent).where(AuditEvent.action == "join"))
        assert (row.entity, row.user_id, row.detail) == ("workshop", None, {"participant": pid, "resumed": False})
        assert "Amina" not in str(row.detail) and PHONE not in str(row.detail)


# --------------------------------------------------------------------------- removing a participant


def test_a_removed_participant_leaves_with_their_answers(world):
    code, q = world["code"], world["first"]
    keep, drop = join(code, device=PHONE, group="national"), join(code, device=OTHER_PHONE, group="civil_society")
    vote(code, keep, q, "1")
    vote(code, drop, q, "3")
    with session_scope() as s:
        people = ws.participants(s, world["trainer"], code)
        assert [(p["group"], p["answers"]) for p in people] == [("national", 1), ("civil_society", 1)]
        assert set(people[0]) == {"id", "name", "group", "answers", "joined"}
        gone = people[1]["id"]
        with pytest.raises(NotFound):  # another facilitator's room
            ws.remove_participant(s, world["other_trainer"], code, gone)
    with session_scope() as s:
        ws.remove_participant(s, world["trainer"], code, gone)
    with session_scope() as s:
        w = ws.by_code(s, code)
        sp = ws.spread(s, w, q)
        assert sp.count == 1 and list(sp.distribution) == [0, 1, 0, 0]
        assert ws.participant_count(s, w) == 1 and s.scalar(select(func.count(Vote.id))) == 1
        assert gone not in [p["id"] for p in ws.participants(s, world["trainer"], code)]
        row = s.scalar(select(AuditEvent).where(AuditEvent.action == "remove_participant"))
        assert (row.user_id, row.detail) == (world["trainer"].user_id, {"participant": gone, "votes": 1})
    with pytest.raises(NotFound), session_scope() as s:
        ws.participant(s, code, drop)  # the removed phone's next look-up
    with pytest.raises(NotFound):
        vote(code, drop, q, "3")
    # The device may come back, but only as a new participant with no answers.
    again = join(code, device=OTHER_PHONE)
    assert again != drop
    with session_scope() as s:
        w, p = ws.participant(s, code, again)
        assert ws.votes_of(s, w, [p.id], q).get(p.id, "") == ""
    control(world, "agree", "1")
    with session_scope() as s:
        ws.end(s, world["trainer"], code, keep_participants=True)
    with session_scope() as s:
        written = s.scalars(select(Respondent).where(Respondent.assessment_id == world["drafts"]["Tangier"],
                                                     Respondent.label.like(f"Workshop {code} participant%"))).all()
        assert [r.group for r in written] == ["national"]
        assert [(a.question_id, a.value) for a in written[0].answers] == [(q, "1")]


def test_removing_refuses_a_participant_of_another_room(world):
    with session_scope() as s:
        other = ws.create(s, world["trainer"], world["tangier"], world["version"], []).code
    token = join(other, device=PHONE)
    with session_scope() as s:
        pid = s.scalar(select(Participant.id).where(Participant.token == token))
        for wrong in (pid, "x", None, -1):
            with pytest.raises(NotFound):
                ws.remove_participant(s, world["trainer"], world["code"], wrong)
    assert count_participants(other) == 1


# --------------------------------------------------------------------------- facilitators' cities


def test_a_facilitator_works_only_for_assigned_cities(world):
    trainer, version = world["trainer"], world["version"]
    with session_scope() as s:
        with pytest.raises(Refused, match="workshop.error.city"):
            ws.create(s, trainer, world["rabat"], version, [])
        with pytest.raises(Invalid, match="workshop.error.assessment"):  # as if it did not exist
            ws.create(s, trainer, world["tangier"], version, [], assessment_id=world["drafts"]["Rabat"])
        options = ws.setup_options(s, trainer)
        assert options["cities"] == [{"id": str(world["tangier"]), "name": "Tangier"}]
        assert [a["id"] for a in options["assessments"]] == [str(world["drafts"]["Tangier"])]
        assert options["assessments"][0]["city_id"] == str(world["tangier"])
        assert options["questionnaires"][0]["qid"] == "nlc-quick-scan"
        assert {"id", "title", "count"} <= set(options["questionnaires"][0]["domains"][0])
        everything = ws.setup_options(s, world["admin"])
        assert {c["name"] for c in everything["cities"]} == {"Tangier", "Rabat"}
        assert len(everything["assessments"]) == 2
        assert ws.create(s, world["admin"], world["rabat"], version, []).city_id == world["rabat"]
    with session_scope() as s:  # assigned to Rabat as well: now it may
        ws.assign_cities(s, world["admin"], trainer.user_id, [world["tangier"], world["rabat"]])
        ws.create(s, trainer, world["rabat"], version, [], assessment_id=world["drafts"]["Rabat"])


def test_only_an_admin_assigns_cities_and_only_to_facilitators(world):
    trainer = world["trainer"]
    with session_scope() as s:
        with pytest.raises(Refused):
            ws.assign_cities(s, trainer, trainer.user_id, [world["rabat"]])
        editor = s.scalar(select(Respondent.user_id).where(Respondent.assessment_id == world["drafts"]["Rabat"]))
        with pytest.raises(Invalid, match="workshop.error.not_facilitator"):
            ws.assign_cities(s, world["admin"], editor, [world["rabat"]])
        with pytest.raises(Invalid):
            ws.assign_cities(s, world["admin"], trainer.user_id, [999999])
        assert ws.assigned_cities(s, trainer) == [world["tangier"]]
        with pytest.raises(Refused):
            ws.assigned_cities(s, trainer, world["other_trainer"].user_id)
        assert ws.assign_cities(s, world["admin"], trainer.user_id, [world["rabat"]]) == [world["rabat"]]
    with session_scope() as s:
        assert ws.assigned_cities(s, world["admin"], trainer.user_id) == [world["rabat"]]
        row = s.scalars(select(AuditEvent).where(AuditEvent.action == "assign_cities")
                        .order_by(AuditEvent.id.desc())).first()
        assert (row.user_id, row.entity_id, row.detail) == (
            world["admin"].user_id, str(trainer.user_id), {"old": [world["tangier"]], "new": [world["rabat"]]})


# --------------------------------------------------------------------------- what each screen holds


def test_the_presenter_holds_no_spread_before_the_reveal(world):
    code, q = world["code"], world["first"]
    for device, value in ((PHONE, "0"), (OTHER_PHONE, "3")):
        vote(code, join(code, device=device), q, value)
    room, stats = snapshots(code, "presenter")
    assert not room["revealed"]
    assert stats == {**EMPTY_STATS, "count": 2, "participants": 2}
    _, full = snapshots(code, "trainer")
    assert [d["n"] for d in full["distribution"]] == [1, 0, 0, 1] and full["no_consensus"]
    control(world, "reveal", True)
    _, stats = snapshots(code, "presenter")
    assert stats == full
    control(world, "reveal", "false")  # a client's string is no "on"
    assert snapshots(code, "presenter")[1]["distribution"] == []


def test_neither_the_presenter_nor_a_phone_holds_the_note_or_agreed_level(world):
    code = world["code"]
    control(world, "note", "The mayor's office disagrees.")
    control(world, "agree", "2")
    trainer, _ = snapshots(code, "trainer")
    assert (trainer["note"], trainer["agreed"]) == ("The mayor's office disagrees.", "2") and trainer["domains"]
    presenter, _ = snapshots(code, "presenter")
    with session_scope() as s:
        w = ws.by_code(s, code)
        phone = room_snapshot(s, w, "phone")
        with pytest.raises(ValueError):
            stats_snapshot(s, w, "phone")  # a phone is never told how the room answered
    for room in (presenter, phone):
        assert (room["note"], room["agreed"]) == ("", "")
        assert "mayor" not in str(room)
        assert room["text"] and room["levels"] and room["question"] == world["first"]
    assert phone["domains"] == [] and presenter["domains"] == []  # only the console jumps between domains
    with pytest.raises(ValueError), session_scope() as s:
        room_snapshot(s, ws.by_code(s, code), "projector")


def test_an_ended_room_shows_only_that_it_has_ended(world):
    code, q = world["code"], world["first"]
    vote(code, join(code, device=PHONE), q, "2")
    control(world, "reveal", True)
    with session_scope() as s:
        ws.end(s, world["trainer"], code)
    room, stats = snapshots(code, "presenter")
    assert stats == EMPTY_STATS
    with session_scope() as s:
        phone = room_snapshot(s, ws.by_code(s, code), "phone")
    for room in (room, phone):
        assert {k: v for k, v in room.items() if v} == {"code": code, "status": "ended"}
        assert {"text", "levels", "city", "position", "total", "locked"} <= set(room)  # the pages still render
    room, stats = snapshots(code, "trainer")
    assert room["status"] == "ended" and room["text"] and stats["count"] == 1


# --------------------------------------------------------------------------- the audit log


def test_every_console_action_is_audited_with_its_trainer(world):
    for action, value in (("reveal", True), ("lock", True), ("note", "Charter exists."),
                          ("note", "Charter exists."),  # unchanged (the box loses focus again): no new row
                          ("agree", "2"), ("agree", 2), ("pause", None), ("resume", None), ("next", None),
                          ("previous", None), ("goto", 1), ("domain", "trust")):
        control(world, action, value)
    with session_scope() as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.entity == "workshop", AuditEvent.action != "create")
                         .order_by(AuditEvent.id)).all()
        assert [r.action for r in rows] == ["reveal", "lock", "note", "agree", "pause", "resume", "next", "previous",
                                            "goto", "domain"]
        assert {r.user_id for r in rows} == {world["trainer"].user_id}
        w = ws.by_code(s, world["code"])
        assert {r.entity_id for r in rows} == {str(w.id)}
        by_action = {r.action: r.detail for r in rows}
        assert by_action["agree"] == {"question": world["first"], "old": None, "new": 2}
        assert by_action["note"] == {"question": world["first"], "old": "", "new": "Charter exists."}
        assert by_action["lock"] == {"question": world["first"], "value": True}
        assert by_action["domain"]["to"].startswith("trust")
    with session_scope() as s:
        ws.end(s, world["trainer"], world["code"])
    with session_scope() as s:
        assert s.scalar(select(AuditEvent.user_id).where(AuditEvent.action == "end")) == world["trainer"].user_id
