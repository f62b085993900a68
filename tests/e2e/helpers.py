"""What a person does in the browser, as small steps shared by the e2e tests; and the whole live
workshop session that test_workshop and test_workshop_scaled both run."""

import io
import re

from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from nlc_toolkit.core.questionnaire import load_questionnaire
from nlc_toolkit.db import repo
from tests import factories
from tests.helpers import questionnaire_file

PASSWORD = "e2e-password-1"
QUICK = load_questionnaire(questionnaire_file("nlc-quick-scan"))


def new_user(app, email: str, role: str, city: str | None = None) -> None:
    """An account made as an operator would, with `nlc create-user` (its password is its own)."""
    app.nlc("create-user", "--email", email, "--password", PASSWORD, "--role", role, *(["--city", city] if city else []))


def hydrated(page: Page) -> None:
    """Wait until the page on screen has run its on_load events (the shell's data-hydrated, which
    Reflex flips after them): typing earlier can be overwritten when the load's data arrives."""
    expect(page.locator("#page-root")).to_have_attribute("data-hydrated", "true")


def sign_in(page: Page, url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(url + "/login")
    hydrated(page)
    expect(page.locator("#login-submit")).to_be_enabled()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("#login-submit").click()
    expect(page.locator("#signed-in-as")).to_be_visible()


def replace_one_time_password(page: Page, one_time: str, new: str) -> None:
    """After signing in with a one-time password: the account page asks for a password of one's own."""
    page.wait_for_url("**/account")
    expect(page.locator("#change-password")).to_be_enabled()
    page.get_by_label("Current password").fill(one_time)
    page.get_by_label("New password", exact=True).fill(new)
    page.get_by_label("New password again").fill(new)
    page.locator("#change-password").click()
    expect(page.locator("#first-password")).to_have_count(0)


def sign_out(page: Page) -> None:
    page.locator("#sign-out").click()
    expect(page.locator("#sign-in-link")).to_be_visible()


def open_assessment(page: Page, url: str, assessment_id: int) -> None:
    page.goto(f"{url}/assessments/{assessment_id}")
    hydrated(page)
    expect(page.locator("#assessment-city, #not-found")).to_be_visible()


def question(page: Page, qid: str):
    return page.locator(f"[id='q-{qid}']")


def choose_level(page: Page, qid: str, level: str) -> None:
    card = question(page, qid)
    card.locator(f"[data-level='{level}']").click()
    expect(card.locator(f"[data-level='{level}']")).to_have_attribute("aria-checked", "true")
    expect(page.locator("#assessment-message")).to_have_attribute("role", "status")


def write_note(page: Page, qid: str, text: str) -> None:
    box = page.locator(f"[id='note-{qid}']")
    box.fill(text)
    box.blur()
    expect(page.locator("#assessment-message")).to_be_visible()


def watch_errors(page: Page) -> list[str]:
    """Collect the page's script errors (a handler that throws, an undefined var such as a form
    handler closing over a foreach var); network failures are not script errors."""
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text
            else None)
    return errors


def create_assessment(page, app) -> int:
    page.goto(app.url + "/assessments")
    expect(page.locator("#assessment-list, #no-assessments")).to_be_visible()
    page.locator("#new-assessment").click()
    page.locator("#new-questionnaire").select_option(label=QUICK.title["en"])
    page.locator("#create-assessment").click()
    page.wait_for_url(re.compile(r".*/assessments/\d+$"))
    expect(page.locator("#assessment-city")).to_be_visible()
    return int(page.url.rsplit("/", 1)[1])


def phone(browser, url, code, name, group="municipality"):
    """A phone opens the room's link (the QR code's) and joins; its page is not a Reflex page
    (api/phone.py): the join button is enabled once its websocket is open."""
    page = browser.new_context(viewport={"width": 375, "height": 800}).new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{url}/join?code={code}")
    expect(page.locator("#join-submit")).to_be_enabled()
    page.locator("#join-name").fill(name)
    page.locator("#join-group").select_option(group)
    page.locator("#join-submit").click()
    expect(page.locator("#join-question")).to_have_text(QUICK.questions[0].text["en"])
    return page


