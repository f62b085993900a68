"""Spreadsheets in and out (openpyxl): the offline answer template, reading it back with problems
listed by row, and the export of an assessment as XLSX and CSV.

A problem found in a filled template is a catalog message kept as plain data (i18n.message_data:
{"key": "template.problem.…", "values": {...}}), so that it can leave a build process and wait in a
page's state, and be written in the reader's language when shown (i18n.translate_message).

Every text cell written is neutralised against formula injection: a value starting with
= + - @ (or a tab / carriage return) gets a leading apostrophe, so a spreadsheet program shows it
as text instead of running it."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from nlc_toolkit.core.questionnaire import Questionnaire, localized
from nlc_toolkit.core.views import AnswerRow, Report
from nlc_toolkit.i18n import message_data, translate

ANSWER_SHEET, PROFILE_SHEET, META_SHEET, README_SHEET = "answers", "profile", "_meta", "read_me"
ANSWER_COLUMNS = ["question_id", "domain", "question", "levels", "answer", "note"]
PROFILE_COLUMNS = ["context_id", "question", "options", "answer"]
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_HEADER = Font(bold=True)
_INPUT = PatternFill("solid", fgColor="FFF7D6")


def safe(value):
    """A cell value that a spreadsheet program will not evaluate as a formula."""
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


def _sheet(wb: Workbook, title: str, header: list[str], rtl: bool):
    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = _HEADER
    ws.sheet_view.rightToLeft = rtl
    ws.freeze_panes = "A2"
    return ws


def _bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- the offline template


def answer_template(q: Questionnaire, lang: str) -> bytes:
    """An XLSX to fill in without the app (as cities do with the UNDRR scorecard)."""
    rtl = lang == "ar"
    wb = Workbook()
    wb.remove(wb.active)
    readme = _sheet(wb, README_SHEET, [localized(q.title, lang)], rtl)
    for key in ("template.readme.1", "template.readme.2", "template.readme.3", "template.readme.4"):
        readme.append([translate(key, lang, top=q.max_level)])
    readme.column_dimensions["A"].width = 120

    profile = _sheet(wb, PROFILE_SHEET, PROFILE_COLUMNS, rtl)
    for c in q.context:
        options = " | ".join(f"{o} = {localized((c.option_labels or {}).get(o), lang) or o}" for o in c.options)
        profile.append([c.id, safe(localized(c.text, lang)), safe(options), None])
        profile.cell(profile.max_row, 4).fill = _INPUT
    for column, width in zip("ABCD", (24, 60, 70, 18)):
        profile.column_dimensions[column].width = width

    answers = _sheet(wb, ANSWER_SHEET, ANSWER_COLUMNS, rtl)
    allowed = [str(v) for v in range(q.max_level + 1)]
    allowed += ["na"] if q.scale.allow_na else []
    allowed += ["unknown"] if q.scale.allow_unknown else []
    for question in q.questions:
        descriptors = "\n".join(
            f"{level.value} {localized(level.label, lang)}: {localized(question.levels[level.value], lang)}"
            for level in q.scale.levels
        )
        answers.append([question.id, safe(localized(q.domain_of[question.id].title, lang)),
                        safe(localized(question.text, lang)), safe(descriptors), None, None])
        row = answers.max_row
        for column in (5, 6):
            answers.cell(row, column).fill = _INPUT
        for column in (3, 4, 6):
            answers.cell(row, column).alignment = Alignment(wrap_text=True, vertical="top")
    validation = DataValidation(type="list", formula1='"' + ",".join(allowed) + '"', allow_blank=True)
    validation.error = translate("template.invalid_choice", lang)
    answers.add_data_validation(validation)
    validation.add(f"E2:E{answers.max_row}")
    for column, width in zip("ABCDEF", (30, 28, 60, 80, 10, 40)):
        answers.column_dimensions[column].width = width

    meta = wb.create_sheet(META_SHEET)
    for row in (["questionnaire_id", q.id], ["version", q.version], ["language", lang]):
        meta.append(row)
    meta.sheet_state = "hidden"
    return _bytes(wb)


@dataclass
class TemplateAnswers:
    answers: list[tuple[str, str, str]] = field(default_factory=list)  # (question, answer, note)
    context: list[tuple[str, str]] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)  # messages as data: {"key": ..., "values": {...}}


# A filled template is a few hundred rows; anything far beyond is refused before or while reading,
# so a crafted file (a zip bomb, a sheet of a million rows) cannot exhaust memory or time.
MAX_UNCOMPRESSED_BYTES = 30 * 1024 * 1024
MAX_ZIP_ENTRIES = 200
MAX_ROWS = 2_000
MAX_COLUMNS = 30
MAX_NOTE = 2000  # characters of a note, as an answer's note in the app


class TemplateTooLarge(ValueError):
    def __init__(self, sheet: str):
        super().__init__(f"{sheet}: more than {MAX_ROWS} rows")
        self.sheet = sheet


# What openpyxl raises for a sheet part it cannot read: XML that does not parse, a cell reference
# or a value that its reader cannot convert ('E-' as a column, 'abc' in a number cell), a shared
# string that is not there (IndexError).
_BROKEN_PART = (ElementTree.ParseError, ValueError, LookupError)


def _check_archive(data: bytes) -> dict | None:
    """Why this XLSX may not be opened (sizes as declared in the zip directory), or None."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            entries = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):  # NotImplementedError: "zip file version 18.5"
        return message_data("template.problem.not_xlsx")
    if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_UNCOMPRESSED_BYTES:
        return message_data("template.problem.too_large")
    return None


