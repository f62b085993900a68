"""A live workshop in real Chromium: a trainer, a presenter screen and five phones."""

import io
import re
import time

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from nlc_toolkit.db import repo
from nlc_toolkit.db.models import User
from nlc_toolkit.services import assessments as svc
from nlc_toolkit.services import workshops
from tests.e2e.helpers import sign_in
from tests.e2e.test_journey import QUICK

pytestmark = pytest.mark.e2e


def phone(browser, url, code, name, group="municipality"):
    page = browser.new_context(viewport={"width": 375, "height": 800}).new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{url}/join?code={code}")
    expect(page.locator("#join-submit")).to_be_enabled()
    page.locator("#join-name").fill(name)
    page.locator("#join-group").select_option(group)
    page.locator("#join-submit").click()
    expect(page.locator("#join-question")).to_have_text(QUICK.questions[0].text["en"])
    return page


def test_room_answers_presenter_follows_trainer_ends_into_the_assessment(app, page, browser):
    run_room(app, page, browser, "Marrakech")


def run_room(app, page, browser, city_name, phones_joined=None):
    """The whole session; shared with the scaled run, which checks where the phones landed
    (`phones_joined` is called before and after they join)."""
    with app.db() as s:
        city = repo.find_city(s, city_name)
        version = next(v for v in repo.latest_questionnaires(s) if v.questionnaire_id == "nlc-quick-scan")
        version_id = version.id
        editor = repo.create_user(s, f"ws-editor@{city_name.lower()}.example.org", "e2e-password-1", "city_editor", city)
        assessment_id = svc.create(s, svc.actor_of(editor), city.id, version.id, 2026, 9).id

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
    expect(phones[0].locator(".level-picker [data-level='2']")).to_have_attribute("aria-checked", "true")

    # Lock, agree, note; the phones see the lock.
    page.locator("#ws-lock").click()
    expect(phones[1].locator("#join-locked")).to_be_visible()
    phones[1].locator(".level-picker [data-level='0']").click(force=True)
    expect(presenter.locator("#distribution .bar[data-level='0'] .bar-count")).to_have_text("0")
    page.locator("#ws-agreed").select_option("1")
    page.locator("#ws-note").fill("Agreed after discussion: a council decision exists but is not applied.")
    page.locator("#ws-note").blur()
    page.locator("#ws-next").click()
    expect(presenter.locator("#present-question")).to_have_text(QUICK.questions[1].text["en"])
    expect(phones[2].locator("#join-question")).to_have_text(QUICK.questions[1].text["en"])
    # A new question starts blank on every phone (each follows its own answers, not the last one).
    expect(phones[1].locator(".level-picker [aria-checked='true']")).to_have_count(0)
    phones[1].locator(".level-picker [data-level='2']").click()
    expect(phones[1].locator(".level-picker [data-level='2']")).to_have_attribute("aria-checked", "true")
    expect(presenter.locator("#present-count")).to_have_text("1")

    # The trainer's page survives a reload and resumes where the session is.
    page.reload()
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
    expect(phones[3].locator("#join-ended")).to_be_visible()
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


def test_a_session_on_chosen_domains(app, page):
    """The trainer ticks the domains the day covers; the session holds their questions only."""
    sign_in(page, app.url, "trainer@example.org", "demo-password")
    page.goto(app.url + "/workshops")
    chosen = [QUICK.domains[1], QUICK.domains[4]]
    expect(page.locator("#ws-domains label")).to_have_count(len(QUICK.domains))  # the quick scan's, loaded
    for domain in chosen:  # a click, then the server's answer ticks the box
        box = page.locator("#ws-domains label", has_text=domain.title["en"]).locator("input")
        box.click()
        expect(box).to_be_checked()
    page.locator("#ws-city").select_option(label="Fes")
    page.screenshot(path=f"test-artifacts/workshop-new-{app.port}.png", full_page=True)
    page.locator("#create-workshop").click()
    page.wait_for_url(re.compile(r".*/workshops/[A-Z2-9]{6}$"))
    total = sum(len(d.questions) for d in chosen)
    expect(page.locator("#console-position")).to_contain_text(f"1 / {total}")
    expect(page.locator("#console-question")).to_have_text(chosen[0].questions[0].text["en"])
    page.locator("#ws-next").click()
    expect(page.locator("#console-position")).to_contain_text(f"2 / {total}")


