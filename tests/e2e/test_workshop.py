"""A live workshop in real Chromium: a trainer, a presenter screen and five phones."""

import re
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from nlc_toolkit.db import repo
from nlc_toolkit.db.models import User
from nlc_toolkit.services import assessments as svc
from nlc_toolkit.services import workshops
from tests import factories
from tests.e2e.helpers import QUICK, hydrated, run_room, sign_in, watch_errors

pytestmark = pytest.mark.e2e


def test_room_answers_presenter_follows_trainer_ends_into_the_assessment(app, page, browser):
    run_room(app, page, browser, "Marrakech")


def test_a_session_on_chosen_domains(app, page):
    """The trainer ticks the domains the day covers; the session holds their questions only."""
    sign_in(page, app.url, "trainer@example.org", "demo-password")
    page.goto(app.url + "/workshops")
    hydrated(page)
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
        version = factories.latest(s)
        rabat = repo.find_city(s, "Rabat").id
        ended = workshops.end(s, trainer, workshops.create(s, trainer, rabat, version.id, []).code).code
        real = workshops.create(s, trainer, rabat, version.id, []).code
    url = app.url
    page.goto(url + "/join")
    expect(page.locator("#join-submit")).to_be_enabled()  # its websocket is open (api/phone.py)
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
        version = factories.latest(s)
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


def test_a_phone_in_arabic_joins_and_answers_by_keyboard(app, browser):
    """The phone page (api/phone.py) in Arabic, right to left, used without a pointer: the
    question and levels in Arabic, arrow keys move the answer, the projector counts it."""
    with app.db() as s:
        trainer = s.scalar(select(User).where(User.email == "trainer@example.org"))
        version = factories.latest(s)
        code = workshops.create(s, svc.actor_of(trainer), repo.find_city(s, "Rabat").id, version.id, []).code
    first = QUICK.questions[0]
    context = browser.new_context(locale="ar-MA", viewport={"width": 375, "height": 800})
    phone = context.new_page()
    phone.set_default_timeout(20_000)
    errors = watch_errors(phone)
    phone.goto(f"{app.url}/join?code={code}")  # the language comes from the phone's own settings
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    expect(phone.locator("#join-code")).to_have_value(code)
    expect(phone.locator("#join-submit")).to_be_enabled()
    phone.locator("#join-name").focus()
    phone.keyboard.type("أمينة")
    phone.keyboard.press("Tab")  # to the group
    phone.keyboard.press("Tab")  # to the join button
    phone.keyboard.press("Enter")
    expect(phone.locator("#join-question")).to_have_text(first.text["ar"])
    expect(phone.locator(".level-picker label").first).to_contain_text(QUICK.scale.levels[0].label["ar"])
    expect(phone.locator("#join-question")).to_be_focused()  # the page moved on: a screen reader reads the question
    phone.keyboard.press("Tab")  # into the radio group: the first level
    phone.keyboard.press("ArrowDown")  # native radios: the arrow picks the next level
    expect(phone.locator(".level-picker input[value='1']")).to_be_checked()
    expect(phone.locator("#room-status")).to_have_text("تم الحفظ.")
    phone.screenshot(path=f"test-artifacts/workshop-phone-ar-{app.port}.png", full_page=True)
    with app.db() as s:
        w = workshops.by_code(s, code)
        assert workshops.spread(s, w, workshops.current_question(w)).count == 1
    # The page's language can be switched from the page itself, and the answer stays.
    phone.locator("#room-languages a[lang='fr']").click()
    expect(phone.locator("html")).to_have_attribute("dir", "ltr")
    expect(phone.locator("#join-question")).to_have_text(first.text["fr"])
    expect(phone.locator(".level-picker input[value='1']")).to_be_checked()
    assert errors == []
