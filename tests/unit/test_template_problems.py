"""The problems of an imported XLSX template are catalog messages with values, not English
sentences: core gives each as plain data ({"key", "values"}), the catalogs have every key in the
three languages with the same placeholders, and the results page writes them in the reader's
language (again when it changes)."""

from __future__ import annotations

import io
import json
import pickle
import string
import zipfile

import pytest

from nlc_toolkit.core.exports.spreadsheets import (
    MAX_NOTE,
    MAX_ROWS,
    MAX_ZIP_ENTRIES,
    read_template,
)
from nlc_toolkit.core.questionnaire import parse_questionnaire
from nlc_toolkit.i18n import LANGUAGES, catalog, format_number, translate_message
from tests.helpers import drain, fill_template, readme_example_text, run_coroutine

Q = parse_questionnaire(readme_example_text(), "example")
FIRST, SECOND = Q.questions[0].id, Q.questions[1].id
PREFIX = "template.problem."


def _edited(edit, answers=None, context=None) -> bytes:
    return fill_template(Q, "en", answers or {FIRST: ("1", None)}, context, edit=edit)


def _zip_of_many_entries() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for i in range(MAX_ZIP_ENTRIES + 1):
            z.writestr(f"part{i}.xml", "")
    return out.getvalue()


def _answers_part_cut() -> bytes:
    filled, out = _edited(None), io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(filled)) as z, zipfile.ZipFile(out, "w") as w:
        for name in z.namelist():
            data = z.read(name)
            w.writestr(name, data[: len(data) // 2] if name == "xl/worksheets/sheet3.xml" else data)
    return out.getvalue()


def _set(sheet: str, *cells):
    def edit(wb):
        for row, column, value in cells:
            wb[sheet].cell(row, column).value = value
    return edit


def _no_meta(wb):
    del wb["_meta"]


def _problem(key: str, **values) -> dict:
    return {"key": PREFIX + key, "values": values}


ALLOWED = ["0", "1", "2", "3", "na", "unknown"]
CASES = {
    "not_xlsx": (lambda: b"not a spreadsheet", _problem("not_xlsx")),
    "too_large": (_zip_of_many_entries, _problem("too_large")),
    "unreadable_part": (_answers_part_cut, _problem("unreadable_part")),
    "too_many_rows": (lambda: _edited(_set("answers", (MAX_ROWS + 1, 1, FIRST))),
                      _problem("too_many_rows", sheet="answers", most=MAX_ROWS)),
    "missing_sheet": (lambda: _edited(_no_meta), _problem("missing_sheet", sheet="_meta")),
    "other_version": (lambda: _edited(_set("_meta", (2, 2, "0.9"))),
                      _problem("other_version", found_id=Q.id, found_version="0.9", expected_id=Q.id,
                               expected_version=Q.version)),
    "missing_columns": (lambda: _edited(_set("answers", (1, 5, "level"), (1, 6, "comment"))),
                        _problem("missing_columns", n=2, sheet="answers", columns=["answer", "note"])),
    "unknown_question": (lambda: _edited(_set("answers", (3, 1, "no.such.question"), (3, 5, "1"))),
                         _problem("unknown_question", sheet="answers", row=3, id="no.such.question")),
    "duplicate_question": (lambda: _edited(_set("answers", (3, 1, FIRST), (3, 5, "2"))),
                           _problem("duplicate_question", sheet="answers", row=3, id=FIRST)),
    "bad_answer": (lambda: _edited(None, {FIRST: ("7", None)}),
                   _problem("bad_answer", sheet="answers", row=2, value="7", question=FIRST, allowed=ALLOWED)),
    "note_too_long": (lambda: _edited(None, {FIRST: ("1", "x" * (MAX_NOTE + 1))}),
                      _problem("note_too_long", sheet="answers", row=2, most=MAX_NOTE)),
    "unknown_profile_question": (lambda: _edited(_set("profile", (2, 1, "no_such_profile"), (2, 4, "yes"))),
                                 _problem("unknown_profile_question", sheet="profile", row=2, id="no_such_profile")),
    "bad_option": (lambda: _edited(None, context={"returnees_present": "maybe"}),
                   _problem("bad_option", sheet="profile", row=2, value="maybe", question="returnees_present",
                            options=["yes", "no", "unsure"])),
}


@pytest.fixture(scope="module")
def problems() -> dict[str, list[dict]]:
    return {name: read_template(Q, build()).problems for name, (build, _) in CASES.items()}


@pytest.mark.parametrize("name", CASES)
def test_each_problem_is_its_key_with_its_values(problems, name):
    assert problems[name] == [CASES[name][1]]


def test_every_problem_key_of_the_catalogs_has_a_case():
    assert {p["key"] for _, p in CASES.values()} == {k for k in catalog("en") if k.startswith(PREFIX)}


def test_problems_are_plain_data(problems):
    """They travel from a build process (pickled) and wait in a page's state (JSON-like)."""
    for found in problems.values():
        assert pickle.loads(pickle.dumps(found)) == found
        assert json.loads(json.dumps(found)) == found


def _fields(value) -> set[str]:
    forms = value.values() if isinstance(value, dict) else [value]
    return {f for text in forms for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", CASES)
def test_each_problem_is_written_in_every_language_with_its_values(problems, name, lang):
    [problem] = problems[name]
    message = catalog(lang)[problem["key"]]
    values = problem["values"]
    # the values are exactly what the message shows (a count may be left out of a plural form)
    assert _fields(message) - {"n"} == set(values) - {"n"}, (lang, problem["key"])
    text = translate_message(problem, lang)
    assert "{" not in text and "}" not in text
    for field, value in values.items():
        if field == "n":  # the count picks the form (Arabic's "two columns" writes no number)
            continue
        for shown in value if isinstance(value, list) else [value]:
            assert (format_number(shown, lang) if isinstance(shown, int) else shown) in text, (lang, shown, text)


def test_french_and_arabic_texts_with_the_values_filled_in():
    unknown = _problem("unknown_question", sheet="answers", row=1234, id="x.y")
    assert translate_message(unknown, "en") == "Sheet 'answers', row 1,234: unknown question id 'x.y'."
    assert translate_message(unknown, "fr") == \
        "Feuille « answers », ligne 1\u202f234 : identifiant de question inconnu « x.y »."
    assert translate_message(unknown, "ar") == "ورقة «answers»، السطر 1.234: معرّف سؤال غير معروف «x.y»."
    bad = CASES["bad_answer"][1]
    assert translate_message(bad, "fr") == (f"Feuille « answers », ligne 2 : « 7 » n'est pas une réponse possible à "
                                            f"{FIRST} (réponses admises : 0, 1, 2, 3, na, unknown).")
    assert translate_message(bad, "ar") == (f"ورقة «answers»، السطر 2: «7» ليست إجابة مقبولة عن {FIRST} "
                                            "(الإجابات المقبولة: 0، 1، 2، 3، na، unknown).")
    assert translate_message(CASES["too_many_rows"][1], "fr").endswith("compte plus de 2\u202f000 lignes.")


@pytest.mark.parametrize("columns, arabic", [
    (["answer"], "ورقة «answers»: ينقصها عمود واحد: answer."),
    (["answer", "note"], "ورقة «answers»: ينقصها عمودان: answer، note."),
    (["question_id", "answer", "note"], "ورقة «answers»: تنقصها 3 أعمدة: question_id، answer، note."),
])
def test_missing_columns_follow_the_plural_rules(columns, arabic):
    problem = _problem("missing_columns", n=len(columns), sheet="answers", columns=columns)
    assert translate_message(problem, "ar") == arabic
    english = translate_message(problem, "en")
    assert english.startswith(f"Sheet 'answers': {len(columns)} column{'s are' if len(columns) > 1 else ' is'} missing")


# --------------------------------------------------------------------------- the results page


class _Upload:
    """What Reflex hands an upload handler: a name and an async read."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)

    async def read(self, size: int = -1) -> bytes:
        return self._data.read(size)


@pytest.fixture
def page(monkeypatch):
    """The results page's state in a tab (no browser, no database): signed in, and the import's
    build process replaced by reading the file here."""
    from reflex.state import State

    from nlc_toolkit.services import builds
    from nlc_toolkit.ui.pages.results.state import ResultsState
    from nlc_toolkit.ui.state.lang import LangState

    async def in_build_process(job, actor, assessment_id, data, label, group):
        assert job is builds.import_template
        return read_template(Q, data).problems, 0, None

    monkeypatch.setattr(ResultsState, "_actor", lambda self, *args, **kwargs: object())
    monkeypatch.setattr(ResultsState, "_id", lambda self: 1)
    monkeypatch.setattr(builds, "in_build_process", in_build_process)
    root = State(_reflex_internal_init=True)
    lang = root.get_substate(LangState.get_full_name().split(".")[1:])
    return ResultsState, root.get_substate(ResultsState.get_full_name().split(".")[1:]), lang


def test_the_page_shows_the_problems_in_its_language_and_again_when_it_changes(page):
    from nlc_toolkit.ui.pages.results.state import MESSAGES

    R, state, lang = page
    lang.stored_lang = "fr"
    data = fill_template(Q, "en", {FIRST: ("7", None)}, edit=_set("answers", (3, 1, "no.such.question"), (3, 5, "1")))
    run_coroutine(drain(R.import_template.fn(state, [_Upload(data)])))
    assert (state.message, state.message_is_error) == ("results.import_refused", True)
    assert state.problems == [
        f"Feuille « answers », ligne 2 : « 7 » n'est pas une réponse possible à {FIRST} "
        "(réponses admises : 0, 1, 2, 3, na, unknown).",
        "Feuille « answers », ligne 3 : identifiant de question inconnu « no.such.question ».",
    ]
    lang.stored_lang = "ar"
    assert state.problems[1] == "ورقة «answers»، السطر 3: معرّف سؤال غير معروف «no.such.question»."
    assert "results.import_refused" in MESSAGES

    run_coroutine(drain(R.import_template.fn(state, [_Upload(data), _Upload(data)])))
    assert state.problems == [] and state.message == "results.import_one_file"
    assert {"results.import_one_file", "results.import_too_large"} <= set(MESSAGES)  # the banner can show them
