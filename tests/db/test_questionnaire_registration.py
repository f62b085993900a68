"""Questionnaire registration (issue 12): `nlc migrate` and `nlc questionnaires list|sync` register
the files of a folder on a database that holds data; a file changed under a stored version is
refused and changes nothing; an admin's upload is previewed with its problems by path and
registered only after validating again; nobody else may do either."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from nlc_toolkit import cli
from nlc_toolkit.core.errors import Invalid, Refused
from nlc_toolkit.core.policy import actor_of
from nlc_toolkit.db import repo
from nlc_toolkit.db.models import Assessment, AuditEvent, City, QuestionnaireVersion
from nlc_toolkit.db.session import session_scope
from nlc_toolkit.services import accounts
from nlc_toolkit.services import questionnaires as svc
from tests.helpers import drain, readme_example_text, run_coroutine

PW = "long enough password"
EXAMPLE = readme_example_text()  # example-mini 1.0.0, three questions in two domains
V11 = EXAMPLE.replace("version: 1.0.0", "version: 1.1.0")
CHANGED = EXAMPLE.replace("Mini example", "Mini example, edited")  # same version, other text
OTHER = EXAMPLE.replace("id: example-mini", "id: example-other")


def _without_level_3_of_first_question(text: str) -> str:
    """The text with level 3's descriptor removed from the first question: a problem at a path."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == "questions:")
    level = next(i for i in range(start, len(lines)) if lines[i].lstrip().startswith("3:"))
    return "".join(lines[:level] + lines[level + 1:])


def _counts(s) -> tuple[int, int]:
    return (s.scalar(select(func.count(QuestionnaireVersion.id))),
            s.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.entity == "questionnaire")))


@pytest.fixture
def holding_data(migrated):
    """A database that holds data: example-mini 1.0.0, a city, an admin, other roles and an
    assessment made with that version."""
    with session_scope() as s:
        version = repo.register_questionnaire(s, EXAMPLE, "example.yaml")
        city = repo.create_city(s, "Tangier", "Morocco", "mena", "500k_1m")
        users = {role: repo.create_user(s, f"{role}@x.org", PW, role, city if role.startswith("city_") else None)
                 for role in ("admin", "network_staff", "city_editor", "city_viewer", "facilitator")}
        assessment = repo.create_assessment(s, city, version, 2026)
        return {"version": version.id, "assessment": assessment.id,
                "actors": {role: actor_of(u) for role, u in users.items()}}


def _folder(tmp_path, **files: str):
    folder = tmp_path / "questionnaires"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(text, "utf-8")
    return folder


# --------------------------------------------------------------------------- command line and sync


def test_migrate_registers_a_new_file_on_a_database_that_holds_data(holding_data, tmp_path, capsys):
    folder = _folder(tmp_path, example=EXAMPLE, example_v11=V11, other=OTHER)
    # The old path: seed-demo --if-empty stops at the data and registers nothing.
    assert cli.main(["seed-demo", "--if-empty"]) == 0
    with session_scope() as s:
        assert _counts(s)[0] == 1

    assert cli.main(["migrate", "--questionnaires-dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "database is up to date" in out
    assert f"registered {folder / 'example_v11.yaml'}: example-mini 1.1.0" in out
    assert f"registered {folder / 'other.yaml'}: example-other 1.0.0" in out
    assert "2 registered, 1 already stored" in out
    with session_scope() as s:
        assert sorted(s.execute(select(QuestionnaireVersion.questionnaire_id, QuestionnaireVersion.version)).all()) \
            == [("example-mini", "1.0.0"), ("example-mini", "1.1.0"), ("example-other", "1.0.0")]
        # The assessment keeps its version; new assessments are offered the newest one.
        assert s.get(Assessment, holding_data["assessment"]).questionnaire_version_id == holding_data["version"]
        latest = {q["id"]: q for q in svc.latest(s)}
        assert latest["example-mini"]["version"] == "1.1.0"
        assert latest["example-mini"]["key"] == "example-mini@1.1.0"
        assert (latest["example-mini"]["domains"], latest["example-mini"]["questions"]) == (2, 3)
        assert set(latest["example-mini"]["title"]) == {"en", "fr", "ar"}
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "register").order_by(AuditEvent.id)).all()
        assert [e.detail["source"] for e in events][-2:] == ["example_v11.yaml", "other.yaml"]

    # Again: nothing to do.
    assert cli.main(["migrate", "--questionnaires-dir", str(folder)]) == 0
    assert "0 registered, 3 already stored" in capsys.readouterr().out

    assert cli.main(["questionnaires", "list", "--dir", str(folder)]) == 0
    listing = capsys.readouterr().out
    assert "example-mini 1.1.0 (latest)" in listing
    assert "example-mini 1.0.0: 2 domains, 3 questions, 1 assessments" in listing
    assert f"{folder / 'other.yaml'} (example-other 1.0.0): registered" in listing


