"""The results dashboard in a real browser: the score is core's, the radar renders, the PDF
downloads in English and Arabic with the city and the first recommendation, the action plan works."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from nlc_toolkit.core.exports.score_document import score_document
from nlc_toolkit.core.exports.spreadsheets import ANSWER_SHEET, answer_template
from nlc_toolkit.db import repo
from nlc_toolkit.db.scores import answer_frames
from nlc_toolkit.i18n import translate
from tests.app_server import ARTIFACTS
from tests.e2e.helpers import (
    QUICK,
    choose_level,
    create_assessment,
    hydrated,
    new_user,
    sign_in,
    watch_errors,
)
from tests.helpers import ROOT

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def answered(app_server, browser):
    """An assessment of Tetouan answered in the browser by its editor (two domains)."""
    new_user(app_server, "results-editor@tetouan.example.org", "city_editor", "Tetouan")
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, app_server.url, "results-editor@tetouan.example.org")
    assessment_id = create_assessment(page, app_server)
    page.get_by_role("radiogroup", name=QUICK.context_by_id["returnees_present"].text["en"]).get_by_role(
        "radio", name="No", exact=True).click()
    expect(page.locator("#assessment-message")).to_have_attribute("role", "status")
    page.locator("#start-answering").click()
    for d_index, levels in ((0, ["1", "0", "2"]), (1, ["3", "1", "0"])):
        domain = QUICK.domains[d_index]
        page.locator(f".domain-nav[data-domain='{domain.id}']").click()
        for x, level in zip(domain.questions, levels):
            choose_level(page, x.id, level)
    context.close()
    return assessment_id


def expected_score(app, assessment_id):
    with app.db() as s:
        a = s.get(repo.Assessment, assessment_id)
        q = repo.questionnaire_model(a.questionnaire_version)
        answers, context = answer_frames(s, [assessment_id])
        return score_document(q, answers, context, assessment_id)


def test_dashboard_shows_cores_score_radar_and_downloads(app, browser, answered):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, app.url, "results-editor@tetouan.example.org")
    page.goto(f"{app.url}/assessments/{answered}/results")
    doc = expected_score(app, answered)
    expect(page.locator("#overall-score")).to_have_text(f"{doc['overall']:.0f}")
    first_domain = QUICK.domains[0].id
    expect(page.locator(f"#radar-table tr[data-key='{first_domain}'] td").first).to_have_text(
        f"{doc['domains'][first_domain]:.0f}")
    expect(page.locator("#radar .js-plotly-plot .scatterlayer path").first).to_be_attached()
    expect(page.locator("#heatmap .js-plotly-plot")).to_be_attached()
    first_rec = doc["recommendations"][0]
    expect(page.locator(".rec-card").first).to_be_visible()
    page.screenshot(path=ROOT / "test-artifacts" / "results-en.png", full_page=True)

    for lang, label in (("en", "English"), ("ar", "العربية")):
        page.get_by_role("button", name=label).click()
        expect(page.locator("html")).to_have_attribute("lang", lang)
        with page.expect_download() as download:
            page.locator("#download-pdf").click()
            # While the build process works, the page says so (looked at, not asserted: it may
            # already be done).
            page.screenshot(path=ROOT / "test-artifacts" / f"results-preparing-{lang}.png")
        pdf = download.value.path().read_bytes()
        expect(page.locator("#download-pdf")).to_be_enabled()  # the busy state ends with the file
        expect(page.locator("#preparing")).to_have_text("")
        (ROOT / "test-artifacts" / f"e2e-report-{lang}.pdf").write_bytes(pdf)
        text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
        assert "Tetouan" in text
        wanted = next(r.text[lang] for r in QUICK.question_by_id[first_rec["question"]].recommendations
                      if r.text["en"] == first_rec["text"])
        assert " ".join(wanted.split()[:4]) in text, (lang, wanted[:60])
    page.screenshot(path=ROOT / "test-artifacts" / "results-ar.png", full_page=True)

    page.get_by_role("button", name="English").click()
    with page.expect_download() as download:
        page.locator("#download-xlsx").click()
    wb = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert {"scores", "consolidated", "answers", "recommendations", "actions"} <= set(wb.sheetnames)
    assert len(list(wb["answers"].iter_rows(min_row=2))) == 6
    context.close()


def test_recommendation_becomes_an_action_and_is_edited(app, page, answered):
    errors = watch_errors(page)  # the row's form carries its id in a hidden field (no foreach closure)
    sign_in(page, app.url, "results-editor@tetouan.example.org")
    page.goto(f"{app.url}/assessments/{answered}/results")
    hydrated(page)
    card = page.locator("#quick-wins .rec-card, #strategic .rec-card").first
    title = card.locator("p").first.inner_text()
    card.get_by_role("button", name="Add to the action plan").click()
    row = page.locator(".action-row").first
    expect(row.get_by_label("Action")).to_have_value(title)
    row.get_by_label("Owner").fill("Department of social affairs")
    row.get_by_label("Due date").fill("2027-03-31")
    row.get_by_label("Status").select_option("in_progress")
    row.get_by_role("button", name="Save").click()
    expect(page.locator("#results-message")).to_have_attribute("role", "status")
    page.reload()
    hydrated(page)  # the reload's re-read has landed: what is typed now is not overwritten
    row = page.locator(".action-row").first
    expect(row.get_by_label("Owner")).to_have_value("Department of social affairs")
    expect(row.get_by_label("Status")).to_have_value("in_progress")
    row.get_by_label("Due date").fill("")
    row.get_by_label("Action").fill("")
    row.get_by_role("button", name="Save").click()
    expect(page.locator("#results-message")).to_have_attribute("role", "alert")
    assert errors == []


def test_wrong_spreadsheet_is_refused_with_its_problems(app, page, answered, tmp_path):
    sign_in(page, app.url, "results-editor@tetouan.example.org")
    page.goto(f"{app.url}/assessments/{answered}/results")
    expect(page.locator("#overall-score")).to_be_visible()
    bad = tmp_path / "answers.xlsx"
    bad.write_bytes(b"this is not a workbook")
    before = expected_score(app, answered)
    page.locator("#template-upload input[type=file]").set_input_files(str(bad))
    page.locator("#import-submit").click()
    expect(page.locator("#import-problems")).to_contain_text("not an XLSX workbook")
    assert expected_score(app, answered) == before  # nothing was written


def test_a_filled_template_is_imported_and_shown_at_once(app, page, tmp_path):
    """A city sends back the offline template: imported in a build process, the dashboard shows
    the new respondent's answers at once (core's score, the group's column in the heatmap)."""
    new_user(app, "import-editor@tetouan.example.org", "city_editor", "Tetouan")
    sign_in(page, app.url, "import-editor@tetouan.example.org")
    assessment_id = create_assessment(page, app)
    with app.db() as s:
        q = repo.questionnaire_model(s.get(repo.Assessment, assessment_id).questionnaire_version)
    workbook = load_workbook(io.BytesIO(answer_template(q, "en")))
    sheet = workbook[ANSWER_SHEET]
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row, 5).value = "2"
    filled = tmp_path / "filled.xlsx"
    workbook.save(filled)

    page.goto(f"{app.url}/assessments/{assessment_id}/results")
    hydrated(page)
    expect(page.locator("#overall-score")).to_have_text("–")
    page.get_by_label("Respondent name (empty: yourself)").fill("Ministry desk")
    page.get_by_label("Group", exact=True).select_option("national")
    page.locator("#template-upload input[type=file]").set_input_files(str(filled))
    page.locator("#import-submit").click()
    expect(page.locator("#results-message")).to_have_text(f"Answers imported: {len(q.questions)}")
    expect(page.locator("#results-message")).to_have_attribute("role", "status")
    doc = expected_score(app, assessment_id)
    assert doc["overall"] is not None
    expect(page.locator("#overall-score")).to_have_text(f"{doc['overall']:.0f}")
    expect(page.locator("#heatmap-table thead")).to_contain_text("National government")


