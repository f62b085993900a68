"""Authorization matrix: every service call that reads or writes assessment data, for every role,
for a user of the assessment's city and of another city. Refusals change nothing."""

import pytest
from sqlalchemy import func, select

from nlc_toolkit.db.models import Answer, AuditEvent, User
from nlc_toolkit.db.session import session_scope
from nlc_toolkit.services import accounts as auth
from nlc_toolkit.services import admin as admin_svc
from nlc_toolkit.services import assessments as svc
from tests import factories
from tests.factories import PASSWORD as PW

ALLOW, HIDDEN, REFUSED = "allow", "hidden", "refused"

ACTORS = [
    "admin", "network_staff", "facilitator",
    "editor_own", "editor_other", "viewer_own", "viewer_other",
    "respondent_invited", "respondent_stranger",
    # Access follows the account: each of these answered or was invited, then an admin changed them.
    "editor_moved", "editor_demoted", "invited_moved",
]

# operation -> expected outcome per actor (in ACTORS order)
MATRIX = {
    "view":        [ALLOW, ALLOW, HIDDEN, ALLOW, HIDDEN, ALLOW, HIDDEN, ALLOW, HIDDEN, HIDDEN, ALLOW, HIDDEN],
    "listed":      [ALLOW, ALLOW, HIDDEN, ALLOW, HIDDEN, ALLOW, HIDDEN, ALLOW, HIDDEN, HIDDEN, ALLOW, HIDDEN],
    "create":      [ALLOW, REFUSED, REFUSED, ALLOW, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED],
    "set_context": [ALLOW, REFUSED, HIDDEN, ALLOW, HIDDEN, REFUSED, HIDDEN, REFUSED, HIDDEN, HIDDEN, REFUSED, HIDDEN],
    "answer":      [ALLOW, REFUSED, HIDDEN, ALLOW, HIDDEN, REFUSED, HIDDEN, ALLOW, HIDDEN, HIDDEN, REFUSED, HIDDEN],
    "note":        [ALLOW, REFUSED, HIDDEN, ALLOW, HIDDEN, REFUSED, HIDDEN, ALLOW, HIDDEN, HIDDEN, REFUSED, HIDDEN],
    "evidence":    [ALLOW, REFUSED, HIDDEN, ALLOW, HIDDEN, REFUSED, HIDDEN, ALLOW, HIDDEN, HIDDEN, REFUSED, HIDDEN],
    "invite":      [ALLOW, REFUSED, HIDDEN, ALLOW, HIDDEN, REFUSED, HIDDEN, REFUSED, HIDDEN, HIDDEN, REFUSED, HIDDEN],
    "submit":      [ALLOW, REFUSED, HIDDEN, ALLOW, HIDDEN, REFUSED, HIDDEN, REFUSED, HIDDEN, HIDDEN, REFUSED, HIDDEN],
    "review":      [ALLOW, ALLOW, HIDDEN, REFUSED, HIDDEN, REFUSED, HIDDEN, REFUSED, HIDDEN, HIDDEN, REFUSED, HIDDEN],
    "new_round":   [ALLOW, REFUSED, HIDDEN, ALLOW, HIDDEN, REFUSED, HIDDEN, REFUSED, HIDDEN, HIDDEN, REFUSED, HIDDEN],
}


@pytest.fixture
def world(migrated):
    with session_scope() as s:
        version = factories.example_questionnaire(s)
        own, other = factories.city(s, "Tangier"), factories.city(s, "Fes")
        users = {
            "admin": factories.user(s, "admin@x.org", "admin"),
            "network_staff": factories.user(s, "staff@x.org", "network_staff"),
            "facilitator": factories.user(s, "trainer@x.org", "facilitator"),
            "editor_own": factories.user(s, "ed@tangier.org", "city_editor", own),
            "editor_other": factories.user(s, "ed@fes.org", "city_editor", other),
            "viewer_own": factories.user(s, "view@tangier.org", "city_viewer", own),
            "viewer_other": factories.user(s, "view@fes.org", "city_viewer", other),
            "respondent_invited": factories.user(s, "ministry@gov.org", "respondent"),
            "respondent_stranger": factories.user(s, "other@gov.org", "respondent"),
            "editor_moved": factories.user(s, "moved@tangier.org", "city_editor", own),
            "editor_demoted": factories.user(s, "demoted@tangier.org", "city_editor", own),
            "invited_moved": factories.user(s, "colleague@tangier.org", "city_viewer", own),
        }
        actors = {k: svc.actor_of(u) for k, u in users.items()}
        a = factories.assessment(s, actors["editor_own"], own, version)
        factories.respondent(s, a, "Ministry", "national", users["respondent_invited"])
        for name in ("editor_moved", "editor_demoted"):  # they answered as the city's editors
            svc.answer(s, actors[name], a.id, "mandate.lead_office", "1")
        svc.invite(s, actors["editor_own"], a.id, "colleague@tangier.org", "Colleague", "municipality")
        admin = actors["admin"]
        admin_svc.update_user(s, admin, users["editor_moved"].id, "city_editor", other.id)
        admin_svc.update_user(s, admin, users["editor_demoted"].id, "city_viewer", own.id)
        admin_svc.update_user(s, admin, users["invited_moved"].id, "city_viewer", other.id)
        s.flush()
        # Each event re-derives the actor from the account, as the pages do.
        actors.update({k: svc.actor_of(s.get(User, users[k].id)) for k in ("editor_moved", "editor_demoted", "invited_moved")})
        return {"actors": actors, "assessment": a.id, "version": version.id, "own": own.id}