def test_a_file_changed_under_a_stored_version_is_refused_and_changes_nothing(holding_data, tmp_path, capsys):
    folder = _folder(tmp_path, example=CHANGED)
    with session_scope() as s:
        before, content = _counts(s), s.get(QuestionnaireVersion, holding_data["version"]).content

    assert cli.main(["questionnaires", "sync", "--dir", str(folder)]) == 1
    err = capsys.readouterr().err
    assert f"{folder / 'example.yaml'}: example-mini version 1.0.0 is already stored with other content" in err
    assert "give the changed file a new version" in err
    assert cli.main(["migrate", "--questionnaires-dir", str(folder)]) == 1
    capsys.readouterr()
    with session_scope() as s:
        assert _counts(s) == before
        assert s.get(QuestionnaireVersion, holding_data["version"]).content == content
        assert [f["state"] for f in svc.files(s, folder)] == ["conflict"]

    # A good file next to it goes in; the changed one is still refused.
    (folder / "other.yaml").write_text(OTHER, "utf-8")
    (folder / "broken.yaml").write_text("id: broken\n", "utf-8")
    assert cli.main(["questionnaires", "list", "--dir", str(folder)]) == 1
    listing = capsys.readouterr().out
    assert "example.yaml (example-mini 1.0.0): ERROR: changed under a stored version" in listing
    assert "broken.yaml: ERROR: does not validate" in listing
    assert "other.yaml (example-other 1.0.0): new, not registered" in listing
    with session_scope() as s:
        report = svc.sync(s, folder)
    assert report.registered == [f"{folder / 'other.yaml'}: example-other 1.0.0"]
    assert any("example.yaml" in line and "other content" in line for line in report.refused)
    assert f"{folder / 'broken.yaml'}: version: required field is missing" in report.refused
    with session_scope() as s:
        assert _counts(s) == (before[0] + 1, before[1] + 1)
        assert s.get(QuestionnaireVersion, holding_data["version"]).content == content


def test_files_are_compared_without_parsing_what_is_stored(holding_data, tmp_path):
    folder = _folder(tmp_path, example=EXAMPLE, v11=V11, other=OTHER)
    with session_scope() as s:
        states = {f["file"].rsplit("/", 1)[1]: (f["id"], f["version"], f["state"]) for f in svc.files(s, folder)}
    assert states == {"example.yaml": ("example-mini", "1.0.0", "identical"),
                      "v11.yaml": ("example-mini", "1.1.0", "new_version"),
                      "other.yaml": ("example-other", "1.0.0", "new")}


# --------------------------------------------------------------------------- an admin's upload