def test_other_city_cannot_open_the_results(app, page, answered):
    new_user(app, "snoop@agadir.example.org", "city_viewer", "Agadir")
    sign_in(page, app.url, "snoop@agadir.example.org")
    page.goto(f"{app.url}/assessments/{answered}/results")
    expect(page.locator("#not-found")).to_be_visible()
    assert "Tetouan" not in page.locator("main").inner_text()


def test_an_open_dashboard_follows_answers_given_elsewhere(app, browser):
    """The editor watches the dashboard while a colleague answers: it updates by itself."""
    new_user(app, "live-editor@tetouan.example.org", "city_editor", "Tetouan")
    new_user(app, "live-colleague@tetouan.example.org", "city_editor", "Tetouan")
    answering = browser.new_context().new_page()
    answering.set_default_timeout(20_000)
    sign_in(answering, app.url, "live-colleague@tetouan.example.org")
    assessment_id = create_assessment(answering, app)
    answering.locator("#start-answering").click()
    first, second = QUICK.domains[0].questions[0].id, QUICK.domains[0].questions[1].id
    choose_level(answering, first, "3")

    watching = browser.new_context().new_page()
    watching.set_default_timeout(20_000)
    sign_in(watching, app.url, "live-editor@tetouan.example.org")
    watching.goto(f"{app.url}/assessments/{assessment_id}/results")
    expect(watching.locator("#overall-score")).to_have_text(f"{expected_score(app, assessment_id)['overall']:.0f}")
    before = watching.locator("#completeness").inner_text()

    choose_level(answering, second, "0")
    doc = expected_score(app, assessment_id)
    expect(watching.locator("#overall-score")).to_have_text(f"{doc['overall']:.0f}")
    expect(watching.locator("#completeness")).not_to_have_text(before)
    expect(watching.locator(f"#radar-table tr[data-key='{QUICK.domains[0].id}'] td").first).to_have_text(
        f"{doc['domains'][QUICK.domains[0].id]:.0f}")


