"""Every data page against every role and a user of another city, in the browser."""

import re

import pytest
from playwright.sync_api import expect

from nlc_toolkit.db import repo
from tests import factories
from tests.e2e.helpers import PASSWORD, hydrated, sign_in

pytestmark = pytest.mark.e2e

# role -> (sees the Rabat assessment, can open /admin)
EXPECTED = {
    "admin": (True, True),
    "network_staff": (True, False),
    "facilitator": (False, False),
    "editor_own": (True, False),
    "editor_other": (False, False),
    "viewer_own": (True, False),
    "viewer_other": (False, False),
    "respondent_invited": (True, False),
    "respondent_stranger": (False, False),
}


@pytest.fixture(scope="module")
def world(app_server):
    with app_server.db() as s:
        rabat = repo.find_city(s, "Rabat")
        fes = repo.find_city(s, "Fes")
        spec = {
            "admin": ("admin", None), "network_staff": ("network_staff", None), "facilitator": ("facilitator", None),
            "editor_own": ("city_editor", rabat), "editor_other": ("city_editor", fes),
            "viewer_own": ("city_viewer", rabat), "viewer_other": ("city_viewer", fes),
            "respondent_invited": ("respondent", None), "respondent_stranger": ("respondent", None),
        }
        users = {name: factories.user(s, f"authz-{name}@example.org", role, city, password=PASSWORD)
                 for name, (role, city) in spec.items()}
        version = repo.latest_questionnaires(s)[0]
        a = factories.assessment(s, users["editor_own"], rabat, version, 2026, 7)
        factories.respondent(s, a, "Ministry", "national", users["respondent_invited"])
        return {"assessment": a.id}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_pages_for_role(app, page, world, who):
    sees_assessment, is_admin = EXPECTED[who]
    sign_in(page, app.url, f"authz-{who}@example.org")

    page.goto(f"{app.url}/assessments/{world['assessment']}")
    if sees_assessment:
        expect(page.locator("#assessment-city")).to_have_text("Rabat")
        if who in ("viewer_own", "network_staff"):  # they read; they do not answer
            page.locator(".domain-nav").first.click()
            expect(page.locator(".level-option").first).to_be_disabled()
    else:
        expect(page.locator("#not-found")).to_be_visible()
        assert "Rabat" not in page.locator("main").inner_text()

    page.goto(f"{app.url}/assessments")
    expect(page.locator("#assessment-list, #no-assessments")).to_be_visible()
    link = page.locator(f".assessment-row a[href='/assessments/{world['assessment']}']")
    expect(link).to_have_count(1 if sees_assessment else 0)

    page.goto(f"{app.url}/admin")
    if is_admin:
        expect(page.locator(".user-row").first).to_be_visible()
    else:
        expect(page.locator("#forbidden")).to_be_visible()
        expect(page.locator(".user-row")).to_have_count(0)


@pytest.mark.parametrize("path", ["/assessments", "/assessments/1", "/admin"])
def test_signed_out_visitors_are_sent_to_sign_in(app, page, path):
    page.goto(app.url + path)
    page.wait_for_url(re.compile(r".*/login\?next="))


def test_admin_manages_users_and_the_audit_log_shows_it(app, page):
    sign_in(page, app.url, "admin@example.org", "demo-password")
    page.goto(app.url + "/admin")
    hydrated(page)
    expect(page.locator(".user-row").first).to_be_visible()
    form = page.locator("form").filter(has=page.locator("#create-user"))
    form.get_by_label("Email").fill("new.viewer@example.org")
    form.get_by_label("Role").select_option("network_staff")
    page.locator("#create-user").click()
    expect(page.locator("#one-time-password")).to_be_visible()
    password = page.locator("#one-time-password").inner_text()
    row = page.locator(".user-row[data-email='new.viewer@example.org']")
    expect(row).to_be_visible()
    row.get_by_role("button", name="Deactivate").click()
    expect(row).to_contain_text("Deactivated")
    page.get_by_role("tab", name="Audit log").click()
    expect(page.locator("#audit-log")).to_contain_text("deactivate")
    expect(page.locator("#audit-log")).to_contain_text("new.viewer@example.org")

    # A deactivated account cannot sign in.
    page.locator("#sign-out").click()
    page.goto(app.url + "/login")
    hydrated(page)
    expect(page.locator("#login-submit")).to_be_enabled()
    page.get_by_label("Email").fill("new.viewer@example.org")
    page.get_by_label("Password").fill(password)
    page.locator("#login-submit").click()
    expect(page.locator("#login-error")).to_contain_text("deactivated")
