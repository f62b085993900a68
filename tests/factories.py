"""Small, explicit builders for the rows the tests keep making: questionnaire versions, cities,
users, assessments, respondents and answers.

Each builder takes the open session (`session_scope()` in the database tests, `app.db()` against
the running app) and returns the row it made. Nothing is made behind the caller's back: the rows
appear, with their ids and audit events, in the order the test asks for them. An assessment is
made through the service (`services.assessments.create`), as a person would make it; the rest go
through `db.repo`, as the seed and the command line do.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from nlc_toolkit.core.policy import Actor, actor_of
from nlc_toolkit.core.questionnaire import Questionnaire, load_questionnaire
from nlc_toolkit.db import repo
from nlc_toolkit.db.migrate import upgrade
from nlc_toolkit.db.models import (
    Answer,
    Assessment,
    City,
    QuestionnaireVersion,
    Respondent,
    User,
)
from nlc_toolkit.db.seed import seed_demo
from nlc_toolkit.db.session import session_scope
from nlc_toolkit.services import assessments as svc
from nlc_toolkit.services import workshops
from tests.helpers import ROOT, questionnaire_file, readme_example_text

PASSWORD = "long enough password"
QUESTIONNAIRES = ROOT / "questionnaires"
QUICK = questionnaire_file("nlc-quick-scan")


def _id(row_or_id) -> int:
    return row_or_id if isinstance(row_or_id, int) else row_or_id.id


# --------------------------------------------------------------------------- questionnaires


def questionnaire(s: Session, name: str = "nlc-quick-scan", version: str | None = None) -> QuestionnaireVersion:
    """A shipped questionnaire, registered (idempotent): its newest version unless `version` says."""
    path = questionnaire_file(name, version)
    return repo.register_questionnaire(s, path.read_text("utf-8"), str(path))


def every_questionnaire(s: Session) -> list[QuestionnaireVersion]:
    """Every questionnaires/*.yaml, registered as `nlc migrate` does."""
    return repo.sync_questionnaires(s)


def example_questionnaire(s: Session) -> QuestionnaireVersion:
    """The mini example of questionnaires/README.md (two domains, `returnees_present` in its profile)."""
    return repo.register_questionnaire(s, readme_example_text(), "example")


def latest(s: Session, questionnaire_id: str = "nlc-quick-scan") -> QuestionnaireVersion:
    """The newest stored version of a questionnaire already registered (the running app's seed)."""
    return next(v for v in repo.latest_questionnaires(s) if v.questionnaire_id == questionnaire_id)


def quick_scan() -> Questionnaire:
    """The quick scan as parsed from its file."""
    return load_questionnaire(QUICK)


# --------------------------------------------------------------------------- cities and people


def city(s: Session, name: str = "Tangier", *, country: str = "Morocco", region: str = "mena",
         population_band: str = "500k_1m") -> City:
    return repo.create_city(s, name, country, region, population_band)


def user(s: Session, email: str, role: str, city: City | None = None, *, password: str = PASSWORD, **more) -> User:
    """An account; `more` goes to repo.create_user (display_name, one_time, demo...)."""
    return repo.create_user(s, email, password, role, city, **more)


def actor(s: Session, email: str, role: str, city: City | None = None, **more) -> Actor:
    """A new account as the services see it."""
    return actor_of(user(s, email, role, city, **more))


# --------------------------------------------------------------------------- assessments and answers


def assessment(s: Session, by: User | Actor, city: City | int, version: QuestionnaireVersion | int,
               year: int = 2026, round: int = 1) -> Assessment:
    """A draft made by `by` through the service: its status row, and `by` as its first respondent
    when they manage the city."""
    who = by if isinstance(by, Actor) else actor_of(by)
    return svc.create(s, who, _id(city), _id(version), year, round)


def respondent(s: Session, assessment: Assessment, label: str, group: str = "municipality",
               user: User | None = None, *, invited: bool = True) -> Respondent:
    """A respondent row; with a user, an invitation (it grants them the assessment) unless
    `invited=False`."""
    return repo.add_respondent(s, assessment, label, group, user, invited=invited)


def answer(s: Session, respondent: Respondent, question_id: str, value: str, *, by: User | None = None,
           note: str | None = None) -> Answer:
    """One answer written straight into a respondent's row (no permission check)."""
    return repo.set_answer(s, respondent, question_id, value, note=note, by_user_id=by.id if by else None)


# --------------------------------------------------------------------------- worlds several tests share


def tangier_with_ministry(s: Session) -> dict:
    """Tangier's quick scan of 2025, made by its editor, with the Interior ministry's focal point
    invited: {"editor", "ministry" (actors), "assessment", "version", "city" (ids)}."""
    version = questionnaire(s)
    tangier = city(s, "Tangier")
    editor = user(s, "ed@tangier.org", "city_editor", tangier)
    ministry = user(s, "focal@interior.gov", "respondent")
    a = assessment(s, editor, tangier, version, 2025)
    respondent(s, a, "Interior", "national", ministry)
    return {"editor": actor_of(editor), "ministry": actor_of(ministry), "assessment": a.id,
            "version": version.id, "city": tangier.id}


def answer_some(world: dict, assessment_id: int, levels: list[int]) -> Questionnaire:
    """The quick scan's first 12 questions answered by `world`'s editor (levels in turn) and its
    ministry (two levels higher, at most 3), with no returnees; returns the questionnaire."""
    q = quick_scan()
    with session_scope() as s:
        svc.set_context(s, world["editor"], assessment_id, "returnees_present", "no")
        for i, question in enumerate(q.questions[:12]):
            svc.answer(s, world["editor"], assessment_id, question.id, str(levels[i % len(levels)]))
            svc.answer(s, world["ministry"], assessment_id, question.id, str(min(3, levels[i % len(levels)] + 2)))
    return q


def demo_network(path: Path, monkeypatch, *, cities: int, seed: int) -> str:
    """A migrated SQLite file at `path` holding the demo network; REFLEX_DB_URL points at it.
    Returns its URL."""
    url = f"sqlite:///{path}"
    upgrade(url)
    monkeypatch.setenv("REFLEX_DB_URL", url)
    with session_scope() as s:
        seed_demo(s, cities=cities, seed=seed)
    return url


def workshop(s: Session, city_name: str = "Tangier"):
    """A live room of the quick scan for a city, opened by a facilitator an admin assigned to it;
    returns (the room, its trainer as an Actor)."""
    version = questionnaire(s)
    place = city(s, city_name)
    trainer = actor(s, "trainer@scn.org", "facilitator")
    admin = actor(s, "admin@scn.org", "admin")
    workshops.assign_cities(s, admin, trainer.user_id, [place.id])
    return workshops.create(s, trainer, place.id, version.id, []), trainer