def table_rows(page, table_id):
    """A data table's rows as {key: [row header, cell, ...]}."""
    return page.evaluate("""id => Object.fromEntries([...document.querySelectorAll(`#${id} tbody tr`)].map(
        tr => [tr.dataset.key, [...tr.children].map(c => c.textContent)]))""", table_id)


def plotted(page, chart_id):
    """The traces the browser's Plotly drew in a chart (its data, as the page holds it)."""
    return page.evaluate("id => document.querySelector(`#${id} .js-plotly-plot`).data", chart_id)


def score_text(value):
    return "–" if value is None else f"{value:.0f}"


@pytest.mark.parametrize("lang,label", [("en", "English"), ("ar", "العربية")])
def test_charts_have_a_table_of_their_numbers_and_full_domain_names(app, page, answered, lang, label):
    """Issue 14: each chart is an image with a name, its numbers are in a real table, the radar's
    labels are the domain names in full, wrapped between words (English and Arabic)."""
    sign_in(page, app.url, "results-editor@tetouan.example.org")
    page.goto(f"{app.url}/assessments/{answered}/results")
    doc = expected_score(app, answered)
    expect(page.locator("#overall-score")).to_have_text(f"{doc['overall']:.0f}")  # hydrated
    page.get_by_role("button", name=label).click()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("#radar .js-plotly-plot .scatterlayer path").first).to_be_attached()  # Plotly drew it
    year = page.evaluate("() => document.querySelector('#radar .js-plotly-plot').data.at(-1).name")

    # The radar: an image with a name, and a table with the same numbers and the full names.
    expect(page.get_by_role("img", name=translate("results.radar_label", lang))).to_have_attribute("id", "radar")
    table = page.locator("#radar-table")
    expect(table.locator("caption")).to_have_text(translate("results.radar_caption", lang))
    expect(table.locator("thead th[scope=col]")).to_have_text([translate("results.domain", lang), year])
    names = [f"{i + 1}. {d.title[lang]}" for i, d in enumerate(QUICK.domains)]
    expect(table.locator("tbody th[scope=row]")).to_have_text(names)
    rows = table_rows(page, "radar-table")
    assert {key: cells[1] for key, cells in rows.items()} == {d.id: score_text(doc["domains"].get(d.id))
                                                             for d in QUICK.domains}
    page.wait_for_function("name => document.querySelector('#radar .js-plotly-plot').data.at(-1).theta[0]"
                           ".replaceAll('<br>', ' ') === name", arg=names[0])
    radar = plotted(page, "radar")[-1]
    for i, d in enumerate(QUICK.domains):
        # The label is the whole name, broken only between words; the point is the table's number.
        assert radar["theta"][i].replace("<br>", " ") == names[i]
        assert score_text(radar["r"][i]) == (rows[d.id][1] if rows[d.id][1] != "–" else "0")
    drawn = page.locator("#radar .angularaxistick text").all_text_contents()
    assert ["".join(n.split()) for n in names] == ["".join(t.split()) for t in drawn]  # nothing cut off
    page.locator("#radar").screenshot(path=ARTIFACTS / f"results-radar-{lang}.png")

    # The levels by group: a table behind a button that says whether it is open, by keyboard.
    toggle = page.locator("#heatmap-toggle")
    expect(page.get_by_role("img", name=translate("results.heatmap_label", lang))).to_have_attribute("id", "heatmap")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#heatmap-table")).to_be_hidden()
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#heatmap-table")).to_be_visible()
    expect(page.locator("#heatmap-table thead th[scope=col]")).to_have_text(
        [translate("export.question", lang), translate("group.municipality", lang)])
    heat = plotted(page, "heatmap")[0]
    rows = list(table_rows(page, "heatmap-table").items())
    assert len(rows) == len(heat["z"]) > 0
    for (key, cells), levels, y in zip(rows, heat["z"], heat["y"]):
        assert cells[0] == f"{y}. {QUICK.question_by_id[key].text[lang]}"  # the question in full
        assert cells[1:] == ["–" if v is None else f"{v:g}" for v in levels]
    page.locator("#heatmap-table").screenshot(path=ARTIFACTS / f"results-heatmap-table-{lang}.png")
    page.screenshot(path=ARTIFACTS / f"results-charts-{lang}.png", full_page=True)


