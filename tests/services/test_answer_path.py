"""One click on a level: stored and re-read in one unit of work, in a few SQL statements, without
scoring the assessment with pandas, and with the same numbers scoring gives."""

import random

import pandas as pd
import pytest
from sqlalchemy import event, func, select

from nlc_toolkit.core import progress, scoring
from nlc_toolkit.core.errors import Invalid, NotFound, Refused
from nlc_toolkit.core.policy import actor_of
from nlc_toolkit.core.questionnaire import applicable_questions, load_questionnaire
from nlc_toolkit.core.security import DEMO_PASSWORD
from nlc_toolkit.core.vocabulary import EDITABLE
from nlc_toolkit.db.models import (
    Answer,
    Assessment,
    AuditEvent,
    ContextAnswer,
    Respondent,
    StatusChange,
    User,
)
from nlc_toolkit.db.seed import seed_demo
from nlc_toolkit.db.session import get_engine, session_scope
from nlc_toolkit.services import accounts
from nlc_toolkit.services import assessments as svc
from nlc_toolkit.services.uow import signed_in
from tests.helpers import ROOT

QUESTIONNAIRES = sorted((ROOT / "questionnaires").glob("*.yaml"))
MAX_STATEMENTS = 10  # sign-in check (one query) + answer + the page's re-read (view, load) in one unit of work


# --------------------------------------------------------------------------- the reference


def _frames(s, assessment_id):
    answers = s.execute(select(Respondent.assessment_id, Respondent.id, Answer.question_id, Answer.value)
                        .join(Answer, Answer.respondent_id == Respondent.id)
                        .where(Respondent.assessment_id == assessment_id)).all()
    context = s.execute(select(ContextAnswer.assessment_id, ContextAnswer.question_id, ContextAnswer.value)
                        .where(ContextAnswer.assessment_id == assessment_id)).all()
    return (pd.DataFrame(answers, columns=scoring.ANSWER_COLUMNS),
            pd.DataFrame(context, columns=scoring.CONTEXT_COLUMNS))


def scored_view(actor, assessment_id) -> dict:
    """view() as it was before the answer path was made cheap: load, my_respondent and a pandas
    score of the whole assessment to know which questions apply. Its own unit of work."""
    with session_scope() as s:
        a = svc.load(s, actor, assessment_id)
        q = svc.questionnaire_of(a)
        me = svc.my_respondent(s, actor, a)
        answers, context = _frames(s, a.id)
        scores = scoring.score(q, answers, context, assessments=[a.id])
        table = scores.questions.loc[a.id]
        mine = {x.question_id: x for x in (me.answers if me else [])}
        domains = []
        for d in q.domains:
            ids = [x.id for x in d.questions if bool(table.at[x.id, "applicable"])]
            done = sum(1 for i in ids if i in mine and mine[i].value != "")
            domains.append({"id": d.id, "title": dict(d.title), "total": len(ids), "answered": done, "ids": ids,
                            "unanswered": [i for i in ids if i not in mine or mine[i].value == ""]})
        is_manager = svc.perm.can_manage_assessment(actor, a.city_id)
        return {
            "id": a.id,
            "city": a.city.name,
            "title": dict(q.title),
            "year": a.year,
            "round": a.round,
            "status": a.status,
            "can_manage": is_manager,
            "can_answer": (me is not None or is_manager) and a.status in EDITABLE,
            "can_review": svc.perm.can_review(actor) and a.status == "submitted",
            "my_group": me.group if me else "",
            "context": {c.question_id: c.value for c in a.context_answers},
            "domains": domains,
            "answers": {k: {"value": v.value, "note": v.note, "evidence": list(v.evidence or [])}
                        for k, v in mine.items()},
            "respondents": [
                {"label": r.label, "group": r.group, "answered": sum(1 for x in r.answers if x.value != "")}
                for r in sorted(a.respondents, key=lambda r: r.id)
            ],
            "history": [
                {"at": h.at.strftime("%Y-%m-%d %H:%M"), "from": h.from_status, "to": h.to_status,
                 "by": (h.user.display_name or h.user.email) if h.user else "", "comment": h.comment}
                for h in s.scalars(select(StatusChange).where(StatusChange.assessment_id == a.id)
                                   .order_by(StatusChange.id))
            ],
            "completeness": None if scores.completeness.isna().all() else float(scores.completeness.iloc[0]),
            "carried_over": {},  # a first round carried nothing (tests/db/test_carry_over.py has next rounds)
        }


