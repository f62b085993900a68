"""Results: the report, the action plan, PDF in English and Arabic, spreadsheets in and out."""

import csv
import io
import re
import struct
import zipfile

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from nlc_toolkit.core.exports.pdf import assessment_pdf
from nlc_toolkit.core.exports.score_document import score_document
from nlc_toolkit.core.exports.spreadsheets import (
    answers_csv,
    assessment_workbook,
    read_template,
    safe,
)
from nlc_toolkit.core.questionnaire import load_questionnaire, parse_questionnaire
from nlc_toolkit.db.scores import answer_frames
from nlc_toolkit.db.session import session_scope
from nlc_toolkit.i18n import translate_message
from nlc_toolkit.services import assessments as svc
from nlc_toolkit.services import results
from tests import factories
from tests.factories import QUICK, answer_some
from tests.helpers import ROOT, fill_template, readme_example_text


@pytest.fixture
def city(migrated):
    with session_scope() as s:
        return factories.tangier_with_ministry(s)


def test_report_matches_core_and_carries_gap_and_groups(city):
    q = answer_some(city, city["assessment"], [0, 1])
    with session_scope() as s:
        rep = results.report(s, city["editor"], city["assessment"])
        answers, context = answer_frames(s, [city["assessment"]])
    expected = score_document(q, answers, context, city["assessment"])
    assert rep["overall"] == pytest.approx(expected["overall"])
    for d in rep["domains"]:
        assert d["score"] == (pytest.approx(expected["domains"][d["id"]]) if expected["domains"][d["id"]] is not None else None)
    assert [r["question"] for r in rep["recommendations"]] == [r["question"] for r in expected["recommendations"]]
    # national answers are two levels above the city's: every answered question shows a gap of +2 (or +1 at the top)
    assert rep["gaps"] and rep["gaps"][0]["gap"] == 2.0 and rep["gaps"][0]["local"] in (0.0, 1.0)
    assert all(row["disagreement"] for row in rep["by_group"] if row["question"] == rep["gaps"][0]["question"])
    assert not any(r["question"].startswith("reintegration.") for r in rep["recommendations"])
    grouped = sum(len(v) for v in rep["groups"].values())
    assert grouped == len(rep["recommendations"])


def test_previous_round_and_actions_carry_over(city):
    answer_some(city, city["assessment"], [1])
    with session_scope() as s:
        svc.submit(s, city["editor"], city["assessment"])
        action = results.add_action(s, city["editor"], city["assessment"], load_questionnaire(QUICK).questions[0].id,
                                    "Council decision on prevention", "Mayor's office", "2026-06-30")
        action_id = action.id
    with session_scope() as s:
        new_id = svc.new_round(s, city["editor"], city["assessment"]).id
    with session_scope() as s:
        svc.answer(s, city["editor"], new_id, load_questionnaire(QUICK).questions[0].id, "3")
        results.update_action(s, city["editor"], new_id, action_id, status="done")
        rep = results.report(s, city["editor"], new_id)
    assert rep["previous"]["year"] == 2025 and rep["previous"]["overall"] is not None
    assert any(d["previous"] is not None for d in rep["domains"])
    [carried] = rep["actions"]
    assert carried["title"] == "Council decision on prevention" and carried["status"] == "done"
    assert carried["from_this_round"] is False and carried["current_level"] == 3.0


def test_action_plan_refuses_bad_input_and_other_cities(city):
    with session_scope() as s:
        outsider = factories.actor(s, "ed@fes.org", "city_editor", factories.city(s, "Fes"))
    for kwargs, key in [({"title": " "}, "actions.error.title"), ({"title": "x", "due": "30/06/2026"}, "actions.error.due"),
                        ({"title": "x", "status": "someday"}, "actions.error.status")]:
        with pytest.raises(svc.Invalid, match=key), session_scope() as s:
            results.add_action(s, city["editor"], city["assessment"], "", **kwargs)
    with pytest.raises(svc.NotFound), session_scope() as s:
        results.add_action(s, outsider, city["assessment"], "", "x")
    with pytest.raises(svc.Refused), session_scope() as s:
        results.add_action(s, city["ministry"], city["assessment"], "", "x")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_pdf_report_has_the_city_and_first_recommendation(city, lang, tmp_path):
    answer_some(city, city["assessment"], [0, 1, 2])
    with session_scope() as s:
        rep = results.report(s, city["editor"], city["assessment"])
    pdf = assessment_pdf(rep, lang)
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    (ROOT / "test-artifacts" / f"report-{lang}.pdf").write_bytes(pdf)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Tangier" in text
    first = rep["recommendations"][0]["text"][lang]
    # PDF text extraction splits lines; compare the first words in logical order
    assert " ".join(first.split()[:4]) in " ".join(text.split())
    if lang == "ar":
        assert "الملخص" in text and "خطة العمل" in text


