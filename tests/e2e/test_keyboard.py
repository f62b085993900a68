"""Answering with the keyboard alone: Tab reaches each question's level picker once (a radio group
with one tab stop), the arrow keys move and choose (in the reading direction: in Arabic the left
arrow moves forward), "don't know" is in the same group, a note is typed and saved on leaving it,
and Enter on "Next" opens the next domain. No mouse after the page has loaded."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from nlc_toolkit.db import repo
from nlc_toolkit.db.models import Answer, Respondent
from tests import factories
from tests.e2e.helpers import PASSWORD, QUICK, hydrated, sign_in

pytestmark = pytest.mark.e2e


def tab_to(page: Page, selector: str, limit: int = 300) -> None:
    """Press Tab until the focused element matches `selector` (as a keyboard user moves)."""
    for _ in range(limit):
        if page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def focus_ring(page: Page) -> str:
    """The focused element's outline as drawn (style, width): every element reached by Tab shows one."""
    return page.evaluate("() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle + ' ' + s.outlineWidth; }")


def focused_level(page: Page) -> str:
    return page.evaluate("() => document.activeElement.getAttribute('data-level')")


def _editor_with_draft(app) -> tuple[str, int]:
    email = f"keys-{uuid.uuid4().hex[:6]}@example.org"
    with app.db() as s:
        rabat = repo.find_city(s, "Rabat")
        editor = factories.user(s, email, "city_editor", rabat, password=PASSWORD)
        return email, factories.assessment(s, editor, rabat, factories.latest(s), 2027, 1).id


def _stored(app, assessment_id: int) -> dict[str, tuple[str, str | None]]:
    with app.db() as s:
        rows = s.execute(select(Answer.question_id, Answer.value, Answer.note).join(Respondent)
                         .where(Respondent.assessment_id == assessment_id)).all()
        return {q: (v, n) for q, v, n in rows}


def _open_first_domain(page: Page, app, assessment_id: int, lang: str) -> list[str]:
    page.goto(f"{app.url}/assessments/{assessment_id}?lang={lang}")
    hydrated(page)
    expect(page.locator("#assessment-city")).to_be_visible()  # hydrated and loaded
    tab_to(page, ".domain-nav")
    page.keyboard.press("Enter")
    expect(page.locator("#domain-title")).to_have_text(QUICK.domains[0].title[lang])
    cards = page.locator(".question-card")
    expect(cards.first).to_be_visible()
    return [cards.nth(i).get_attribute("id")[2:] for i in range(3)]


def test_three_answers_a_note_and_the_next_domain_by_keyboard(app, page):
    email, assessment_id = _editor_with_draft(app)
    sign_in(page, app.url, email)
    first, second, third = _open_first_domain(page, app, assessment_id, "en")

    def group(qid: str):
        return page.locator(f"[id='q-{qid}'] [role=radiogroup]")

    # One tab stop per group: with nothing chosen, the first level.
    expect(group(first).locator("[role=radio][tabindex='0']")).to_have_count(1)
    tab_to(page, f"[id='q-{first}'] [role=radio][tabindex='0']")
    assert focused_level(page) == "0"
    assert focus_ring(page) == "solid 2px"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert focused_level(page) == "2"
    expect(group(first).locator("[data-level='2']")).to_have_attribute("aria-checked", "true")
    expect(group(first).locator("[role=radio][tabindex='0']")).to_have_attribute("data-level", "2")

    # Tab leaves the group at once (not one stop per level) and reaches the note.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == f"note-{first}"
    page.keyboard.type("Monthly meeting with the wilaya since March")
    page.keyboard.press("Tab")  # leaving the field saves it
    expect(page.locator("#assessment-message")).to_be_visible()

    tab_to(page, f"[id='q-{second}'] [role=radio][tabindex='0']")
    page.keyboard.press("ArrowDown")
    expect(group(second).locator("[data-level='1']")).to_have_attribute("aria-checked", "true")

    # Up from the first level wraps to the group's last option: "don't know" is in the group.
    tab_to(page, f"[id='q-{third}'] [role=radio][tabindex='0']")
    page.keyboard.press("ArrowUp")
    assert focused_level(page) == "unknown"
    expect(group(third).locator("[data-level='unknown']")).to_have_attribute("aria-checked", "true")
    page.screenshot(path=f"test-artifacts/keyboard-en-{app.port}.png", full_page=True)

    tab_to(page, "#next-domain")
    assert focus_ring(page) == "solid 2px"
    page.keyboard.press("Enter")
    expect(page.locator("#domain-title")).to_have_text(QUICK.domains[1].title["en"])

    stored = _stored(app, assessment_id)
    assert stored[first] == ("2", "Monthly meeting with the wilaya since March")
    assert stored[second][0] == "1" and stored[third][0] == "unknown"


def test_in_arabic_the_left_arrow_moves_forward(app, page):
    email, assessment_id = _editor_with_draft(app)
    sign_in(page, app.url, email)
    first, *_ = _open_first_domain(page, app, assessment_id, "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    group = page.locator(f"[id='q-{first}'] [role=radiogroup]")
    # Named by the question, each level described by its descriptor.
    assert group.get_attribute("aria-labelledby") == f"qt-{first}"
    level = group.locator("[data-level='1']")
    described = page.locator(f"[id='{level.get_attribute('aria-describedby')}']")
    expect(described).to_have_text(QUICK.question_by_id[first].levels[1]["ar"])

    tab_to(page, f"[id='q-{first}'] [role=radio][tabindex='0']")
    page.keyboard.press("ArrowLeft")
    assert focused_level(page) == "1"
    expect(level).to_have_attribute("aria-checked", "true")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowRight")
    assert focused_level(page) == "1"
    expect(level).to_have_attribute("aria-checked", "true")
    page.screenshot(path=f"test-artifacts/keyboard-ar-{app.port}.png", full_page=True)