def fresh_view(actor, assessment_id) -> dict:
    with session_scope() as s:
        return svc.view(s, actor, assessment_id)


# --------------------------------------------------------------------------- the world


@pytest.fixture
def demo(migrated):
    """The demo network of five cities; each editor's latest assessment back in draft, and a
    ministry invited to the first one."""
    with session_scope() as s:
        seed_demo(s, cities=5)
    with session_scope() as s:
        admin = s.scalar(select(User).where(User.role == "admin"))
        editors = s.scalars(select(User).where(User.role == "city_editor").order_by(User.id)).all()
        drafts = []
        for editor in editors:
            a = s.scalar(select(Assessment).where(Assessment.city_id == editor.city_id)
                         .order_by(Assessment.year.desc(), Assessment.round.desc()))
            a.status = "draft"
            drafts.append((actor_of(editor), a.id, editor.email))
        s.flush()
        ministry, _ = svc.invite(s, drafts[0][0], drafts[0][1], "focal@interior.gov", "Interior", "national")
        viewer = s.scalar(select(User).where(User.role == "city_viewer", User.city_id == editors[0].city_id))
        return {"admin": actor_of(admin), "drafts": drafts, "ministry": actor_of(ministry), "viewer": actor_of(viewer),
                "all": list(s.scalars(select(Assessment.id).order_by(Assessment.id)))}


def _domain(view, domain_id):
    return next(d for d in view["domains"] if d["id"] == domain_id)


def _check_result(result, view):
    domain = _domain(view, result.domain_id)
    assert (result.answered, result.total, list(result.ids), list(result.unanswered)) == (
        domain["answered"], domain["total"], domain["ids"], domain["unanswered"])
    assert view["answers"][result.question_id]["value"] == result.value


# --------------------------------------------------------------------------- same numbers


def test_view_is_what_scoring_gave_on_the_demo(demo):
    for aid in demo["all"]:
        assert fresh_view(demo["admin"], aid) == scored_view(demo["admin"], aid)
    for actor, aid, _ in demo["drafts"]:
        assert fresh_view(actor, aid) == scored_view(actor, aid)
    aid = demo["drafts"][0][1]
    for who in ("ministry", "viewer"):
        assert fresh_view(demo[who], aid) == scored_view(demo[who], aid)


def test_view_and_answer_results_match_scoring_on_random_answers(demo):
    rng = random.Random(7)
    editor, aid, _ = demo["drafts"][3]  # the detailed questionnaire (every fourth demo city)
    targets = [(editor, aid), (demo["drafts"][0][0], demo["drafts"][0][1]), (demo["ministry"], demo["drafts"][0][1]),
               (demo["admin"], demo["drafts"][0][1])]
    for _ in range(4):
        for actor, target in targets:
            with session_scope() as s:
                q = svc.questionnaire_of(svc.load(s, actor, target))
                for c in q.context:
                    if rng.random() < 0.3 and svc.perm.can_manage_assessment(actor, svc.load(s, actor, target).city_id):
                        svc.set_context(s, actor, target, c.id, rng.choice(c.options))
                for question in rng.sample(q.questions, 6):
                    value = rng.choice([str(v) for v in range(q.max_level + 1)] + ["na", "unknown"])
                    result = svc.answer(s, actor, target, question.id, value)
                    assert result.question_id == question.id and result.domain_id == q.domain_of[question.id].id
                    _check_result(result, svc.view(s, actor, target))
                for question in rng.sample(q.questions, 2):
                    svc.set_note(s, actor, target, question.id, f"note {rng.random()}")
            assert fresh_view(actor, target) == scored_view(actor, target)