def test_wrong_ended_and_guessed_codes_are_refused(app, page):
    with app.db() as s:
        trainer = svc.actor_of(s.scalar(select(User).where(User.email == "trainer@example.org")))
        version = next(v for v in repo.latest_questionnaires(s) if v.questionnaire_id == "nlc-quick-scan")
        rabat = repo.find_city(s, "Rabat").id
        ended = workshops.end(s, trainer, workshops.create(s, trainer, rabat, version.id, []).code).code
        real = workshops.create(s, trainer, rabat, version.id, []).code
    url = app.url
    page.goto(url + "/join")
    expect(page.locator("#join-submit")).to_be_enabled()
    page.locator("#join-code").fill(ended)
    page.locator("#join-submit").click()
    expect(page.locator("#join-error")).to_contain_text("has ended")
    # Trying code after code is stopped (ten wrong codes a minute from one address).
    for attempt in range(10):
        page.locator("#join-code").fill(f"ZZZZZ{'ABCDEFGHJK'[attempt]}")
        page.locator("#join-submit").click()
        expect(page.locator("#join-error")).to_contain_text("does not match")
    page.locator("#join-code").fill(real)
    page.locator("#join-submit").click()
    expect(page.locator("#join-error")).to_contain_text("Too many attempts")
    # The same limit holds on the projector's route: even the real code is not looked up now.
    page.goto(f"{url}/w/{real}/present")
    expect(page.locator("#not-found")).to_be_visible()
    # The stop lifts once the window has passed (15 s in these tests; 60 s by default). Every test
    # here comes from the same address, so wait for it before the next one.
    deadline = time.monotonic() + 60
    while not page.locator("#present-question").is_visible():
        assert time.monotonic() < deadline, "the code lookup stop never lifted"
        page.goto(f"{url}/w/{real}/present")
        page.locator("#present-question, #not-found").first.wait_for()


def test_the_projector_can_show_a_second_language(app, page):
    """A mixed room reads the question in French and in Arabic at once."""
    with app.db() as s:
        trainer = s.scalar(select(User).where(User.email == "trainer@example.org"))
        version = next(v for v in repo.latest_questionnaires(s) if v.questionnaire_id == "nlc-quick-scan")
        code = workshops.create(s, svc.actor_of(trainer), repo.find_city(s, "Rabat").id, version.id, []).code
    first = QUICK.questions[0]
    page.goto(f"{app.url}/w/{code}/present?also=ar&lang=fr")
    expect(page.locator("#present-question")).to_have_text(first.text["fr"])
    also = page.locator("#present-question-also")
    expect(also).to_have_text(first.text["ar"])
    expect(also).to_have_attribute("dir", "rtl")
    expect(page.locator(".level-also").first).to_have_text(QUICK.scale.levels[0].label["ar"])
    page.screenshot(path=f"test-artifacts/workshop-presenter-fr-ar-{app.port}.png", full_page=True)
    page.locator("#present-also").select_option("en")
    expect(also).to_have_text(first.text["en"])
    expect(also).to_have_attribute("dir", "ltr")
    page.locator("#present-also").select_option("fr")  # the page's own language: shown once
    expect(page.locator("#present-question-also")).to_have_count(0)
    # And the other way round: an Arabic projector (right to left) with French beneath.
    page.goto(f"{app.url}/w/{code}/present?also=fr&lang=ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#present-question")).to_have_text(first.text["ar"])
    expect(page.locator("#present-question-also")).to_have_attribute("dir", "ltr")
    page.screenshot(path=f"test-artifacts/workshop-presenter-ar-fr-{app.port}.png", full_page=True)
