"""axe-core on every page, in English, French and Arabic, as the role that uses it, with its
dialogs and tabs open: no violation of any WCAG 2.0/2.1/2.2 A or AA rule, whatever its impact.

Each test signs in once as one role and walks that role's pages; every view is checked where it
stands (the page hydrated and loaded, the dialog open, the tab shown). The README lists the views.
A failure names each view, rule, element and why; the full findings are kept under
test-artifacts/axe-<role>-<lang>.json."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from nlc_toolkit import routes
from nlc_toolkit.core.policy import actor_of
from nlc_toolkit.core.security import DEMO_PASSWORD
from nlc_toolkit.db import repo
from nlc_toolkit.db.models import User
from nlc_toolkit.services import workshops
from tests import factories
from tests.app_server import ARTIFACTS
from tests.e2e import axe
from tests.e2e.helpers import PASSWORD, QUICK, hydrated, sign_in

pytestmark = pytest.mark.e2e
LANGUAGES = ("en", "fr", "ar")


@dataclass
class View:
    name: str
    path: str  # formatted with the world's ids
    ready: str  # a selector visible once the page has hydrated and loaded
    then: Callable[[Page], None] | None = None  # opens a dialog or a tab, and waits for it


def _click_and_see(button: str, shown: str) -> Callable[[Page], None]:
    def step(page: Page) -> None:
        page.locator(button).first.click()
        expect(page.locator(shown).first).to_be_visible()
    return step


def _tab(index: int) -> Callable[[Page], None]:
    def step(page: Page) -> None:
        tab = page.get_by_role("tab").nth(index)
        tab.click()
        expect(tab).to_have_attribute("aria-selected", "true")
        expect(page.get_by_role("tabpanel")).to_be_visible()
    return step


def _open_tables(page: Page) -> None:
    """Open every chart's "Show as a table" on the page."""
    closed = page.locator("button[aria-controls][aria-expanded='false']")
    toggle_ids = [b.get_attribute("id") for b in closed.all() if b.is_visible()]
    assert toggle_ids, "no chart table to open here"
    for toggle_id in toggle_ids:
        toggle = page.locator(f"[id='{toggle_id}']")
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")


def _tab_and_tables(index: int) -> Callable[[Page], None]:
    def step(page: Page) -> None:
        _tab(index)(page)
        _open_tables(page)
    return step


def _wrong_password(page: Page) -> None:
    page.locator("#email").fill("nobody@example.org")
    page.locator("#password").fill("not-the-password")
    page.locator("#login-submit").click()
    expect(page.locator("#login-error")).to_be_visible()


def _first_domain(page: Page) -> None:
    page.locator(".domain-nav").first.click()
    expect(page.locator(".question-card").first).to_be_visible()


def _evidence_dialog(page: Page) -> None:
    _first_domain(page)
    page.locator(".attach-evidence").first.click()
    expect(page.get_by_role("dialog")).to_be_visible()


def _submit_dialog(page: Page) -> None:
    _click_and_see("#nav-overview", "#submit-assessment")(page)
    _click_and_see("#submit-assessment", "[role=alertdialog]")(page)


def _joined(page: Page) -> None:
    page.locator("#join-name").fill("Amina")
    page.locator("#join-submit").click()
    expect(page.locator("#join-question")).to_be_visible()