@pytest.mark.parametrize("path", QUESTIONNAIRES, ids=lambda p: p.stem)
def test_applicability_and_completeness_are_scorings_rules(path):
    """Pure: random context (one or several answers per context question, or none) and random
    answers of several respondents; core gives what core.scoring gives, question by question."""
    q = load_questionnaire(path)
    rng = random.Random(path.stem)
    values = [str(v) for v in range(q.max_level + 1)] + ["na", "unknown", "", " NA ", "03", "x"]
    context_rows, answer_rows, expected = [], [], {}
    for a in range(300):
        context = {}
        for c in q.context:
            given = rng.sample(c.options, rng.choice([0, 0, 1, 1, 1, min(2, len(c.options))]))
            context[c.id] = given
            context_rows += [(a, c.id, v) for v in given]
        answers = {}
        for r in range(rng.randint(0, 3)):
            for question in rng.sample(q.questions, rng.randint(0, len(q.questions))):
                value = rng.choice(values)
                answers.setdefault(question.id, []).append(value)
                answer_rows.append((a, r, question.id, value))
        applicable = applicable_questions(q, context)
        expected[a] = (applicable, progress.completeness([x.id for x in q.questions if x.id in applicable], answers))
        if a % 3 == 0:  # a single answer as a plain string is the same context
            single = {k: v[0] for k, v in context.items() if len(v) == 1}
            if all(len(v) <= 1 for v in context.values()):
                assert applicable_questions(q, single) == applicable
    scores = scoring.score(q, pd.DataFrame(answer_rows, columns=scoring.ANSWER_COLUMNS),
                           pd.DataFrame(context_rows, columns=scoring.CONTEXT_COLUMNS), assessments=list(range(300)))
    for a, (applicable, completeness) in expected.items():
        table = scores.questions.loc[a]
        assert {i for i in table.index if table.at[i, "applicable"]} == applicable
        got = scores.completeness.loc[a]
        assert (completeness is None and pd.isna(got)) or completeness == got
    assert any(len(applicable) < len(q.questions) for applicable, _ in expected.values()) or not any(
        x.show_if for x in q.questions)


# --------------------------------------------------------------------------- cheap


