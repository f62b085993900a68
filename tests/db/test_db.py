"""Migrations, accounts and assessments on SQLite and on the local PostgreSQL."""

import subprocess
import sys

import pytest
from sqlalchemy import inspect, select

from nlc_toolkit.core.exports.score_document import score_document
from nlc_toolkit.core.security import verify_password
from nlc_toolkit.db import repo
from nlc_toolkit.db.migrate import downgrade, upgrade
from nlc_toolkit.db.models import AuditEvent, User
from nlc_toolkit.db.scores import answer_frames
from nlc_toolkit.db.seed import seed_demo
from nlc_toolkit.db.session import get_engine, session_scope
from tests import factories
from tests.helpers import ROOT, readme_example_text

TABLES = {"city", "app_user", "questionnaire_version", "assessment", "context_answer", "respondent", "answer",
          "audit_event", "user_session", "status_change"}


def test_migrations_up_from_empty_and_down_again(db_url):
    upgrade(db_url)
    names = set(inspect(get_engine()).get_table_names())
    assert TABLES | {"alembic_version"} <= names
    downgrade(db_url)
    assert set(inspect(get_engine()).get_table_names()) - {"alembic_version"} == set()
    upgrade(db_url)
    assert TABLES <= set(inspect(get_engine()).get_table_names())


def test_create_and_read_back_an_assessment(migrated):
    text = readme_example_text()
    with session_scope() as s:
        version = repo.register_questionnaire(s, text, "example")
        city = repo.create_city(s, "Tangier", "Morocco", "mena", "500k_1m")
        a = repo.create_assessment(s, city, version, year=2026)
        mayor = repo.add_respondent(s, a, "Mayor's office", "municipality")
        ministry = repo.add_respondent(s, a, "Ministry", "national")
        repo.set_context(s, a, "returnees_present", "no")
        repo.set_answer(s, mayor, "mandate.formal_mandate", "2", note="Council decision of 2024")
        repo.set_answer(s, mayor, "mandate.lead_office", "1")
        repo.set_answer(s, ministry, "mandate.formal_mandate", "3")
        repo.set_answer(s, ministry, "mandate.lead_office", "unknown")
        assessment_id = a.id

    with session_scope() as s:
        a = s.get(repo.Assessment, assessment_id)
        assert a.city.name == "Tangier" and a.status == "draft" and a.year == 2026
        assert a.questionnaire_version.checksum == repo.qn.checksum(text)
        assert sorted(r.group for r in a.respondents) == ["municipality", "national"]
        notes = {(r.group, ans.question_id): ans.note for r in a.respondents for ans in r.answers}
        assert notes[("municipality", "mandate.formal_mandate")] == "Council decision of 2024"
        assert notes[("national", "mandate.formal_mandate")] == ""
        q = repo.questionnaire_model(a.questionnaire_version)
        answers, context = answer_frames(s, [assessment_id])
        doc = score_document(q, answers, context, assessment=assessment_id)
    assert doc["domains"]["mandate"] == pytest.approx(50.0)
    assert doc["questions"]["reintegration.plan"]["status"] == "not_applicable"


def test_answers_of_one_respondent_never_overwrite_another(migrated):
    with session_scope() as s:
        version = factories.example_questionnaire(s)
        a = repo.create_assessment(s, factories.city(s, "Fes"), version, year=2026)
        r1, r2 = repo.add_respondent(s, a, "one"), repo.add_respondent(s, a, "two", "national")
        repo.set_answer(s, r1, "mandate.lead_office", "1")
        repo.set_answer(s, r2, "mandate.lead_office", "3")
        repo.set_answer(s, r1, "mandate.lead_office", "2")  # r1 changes their mind
        answers, _ = answer_frames(s, [a.id])
        audit = s.scalars(select(AuditEvent).where(AuditEvent.action == "answer")).all()
    assert sorted(answers["answer"]) == ["2", "3"]
    changes = [(e.detail["old"], e.detail["new"]) for e in audit]
    assert changes == [(None, "1"), (None, "3"), ("1", "2")]