def test_preview_reports_every_problem_with_its_path(holding_data):
    admin = holding_data["actors"]["admin"]
    with session_scope() as s:
        result = svc.preview(s, admin, _without_level_3_of_first_question(V11).encode())
        assert result["ok"] is False and result["status"] == "invalid"
        assert {"path": "domains[0].questions[0].levels", "message": "missing descriptor for level(s) 3"} \
            in result["problems"]

        result = svc.preview(s, admin, V11.replace("show_if:", "show_iff:", 1))
        assert result["problems"] == [{"path": "domains[1].questions[0].show_iff",
                                       "message": "unknown field (check its spelling)"}]

        result = svc.preview(s, admin, "id: [unclosed\n")
        assert result["ok"] is False and result["problems"][0]["path"].startswith("line ")

        with pytest.raises(Invalid, match="questionnaires.error.not_text"):
            svc.preview(s, admin, b"\xff\xfe not utf-8")
        with pytest.raises(Invalid, match="questionnaires.error.too_large"):
            svc.preview(s, admin, b"#" * (svc.MAX_BYTES + 1))
        assert _counts(s)[0] == 1


def test_preview_summarises_and_says_what_registering_would_do(holding_data):
    admin = holding_data["actors"]["admin"]
    with session_scope() as s:
        result = svc.preview(s, admin, V11.replace("\n", "\r\n").encode())  # Windows line ends: the same text
        assert result["ok"] and result["status"] == "new_version"
        assert (result["id"], result["version"], result["languages"], result["versions"]) == \
            ("example-mini", "1.1.0", ["en", "fr", "ar"], ["1.0.0"])
        assert result["title"]["fr"] == "Mini exemple"
        assert [(d["id"], d["questions"]) for d in result["domains"]] == [("mandate", 2), ("reintegration", 1)]
        assert svc.preview(s, admin, OTHER)["status"] == "new"
        assert svc.preview(s, admin, EXAMPLE)["status"] == "identical"
        assert svc.preview(s, admin, CHANGED)["status"] == "conflict"
        assert _counts(s)[0] == 1


def test_register_validates_again_stores_and_audits(holding_data):
    admin = holding_data["actors"]["admin"]
    with session_scope() as s:
        before = _counts(s)
        with pytest.raises(Invalid, match="questionnaires.error.invalid") as refused:
            svc.register(s, admin, _without_level_3_of_first_question(V11))
        assert refused.value.values["reason"] == "domains[0].questions[0].levels: missing descriptor for level(s) 3"
        with pytest.raises(Invalid, match="questionnaires.error.conflict") as refused:
            svc.register(s, admin, CHANGED)
        assert refused.value.values["reason"] == "example-mini 1.0.0"
        assert _counts(s) == before
        assert svc.register(s, admin, EXAMPLE)["status"] == "identical"
        assert _counts(s) == before

        done = svc.register(s, admin, V11.encode())
        assert (done["id"], done["version"], done["status"]) == ("example-mini", "1.1.0", "new_version")
        assert svc.register(s, admin, OTHER)["status"] == "new"
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "register").order_by(AuditEvent.id.desc())).first()
        assert (event.user_id, event.entity_id) == (admin.user_id, "example-other@1.0.0")
    with session_scope() as s:
        rows = svc.versions(s, admin)
        assert [(r["key"], r["latest"], r["assessments"]) for r in rows] == [
            ("example-mini@1.1.0", True, 0), ("example-mini@1.0.0", False, 1), ("example-other@1.0.0", True, 0)]


def test_only_an_admin_may_list_preview_or_register(holding_data):
    for role in ("network_staff", "city_editor", "city_viewer", "facilitator"):
        actor = holding_data["actors"][role]
        with session_scope() as s:
            for call in (lambda: svc.versions(s, actor), lambda: svc.preview(s, actor, V11),
                         lambda: svc.register(s, actor, V11), lambda: svc.check(actor)):
                with pytest.raises(Refused, match="error.forbidden"):
                    call()
    with session_scope() as s:
        assert _counts(s)[0] == 1


# --------------------------------------------------------------------------- the page's state