def test_a_facet_shows_as_a_sub_score_on_the_dashboard(app, page):
    """A questionnaire declaring a facet (the national-local interface) shows its sub-score beside
    the overall score, in the reader's language."""
    from nlc_toolkit.core.policy import actor_of
    from nlc_toolkit.services import assessments as svc
    from tests import factories
    from tests.e2e.helpers import PASSWORD
    from tests.helpers import readme_example_text

    facet = ("\nfacets:\n  - id: national_local\n    title: {en: National-local interface, fr: Interface État-commune,"
             " ar: التفاعل بين المستويين الوطني والمحلي}\n    questions: [mandate.formal_mandate, reintegration.plan]\n")
    with app.db() as s:
        text = readme_example_text().replace("id: example-mini", "id: facet-example") + facet
        version = repo.register_questionnaire(s, text, "facet-example")
        fes = repo.find_city(s, "Fes")
        editor = factories.user(s, "facet-editor@example.org", "city_editor", fes, password=PASSWORD)
        actor = actor_of(editor)
        assessment_id = factories.assessment(s, actor, fes, version, 2026, 5).id
        svc.answer(s, actor, assessment_id, "mandate.formal_mandate", "2")
    sign_in(page, app.url, "facet-editor@example.org")
    for lang, title in (("en", "National-local interface"), ("ar", "التفاعل بين المستويين الوطني والمحلي")):
        page.goto(f"{app.url}/assessments/{assessment_id}/results?lang={lang}")
        card = page.locator(".facet-score[data-facet='national_local']")
        expect(card).to_contain_text(title)
        expect(card.get_by_role("heading")).to_have_text("67")
    page.screenshot(path=ARTIFACTS / "results-facet-ar.png")
