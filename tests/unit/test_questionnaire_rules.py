"""The content rules of issue 15, held on the newest version of each shipped questionnaire (1.0.0
breaks them; it stays only to score the assessments made with it): one distinct recommendation per level below the top, none restating its own
level's descriptor, applicability gates only on what can make a question not apply, and the
glossary's forbidden variants absent from every language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nlc_toolkit.core.questionnaire import load_questionnaire, localized
from tests.helpers import ROOT, questionnaire_file

DRAFTS = [questionnaire_file("nlc-quick-scan"), questionnaire_file("nlc-detailed")]
GLOSSARY = ROOT / "questionnaires" / "glossary.md"
# Context questions that decide whether a question can apply at all (not how mature a city is).
APPLICABILITY = {"returnees_present", "migration_inflows", "national_action_plan"}
STOP = set("""the a an and or of to in on for with by at from as is are be been was were that this these those its
it their there which who whom what when where how each every any all some other than then so such not no nor but
into onto about over under after before between both either per via also only more most very can may must should
would could will has have had do does did done using use used they them we our you your city cities""".split())


def tokens(text: str) -> set[str]:
    """Content words, crudely stemmed to their first 5 letters ("creates" and "creating" alike)."""
    return {w[:5] for w in re.findall(r"[a-z]{3,}", text.lower()) if w not in STOP}


@pytest.fixture(scope="module", params=DRAFTS, ids=lambda p: p.name)
def questionnaire(request):
    return load_questionnaire(request.param)


def test_new_assessments_get_version_1_1_0():
    assert sorted(p.name for p in DRAFTS) == ["nlc-detailed-1.1.0.yaml", "nlc-quick-scan-1.1.0.yaml"]


def test_one_distinct_recommendation_per_level_below_the_top(questionnaire):
    top = questionnaire.max_level
    for question in questionnaire.questions:
        levels = sorted(level for rec in question.recommendations for level in rec.levels)
        assert levels == list(range(top)), f"{question.id}: recommendations for levels {levels}"
        for lang in questionnaire.languages:
            texts = [localized(rec.text, lang) for rec in question.recommendations]
            assert len(set(texts)) == len(texts), f"{question.id} ({lang}): the same advice for two levels"


def test_no_recommendation_restates_its_own_level(questionnaire):
    """Most of a recommendation's words must not be its own level's descriptor: it says how to
    reach the next level, not what the city already does."""
    restating = []
    for question in questionnaire.questions:
        for rec in question.recommendations:
            words = tokens(localized(rec.text, "en"))
            for level in rec.levels:
                shared = words & tokens(localized(question.levels[level], "en"))
                if words and len(shared) >= 0.5 * len(words):
                    restating.append(f"{question.id} level {level}")
    assert restating == []


def test_gates_are_only_on_what_can_make_a_question_not_apply(questionnaire):
    maturity_gates = [(question.id, sorted(question.show_if)) for question in questionnaire.questions
                      if question.show_if and not set(question.show_if) <= APPLICABILITY]
    maturity_gates += [(f"{question.id} recommendation", sorted(rec.show_if)) for question in questionnaire.questions
                       for rec in question.recommendations if rec.show_if]
    assert maturity_gates == []


def _forbidden_variants() -> list[str]:
    rows = [line for line in GLOSSARY.read_text("utf-8").splitlines()
            if line.startswith("| ") and not line.startswith("| concept") and not line.startswith("|---")]
    variants = []
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        if len(cells) == 5 and cells[4]:
            variants += [v.strip() for v in cells[4].split(" / ") if v.strip()]
    return variants


def _matcher(variant: str) -> re.Pattern:
    """Whole words (glossary.md): an Arabic variant may follow the prefixes و ب ل ف, and one
    starting with ال may follow لل; no other Arabic letter may touch it."""
    if re.search(r"[\u0600-\u06FF]", variant):
        body = re.escape(variant)
        if variant.startswith("ال"):
            body = f"(?:{body}|لل{re.escape(variant[2:])})"
        return re.compile(rf"(?<![\u0621-\u064A])[وبلف]?{body}(?![\u0621-\u064A])")
    return re.compile(rf"(?<!\w){re.escape(variant)}(?!\w)", re.IGNORECASE)


def _texts(model, found: list[str], languages: set[str]) -> list[str]:
    """Every translated string of a questionnaire in every language (not its ids or enum values)."""
    if isinstance(model, dict):
        if model and set(model) <= languages and all(isinstance(v, str) for v in model.values()):
            found.extend(model.values())
        else:
            for value in model.values():
                _texts(value, found, languages)
    elif isinstance(model, list):
        for value in model:
            _texts(value, found, languages)
    return found


def test_the_glossary_is_readable():
    variants = _forbidden_variants()
    assert "ville" in variants and "الولاية" in variants and "Administration centrale" in variants


@pytest.mark.parametrize("path", DRAFTS, ids=lambda p: p.name)
def test_no_forbidden_variant_of_a_glossary_term(path: Path):
    q = load_questionnaire(path)
    texts = _texts(q.model_dump(), [], set(q.languages))
    used = {v: next(t for t in texts if _matcher(v).search(t))[:80]
            for v in _forbidden_variants() if any(_matcher(v).search(t) for t in texts)}
    assert used == {}
