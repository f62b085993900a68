"""The city official's journey end to end in a real browser (issue: assessment journey)."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import (
    QUICK,
    choose_level,
    create_assessment,
    hydrated,
    new_user,
    open_assessment,
    question,
    sign_in,
    sign_out,
    watch_errors,
    write_note,
)
from tests.helpers import ROOT

pytestmark = pytest.mark.e2e


def test_editor_answers_reloads_submits_and_sees_the_reviewers_comment(app, page, browser):
    new_user(app, "new-editor@agadir.example.org", "city_editor", "Agadir")
    new_user(app, "reviewer@example.org", "network_staff")
    sign_in(page, app.url, "new-editor@agadir.example.org")
    assessment_id = create_assessment(page, app)

    # City profile first: no returnees, so reintegration questions drop out.
    page.get_by_role("radiogroup", name=QUICK.context_by_id["returnees_present"].text["en"]).get_by_role(
        "radio", name="No", exact=True).click()
    expect(page.locator("#assessment-message")).to_have_attribute("role", "status")
    page.locator("#start-answering").click()

    d1, d2 = QUICK.domains[0], QUICK.domains[1]
    expect(page.locator("#domain-title")).to_have_text(d1.title["en"])
    choose_level(page, d1.questions[0].id, "2")
    expect(page.locator("#overall-count")).to_contain_text("1 /")  # the progress follows each click, live
    write_note(page, d1.questions[0].id, "Council decision of March 2025")
    choose_level(page, d1.questions[1].id, "1")
    expect(page.locator("#overall-count")).to_contain_text("2 /")
    page.locator("#next-domain").click()
    expect(page.locator("#domain-title")).to_have_text(d2.title["en"])
    choose_level(page, d2.questions[0].id, "3")
    write_note(page, d2.questions[0].id, "Quarterly meetings with the wali")
    question(page, d2.questions[1].id).locator("[data-level='unknown']").click()
    expect(question(page, d2.questions[1].id).locator("[data-level='unknown']")).to_have_attribute("aria-checked", "true")

    # Leave and come back: everything is there, and the page resumes in the second domain.
    page.reload()
    hydrated(page)
    expect(page.locator("#domain-title")).to_have_text(d2.title["en"])
    expect(question(page, d2.questions[0].id).locator("[data-level='3']")).to_have_attribute("aria-checked", "true")
    expect(page.locator(f"[id='note-{d2.questions[0].id}']")).to_have_value("Quarterly meetings with the wali")
    expect(page.locator("#overall-count")).to_contain_text("4 /")
    page.locator(f".domain-nav[data-domain='{d1.id}']").click()
    expect(question(page, d1.questions[0].id).locator("[data-level='2']")).to_have_attribute("aria-checked", "true")
    expect(page.locator(f"[id='note-{d1.questions[0].id}']")).to_have_value("Council decision of March 2025")
    page.screenshot(path=ROOT / "test-artifacts" / "journey-answering.png", full_page=True)

    # Submit for review: the assessment locks.
    page.locator("#nav-overview").click()
    expect(page.locator("#unanswered-list")).to_be_visible()
    page.locator("#submit-assessment").click()
    page.locator("#confirm-submit").click()
    expect(page.locator(".status-badge").first).to_have_text("Submitted")
    sign_out(page)

    # A reviewer returns it with a comment.
    sign_in(page, app.url, "reviewer@example.org")
    open_assessment(page, app.url, assessment_id)
    page.locator("#nav-overview").click()
    page.locator("#review-comment").fill("Please attach the council decision as evidence.")
    page.locator("#decision-return").check()
    page.locator("#review-submit").click()
    expect(page.locator(".status-badge").first).to_have_text("Returned")
    sign_out(page)

    # The editor sees the comment and can answer again.
    sign_in(page, app.url, "new-editor@agadir.example.org")
    open_assessment(page, app.url, assessment_id)
    page.locator("#nav-overview").click()
    expect(page.locator("#status-history")).to_contain_text("Please attach the council decision as evidence.")
    expect(page.locator("#submit-assessment")).to_be_visible()
    page.screenshot(path=ROOT / "test-artifacts" / "journey-returned.png", full_page=True)


def test_foreign_assessment_shows_not_found_and_leaks_nothing(app, page):
    new_user(app, "editor@oujda.example.org", "city_editor", "Oujda")
    new_user(app, "intruder@fes.example.org", "city_editor", "Fes")
    sign_in(page, app.url, "editor@oujda.example.org")
    assessment_id = create_assessment(page, app)
    sign_out(page)
    sign_in(page, app.url, "intruder@fes.example.org")
    open_assessment(page, app.url, assessment_id)
    expect(page.locator("#not-found")).to_be_visible()
    assert "Oujda" not in page.content()
    open_assessment(page, app.url, 987654)
    expect(page.locator("#not-found")).to_be_visible()


def test_signed_out_user_is_sent_to_sign_in(app, page):
    page.goto(app.url + "/assessments")
    page.wait_for_url(re.compile(r".*/login\?next=/assessments"))
    expect(page.locator("#login-submit")).to_be_visible()


def test_bad_input_gets_a_message_and_saves_nothing(app, page, browser, tmp_path):
    errors = watch_errors(page)
    new_user(app, "editor@tetouan.example.org", "city_editor", "Tetouan")
    sign_in(page, app.url, "editor@tetouan.example.org")
    create_assessment(page, app)
    page.locator("#start-answering").click()
    qid = QUICK.domains[0].questions[0].id
    # An over-long note is refused with a message, and the stored note stays empty.
    page.locator(f"[id='note-{qid}']").fill("x" * 2100)
    page.locator(f"[id='note-{qid}']").blur()
    expect(page.locator("#assessment-message")).to_have_attribute("role", "alert")
    # A link that is not a web address is refused.
    card = question(page, qid)
    card.get_by_label("Link to a document").fill("javascript:alert(1)")
    card.get_by_role("button", name="Add link").click()
    expect(page.locator("#assessment-message")).to_contain_text("http")
    # A file of the wrong type is refused and nothing is attached.
    card.get_by_role("button", name="Attach a file").click()
    bad = tmp_path / "script.exe"
    bad.write_bytes(b"MZ")
    page.locator("#evidence-upload input[type=file]").set_input_files(str(bad))
    page.locator("#upload-submit").click()
    expect(page.locator("#assessment-message")).to_contain_text("not accepted")
    expect(card.locator(".evidence-item")).to_have_count(0)
    # A file over 10 MB is refused too.
    card.get_by_role("button", name="Attach a file").click()
    big = tmp_path / "scan.pdf"
    big.write_bytes(b"%PDF" + b"0" * (10 * 1024 * 1024 + 10))
    page.locator("#evidence-upload input[type=file]").set_input_files(str(big))
    page.locator("#upload-submit").click()
    expect(page.locator("#assessment-message")).to_contain_text("larger than 10 MB")
    expect(card.locator(".evidence-item")).to_have_count(0)
    page.reload()
    hydrated(page)
    expect(page.locator(f"[id='note-{qid}']")).to_have_value("")
    # A good link and a good file are kept.
    card = question(page, qid)
    card.get_by_label("Link to a document").fill("https://example.org/decision.pdf")
    card.get_by_role("button", name="Add link").click()
    expect(card.locator(".evidence-item")).to_have_count(1)
    card.get_by_role("button", name="Attach a file").click()
    good = tmp_path / "minutes.pdf"
    good.write_bytes(b"%PDF-1.4 minutes")
    page.locator("#evidence-upload input[type=file]").set_input_files(str(good))
    page.locator("#upload-submit").click()
    expect(card.locator(".evidence-item")).to_have_count(2)
    expect(card.locator(".evidence-item").nth(1)).to_contain_text("minutes.pdf")
    page.reload()  # both forms of this card (a foreach) stored what they said
    card = question(page, qid)
    expect(card.locator(".evidence-item")).to_have_count(2)
    expect(card.locator(".evidence-item").first).to_contain_text("https://example.org/decision.pdf")
    assert errors == []
    # The file is served to the city team, and to nobody without a say on this assessment.
    href = card.locator(".evidence-item").nth(1).get_by_role("link").get_attribute("href")
    assert page.request.get(href).body() == b"%PDF-1.4 minutes"
    stranger = browser.new_context()
    assert stranger.request.get(href).status == 404
    new_user(app, "editor@agadir.example.org", "city_editor", "Agadir")
    other = stranger.new_page()
    sign_in(other, app.url, "editor@agadir.example.org")
    assert other.request.get(href).status == 404
    stranger.close()


def test_answers_survive_a_backend_restart(app, page):
    new_user(app, "editor@casa.example.org", "city_editor", "Casablanca")
    sign_in(page, app.url, "editor@casa.example.org")
    create_assessment(page, app)
    page.locator("#start-answering").click()
    first, second = QUICK.domains[0].questions[0].id, QUICK.domains[0].questions[1].id
    choose_level(page, first, "1")
    app.stop()
    app.start()
    # The open page reconnects by itself; the next choice and the earlier one are both kept.
    # (No wait for the "saved" note here: the page's reload after reconnecting may clear it.)
    question(page, second).locator("[data-level='3']").click()
    expect(question(page, second).locator("[data-level='3']")).to_have_attribute("aria-checked", "true")
    page.reload()
    expect(question(page, first).locator("[data-level='1']")).to_have_attribute("aria-checked", "true")
    expect(question(page, second).locator("[data-level='3']")).to_have_attribute("aria-checked", "true")