def test_formula_injection_is_neutralised(city):
    assert safe("=HYPERLINK(\"http://evil\")") == "'=HYPERLINK(\"http://evil\")"
    assert safe("+1") == "'+1" and safe("@SUM(A1)") == "'@SUM(A1)" and safe("-2") == "'-2" and safe("ok") == "ok"
    rows = [{"respondent": "=cmd|' /C calc'!A0", "group": "municipality", "question": "q", "answer": "1",
             "note": "@SUM(1+1)"}]
    text = answers_csv(rows).decode("utf-8-sig")
    assert "'=cmd" in text and "'@SUM" in text
    with session_scope() as s:
        svc.set_note(s, city["editor"], city["assessment"], load_questionnaire(QUICK).questions[0].id, "=1+1")
        rep = results.report(s, city["editor"], city["assessment"])
    wb = load_workbook(io.BytesIO(assessment_workbook(rep, "en")))
    notes = [row[4] for row in wb["answers"].iter_rows(min_row=2, values_only=True)]
    assert notes == ["'=1+1"]


def test_template_round_trip(city):
    q = load_questionnaire(QUICK)
    filled = {x.id: (str(i % 4) if i % 5 else "na", f"note {i}" if i % 3 == 0 else None)
              for i, x in enumerate(q.questions[:20])}
    data = fill_template(q, "fr", filled, {"returnees_present": "no"})
    with session_scope() as s:
        problems, count = results.import_template(s, city["editor"], city["assessment"], data)
    assert problems == [] and count == 20
    with session_scope() as s:
        rep = results.report(s, city["editor"], city["assessment"])
        view = svc.view(s, city["editor"], city["assessment"])
    exported = {(r["question"], r["answer"], r["note"] or None) for r in rep["answers"] if r["group"] == "municipality"}
    assert exported == {(k, v, n) for k, (v, n) in filled.items()}
    assert view["context"]["returnees_present"] == "no"
    # and the CSV export carries the same answers
    reader = csv.DictReader(io.StringIO(answers_csv(rep["answers"]).decode("utf-8-sig")))
    assert {(r["question"], r["answer"]) for r in reader if r["group"] == "municipality"} == {(k, v) for k, (v, _) in filled.items()}


def test_bad_templates_are_refused_with_problems_by_row_and_nothing_written(city):
    q = load_questionnaire(QUICK)
    first, second = q.questions[0].id, q.questions[1].id

    def unknown_and_out_of_range(wb):
        ws = wb["answers"]
        ws.cell(2, 5).value = "7"
        ws.cell(3, 1).value = "no.such.question"
        ws.cell(3, 5).value = "1"

    def wrong_version(wb):
        wb["_meta"].cell(2, 2).value = "0.9"

    def missing_column(wb):
        wb["answers"].cell(1, 5).value = "level"

    cases = [
        (fill_template(q, "en", {second: ("2", None)}, edit=unknown_and_out_of_range),
         ["Sheet 'answers', row 2: '7' is not an answer to " + first,
          "Sheet 'answers', row 3: unknown question id 'no.such.question'"]),
        (fill_template(q, "en", {first: ("1", None)}, edit=wrong_version), ["version 0.9"]),
        (fill_template(q, "en", {first: ("1", None)}, edit=missing_column), ["Sheet 'answers': 1 column is missing: answer"]),
        (fill_template(q, "en", {first: ("1", None)}, {"returnees_present": "maybe"}),
         ["Sheet 'profile', row 4: 'maybe' is not an option"]),
        (b"not a spreadsheet", ["The file is not an XLSX workbook"]),
    ]
    for data, expected in cases:
        with session_scope() as s:
            problems, count = results.import_template(s, city["editor"], city["assessment"], data)
        assert count == 0
        texts = [translate_message(p, "en") for p in problems]
        for fragment in expected:
            assert any(fragment in text for text in texts), (fragment, texts)
    with session_scope() as s:
        rep = results.report(s, city["editor"], city["assessment"])
    assert rep["answers"] == []


