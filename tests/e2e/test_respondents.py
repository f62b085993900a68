"""Several respondents: an editor invites a national counterpart; both answer at the same time."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete

from nlc_toolkit.db.models import UserSession
from tests.e2e.helpers import (
    PASSWORD,
    QUICK,
    choose_level,
    create_assessment,
    hydrated,
    new_user,
    open_assessment,
    question,
    replace_one_time_password,
    sign_in,
)

pytestmark = pytest.mark.e2e


def test_invited_counterpart_and_editor_answer_at_once_and_both_are_kept(app, page, browser):
    new_user(app, "editor@marrakech-2.example.org", "city_editor", "Marrakech")
    sign_in(page, app.url, "editor@marrakech-2.example.org")
    assessment_id = create_assessment(page, app)

    page.locator("#nav-overview").click()
    form = page.locator("form").filter(has=page.get_by_role("button", name="Invite"))
    form.get_by_label("Email").fill("focal.point@interior.example.org")
    form.get_by_label("Name").fill("Ministry focal point")
    form.get_by_label("Group").select_option("national")
    form.get_by_role("button", name="Invite").click()
    expect(page.locator("#invited-password")).to_be_visible()
    password = page.locator("#invited-password").inner_text()
    expect(page.locator(".respondent-row")).to_have_count(2)

    other = browser.new_context().new_page()
    other.set_default_timeout(20_000)
    sign_in(other, app.url, "focal.point@interior.example.org", password)
    replace_one_time_password(other, password, "focal point passphrase")  # an invitation's password is one-time
    open_assessment(other, app.url, assessment_id)
    qid = QUICK.domains[0].questions[0].id
    for p in (page, other):
        p.locator(f".domain-nav[data-domain='{QUICK.domains[0].id}']").click()
        expect(question(p, qid)).to_be_visible()
    # Both click within the same moment; each keeps their own answer.
    question(page, qid).locator("[data-level='1']").click()
    question(other, qid).locator("[data-level='3']").click()
    expect(question(page, qid).locator("[data-level='1']")).to_have_attribute("aria-checked", "true")
    expect(question(other, qid).locator("[data-level='3']")).to_have_attribute("aria-checked", "true")
    for p in (page, other):
        p.reload()
        hydrated(p)
    expect(question(page, qid).locator("[data-level='1']")).to_have_attribute("aria-checked", "true")
    expect(question(other, qid).locator("[data-level='3']")).to_have_attribute("aria-checked", "true")
    page.locator("#nav-overview").click()
    rows = page.locator(".respondent-row")
    expect(rows.filter(has_text="Ministry focal point")).to_contain_text("1")
    other.context.close()


def test_stale_session_sends_to_sign_in_with_a_message_and_loses_nothing(app, page):
    new_user(app, "editor@rabat-2.example.org", "city_editor", "Rabat")
    sign_in(page, app.url, "editor@rabat-2.example.org")
    assessment_id = create_assessment(page, app)
    page.locator("#start-answering").click()
    qid = QUICK.domains[0].questions[0].id
    choose_level(page, qid, "2")
    with app.db() as s:  # the server forgets every session, as when one expires
        s.execute(delete(UserSession))
    question(page, qid).locator("[data-level='3']").click()
    expect(page.locator("#session-expired")).to_be_visible()
    page.get_by_label("Email").fill("editor@rabat-2.example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("#login-submit").click()
    page.wait_for_url(f"**/assessments/{assessment_id}")
    expect(question(page, qid).locator("[data-level='2']")).to_have_attribute("aria-checked", "true")
