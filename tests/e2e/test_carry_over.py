"""A next round on the newer questionnaire, in the browser (issue 15): the editor of a round made
with 1.0.0 starts the next round, lands on a 1.1.0 draft that says what was carried over, lists the
new questions (each opens its domain, where it is marked new) and keeps every answer and note."""

import pytest
from playwright.sync_api import expect

from nlc_toolkit.core.policy import actor_of
from nlc_toolkit.db import repo
from nlc_toolkit.services import assessments as svc
from tests import factories
from tests.app_server import ARTIFACTS
from tests.e2e.helpers import PASSWORD, question, sign_in

pytestmark = pytest.mark.e2e


def test_the_next_round_moves_to_1_1_0_and_shows_what_was_carried(app, page):
    with app.db() as s:
        old = factories.questionnaire(s, "nlc-quick-scan", "1.0.0")
        city = factories.city(s, "Nador")
        editor = factories.user(s, "carry-editor@nador.example.org", "city_editor", city, password=PASSWORD)
        actor = actor_of(editor)
        first = factories.assessment(s, actor, city, old, 2025, 1).id
        svc.answer(s, actor, first, "mandate.formal_mandate", "2")
        svc.set_note(s, actor, first, "mandate.formal_mandate", "Council decision 2024-7")
        svc.answer(s, actor, first, "community.women_marginalised", "1")
        svc.submit(s, actor, first)
        new_questions = {x.id: x for x in repo.questionnaire_model(factories.latest(s)).questions
                         if x.id not in repo.questionnaire_model(old).question_by_id}
    assert sorted(new_questions) == ["community.private_sector", "nlc_structures.regional_tier",
                                     "trust.rights_safeguards"]

    sign_in(page, app.url, "carry-editor@nador.example.org")
    page.goto(f"{app.url}/assessments/{first}")
    page.locator("#nav-overview").click()
    page.locator("#new-round").click()
    page.wait_for_url(lambda url: f"/assessments/{first}" not in url and "/assessments/" in url)
    callout = page.locator("#carried-callout")
    expect(callout).to_contain_text("2 answers carried over from round 1 (2025), version 1.0.0 to version 1.1.0.")
    expect(callout).to_contain_text("3 new questions to answer.")
    callout.locator("#see-carried").click()
    new_list = page.locator("#carried-new")
    for x in new_questions.values():
        expect(new_list).to_contain_text(x.text["en"])
    page.screenshot(path=ARTIFACTS / "carried-over.png")

    # A new question opens its domain, where it wears the "New question" badge; a carried one does not.
    new_list.get_by_role("link", name=new_questions["trust.rights_safeguards"].text["en"]).click()
    expect(question(page, "trust.rights_safeguards").locator(".new-question")).to_have_text("New question")
    page.locator(".domain-nav[data-domain='mandate']").click()
    carried = question(page, "mandate.formal_mandate")
    expect(carried.locator("[data-level='2']")).to_have_attribute("aria-checked", "true")
    expect(page.locator("[id='note-mandate.formal_mandate']")).to_have_value("Council decision 2024-7")
    assert page.locator(".new-question").count() == 0

    # In Arabic, the same record reads right to left in the reader's language.
    page.goto(page.url.split("?")[0] + "?lang=ar")
    expect(page.locator("#carried-callout")).to_contain_text("من الإصدار 1.0.0 إلى الإصدار 1.1.0")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