def _submitted(world):
    with session_scope() as s:
        svc.submit(s, world["actors"]["editor_own"], world["assessment"])


OPS = {
    "view": lambda s, a, w: svc.view(s, a, w["assessment"]),
    "listed": lambda s, a, w: _listed(s, a, w),
    "create": lambda s, a, w: svc.create(s, a, w["own"], w["version"], 2027, 1),
    "set_context": lambda s, a, w: svc.set_context(s, a, w["assessment"], "returnees_present", "yes"),
    "answer": lambda s, a, w: svc.answer(s, a, w["assessment"], "mandate.lead_office", "2"),
    "note": lambda s, a, w: svc.set_note(s, a, w["assessment"], "mandate.lead_office", "a note"),
    "evidence": lambda s, a, w: svc.add_evidence(s, a, w["assessment"], "mandate.lead_office",
                                                 {"kind": "link", "url": "https://example.org/minutes.pdf"}),
    "invite": lambda s, a, w: svc.invite(s, a, w["assessment"], "new@person.org", "New", "civil_society"),
    "submit": lambda s, a, w: svc.submit(s, a, w["assessment"]),
    "review": lambda s, a, w: svc.review(s, a, w["assessment"], False, "please add evidence"),
    "new_round": lambda s, a, w: svc.new_round(s, a, w["assessment"]),
}


def _listed(s, actor, world):
    if world["assessment"] not in [r["id"] for r in svc.visible_assessments(s, actor)]:
        raise svc.NotFound(world["assessment"])


@pytest.mark.parametrize("operation", sorted(MATRIX))
def test_authorization_matrix(world, operation):
    if operation in ("review", "new_round"):
        _submitted(world)
    for name, expected in zip(ACTORS, MATRIX[operation]):
        actor = world["actors"][name]
        with session_scope() as s:
            before = (s.scalar(select(func.count(Answer.id))), s.scalar(select(func.count(AuditEvent.id))))
        outcome = ALLOW
        try:
            with session_scope() as s:
                OPS[operation](s, actor, world)
                s.rollback()  # each actor starts from the same world
        except svc.NotFound:
            outcome = HIDDEN
        except svc.Refused:
            outcome = REFUSED
        assert outcome == expected, f"{operation} by {name}: {outcome}, expected {expected}"
        if outcome != ALLOW:
            with session_scope() as s:
                after = (s.scalar(select(func.count(Answer.id))), s.scalar(select(func.count(AuditEvent.id))))
            assert after == before, f"{operation} by {name} was refused but wrote something"


def test_foreign_id_leaks_nothing(world):
    with session_scope() as s:
        with pytest.raises(svc.NotFound) as err:
            svc.view(s, world["actors"]["editor_other"], world["assessment"])
        assert "Tangier" not in str(err.value)
        with pytest.raises(svc.NotFound):
            svc.view(s, world["actors"]["editor_other"], 999_999)


def test_locked_assessment_refuses_answers_even_from_its_editor(world):
    _submitted(world)
    with session_scope() as s:
        with pytest.raises(svc.Refused, match="assessment.error.locked"):
            svc.answer(s, world["actors"]["editor_own"], world["assessment"], "mandate.lead_office", "1")


def test_review_return_needs_a_comment_and_reopens(world):
    _submitted(world)
    staff = world["actors"]["network_staff"]
    with session_scope() as s:
        with pytest.raises(svc.Invalid, match="review.error.comment_required"):
            svc.review(s, staff, world["assessment"], False, "   ")
    with session_scope() as s:
        svc.review(s, staff, world["assessment"], False, "Add the council decision")
    with session_scope() as s:
        view = svc.view(s, world["actors"]["editor_own"], world["assessment"])
        assert view["status"] == "returned" and view["can_answer"]
        assert [(h["from"], h["to"]) for h in view["history"]] == [("", "draft"), ("draft", "submitted"), ("submitted", "returned")]
        assert view["history"][-1]["comment"] == "Add the council decision"


