"""An admin puts a new questionnaire version in from the browser: a file with a mistake shows its
problems by path and nothing is stored; a good file shows a preview, is registered and listed.
Others get the forbidden page."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from nlc_toolkit.db import repo
from nlc_toolkit.db.models import AuditEvent, QuestionnaireVersion, User
from nlc_toolkit.i18n import translate
from tests.e2e.helpers import hydrated, sign_in, watch_errors
from tests.helpers import readme_example_text

pytestmark = pytest.mark.e2e

# A questionnaire of its own, so the app's others stay as every other test expects them (its id
# sorts after theirs: lists of the newest versions begin with the real questionnaires).
QID = "test-upload-e2e"
V1 = readme_example_text().replace("id: example-mini", f"id: {QID}")
V2 = V1.replace("version: 1.0.0", "version: 1.1.0")
UPLOAD = "#questionnaire-upload input[type=file]"


def _without_level_3_of_first_question(text: str) -> str:
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == "questions:")
    level = next(i for i in range(start, len(lines)) if lines[i].lstrip().startswith("3:"))
    return "".join(lines[:level] + lines[level + 1:])


def _stored(app, version: str) -> QuestionnaireVersion | None:
    with app.db() as s:
        return s.scalar(select(QuestionnaireVersion).where(QuestionnaireVersion.questionnaire_id == QID,
                                                           QuestionnaireVersion.version == version))


def test_admin_uploads_a_bad_file_then_registers_a_new_version(app, page, tmp_path):
    with app.db() as s:
        repo.register_questionnaire(s, V1, "v1.yaml")
    errors = watch_errors(page)
    sign_in(page, app.url, "admin@example.org", "demo-password")
    page.goto(app.url + "/admin")
    hydrated(page)
    page.locator("#admin-questionnaires").click()
    page.wait_for_url("**/admin/questionnaires")
    expect(page.locator(f".version-row[data-key='{QID}@1.0.0']")).to_be_visible()
    expect(page.locator(".version-row[data-key='nlc-quick-scan@1.0.0']")).to_be_visible()

    # A file with a mistake: each problem with its path in the file; nothing to register.
    bad = tmp_path / "bad.yaml"
    bad.write_text(_without_level_3_of_first_question(V2), "utf-8")
    page.locator(UPLOAD).set_input_files(str(bad))
    page.locator("#questionnaire-check").click()
    problems = page.locator("#questionnaire-problems")
    expect(problems).to_have_attribute("role", "alert")
    expect(problems.locator(".problem-path").first).to_have_text("domains[0].questions[0].levels")
    expect(problems).to_contain_text("missing descriptor for level(s) 3")
    expect(page.locator("#questionnaire-register")).to_have_count(0)
    assert _stored(app, "1.1.0") is None

    # Not a questionnaire file at all.
    notes = tmp_path / "notes.txt"
    notes.write_text("hello", "utf-8")
    page.locator(UPLOAD).set_input_files(str(notes))
    page.locator("#questionnaire-check").click()
    expect(page.locator("#questionnaires-message")).to_have_attribute("role", "alert")
    expect(page.locator("#questionnaire-problems")).to_have_count(0)

    # The corrected file: a preview of a new version, then Register.
    good = tmp_path / "good.yaml"
    good.write_text(V2, "utf-8")
    page.locator(UPLOAD).set_input_files(str(good))
    page.locator("#questionnaire-check").click()
    preview = page.locator("#questionnaire-preview")
    expect(preview).to_be_visible()
    expect(page.locator("#questionnaire-problems")).to_have_count(0)
    expect(page.locator("#preview-id")).to_have_text(QID)
    expect(page.locator("#preview-version")).to_have_text("1.1.0")
    expect(page.locator("#preview-versions")).to_have_text("1.0.0")
    expect(page.locator("#preview-status")).to_contain_text(translate("questionnaires.status.new_version", "en"))
    expect(page.locator(".preview-domain")).to_have_count(2)
    page.locator("#questionnaire-register").focus()
    page.keyboard.press("Enter")  # the keyboard works as well as the mouse
    message = page.locator("#questionnaires-message")
    expect(message).to_have_attribute("role", "status")
    expect(message).to_contain_text(f"{QID} 1.1.0")
    expect(page.locator(f".version-row[data-key='{QID}@1.1.0']")).to_contain_text(translate("questionnaires.latest", "en"))
    expect(page.locator("#questionnaire-preview")).to_have_count(0)

    with app.db() as s:
        row = s.scalar(select(QuestionnaireVersion).where(QuestionnaireVersion.questionnaire_id == QID,
                                                          QuestionnaireVersion.version == "1.1.0"))
        assert row is not None and row.content == V2
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "register",
                                                  AuditEvent.entity_id == f"{QID}@1.1.0"))
        assert event.user_id == s.scalar(select(User.id).where(User.email == "admin@example.org"))

    # The same file again: identical, nothing to register; a reload still lists it.
    page.locator(UPLOAD).set_input_files(str(good))
    page.locator("#questionnaire-check").click()
    expect(page.locator("#preview-status")).to_contain_text(translate("questionnaires.status.identical", "en"))
    expect(page.locator("#questionnaire-register")).to_be_disabled()
    page.reload()
    hydrated(page)
    expect(page.locator(f".version-row[data-key='{QID}@1.1.0']")).to_be_visible()
    assert errors == []


def test_a_changed_file_under_a_stored_version_is_refused(app, page, tmp_path):
    with app.db() as s:
        if s.scalar(select(QuestionnaireVersion.id).where(QuestionnaireVersion.questionnaire_id == QID)) is None:
            repo.register_questionnaire(s, V1, "v1.yaml")
    sign_in(page, app.url, "admin@example.org", "demo-password")
    page.goto(app.url + "/admin/questionnaires")
    hydrated(page)
    expect(page.locator("#version-list")).to_be_visible()
    changed = tmp_path / "changed.yaml"
    changed.write_text(V1.replace("Mini example", "Mini example, edited"), "utf-8")
    page.locator(UPLOAD).set_input_files(str(changed))
    page.locator("#questionnaire-check").click()
    expect(page.locator("#preview-status")).to_have_attribute("role", "alert")
    expect(page.locator("#preview-status")).to_contain_text(translate("questionnaires.status.conflict", "en"))
    expect(page.locator("#questionnaire-register")).to_be_disabled()
    with app.db() as s:
        assert s.scalar(select(QuestionnaireVersion.content).where(
            QuestionnaireVersion.questionnaire_id == QID, QuestionnaireVersion.version == "1.0.0")) == V1


def test_others_get_the_forbidden_page(app, page):
    sign_in(page, app.url, "staff@example.org", "demo-password")
    page.goto(app.url + "/admin/questionnaires")
    hydrated(page)
    expect(page.locator("#forbidden")).to_be_visible()
    expect(page.locator("#version-list")).to_have_count(0)
    expect(page.locator(UPLOAD)).to_have_count(0)