def _rows(ws, expected: list[str], sheet: str, problems: list[dict]):
    rows = ws.iter_rows(values_only=True, max_col=MAX_COLUMNS)
    header = [str(v).strip() if v is not None else "" for v in next(rows, ())]
    missing = [c for c in expected if c not in header]
    if missing:
        problems.append(message_data("template.problem.missing_columns", n=len(missing), sheet=sheet, columns=missing))
        return
    index = {name: header.index(name) for name in expected}
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS:
            raise TemplateTooLarge(sheet)
        yield number, {name: values[i] if i < len(values) else None for name, i in index.items()}


def _shown(value: str | None, most: int = 60) -> str | None:
    """A cell quoted in a problem: a cell holds up to 32,767 characters, the message stays readable."""
    return value if value is None or len(value) <= most else value[:most] + "…"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_template(q: Questionnaire, data: bytes) -> TemplateAnswers:
    """Read a filled template. Anything wrong is listed (by sheet and row, each a message as data,
    see the module's docstring); the caller writes nothing unless `problems` is empty."""
    out = TemplateAnswers()
    if problem := _check_archive(data):
        out.problems.append(problem)
        return out
    try:
        return _read_template(q, data, out)
    except TemplateTooLarge as e:
        return TemplateAnswers(problems=[message_data("template.problem.too_many_rows", sheet=e.sheet, most=MAX_ROWS)])
    except _BROKEN_PART:
        # A read-only workbook parses each sheet's XML only while its rows are read: a broken part
        # shows up here, after load_workbook succeeded.
        return TemplateAnswers(problems=[message_data("template.problem.unreadable_part")])


def _read_template(q: Questionnaire, data: bytes, out: TemplateAnswers) -> TemplateAnswers:
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError, Exception):  # noqa: BLE001 - any unreadable file
        out.problems.append(message_data("template.problem.not_xlsx"))
        return out
    for sheet in (META_SHEET, ANSWER_SHEET):
        if sheet not in wb.sheetnames:
            out.problems.append(message_data("template.problem.missing_sheet", sheet=sheet))
    if out.problems:
        return out
    meta = {_text(r[0]): _text(r[1]) for r in wb[META_SHEET].iter_rows(values_only=True, max_row=50, max_col=2) if r and r[0]}
    if meta.get("questionnaire_id") != q.id or meta.get("version") != q.version:
        found_id, found_version = _shown(meta.get("questionnaire_id")), _shown(meta.get("version"))
        out.problems.append(message_data("template.problem.other_version", found_id=found_id or "?",
                                         found_version=found_version or "?", expected_id=q.id,
                                         expected_version=q.version))
        return out

    allowed = {str(v) for v in range(q.max_level + 1)}
    allowed |= {"na"} if q.scale.allow_na else set()
    allowed |= {"unknown"} if q.scale.allow_unknown else set()
    seen: set[str] = set()
    for number, row in _rows(wb[ANSWER_SHEET], ANSWER_COLUMNS, ANSWER_SHEET, out.problems) or []:
        qid, answer, note = _text(row["question_id"]), _text(row["answer"]).lower(), _text(row["note"])
        if not qid and not answer and not note:
            continue
        if qid not in q.question_by_id:
            out.problems.append(message_data("template.problem.unknown_question", sheet=ANSWER_SHEET, row=number,
                                             id=_shown(qid)))
            continue
        if qid in seen:
            out.problems.append(message_data("template.problem.duplicate_question", sheet=ANSWER_SHEET, row=number,
                                             id=qid))
            continue
        seen.add(qid)
        if answer and answer not in allowed:
            out.problems.append(message_data("template.problem.bad_answer", sheet=ANSWER_SHEET, row=number,
                                             value=_shown(answer), question=qid, allowed=sorted(allowed)))
            continue
        if len(note) > MAX_NOTE:
            out.problems.append(message_data("template.problem.note_too_long", sheet=ANSWER_SHEET, row=number,
                                             most=MAX_NOTE))
            continue
        if answer or note:
            out.answers.append((qid, answer, note))

    if PROFILE_SHEET in wb.sheetnames:
        for number, row in _rows(wb[PROFILE_SHEET], PROFILE_COLUMNS, PROFILE_SHEET, out.problems) or []:
            cid, answer = _text(row["context_id"]), _text(row["answer"])
            if not cid or not answer:
                continue
            context = q.context_by_id.get(cid)
            if context is None:
                out.problems.append(message_data("template.problem.unknown_profile_question", sheet=PROFILE_SHEET,
                                                 row=number, id=_shown(cid)))
            elif answer not in context.options:
                out.problems.append(message_data("template.problem.bad_option", sheet=PROFILE_SHEET, row=number,
                                                 value=_shown(answer), question=cid, options=list(context.options)))
            else:
                out.context.append((cid, answer))
    return out


