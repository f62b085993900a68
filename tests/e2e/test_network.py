"""The network view in the browser: filter, heatmap, open a city, benchmark; editors are refused."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.helpers import new_user, sign_in

pytestmark = pytest.mark.e2e


def test_staff_filters_opens_a_city_and_runs_a_benchmark(app, browser):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, app.url, "staff@example.org", "demo-password")
    page.goto(app.url + "/network")
    expect(page.locator(".network-row").first).to_be_visible()
    total = page.locator(".network-row").count()
    assert total >= 2

    page.locator("#filter-region").select_option("mena")
    expect(page.locator("#page-text")).not_to_have_text(f"1–{total} / {total}")
    rows = page.locator(".network-row")
    assert 0 < rows.count() < total
    page.screenshot(path="test-artifacts/network.png", full_page=True)

    # Anonymise: names disappear from the page and from the export alike.
    first_city = rows.first.locator("a").first.inner_text()
    page.locator("#anonymise").click()
    expect(rows.first.locator("a").first).to_have_text(__import__("re").compile(r"City [A-Z]+"))
    with page.expect_download() as download:
        page.locator("#export-xlsx").click()
    wb = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    names = [r[0] for r in wb.active.iter_rows(min_row=2, values_only=True)]
    assert names and all(n.startswith("City ") for n in names) and first_city not in names
    page.locator("#anonymise").click()
    expect(rows.first.locator("a").first).to_have_text(first_city)

    # A cell opens that city's drill-down of that domain.
    cell = rows.first.locator(".heat-cell").nth(2)
    domain = cell.get_attribute("data-domain")
    cell.locator("a").click()
    page.wait_for_url(f"**/results?domain={domain}")
    expect(page.locator("#results-city")).to_have_text(first_city)
    expect(page.locator("#drill-domain")).to_have_value(domain)

    page.goto(app.url + "/network")
    expect(page.locator(".network-row").first).to_be_visible()
    page.get_by_role("tab", name="Benchmark").click()
    expect(page.locator(".bench-row")).to_have_count(17)
    page.locator("#peer-population_band").click()  # widen the peer group: region only
    expect(page.locator("#peer-count")).not_to_have_text("0 peer cities")
    context.close()


def test_city_editor_is_refused(app, page):
    new_user(app, "curious@fes.example.org", "city_editor", "Fes")
    sign_in(page, app.url, "curious@fes.example.org")
    page.goto(app.url + "/network")
    expect(page.locator("#forbidden")).to_be_visible()
    expect(page.locator(".network-row")).to_have_count(0)