VIEWS: dict[str, list[View]] = {
    "visitor": [
        View("home", "/", "#app-title"),
        View("sign-in", "/login", "#login-submit:enabled"),
        View("sign-in, refused", "/login", "#login-submit:enabled", _wrong_password),
        View("join", "/join?code={code}", "#join-submit:enabled"),
        View("join, joined (phone)", "/join?code={code}", "#join-submit:enabled", _joined),
    ],
    "editor": [
        View("assessments", "/assessments", "#assessment-list"),
        View("assessments, new-assessment dialog", "/assessments", "#assessment-list",
             _click_and_see("#new-assessment", "[role=dialog]")),
        View("assessment, overview", "/assessments/{assessment}", "#assessment-city",
             _click_and_see("#nav-overview", "#submit-assessment")),
        View("assessment, profile", "/assessments/{assessment}", "#assessment-city",
             _click_and_see("#nav-profile", "#start-answering")),
        View("assessment, a domain's questions", "/assessments/{assessment}", "#assessment-city", _first_domain),
        View("assessment, evidence dialog", "/assessments/{assessment}", "#assessment-city", _evidence_dialog),
        View("assessment, submit dialog", "/assessments/{assessment}", "#assessment-city", _submit_dialog),
        View("results", "/assessments/{assessment}/results", "#results-city"),
        View("results, every chart's table shown", "/assessments/{assessment}/results", "#results-city", _open_tables),
        View("account", "/account", "#change-password"),
    ],
    "staff": [
        View("network, cities x domains", "/network", "[role=tab]"),
        View("network, benchmark", "/network", "[role=tab]", _tab(1)),
        View("network, distribution", "/network", "[role=tab]", _tab(2)),
        View("network, distribution's tables shown", "/network", "[role=tab]", _tab_and_tables(2)),
        View("network, side by side", "/network", "[role=tab]", _tab(3)),
        View("network, side by side's tables shown", "/network", "[role=tab]", _tab_and_tables(3)),
    ],
    "facilitator": [
        View("workshops", "/workshops", "#create-workshop"),
        View("workshop console", "/workshops/{code}", "#console-question"),
        View("projector", "/w/{code}/present", "#present-question"),
        View("projector, answers revealed", "/w/{revealed}/present", "#present-median"),
    ],
    "admin": [
        View("admin, users", "/admin", ".user-row"),
        View("admin, cities", "/admin", ".user-row", _tab(1)),
        View("admin, audit log", "/admin", ".user-row", _tab(2)),
        View("admin, a facilitator's cities dialog", "/admin", ".user-row",
             _click_and_see("button.assign-cities", "#assign-cities")),
        View("questionnaires", "/admin/questionnaires", "#version-list"),
    ],
}

# The demo network's staff, trainer and admin (demo password); the editor is this test's own.
EMAILS = {"editor": "a11y-editor@example.org", "staff": "staff@example.org", "facilitator": "trainer@example.org",
          "admin": "admin@example.org"}


# A French note and an Arabic one holding a Latin acronym and a number (mixed direction).
NOTES = {0: "Réunion mensuelle avec la wilaya (CLD)", 1: "اجتماع شهري مع لجنة CLD منذ 2024 برئاسة الباشا"}


@pytest.fixture(scope="module")
def world(app_server):
    """Rabat's quick scan with answers from its editor and the ministry, and a live workshop."""
    with app_server.db() as s:
        rabat = repo.find_city(s, "Rabat")
        editor = factories.user(s, EMAILS["editor"], "city_editor", rabat, password=PASSWORD)
        trainer = s.scalar(select(User).where(User.email == EMAILS["facilitator"]))
        version = factories.latest(s)
        a = factories.assessment(s, editor, rabat, version, 2026, 9)
        ministry = factories.respondent(s, a, "Ministry of the Interior", "national")
        mine = next(r for r in a.respondents if r.user_id == editor.id)
        for i, q in enumerate(QUICK.questions[:20]):
            factories.answer(s, mine, q.id, str(i % 4), note=NOTES.get(i))
            factories.answer(s, ministry, q.id, str((i + 2) % 4))
        code = workshops.create(s, actor_of(trainer), rabat.id, version.id, []).code
        # A second room whose first question has answers, shown to the room.
        revealed = workshops.create(s, actor_of(trainer), rabat.id, version.id, []).code
        trainer, ids = actor_of(trainer), {"assessment": a.id, "code": code, "revealed": revealed}
    with app_server.db() as s:  # the room is stored: phones join it and answer
        for i, level in enumerate(("1", "2", "2", "3")):
            phone = workshops.join(s, revealed, "", "", "municipality")
            workshops.vote(s, revealed, phone.token, QUICK.questions[0].id, level)
        workshops.control(s, trainer, revealed, "reveal", True)
    return ids


def _walk(page: Page, app, world: dict, views: list[View], lang: str) -> dict[str, list[dict]]:
    found = {}
    for view in views:
        try:
            found[view.name] = _check(page, app, world, view, lang)
        except Exception as e:  # a view that cannot be reached is a failure too, reported with the rest
            found[view.name] = [{"rule": "unreachable", "impact": "critical", "help": str(e).splitlines()[0],
                                 "nodes": [{"target": view.path, "html": "", "why": str(e)[:300]}]}]
    return found


def _check(page: Page, app, world: dict, view: View, lang: str) -> list[dict]:
    """Open one view in `lang` once its page has hydrated and loaded; axe's findings there."""
    page.goto(f"{app.url}{view.path.format(**world)}{'&' if '?' in view.path else '?'}lang={lang}")
    if not view.path.startswith(routes.JOIN):  # the phones' page is not a Reflex page (api/phone.py)
        hydrated(page)  # React has the page and its on_load events ran: a click now is not lost
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator(view.ready).first).to_be_visible()
    expect(page.locator("#loading")).to_have_count(0)
    if view.then:
        view.then(page)
    page.screenshot(path=ARTIFACTS / f"axe-{view.name.replace(' ', '_').replace(',', '')}-{lang}.png", full_page=True)
    return axe.violations(page)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("role", list(VIEWS))
