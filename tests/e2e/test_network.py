"""The network view in the browser: filter, heatmap, open a city, benchmark; editors are refused."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from nlc_toolkit.i18n import translate
from tests.app_server import ARTIFACTS
from tests.e2e.helpers import QUICK, new_user, sign_in

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


def table_rows(page, table_id):
    """A data table's rows as {key: [row header, cell, ...]}."""
    return page.evaluate("""id => Object.fromEntries([...document.querySelectorAll(`#${id} tbody tr`)].map(
        tr => [tr.dataset.key, [...tr.children].map(c => c.textContent)]))""", table_id)


def plotted(page, chart_id):
    """The traces the browser's Plotly drew in a chart."""
    expect(page.locator(f"#{chart_id} .js-plotly-plot")).to_be_attached()
    return page.evaluate("id => document.querySelector(`#${id} .js-plotly-plot`).data", chart_id)


def number(value):
    return "–" if value is None else f"{value:.0f}"


@pytest.mark.parametrize("lang,label", [("en", "English"), ("ar", "العربية")])
def test_network_charts_have_named_domains_tables_and_a_titled_picker(app, page, lang, label):
    """Issue 14: the questionnaire picker shows titles, the heatmap's numbered columns are named in
    full, every chart is an image with a name and a table of its numbers, every switch and tick box
    has a name (English and Arabic)."""
    sign_in(page, app.url, "staff@example.org", "demo-password")
    page.goto(app.url + "/network")
    expect(page.locator(".network-row").first).to_be_visible()  # hydrated and read
    page.get_by_role("button", name=label).click()
    expect(page.locator("html")).to_have_attribute("lang", lang)

    # The questionnaire picker: titles in the user's language, not ids.
    picker = page.locator("#filter-questionnaire")
    expect(picker.locator("option:checked")).to_have_text(QUICK.title[lang])
    expect(picker).to_have_value("nlc-quick-scan")
    titles = picker.locator("option").all_text_contents()
    assert "nlc-quick-scan" not in titles and "nlc-detailed" not in titles and len(titles) == 2

    # The heatmap: numbered columns, each header named by its domain in full, and a legend.
    names = [f"{i + 1}. {d.title[lang]}" for i, d in enumerate(QUICK.domains)]
    expect(page.locator("#domain-legend li")).to_have_text(names)
    # The tabs' content follows the language's direction (Radix set it left to right).
    assert page.evaluate("() => getComputedStyle(document.querySelector('#domain-legend')).direction") == (
        "rtl" if lang == "ar" else "ltr")
    for name in (names[0], names[3]):
        expect(page.get_by_role("columnheader", name=name, exact=True)).to_have_count(1)
    # The filters' switches are named by their labels.
    expect(page.get_by_role("switch", name=translate("network.anonymise", lang))).to_have_attribute("id", "anonymise")
    expect(page.get_by_role("switch", name=translate("network.latest_only", lang))).to_have_attribute("id", "latest-only")
    page.screenshot(path=ARTIFACTS / f"network-heatmap-{lang}.png", full_page=True)

    # The benchmark: an image with a name, the table under it names the domains and holds its numbers.
    page.get_by_role("tab", name=translate("network.benchmark", lang)).click()
    expect(page.get_by_role("img", name=translate("network.bench_label", lang))).to_have_attribute("id", "bench-chart")
    expect(page.get_by_role("checkbox", name=translate("admin.region", lang))).to_have_attribute("id", "peer-region")
    expect(page.locator("#bench-chart-table tbody th[scope=row]")).to_have_text(names)
    # Every other city as a peer (both ticks cleared through the labels' text, so the seeded data
    # cannot leave too few): the peers' numbers fill the table.
    peers = page.locator("#peer-count").inner_text()
    for key in ("population_band", "region"):
        page.locator(f"label[for=peer-{key}]").click()
        expect(page.locator(f"#peer-{key}")).to_have_attribute("aria-checked", "false")
    expect(page.locator("#peer-count")).not_to_have_text(peers)
    expect(page.locator("#bench-chart-table tbody tr td").nth(2)).not_to_have_text("–")  # a peer median
    page.wait_for_function("() => document.querySelector('#bench-chart .js-plotly-plot')?.data?.[1]?.y?.some(v => v !== null)")
    bars, medians, city = plotted(page, "bench-chart")
    rows = list(table_rows(page, "bench-chart-table").values())
    assert [r[1] for r in rows] == [number(v) for v in city["y"]]
    assert [r[2] for r in rows] == [number(v) if r[2] != "–" else "–" for r, v in zip(rows, bars["base"])]  # Q1
    assert [r[3] for r in rows] == [number(v) for v in medians["y"]]
    assert [r[4] for r in rows] == [number(b + h) if r[4] != "–" else "–"  # Q3: the bar's top
                                    for r, b, h in zip(rows, bars["base"], bars["y"])]
    page.locator("#benchmark").screenshot(path=ARTIFACTS / f"network-benchmark-{lang}.png")

    # The distribution: its table behind a button that says whether it is open.
    page.get_by_role("tab", name=translate("network.distribution", lang)).click()
    expect(page.get_by_role("img", name=translate("network.dist_label", lang))).to_have_attribute("id", "dist-chart")
    toggle = page.locator("#dist-chart-toggle")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#dist-chart-table")).to_be_visible()
    bars = plotted(page, "dist-chart")[0]
    assert [r[1] for r in table_rows(page, "dist-chart-table").values()] == [str(v) for v in bars["y"]]

    # Side by side: two cities ticked by their names; the radar's table has a row per domain.
    page.get_by_role("tab", name=translate("network.side_by_side", lang)).click()
    options = page.locator(".compare-option label[for]")
    expect(options.first).to_be_visible()
    chosen = [options.nth(0).inner_text(), options.nth(1).inner_text()]
    for city_name in chosen:
        page.get_by_role("checkbox", name=city_name, exact=True).click()
    expect(page.locator("#compare-radar-table thead th")).to_have_text([translate("results.domain", lang), *chosen])
    expect(page.locator("#compare-radar-table tbody th[scope=row]")).to_have_text(names)
    expect(page.get_by_role("img", name=translate("network.compare_label", lang))).to_have_attribute("id", "compare-radar")
    page.wait_for_function("n => document.querySelector('#compare-radar .js-plotly-plot')?.data?.length === n", arg=2)
    traces = plotted(page, "compare-radar")
    rows = list(table_rows(page, "compare-radar-table").values())
    for column, trace in enumerate(traces, start=1):
        assert trace["name"] == chosen[column - 1]
        assert [r[column] if r[column] != "–" else "0" for r in rows] == [number(v) for v in trace["r"][:-1]]
    page.locator("#trend-chart-toggle").click()
    expect(page.locator("#trend-chart-table")).to_be_visible()
    expect(page.locator("#trend-chart-table thead th")).to_have_text(
        [translate("assessments.year", lang), translate("network.network_median", lang), *chosen])
    trend = plotted(page, "trend-chart")
    rows = table_rows(page, "trend-chart-table")
    for x, y in zip(trend[0]["x"], trend[0]["y"]):
        assert rows[str(x)][1] == number(y)  # the network median, year by year
    page.screenshot(path=ARTIFACTS / f"network-side-by-side-{lang}.png", full_page=True)
