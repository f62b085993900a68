"""The content rules of issue 15, held on the newest version of each shipped questionnaire (1.0.0
breaks them; it stays only to score the assessments made with it): one distinct recommendation per level below the top, none restating its own
level's descriptor, applicability gates only on what can make a question not apply, and the
glossary's forbidden variants absent from every language, in the questionnaires and in the UI
catalogs, which use the glossary's terms."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from nlc_toolkit.core.questionnaire import load_questionnaire, localized
from nlc_toolkit.i18n import LANGUAGES, catalog
from tests.helpers import ROOT, questionnaire_file

CURRENT = [questionnaire_file("nlc-quick-scan"), questionnaire_file("nlc-detailed")]
GLOSSARY = ROOT / "questionnaires" / "glossary.md"
GLOSSARY_COLUMNS = ("concept", "en", "fr", "ar", "avoid")
# Context questions that decide whether a question can apply at all (not how mature a city is).
APPLICABILITY = {"returnees_present", "migration_inflows", "national_action_plan"}
STOP = set("""the a an and or of to in on for with by at from as is are be been was were that this these those its
it their there which who whom what when where how each every any all some other than then so such not no nor but
into onto about over under after before between both either per via also only more most very can may must should
would could will has have had do does did done using use used they them we our you your city cities""".split())


def tokens(text: str) -> set[str]:
    """Content words, crudely stemmed to their first 5 letters ("creates" and "creating" alike)."""
    return {w[:5] for w in re.findall(r"[a-z]{3,}", text.lower()) if w not in STOP}


@pytest.fixture(scope="module", params=CURRENT, ids=lambda p: p.name)
def questionnaire(request):
    return load_questionnaire(request.param)


def test_new_assessments_get_version_1_1_0():
    assert sorted(p.name for p in CURRENT) == ["nlc-detailed-1.1.0.yaml", "nlc-quick-scan-1.1.0.yaml"]


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


def _glossary_rows() -> list[dict[str, str]]:
    """The rows of the glossary's table, each as {column: cell}."""
    lines = [line for line in GLOSSARY.read_text("utf-8").splitlines()
             if line.startswith("| ") and not line.startswith("| concept") and not line.startswith("|---")]
    rows = []
    for line in lines:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == len(GLOSSARY_COLUMNS):
            rows.append(dict(zip(GLOSSARY_COLUMNS, cells)))
    return rows


def _forbidden_variants() -> list[str]:
    return [v.strip() for row in _glossary_rows() if row["avoid"] for v in row["avoid"].split(" / ") if v.strip()]


def _term(concept: str, lang: str) -> str:
    """The glossary's one term for a concept (named as in its first column) in a language."""
    return next(row[lang] for row in _glossary_rows() if row["concept"] == concept)


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


def test_both_questionnaires_share_domain_titles_and_theme_tags():
    quick, detailed = (load_questionnaire(p) for p in CURRENT)
    assert [d.id for d in quick.domains] == [d.id for d in detailed.domains]
    for a, b in zip(quick.domains, detailed.domains):
        assert (dict(a.title), a.themes) == (dict(b.title), b.themes), a.id


def test_the_questionnaires_use_the_glossary_terms_for_the_commune():
    """French and Arabic name the local government as the glossary does, all through."""
    for path in CURRENT:
        q = load_questionnaire(path)
        fr = " ".join(x.text["fr"] for x in q.questions)
        ar = " ".join(x.text["ar"] for x in q.questions)
        assert fr.count("commune") > len(q.questions) / 2 and ar.count("الجماعة") > len(q.questions) / 2, path.name


def test_the_glossary_is_readable():
    variants = _forbidden_variants()
    assert "ville" in variants and "الولاية" in variants and "Administration centrale" in variants
    assert _term("commune (the elected local government)", "ar") == "الجماعة"


@pytest.mark.parametrize("path", CURRENT, ids=lambda p: p.name)
def test_no_forbidden_variant_of_a_glossary_term(path: Path):
    q = load_questionnaire(path)
    texts = _texts(q.model_dump(), [], set(q.languages))
    used = {v: next(t for t in texts if _matcher(v).search(t))[:80]
            for v in _forbidden_variants() if any(_matcher(v).search(t) for t in texts)}
    assert used == {}


# Proper nouns keep their own words: the Arabic name of the Strong Cities Network says المدن.
PROPER_NOUNS = ("Strong Cities Network", "شبكة المدن القوية")
COMMUNE = "commune (the elected local government)"
NATIONAL_GROUP = "national level as a respondent group"
# Labels that name the local government alone, so they are the glossary's term itself.
LOCAL_GOVERNMENT_LABELS = ("group.municipality", "assessments.city", "admin.city_name")
# The word a string about cities (its key says city or cities) uses in each language.
LOCAL_GOVERNMENT_WORD = {"en": r"\bcit(?:y|ies)\b", "fr": r"\bcommun(?:e|es|al|aux)\b", "ar": "جماع"}


def _catalog_strings(value, key: str = "") -> Iterator[tuple[str, str]]:
    """(key, text) for every string of a catalog; a nested object's or plural form's key is its path."""
    if isinstance(value, dict):
        for name, inner in value.items():
            yield from _catalog_strings(inner, f"{key}.{name}" if key else name)
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _catalog_strings(inner, f"{key}[{i}]")
    elif isinstance(value, str):
        yield key, value


def _sentence(term: str) -> str:
    """A glossary term as a label starts: with a capital."""
    return term[:1].upper() + term[1:]


def test_the_catalog_walk_reaches_plural_forms():
    assert ("network.peers.other", "{n} x") in _catalog_strings({"network.peers": {"one": "{n} y", "other": "{n} x"}})


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_forbidden_variant_in_the_ui_catalogs(lang: str):
    matchers = {variant: _matcher(variant) for variant in _forbidden_variants()}
    used = []
    for key, text in _catalog_strings(catalog(lang)):
        for name in PROPER_NOUNS:
            text = text.replace(name, " ")
        used += [f"{key}: {variant}" for variant, matcher in matchers.items() if matcher.search(text)]
    assert used == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_ui_catalogs_use_the_glossary_terms(lang: str):
    strings = catalog(lang)
    assert strings["group.national"] == _sentence(_term(NATIONAL_GROUP, lang))
    for key in LOCAL_GOVERNMENT_LABELS:
        assert strings[key] == _sentence(_term(COMMUNE, lang)), key
    word = re.compile(LOCAL_GOVERNMENT_WORD[lang], re.IGNORECASE)
    about_cities = [key for key in strings if re.search(r"cit(?:y|ies)", key)]
    assert len(about_cities) >= 10
    assert [key for key in about_cities if not word.search(strings[key])] == []
