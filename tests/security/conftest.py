"""The attacker's world: two cities of our own in the running app (tests/app_server.py), their
people signed in (session tokens made in the app's database) and an assessment each; the
`unchanged` fixture checks that the database and the upload folder end as they began."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from tests.security.helpers import PASSWORD, Unchanged


@dataclass
class Person:
    email: str
    user_id: int
    token: str  # the value of the `nlc_session` cookie


@dataclass
class World:
    city_a: int
    city_b: int
    editor_a: Person  # edits city A
    viewer_a: Person  # sees city A
    editor_b: Person  # edits city B: a stranger to city A
    assessment_a: int  # city A, draft
    assessment_b: int  # city B, draft
    question: str  # a scored question of both assessments
    other_question: str  # answered in both assessments
    spare_questions: list[str]  # for tests that attach and remove evidence
    context_question: str
    context_value: str


@pytest.fixture(scope="session")
def world(app_server) -> World:
    from nlc_toolkit.db import repo
    from nlc_toolkit.db.models import QuestionnaireVersion, User
    from nlc_toolkit.services import accounts as auth
    from nlc_toolkit.services import assessments as svc
    from tests import factories

    def person(s, email, role, city) -> Person:
        user = factories.user(s, email, role, city, password=PASSWORD, display_name=email.split("@")[0])
        s.flush()
        result = auth.sign_in(s, email, PASSWORD)
        assert result.token, result.error
        return Person(email, user.id, result.token)

    tag = uuid.uuid4().hex[:6]  # the app may outlive one test session's data
    with app_server.db() as s:
        city_a = factories.city(s, f"Probe City A {tag}", country="Probeland", population_band="under_100k")
        city_b = factories.city(s, f"Probe City B {tag}", country="Probeland", population_band="under_100k")
        editor_a = person(s, f"editor-{tag}@probe-a.example.org", "city_editor", city_a)
        viewer_a = person(s, f"viewer-{tag}@probe-a.example.org", "city_viewer", city_a)
        editor_b = person(s, f"editor-{tag}@probe-b.example.org", "city_editor", city_b)
        version = s.scalars(select(QuestionnaireVersion).order_by(QuestionnaireVersion.id)).first()
        a = factories.assessment(s, s.get(User, editor_a.user_id), city_a, version, 2030)
        b = factories.assessment(s, s.get(User, editor_b.user_id), city_b, version, 2030)
        q = repo.questionnaire_model(version)
        questions = [x.id for d in q.domains for x in d.questions if not x.show_if]
        context = q.context[0]
        # Something to lose: an answer in each assessment.
        svc.answer(s, svc.actor_of(s.get(User, editor_a.user_id)), a.id, questions[1], "1")
        svc.answer(s, svc.actor_of(s.get(User, editor_b.user_id)), b.id, questions[1], "2")
        return World(city_a.id, city_b.id, editor_a, viewer_a, editor_b, a.id, b.id, questions[0], questions[1],
                     questions[2:6], context.id, context.options[0])


@pytest.fixture
def unchanged(app_server):
    """Snapshots the tables and the upload folder before the test; checked right after the test's
    body (see below), so a change fails the test itself (and counts for `xfail`)."""
    return Unchanged(app_server).__enter__()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield  # the test's body; if it failed, that failure is the report
    guard = item.funcargs.get("unchanged")
    if guard is not None:
        guard.check()
    return result


@pytest.fixture(scope="session")
def states():
    """The page state classes (imported once in the test process, for their full names)."""
    from nlc_toolkit.ui.pages.admin.page import AdminState
    from nlc_toolkit.ui.pages.assessment.state import AssessmentState
    from nlc_toolkit.ui.pages.results.state import ResultsState
    from nlc_toolkit.ui.state.auth import AuthState
    from nlc_toolkit.ui.state.lang import LangState

    return type("States", (), dict(Admin=AdminState, Assessment=AssessmentState, Results=ResultsState, Auth=AuthState,
                                    Lang=LangState))
