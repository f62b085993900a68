"""Accounts in the browser: an admin moves a user to another role and city (and it sticks), a
one-time password must be replaced at first sign-in, failed sign-ins slow down with a clear message."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, select

from nlc_toolkit.db.models import City, LoginThrottle, User
from tests.e2e.helpers import (
    hydrated,
    new_user,
    replace_one_time_password,
    sign_in,
    sign_out,
    watch_errors,
)

pytestmark = pytest.mark.e2e


def test_admin_changes_a_users_role_and_city_and_it_sticks_after_a_reload(app, page):
    new_user(app, "admin-e2e@example.org", "admin")
    new_user(app, "mover@tangier.example.org", "city_editor", "Tangier")
    errors = watch_errors(page)
    sign_in(page, app.url, "admin-e2e@example.org")
    page.goto(app.url + "/admin")
    hydrated(page)
    row = page.locator(".user-row[data-email='mover@tangier.example.org']")
    expect(row).to_be_visible()
    with app.db() as s:
        fes = s.scalar(select(City.id).where(City.name == "Fes"))
    row.get_by_label("Role").select_option("city_viewer")
    row.get_by_label("City").select_option(str(fes))
    row.locator(".save-user").click()
    expect(page.locator("#admin-message")).to_have_attribute("role", "status")
    page.reload()
    hydrated(page)
    row = page.locator(".user-row[data-email='mover@tangier.example.org']")
    expect(row.get_by_label("Role")).to_have_value("city_viewer")
    expect(row.get_by_label("City")).to_have_value(str(fes))
    with app.db() as s:
        user = s.scalar(select(User).where(User.email == "mover@tangier.example.org"))
        assert (user.role, user.city_id) == ("city_viewer", fes)
    assert errors == []


def test_a_one_time_password_must_be_replaced_at_first_sign_in(app, page):
    new_user(app, "admin-otp@example.org", "admin")
    new_user(app, "newcomer@fes.example.org", "city_editor", "Fes")
    errors = watch_errors(page)
    sign_in(page, app.url, "admin-otp@example.org")
    page.goto(app.url + "/admin")
    hydrated(page)
    row = page.locator(".user-row[data-email='newcomer@fes.example.org']")
    row.get_by_role("button", name="Reset password").click()
    one_time = page.locator("#one-time-password").inner_text()
    sign_out(page)

    sign_in(page, app.url, "newcomer@fes.example.org", one_time)
    page.wait_for_url(re.compile(r".*/account$"))
    expect(page.locator("#first-password")).to_be_visible()
    page.goto(app.url + "/assessments")  # nothing else opens before the password is changed
    page.wait_for_url(re.compile(r".*/account$"))
    expect(page.locator("#change-password")).to_be_enabled()
    replace_one_time_password(page, one_time, "my own long passphrase")
    page.wait_for_url(re.compile(r".*/assessments$"))
    sign_out(page)
    sign_in(page, app.url, "newcomer@fes.example.org", "my own long passphrase")
    assert errors == []


def test_repeated_failures_are_slowed_down_with_a_message(app, page):
    try:
        page.goto(app.url + "/login")
        hydrated(page)
        expect(page.locator("#login-submit")).to_be_enabled()
        for _ in range(6):
            page.get_by_label("Email").fill("nobody@example.org")
            page.get_by_label("Password").fill("wrong password")
            page.locator("#login-submit").click()
            expect(page.locator("#login-error")).to_be_visible()
        expect(page.locator("#login-error")).to_contain_text("Wait before trying again")
        expect(page.locator("#login-wait")).to_be_visible()
    finally:
        with app.db() as s:  # other tests sign in from the same address
            s.execute(delete(LoginThrottle))