def test_bad_input_changes_nothing(world):
    editor = world["actors"]["editor_own"]
    with session_scope() as s:
        before = s.scalar(select(func.count(Answer.id)))
    cases = [
        (lambda s: svc.set_note(s, editor, world["assessment"], "mandate.lead_office", "x" * 2001), "assessment.error.note_too_long"),
        (lambda s: svc.answer(s, editor, world["assessment"], "mandate.lead_office", "9"), "assessment.error.bad_answer"),
        (lambda s: svc.answer(s, editor, world["assessment"], "no.such", "1"), "assessment.error.bad_answer"),
        (lambda s: svc.add_evidence(s, editor, world["assessment"], "mandate.lead_office", {"kind": "link", "url": "javascript:alert(1)"}), "evidence.error.bad_link"),
        (lambda s: svc.set_context(s, editor, world["assessment"], "returnees_present", "maybe"), "assessment.error.bad_answer"),
    ]
    for call, key in cases:
        with pytest.raises(svc.Invalid, match=key):
            with session_scope() as s:
                call(s)
    with session_scope() as s:
        assert s.scalar(select(func.count(Answer.id))) == before


def test_audit_log_records_who_changed_which_answer(world):
    editor = world["actors"]["editor_own"]
    with session_scope() as s:
        svc.answer(s, editor, world["assessment"], "mandate.lead_office", "1")
    with session_scope() as s:
        svc.answer(s, editor, world["assessment"], "mandate.lead_office", "3")
        svc.set_note(s, editor, world["assessment"], "mandate.lead_office", "Decree 2025-14")
    with session_scope() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action.in_(["answer", "note"]),
                                                    AuditEvent.user_id == editor.user_id).order_by(AuditEvent.id)).all()
        rows = [(e.user_id, e.action, e.detail["question"], e.detail["old"], e.detail["new"]) for e in events]
        assert rows == [
            (editor.user_id, "answer", "mandate.lead_office", None, "1"),
            (editor.user_id, "answer", "mandate.lead_office", "1", "3"),
            (editor.user_id, "note", "mandate.lead_office", "", "Decree 2025-14"),
        ]
        assert all(e.at is not None for e in events)


def test_new_round_copies_profile_answers_and_notes(world):
    editor = world["actors"]["editor_own"]
    with session_scope() as s:
        svc.set_context(s, editor, world["assessment"], "returnees_present", "no")
        svc.answer(s, editor, world["assessment"], "mandate.lead_office", "2")
        svc.set_note(s, editor, world["assessment"], "mandate.lead_office", "kept")
        svc.submit(s, editor, world["assessment"])
    with session_scope() as s:
        new_id = svc.new_round(s, editor, world["assessment"]).id
    with session_scope() as s:
        view = svc.view(s, editor, new_id)
        assert view["status"] == "draft" and view["round"] == 2
        assert view["context"] == {"returnees_present": "no"}
        assert view["answers"]["mandate.lead_office"] == {"value": "2", "note": "kept", "evidence": []}


def test_role_city_change_deactivation_and_reset_end_the_sessions(world):
    """The old access ends at the next event: the browser's session no longer opens anything."""
    with session_scope() as s:
        users = {email: s.scalar(select(User).where(User.email == email))
                 for email in ("ed@tangier.org", "view@tangier.org", "ed@fes.org", "ministry@gov.org")}
        tokens = {email: auth.sign_in(s, email, PW).token for email in users}
        admin = world["actors"]["admin"]
        admin_svc.update_user(s, admin, users["ed@tangier.org"].id, "city_editor", users["ed@fes.org"].city_id)
        admin_svc.update_user(s, admin, users["view@tangier.org"].id, "city_editor", users["view@tangier.org"].city_id)
        admin_svc.set_active(s, admin, users["ed@fes.org"].id, False)
        admin_svc.reset_password(s, admin, users["ministry@gov.org"].id)
    with session_scope() as s:
        assert all(auth.user_for_token(s, token) is None for token in tokens.values())


def test_next_round_copies_only_people_who_still_belong(world):
    with session_scope() as s:
        svc.answer(s, world["actors"]["editor_own"], world["assessment"], "mandate.lead_office", "2")
        svc.submit(s, world["actors"]["editor_own"], world["assessment"])
    with session_scope() as s:
        copy = svc.new_round(s, world["actors"]["editor_own"], world["assessment"]).id
    with session_scope() as s:
        labels = sorted(r["label"] for r in svc.view(s, world["actors"]["admin"], copy)["respondents"])
    # the editor, the invited ministry; not the moved editor, the demoted one (no longer an
    # editor, never invited) nor the colleague invited before moving away
    assert labels == ["Ministry", "ed"]


def test_looking_at_an_assessment_adds_nobody_to_its_respondents(world):
    with session_scope() as s:
        before = svc.view(s, world["actors"]["editor_own"], world["assessment"])["respondents"]
    for who in ("admin", "network_staff", "viewer_own", "editor_demoted"):
        with session_scope() as s:
            svc.view(s, world["actors"][who], world["assessment"])
    with session_scope() as s:
        view = svc.view(s, world["actors"]["editor_own"], world["assessment"])
        assert view["respondents"] == before
        assert [r["group"] for r in view["respondents"]][:2] == ["municipality", "national"]