def test_a_damaged_workbook_is_a_problem_not_an_exception():
    """What issue 16's sweep found read_template raising, or quoting whole: a sheet whose XML breaks
    off (ParseError, raised while the rows are read), a cell reference openpyxl cannot parse
    (ValueError), a shared string that is not there (IndexError), a zip needing a newer zip version
    (NotImplementedError), a 32,000-character cell."""
    q = parse_questionnaire(readme_example_text(), "example")
    filled = fill_template(q, "en", {"mandate.formal_mandate": ("2", None)})
    assert read_template(q, filled).answers == [("mandate.formal_mandate", "2", "")]

    def part_changed(edit):  # the answers sheet's XML changed
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(filled)) as z, zipfile.ZipFile(out, "w") as w:
            for name in z.namelist():
                w.writestr(name, edit(z.read(name)) if name == "xl/worksheets/sheet3.xml" else z.read(name))
        return out.getvalue()

    newer_zip = bytearray(filled)
    at = newer_zip.find(b"PK\x01\x02")
    while at >= 0:  # "version needed to extract" of every entry: 18.5
        struct.pack_into("<H", newer_zip, at + 6, 185)
        at = newer_zip.find(b"PK\x01\x02", at + 4)

    def long_id(wb):
        wb["answers"].cell(2, 1).value = "x" * 32_000

    unreadable = {"key": "template.problem.unreadable_part", "values": {}}
    for data, problem in [
        (part_changed(lambda d: d[: len(d) // 2]), unreadable),
        (part_changed(lambda d: d.replace(b'r="E2"', b'r="E-"')), unreadable),
        (part_changed(lambda d: re.sub(rb'<c r="E2".*?</c>', b'<c r="E2" t="s"><v>99</v></c>', d)), unreadable),
        (bytes(newer_zip), {"key": "template.problem.not_xlsx", "values": {}}),
        (fill_template(q, "en", {}, edit=long_id), {"key": "template.problem.unknown_question",
                                                   "values": {"sheet": "answers", "row": 2, "id": "x" * 60 + "…"}}),
    ]:
        assert read_template(q, data).problems == [problem]


def test_a_facet_is_in_the_report_and_its_pdf(migrated):
    """A questionnaire that declares a facet (issue 15: the national-local interface) gets its
    sub-score in the report the dashboard shows and in the PDF."""
    from nlc_toolkit.core.policy import actor_of
    from nlc_toolkit.db import repo
    from tests.helpers import readme_example_text

    facet = ("\nfacets:\n  - id: national_local\n    title: {en: National-local interface, fr: Interface État-commune,"
             " ar: التفاعل بين المستويين الوطني والمحلي}\n    questions: [mandate.formal_mandate, reintegration.plan]\n")
    with session_scope() as s:
        version = repo.register_questionnaire(s, readme_example_text() + facet, "example-with-facet")
        tangier = factories.city(s, "Tangier")
        editor = actor_of(factories.user(s, "ed@tangier.org", "city_editor", tangier))
        assessment_id = factories.assessment(s, editor, tangier, version).id
        svc.answer(s, editor, assessment_id, "mandate.formal_mandate", "2")
        svc.answer(s, editor, assessment_id, "mandate.lead_office", "0")
    with session_scope() as s:
        report = results.report(s, editor, assessment_id)
    [facet_result] = report.facets
    assert (facet_result.id, facet_result.questions) == ("national_local", 2)
    assert facet_result.score == pytest.approx(100 * 2 / 3)  # the plan is unanswered: left out
    assert report.to_dict()["facets"][0]["title"]["fr"] == "Interface État-commune"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(assessment_pdf(report, "en"))).pages)
    assert "National-local interface" in text and "67" in text
