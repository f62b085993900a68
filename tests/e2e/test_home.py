"""The home page in a real Chromium against the app in prod mode."""

import re

import pytest
from playwright.sync_api import expect

from nlc_toolkit.i18n import plural, translate
from tests.app_server import ARTIFACTS

pytestmark = pytest.mark.e2e


def open_home(app, page, path="/"):
    page.goto(app.url + path)
    # Prerendered page: wait for what on_load fills in before clicking anything.
    expect(page.locator("#questionnaire-list, #no-questionnaires")).to_be_visible()


def test_home_renders_in_english_with_sign_in_link(app, page):
    open_home(app, page)
    expect(page.get_by_role("heading", level=1)).to_have_text(translate("app.name", "en"))
    expect(page.get_by_role("link", name=translate("nav.sign_in", "en"))).to_have_attribute("href", "/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    for lang in ("English", "Français", "العربية"):
        expect(page.get_by_role("button", name=lang)).to_be_visible()
    expect(page.locator(".questionnaire-card").first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "home-en.png", full_page=True)


def test_switch_to_arabic_sets_rtl_and_translates(app, page):
    open_home(app, page)
    page.get_by_role("button", name="العربية").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("#page-root")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_have_text(translate("app.name", "ar"))
    page.screenshot(path=ARTIFACTS / "home-ar.png", full_page=True)
    # The choice is remembered: a reload stays in Arabic, right to left.
    page.reload()
    expect(page.locator("#questionnaire-list, #no-questionnaires")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_have_text(translate("app.name", "ar"))


def test_switch_to_french_and_back(app, page):
    open_home(app, page)
    page.get_by_role("button", name="Français").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(translate("app.name", "fr"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(translate("app.name", "en"))


def test_lang_in_url(app, page):
    open_home(app, page, "/?lang=ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")


def test_unknown_language_cookie_shows_english(app, page):
    # Any client can store any value in the language cookie; the page must still have its labels.
    page.context.add_cookies([{"name": "nlc_lang", "value": "xx", "url": app.url}])
    open_home(app, page)
    expect(page.get_by_role("heading", level=1)).to_have_text(translate("app.name", "en"))
    expect(page.get_by_role("link", name=translate("nav.sign_in", "en"))).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=translate("home.questionnaires", "en"))).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_counts_use_the_plural_form_of_the_language(app, page):
    open_home(app, page)
    card = page.locator(".questionnaire-card").first
    counts = card.locator(".domain-count")
    expect(counts).to_have_text(re.compile(r"^\d+ domains?$"))
    domains = int(counts.inner_text().split()[0])
    page.get_by_role("button", name="العربية").click()
    expect(counts).to_have_text(plural("home.domains_count", domains, "ar"))
    page.get_by_role("button", name="Français").click()
    expect(counts).to_have_text(plural("home.domains_count", domains, "fr"))


def test_home_and_footer_say_what_comes_from_the_gctf_toolkit_and_what_is_this_apps_own(app, page):
    """The maturity levels and advice are this app's design: the toolkit has none, and a reader of
    the home page or of any footer must not take them for the GCTF's."""
    for lang in ("en", "fr", "ar"):
        page.goto(f"{app.url}/?lang={lang}")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.locator("#sources li")).to_have_text([translate("home.sources.toolkit", lang),
                                                          translate("home.sources.ours", lang)])
        expect(page.locator("footer")).to_contain_text(translate("app.footer", lang))
    assert "maturity levels" in translate("app.footer", "en") and "own design" in translate("app.footer", "en")