# --------------------------------------------------------------------------- exports


def answers_csv(rows: list[AnswerRow]) -> bytes:
    """Answers per respondent: respondent,group,question,answer,note (usable with `nlc score`).
    `rows`: a report's answers (dicts of that shape are taken too)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["respondent", "group", "question", "answer", "note"])
    for r in map(AnswerRow.from_dict, rows):
        writer.writerow([safe(r.respondent), r.group, r.question, r.answer, safe(r.note)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens Arabic correctly


def assessment_workbook(report: Report, lang: str) -> bytes:
    """The whole assessment: scores, consolidated answers, answers per respondent,
    recommendations and actions, from services/results.report."""
    report = Report.from_dict(report)  # a Report, or a dict of its shape
    rtl = lang == "ar"
    wb = Workbook()
    wb.remove(wb.active)
    tr = lambda key: translate(key, lang)  # noqa: E731

    ws = _sheet(wb, "scores", [tr("export.item"), tr("export.value")], rtl)
    for label, value in (
        (tr("assessments.city"), report.city),
        (tr("assessments.questionnaire"), f"{report.questionnaire_id} {report.version}"),
        (tr("assessments.year"), report.year),
        (tr("assessments.round"), report.round),
        (tr("results.overall"), report.overall),
        (tr("results.band"), localized(report.band, lang)),
        (tr("results.completeness"), report.completeness),
    ):
        ws.append([safe(label), safe(value)])
    ws.cell(ws.max_row, 2).number_format = "0%"  # completeness, a share: the reader's spreadsheet writes it for its locale
    for d in report.domains:
        ws.append([safe(localized(d.title, lang)), d.score])
    ws.column_dimensions["A"].width = 60

    ws = _sheet(wb, "consolidated", ["question_id", tr("export.question"), "level", "status", "spread"], rtl)
    for row in report.questions:
        ws.append([row.id, safe(localized(row.text, lang)), row.level, row.status, row.spread])

    ws = _sheet(wb, "answers", ["respondent", "group", "question_id", "answer", "note"], rtl)
    for r in report.answers:
        ws.append([safe(r.respondent), r.group, r.question, r.answer, safe(r.note)])

    ws = _sheet(wb, "recommendations", ["question_id", "priority", tr("export.recommendation"), "effort", "horizon",
                                        "actors"], rtl)
    for r in report.recommendations:
        ws.append([r.question, r.priority, safe(localized(r.text, lang)), r.effort, r.horizon, ", ".join(r.actors)])

    ws = _sheet(wb, "actions", [tr("actions.title_field"), tr("actions.owner"), tr("actions.due"),
                                tr("actions.status"), tr("actions.note"), "question_id"], rtl)
    for a in report.actions:
        ws.append([safe(a.title), safe(a.owner), a.due, a.status, safe(a.note), a.question])
    return _bytes(wb)


# --------------------------------------------------------------------------- a workshop's summary


def workshop_workbook(rows: list[dict], lang: str) -> bytes:
    """Per question of a live session: answers, the count at each level, median, spread, the
    agreed level and the discussion note (rows as `db.workshops.summary` gives them)."""
    wb = Workbook()
    wb.remove(wb.active)
    width = max((len(r["distribution"]) for r in rows), default=0)
    ws = _sheet(wb, "summary", ["question_id", "question", "answers", *[f"level {i}" for i in range(width)], "median",
                                "spread", "agreed", "note"], lang == "ar")
    for r in rows:
        ws.append([r["question"], safe(localized(r["text"], lang)), r["count"], *r["distribution"], r["median"],
                   r["spread"], r["agreed"], safe(r["note"])])
    return _bytes(wb)
