"""Workshop integrity in the browser: one phone is one voter, and a trainer can take someone out
of the room with their answers."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from nlc_toolkit.db import repo
from nlc_toolkit.db.models import Participant, Respondent, User, Vote, Workshop
from nlc_toolkit.services import assessments as svc
from nlc_toolkit.services import workshops
from tests import factories
from tests.e2e.helpers import QUICK, phone, sign_in

pytestmark = pytest.mark.e2e


def new_room(app, city="Rabat", feed=False) -> tuple[str, int | None]:
    with app.db() as s:
        trainer = s.scalar(select(User).where(User.email == "trainer@example.org"))
        city_row = repo.find_city(s, city)
        version = factories.latest(s)
        assessment_id = None
        if feed:
            editor = factories.user(s, f"ws-integrity@{city.lower()}.example.org", "city_editor", city_row,
                                    password="e2e-password-1")
            assessment_id = factories.assessment(s, editor, city_row, version, 2026, 11).id
        w = workshops.create(s, svc.actor_of(trainer), city_row.id, version.id, [], assessment_id)
        return w.code, assessment_id


def participants_of(app, code) -> int:
    with app.db() as s:
        return s.scalar(select(func.count(Participant.id)).join(Workshop).where(Workshop.code == code))


def test_the_same_phone_joining_again_resumes_its_participant(app, browser):
    code, _ = new_room(app)
    page = phone(browser, app.url, code, "Amina")
    page.locator(".level-picker [data-level='2']").click()
    expect(page.locator("#room-status")).to_have_text("Saved.")  # stored, not only ticked
    # The room's own token is lost (another room joined since, storage partly cleared): join again.
    page.evaluate("window.localStorage.removeItem('nlc_ws_participant'); window.localStorage.removeItem('nlc_ws_code')")
    page.goto(f"{app.url}/join?code={code}")
    expect(page.locator("#join-submit")).to_be_enabled()
    page.locator("#join-submit").click()
    expect(page.locator("#join-question")).to_have_text(QUICK.questions[0].text["en"])
    expect(page.locator(".level-picker input[value='2']")).to_be_checked()  # same voter, its answer read back
    assert participants_of(app, code) == 1


def test_a_removed_participant_takes_their_answers_with_them(app, page, browser):
    code, assessment_id = new_room(app, "Casablanca", feed=True)
    phones = [phone(browser, app.url, code, name) for name in ("Youssef", "Intruder")]
    phones[0].locator(".level-picker [data-level='1']").click()
    phones[1].locator(".level-picker [data-level='3']").click()
    sign_in(page, app.url, "trainer@example.org", "demo-password")
    page.goto(f"{app.url}/workshops/{code}")
    expect(page.locator("#console-count")).to_contain_text("2 / 2")
    rows = page.locator(".participant-row")
    expect(rows).to_have_count(2)
    rows.filter(has_text="Intruder").get_by_role("button", name="Remove").click()
    expect(rows).to_have_count(1)
    expect(page.locator("#console-count")).to_contain_text("1 / 1")
    expect(page.locator("#distribution .bar[data-level='3'] .bar-count")).to_have_text("0")
    expect(phones[1].locator("#join-submit")).to_be_visible()  # the removed phone is out of the room
    page.locator("#ws-keep").check()
    page.locator("#ws-end").click()
    expect(page.locator("#room-status")).to_have_text("Ended")
    with app.db() as s:
        labels = s.scalars(select(Respondent.label).where(Respondent.assessment_id == assessment_id)).all()
        assert [label for label in labels if "participant" in label] == [f"Workshop {code} participant 1"]
        assert s.scalar(select(func.count(Vote.id)).join(Workshop).where(Workshop.code == code)) == 1