def run_room(app, page, browser, city_name, phones_joined=None):
    """The whole session; shared with the scaled run, which checks where the phones landed
    (`phones_joined` is called before and after they join)."""
    with app.db() as s:
        city = repo.find_city(s, city_name)
        version = factories.latest(s)
        version_id = version.id
        editor = factories.user(s, f"ws-editor@{city_name.lower()}.example.org", "city_editor", city,
                                password="e2e-password-1")
        assessment_id = factories.assessment(s, editor, city, version, 2026, 9).id

    sign_in(page, app.url, "trainer@example.org", "demo-password")
    page.goto(app.url + "/workshops")
    expect(page.locator("#ws-questionnaire")).to_have_value(str(version_id))  # the quick scan by default
    page.locator("#ws-city").select_option(label=city_name)
    page.locator("#ws-assessment").select_option(str(assessment_id))
    page.locator("#create-workshop").click()
    page.wait_for_url(re.compile(r".*/workshops/[A-Z2-9]{6}$"))
    code = page.url.rsplit("/", 1)[1]
    expect(page.locator("#join-url")).to_contain_text(f"/join?code={code}")
    expect(page.locator("#room-status")).to_have_text("Open")

    presenter = browser.new_context().new_page()
    presenter.set_default_timeout(20_000)
    presenter.goto(f"{app.url}/w/{code}/present")
    expect(presenter.locator("#present-question")).to_have_text(QUICK.questions[0].text["en"])
    # The projector tells the room how to join: the code in large type and a QR code of the link.
    expect(presenter.locator("#present-code")).to_have_text(code)
    expect(presenter.locator("#present-join-url")).to_have_text(f"{app.url}/join?code={code}")
    expect(presenter.locator("#present-qr")).to_have_attribute("src", re.compile(r"^data:image/svg\+xml"))

    groups = ["municipality", "municipality", "national", "national", "civil_society"]
    before = phones_joined() if phones_joined else None
    phones = [phone(browser, app.url, code, f"P{i}", g) for i, g in enumerate(groups)]
    if phones_joined:
        phones_joined(before)
    levels = ["0", "3", "1", "1", "2"]
    for p, level in zip(phones, levels):
        p.locator(f".level-picker [data-level='{level}']").click()
        expect(p.locator(f".level-picker input[value='{level}']")).to_be_checked()
    # The presenter updates by itself: count first, distribution once revealed.
    expect(presenter.locator("#present-count")).to_have_text("5")
    expect(presenter.locator("#distribution-hidden")).to_be_visible()
    # The trainer sees the spread before the room does, and is told the room does not yet.
    expect(page.locator("#distribution .bar[data-level='1'] .bar-count")).to_have_text("2")
    expect(page.locator("#distribution-preview")).to_be_visible()
    page.locator("#ws-reveal").click()
    expect(page.locator("#distribution-preview")).to_have_count(0)
    expect(presenter.locator("#distribution .bar[data-level='1'] .bar-count")).to_have_text("2")
    expect(presenter.locator("#distribution .bar[data-level='0'] .bar-count")).to_have_text("1")
    expect(presenter.locator("#present-median")).to_contain_text("1")
    expect(presenter.locator("#no-consensus")).to_be_visible()  # spread 3 >= 2
    presenter.screenshot(path=f"test-artifacts/workshop-presenter-{app.port}.png", full_page=True)
    phones[0].screenshot(path=f"test-artifacts/workshop-phone-{app.port}.png", full_page=True)

    # A participant changes their mind, then reloads: the answer is still theirs.
    phones[0].locator(".level-picker [data-level='2']").click()
    expect(presenter.locator("#distribution .bar[data-level='2'] .bar-count")).to_have_text("2")
    phones[0].reload()
    expect(phones[0].locator(".level-picker input[value='2']")).to_be_checked()

    # Lock, agree, note; the phones see the lock.
    page.locator("#ws-lock").click()
    expect(phones[1].locator("#room-notice")).to_have_text("Answers to this question are closed.")
    expect(phones[1].locator(".level-picker input[value='0']")).to_be_disabled()
    phones[1].locator(".level-picker [data-level='0']").click(force=True)
    expect(presenter.locator("#distribution .bar[data-level='0'] .bar-count")).to_have_text("0")
    page.locator("#ws-agreed").select_option("1")
    page.locator("#ws-note").fill("Agreed after discussion: a council decision exists but is not applied.")
    page.locator("#ws-note").blur()
    page.locator("#ws-next").click()
    expect(presenter.locator("#present-question")).to_have_text(QUICK.questions[1].text["en"])
    expect(phones[2].locator("#join-question")).to_have_text(QUICK.questions[1].text["en"])
    # A new question starts blank on every phone (each follows its own answers, not the last one).
    expect(phones[1].locator(".level-picker input:checked")).to_have_count(0)
    phones[1].locator(".level-picker [data-level='2']").click()
    expect(phones[1].locator(".level-picker input[value='2']")).to_be_checked()
    expect(presenter.locator("#present-count")).to_have_text("1")

    # The trainer's page survives a reload and resumes where the session is.
    page.reload()
    hydrated(page)
    expect(page.locator("#console-question")).to_have_text(QUICK.questions[1].text["en"])
    # ...and keeps following the room live after the reload, as does the presenter after its own.
    expect(page.locator("#console-count")).to_contain_text("1 / 5")
    presenter.reload()
    expect(presenter.locator("#present-count")).to_have_text("1")
    phones[2].locator(".level-picker [data-level='1']").click()
    expect(page.locator("#console-count")).to_contain_text("2 / 5")
    expect(presenter.locator("#present-count")).to_have_text("2")

    # The city's editor watches the assessment's dashboard: the session's end shows up there.
    dashboard = browser.new_context().new_page()
    dashboard.set_default_timeout(20_000)
    sign_in(dashboard, app.url, f"ws-editor@{city_name.lower()}.example.org", "e2e-password-1")
    dashboard.goto(f"{app.url}/assessments/{assessment_id}/results")
    expect(dashboard.locator("#completeness")).to_have_text("0%")

    page.locator("#ws-end-group").select_option("municipality")
    page.locator("#ws-keep").check()
    page.locator("#ws-end").click()
    expect(page.locator(".summary-row").first).to_be_visible()
    expect(page.locator("#room-status")).to_have_text("Ended")
    with page.expect_download() as download:
        page.locator("#ws-export-pdf").click()
    summary = " ".join(PdfReader(io.BytesIO(download.value.path().read_bytes())).pages[0].extract_text().split())
    assert city_name in summary and "Agreed after discussion" in summary
    with page.expect_download() as download:
        page.locator("#ws-export").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes()))["summary"]
    first_row = [c.value for c in sheet[2]]
    assert first_row[0] == QUICK.questions[0].id and first_row[-2:] == [1, "Agreed after discussion: a council decision exists but is not applied."]
    expect(phones[3].locator("#room-notice")).to_have_text("The session has ended. Thank you!")
    expect(dashboard.locator("#completeness")).not_to_have_text("0%")

    with app.db() as s:
        a = s.get(repo.Assessment, assessment_id)
        labels = {r.label: r for r in a.respondents}
        consensus = labels[f"Workshop consensus {code}"]
        agreed = {x.question_id: (x.value, x.note) for x in consensus.answers}
        assert agreed[QUICK.questions[0].id] == ("1", "Agreed after discussion: a council decision exists but is not applied.")
        anonymous = [r for r in a.respondents if r.label.startswith(f"Workshop {code} participant")]
        assert sorted(r.group for r in anonymous) == sorted(groups)
        assert sorted(x.value for r in anonymous for x in r.answers) == sorted(["2", "3", "1", "1", "2", "2", "1"])  # P1 and P2 also answered Q2