def test_no_wcag_violations(app, page, world, role, lang):
    if role != "visitor":
        sign_in(page, app.url, EMAILS[role], PASSWORD if role == "editor" else DEMO_PASSWORD)
    found = _walk(page, app, world, VIEWS[role], lang)
    axe.dump(found, ARTIFACTS / f"axe-{role}-{lang}.json")
    print(f"axe {role} {lang}: {axe.count(found)}")
    assert not any(found.values()), "\n" + axe.describe({k: v for k, v in found.items() if v})


# The outermost elements that reach past the screen's edges (what makes the page scroll sideways).
_OVERFLOWING = """() => {
  const out = (e) => { const r = e.getBoundingClientRect(); return r.right > innerWidth + 1 || r.left < -1; };
  return Array.from(document.querySelectorAll('body *')).filter(e => out(e) && !out(e.parentElement))
    .slice(0, 6).map(e => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`.slice(0, 90) + ` ${Math.round(e.getBoundingClientRect().width)}px`);
}"""

PHONE_VIEWS = [
    ("editor", View("assessment, a domain's questions", "/assessments/{assessment}", "#assessment-city", _first_domain)),
    ("editor", View("results", "/assessments/{assessment}/results", "#results-city")),
    ("visitor", View("join, joined (phone)", "/join?code={code}", "#join-submit:enabled", _joined)),
]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_phone_pages_fit_375_px(app, browser, world, lang):
    """The pages a phone opens fit 375 px without sideways scrolling, and axe (its target-size rule
    included: 24 x 24 px) finds nothing there either."""
    found, too_wide = {}, {}
    for who in ("visitor", "editor"):
        context = browser.new_context(viewport={"width": 375, "height": 800})
        page = context.new_page()
        page.set_default_timeout(20_000)
        if who == "editor":
            sign_in(page, app.url, EMAILS["editor"])
        for _, view in (v for v in PHONE_VIEWS if v[0] == who):
            found[view.name] = _check(page, app, world, view, lang)
            width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            if width[0] > width[1]:
                too_wide[view.name] = (width, page.evaluate(_OVERFLOWING))
            page.screenshot(path=ARTIFACTS / f"phone-{view.name.split(',')[0]}-{lang}.png", full_page=True)
        context.close()
    assert not too_wide, f"sideways scrolling at 375 px ((scroll width, view width), widest elements): {too_wide}"
    assert not any(found.values()), "\n" + axe.describe({k: v for k, v in found.items() if v})


def test_user_text_keeps_its_own_direction(app, page, world):
    """In the Arabic page a French note reads left to right and an Arabic one right to left, on
    the answer page and in the results' drill-down; a Latin city name sits isolated in the title."""
    sign_in(page, app.url, EMAILS["editor"])
    _check(page, app, world, View("questions", "/assessments/{assessment}", "#assessment-city", _first_domain), "ar")
    french, arabic = QUICK.questions[0].id, QUICK.questions[1].id

    def direction(selector: str) -> str:
        return page.locator(selector).evaluate("e => getComputedStyle(e).direction")

    expect(page.locator(f"[id='note-{french}']")).to_have_value(NOTES[0])
    assert direction(f"[id='note-{french}']") == "ltr"
    assert direction(f"[id='note-{arabic}']") == "rtl"
    assert direction("#assessment-city bdi") == "ltr" and direction("#assessment-city") == "rtl"
    page.locator(f"[id='q-{arabic}']").screenshot(path=ARTIFACTS / "bidi-arabic-note-ar.png")
    page.locator(f"[id='q-{french}']").screenshot(path=ARTIFACTS / "bidi-french-note-ar.png")

    _check(page, app, world, View("results", "/assessments/{assessment}/results", "#results-city"), "ar")
    notes = page.locator("#drilldown [dir=auto]")
    expect(notes.filter(has_text="CLD").first).to_be_visible()
    assert notes.filter(has_text="Réunion").first.evaluate("e => getComputedStyle(e).direction") == "ltr"
    assert notes.filter(has_text="اجتماع").first.evaluate("e => getComputedStyle(e).direction") == "rtl"