@pytest.fixture
def count_statements():
    statements: list[str] = []

    def on_execute(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", on_execute)
    yield statements
    event.remove(engine, "before_cursor_execute", on_execute)


@pytest.fixture
def no_scoring(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("the answer path scored the assessment with pandas")

    for name in ("score", "applicability", "consolidate"):
        monkeypatch.setattr(scoring, name, refuse)
    try:
        from nlc_toolkit.db import scores as stored
    except ImportError:
        stored = None
    if stored is not None and hasattr(stored, "score"):
        monkeypatch.setattr(stored, "score", refuse)


def _page_event(s, token, actor, assessment_id, question_id, value):
    """What the assessment page does on a click on a level, in its one unit of work: who is
    signed in, the answer, the re-read of the page (view, and the questionnaire for the cards)."""
    if token is not None:
        assert signed_in(s, token).actor == actor
    result = svc.answer(s, actor, assessment_id, question_id, value)
    view = svc.view(s, actor, assessment_id)
    q = svc.questionnaire_of(svc.load(s, actor, assessment_id))
    svc.question_cards(q, result.domain_id, view["my_group"], set(_domain(view, result.domain_id)["ids"]))
    svc.context_cards(q)
    return result, view


def test_one_answer_and_the_reread_take_a_few_statements_and_no_scoring(demo, count_statements, no_scoring):
    editor, aid, email = demo["drafts"][0]
    with session_scope() as s:
        token = accounts.sign_in(s, email, DEMO_PASSWORD).token
        q = svc.questionnaire_of(svc.load(s, editor, aid))
        mine = {x.question_id for x in svc.my_respondent(s, editor, svc.load(s, editor, aid)).answers}
    conditional = next(x.id for d in q.domains if any(y.show_if for y in d.questions) for x in d.questions)
    plain = next(x.id for d in q.domains if not any(y.show_if for y in d.questions) for x in d.questions)
    unanswered = next(x.id for x in q.questions if x.id not in mine and x.id not in (conditional, plain))
    counts = {}
    for label, actor, token_, question_id, value in [
        ("conditional domain", editor, token, conditional, "1"),
        ("plain domain", editor, token, plain, "2"),
        ("same value again", editor, token, plain, "2"),
        ("a first answer", editor, token, unanswered, "na"),
        ("an invited ministry", demo["ministry"], None, plain, "3"),
    ]:
        count_statements.clear()
        with session_scope() as s:
            result, view = _page_event(s, token_, actor, aid, question_id, value)
        counts[label] = len(count_statements)
        _check_result(result, view)
        assert result.value == value
    print("statements per page event:", counts)
    assert max(counts.values()) <= MAX_STATEMENTS, (counts, count_statements)

    count_statements.clear()
    with session_scope() as s:
        svc.answer(s, editor, aid, plain, "0")
        svc.set_note(s, editor, aid, plain, "why zero")
    assert len(count_statements) <= 10, count_statements


# --------------------------------------------------------------------------- the same rules as before


def test_answer_keeps_its_audit_trail_and_refusals(demo):
    editor, aid, _ = demo["drafts"][0]
    other_editor = demo["drafts"][1][0]

    def audits():
        with session_scope() as s:
            return s.scalars(select(AuditEvent).where(AuditEvent.action == "answer").order_by(AuditEvent.id)).all()

    with session_scope() as s:
        q = svc.questionnaire_of(svc.load(s, editor, aid))
        mine = {x.question_id for x in svc.my_respondent(s, editor, svc.load(s, editor, aid)).answers}
    fresh = next(x.id for x in q.questions if x.id not in mine)
    before = len(audits())
    with session_scope() as s:
        svc.answer(s, editor, aid, fresh, " 2 ")
    with session_scope() as s:
        svc.answer(s, editor, aid, fresh, "2")  # unchanged: nothing to audit
    with session_scope() as s:
        svc.answer(s, editor, aid, fresh, "NA")
    trail = audits()[before:]
    assert [(e.detail["old"], e.detail["new"], e.detail["question"]) for e in trail] == [(None, "2", fresh),
                                                                                        ("2", "na", fresh)]
    with session_scope() as s:
        row = s.scalar(select(Answer).where(Answer.question_id == fresh, Answer.id == int(trail[0].entity_id)))
        assert row.value == "na" and row.note == "" and row.evidence == []

    for actor, question, value, error in [
        (demo["viewer"], fresh, "1", Refused),
        (other_editor, fresh, "1", NotFound),
        (editor, "no.such.question", "1", Invalid),
        (editor, fresh, str(q.max_level + 1), Invalid),
    ]:
        with pytest.raises(error), session_scope() as s:
            svc.answer(s, actor, aid, question, value)
    with pytest.raises(NotFound), session_scope() as s:
        svc.answer(s, editor, 10**20, fresh, "1")
    with session_scope() as s:
        svc.submit(s, editor, aid)
    with pytest.raises(Refused, match="locked"), session_scope() as s:
        svc.answer(s, editor, aid, fresh, "1")


def test_a_managers_first_answer_makes_their_respondent_row(demo):
    admin = demo["admin"]
    aid = demo["drafts"][2][1]
    with session_scope() as s:
        q = svc.questionnaire_of(svc.load(s, admin, aid))
        assert svc.my_respondent(s, admin, svc.load(s, admin, aid)) is None
        result = svc.answer(s, admin, aid, q.questions[0].id, "1")
        _check_result(result, svc.view(s, admin, aid))
    with session_scope() as s:
        rows = s.scalars(select(Respondent).where(Respondent.assessment_id == aid,
                                                  Respondent.user_id == admin.user_id)).all()
        assert [(r.group, r.invited) for r in rows] == [("other", False)]
        assert s.scalar(select(func.count(Answer.id)).where(Answer.respondent_id == rows[0].id)) == 1
    assert fresh_view(admin, aid) == scored_view(admin, aid)