def test_bad_answer_is_refused(migrated):
    with session_scope() as s:
        version = factories.example_questionnaire(s)
        a = repo.create_assessment(s, factories.city(s, "Rabat", population_band="over_1m"), version, year=2026)
        r = repo.add_respondent(s, a, "one")
        for question, value in [("mandate.lead_office", "4"), ("nope", "1"), ("mandate.lead_office", "-1")]:
            with pytest.raises(repo.RepoError):
                repo.set_answer(s, r, question, value)


def test_changed_questionnaire_under_same_version_is_refused(migrated):
    text = readme_example_text()
    with session_scope() as s:
        repo.register_questionnaire(s, text, "example")
        assert repo.register_questionnaire(s, text, "example")  # same content: idempotent
        with pytest.raises(repo.RepoError, match="already stored with other content"):
            repo.register_questionnaire(s, text.replace("Mini example", "Mini example 2"), "example")


def test_create_user_hashes_password_and_refuses_duplicates(migrated):
    with session_scope() as s:
        city = repo.create_city(s, "Agadir", "Morocco", "mena", "100k_500k")
        repo.create_user(s, "Editor@Agadir.example.org", "correct horse battery", "city_editor", city)
    with session_scope() as s:
        user = s.scalar(select(User))
        assert user.email == "editor@agadir.example.org"
        assert "correct horse" not in user.password_hash and user.password_hash.startswith("$argon2")
        assert verify_password(user.password_hash, "correct horse battery")
        assert not verify_password(user.password_hash, "wrong")
        with pytest.raises(repo.RepoError, match="already exists"):
            repo.create_user(s, "editor@agadir.example.org", "another password", "city_viewer", city)
        with pytest.raises(repo.RepoError, match="unknown role"):
            repo.create_user(s, "x@agadir.example.org", "another password", "mayor", city)
        with pytest.raises(repo.RepoError, match="needs a city"):
            repo.create_user(s, "y@agadir.example.org", "another password", "city_editor", None)


def test_create_user_command(migrated):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "nlc_toolkit", *args], capture_output=True, text=True, cwd=ROOT)

    assert run("create-city", "--name", "Oujda", "--country", "Morocco").returncode == 0
    ok = run("create-user", "--email", "a@oujda.example.org", "--password", "long enough pw", "--role", "city_editor", "--city", "Oujda")
    assert ok.returncode == 0 and "created city_editor a@oujda.example.org for Oujda" in ok.stdout
    dup = run("create-user", "--email", "a@oujda.example.org", "--password", "long enough pw", "--role", "city_viewer", "--city", "Oujda")
    assert dup.returncode == 1 and dup.stderr.strip() == "error: a user with the email a@oujda.example.org already exists"
    short = run("create-user", "--email", "b@oujda.example.org", "--password", "short", "--role", "admin")
    assert short.returncode == 1 and "at least 10 characters" in short.stderr


def test_seed_demo_is_deterministic_and_only_seeds_empty(migrated):
    with session_scope() as s:
        first = seed_demo(s, cities=6, seed=7)
        frames = answer_frames(s, list(range(1, 200)))[0]
        again = seed_demo(s, cities=6, seed=7, only_if_empty=True)
    assert first.startswith("seeded 6 cities")
    assert again == "database already holds data; demo seed skipped"
    assert len(frames) == int(first.split(", ")[3].split()[0])


def test_seed_demo_is_deterministic_for_a_seed(tmp_path, monkeypatch):
    from nlc_toolkit.db.migrate import upgrade

    def snapshot(name, seed):
        url = f"sqlite:///{tmp_path / name}"
        monkeypatch.setenv("REFLEX_DB_URL", url)
        upgrade(url)
        with session_scope() as s:
            seed_demo(s, cities=5, seed=seed)
            answers, context = answer_frames(s, list(range(1, 50)))
        return sorted(map(tuple, answers[["assessment", "group", "question", "answer"]].values.tolist())), \
            sorted(map(tuple, context.values.tolist()))

    first, again, other = snapshot("a.db", 11), snapshot("b.db", 11), snapshot("c.db", 12)
    assert first == again
    assert first != other