class _Upload:
    """What Reflex hands an upload handler: a name and an async read."""

    def __init__(self, name: str, data: bytes):
        self.name, self._data = name, io.BytesIO(data)

    async def read(self, size: int = -1) -> bytes:
        return self._data.read(size)


def _state(email: str):
    """The page's state in a tab signed in as `email` (no browser: the handlers are called as
    Reflex calls them)."""
    from reflex.state import State

    from nlc_toolkit.ui.pages.questionnaires.state import QuestionnairesState

    with session_scope() as s:
        token = accounts.sign_in(s, email, PW).token
    state = State(_reflex_internal_init=True).get_substate(QuestionnairesState.get_full_name().split(".")[1:])
    state.session_token = token
    return QuestionnairesState, state


def test_page_state_checks_previews_and_registers_only_the_servers_copy(holding_data):
    Q, state = _state("admin@x.org")

    async def steps():
        await drain(Q.load.fn(state))
        assert state.error == "" and [v["key"] for v in state.versions] == ["example-mini@1.0.0"]

        await drain(Q.check_file.fn(state, [_Upload("bad.yaml", _without_level_3_of_first_question(V11).encode())]))
        assert state.status == "invalid" and not state.can_register
        assert {"path": "domains[0].questions[0].levels", "message": "missing descriptor for level(s) 3"} \
            in [dict(p) for p in state.problems]
        await drain(Q.register.fn(state))
        assert (state.message, state.message_is_error) == ("questionnaires.error.nothing", True)

        for name, data, key in (("notes.txt", V11.encode(), "questionnaires.error.not_yaml"),
                                ("big.yaml", b"#" * (svc.MAX_BYTES + 1), "questionnaires.error.too_large"),
                                ("latin1.yaml", "titre: é".encode("latin-1"), "questionnaires.error.not_text")):
            await drain(Q.check_file.fn(state, [_Upload(name, data)]))
            assert (state.message, state.status) == (key, "")
        await drain(Q.check_file.fn(state, []))
        assert state.message == "questionnaires.error.no_file"

        await drain(Q.check_file.fn(state, [_Upload("v11.yaml", V11.encode())]))
        assert (state.status, state.file_name, state.can_register) == ("new_version", "v11.yaml", True)
        assert state.summary["version"] == "1.1.0" and state.problems == []
        await drain(Q.register.fn(state))
        assert (state.message, state.message_detail, state.message_is_error) == \
            ("questionnaires.registered", "example-mini 1.1.0", False)
        assert [v["key"] for v in state.versions] == ["example-mini@1.1.0", "example-mini@1.0.0"]
        assert state.status == "" and state._text == ""

        await drain(Q.check_file.fn(state, [_Upload("changed.yaml", CHANGED.encode())]))
        assert (state.status, state.can_register) == ("conflict", False)

    run_coroutine(steps())
    with session_scope() as s:
        assert _counts(s)[0] == 2


def test_page_state_shows_forbidden_to_others(holding_data):
    Q, state = _state("network_staff@x.org")

    async def steps():
        await drain(Q.load.fn(state))
        assert (state.error, state.versions) == ("forbidden", [])
        state.error = ""
        await drain(Q.check_file.fn(state, [_Upload("v11.yaml", V11.encode())]))
        assert state.error == "forbidden" and state.status == ""

    run_coroutine(steps())
    with session_scope() as s:
        assert _counts(s)[0] == 1
        assert s.scalar(select(func.count(City.id))) == 1


def test_the_newest_versions_are_parsed_when_the_server_starts(holding_data, monkeypatch):
    """`parse_latest` (run by the backend's start, nlc_toolkit.py) leaves every questionnaire's
    newest version parsed in the process, so no user's first page parses it."""
    monkeypatch.setattr(repo, "_model_cache", {})
    with session_scope() as s:
        latest = {row.checksum for row in repo.latest_questionnaires(s)}
        assert svc.parse_latest(s) == len(latest) >= 1
    assert set(repo._model_cache) == latest
