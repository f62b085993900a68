"""The UI catalogs are complete in every language, every key is used, counts follow CLDR's plural
rules, and pages hold no UI string of their own."""

import ast
import re
import string
from datetime import date
from pathlib import Path

import pytest

from nlc_toolkit.core.policy import ROLES
from nlc_toolkit.core.questionnaire import EFFORTS, HORIZONS
from nlc_toolkit.core.vocabulary import (
    ACTION_STATUSES,
    ASSESSMENT_STATUSES,
    RESPONDENT_GROUPS,
    WORKSHOP_STATUSES,
)
from nlc_toolkit.i18n import (
    LANGUAGES,
    catalog,
    direction,
    format_date,
    format_datetime,
    format_number,
    format_percent,
    plural,
    plural_categories,
    translate,
)
from nlc_toolkit.services import questionnaires as questionnaire_service
from nlc_toolkit.services.admin import POPULATION_BANDS

PACKAGE = Path(__file__).resolve().parents[2] / "nlc_toolkit"
TEXT_COMPONENTS = {"text", "heading", "button", "link", "badge", "callout", "label", "tooltip", "code", "em", "strong"}


def _forms(value) -> list[str]:
    return list(value.values()) if isinstance(value, dict) else [value]


def test_catalogs_have_the_same_keys_and_no_empty_message():
    keys = set(catalog("en"))
    for lang in LANGUAGES:
        assert set(catalog(lang)) == keys, f"{lang}: {sorted(set(catalog(lang)) ^ keys)}"
        empty = [k for k, v in catalog(lang).items() if not all(isinstance(f, str) and f.strip() for f in _forms(v))]
        assert empty == [], (lang, empty)


def test_placeholders_match_across_languages():
    def fields(value):
        # A plural form may leave the count out ("مجالان", two domains); the other fields stay.
        found = {f for text in _forms(value) for _, f, _, _ in string.Formatter().parse(text) if f}
        return found - {"n"} if isinstance(value, dict) else found
    for key, text in catalog("en").items():
        for lang in LANGUAGES:
            assert fields(catalog(lang)[key]) == fields(text), (lang, key)


def test_plural_messages_have_exactly_cldr_categories():
    for lang in LANGUAGES:
        for key, value in catalog(lang).items():
            assert isinstance(value, dict) == isinstance(catalog("en")[key], dict), (lang, key)
            if isinstance(value, dict):
                assert set(value) == plural_categories(lang), (lang, key, sorted(value))
                assert "{n}" in value["other"], (lang, key)


@pytest.mark.parametrize("n, domains, questions", [
    (0, "لا مجالات", "لا أسئلة"),
    (1, "مجال واحد", "سؤال واحد"),
    (2, "مجالان", "سؤالان"),
    (3, "3 مجالات", "3 أسئلة"),
    (10, "10 مجالات", "10 أسئلة"),
    (11, "11 مجالاً", "11 سؤالاً"),
    (17, "17 مجالاً", "17 سؤالاً"),
    (99, "99 مجالاً", "99 سؤالاً"),
    (100, "100 مجال", "100 سؤال"),
    (102, "102 مجال", "102 سؤال"),
    (103, "103 مجالات", "103 أسئلة"),
    (111, "111 مجالاً", "111 سؤالاً"),
])
def test_arabic_has_six_plural_forms(n, domains, questions):
    assert plural("home.domains_count", n, "ar") == domains
    assert plural("home.questions_count", n, "ar") == questions


def test_arabic_counts_in_sentences():
    assert plural("assessment.answered_of", 100, "ar", answered=40) == "أُجيب عن 40 من 100 سؤال"
    assert plural("assessment.answered_of", 2, "ar", answered=1) == "أُجيب عن 1 من سؤالين"
    assert plural("report.summary_recommendations", 17, "ar") == "أسفر هذا التقييم عن 17 توصيةً."
    assert plural("auth.wait_minutes", 15, "ar") == "يمكنكم المحاولة من جديد بعد 15 دقيقةً."


def test_french_zero_and_one_are_singular():
    assert plural("home.domains_count", 0, "fr") == "0 domaine"
    assert plural("home.domains_count", 1, "fr") == "1 domaine"
    assert plural("home.domains_count", 2, "fr") == "2 domaines"
    assert plural("home.questions_count", 0, "fr") == "0 question"
    assert plural("assessment.answered_of", 1, "fr", answered=0) == "Réponses : 0 sur 1 question"
    assert plural("assessment.answered_of", 12, "fr", answered=1) == "Réponses : 1 sur 12 questions"
    assert plural("home.questions_count", 1_000_000, "fr") == "1\u202f000\u202f000 de questions"


def test_english_one_and_other():
    assert plural("home.domains_count", 1, "en") == "1 domain"
    assert plural("home.domains_count", 0, "en") == "0 domains"
    assert plural("home.questions_count", 2, "en") == "2 questions"
    assert plural("network.peers", 1, "en") == "1 peer city"
    assert plural("home.questions_count", 1200, "en") == "1,200 questions"


def test_a_message_with_a_count_needs_one():
    with pytest.raises(TypeError):
        translate("home.domains_count", "en")
    with pytest.raises(TypeError):
        plural("nav.sign_in", 2, "en")
    assert plural("home.domains_count", 3, "xx") == "3 domains"  # unknown language: English


def test_client_t_refuses_a_message_with_a_count():
    from nlc_toolkit.ui.components.i18n import t, t_key
    from nlc_toolkit.ui.state.lang import LangState
    with pytest.raises(TypeError):
        t("home.domains_count")
    with pytest.raises(TypeError):
        t_key(LangState.lang, ["nav.sign_in", "network.peers"])


def test_numbers_percentages_and_dates_follow_the_locale():
    assert [format_number(2.5, lang, 1) for lang in ("en", "fr", "ar")] == ["2.5", "2,5", "2,5"]
    assert format_number(1234, "ar") == "1.234"  # latin digits, as written in Morocco
    assert format_number(0.5, "en", 1, signed=True) == "+0.5"
    assert format_number(None, "fr") == "–"
    assert format_percent(0.5, "en") == "50%" and format_percent(0.5, "fr") == "50\u00a0%"
    assert format_date(date(2026, 7, 5), "fr") == "5 juillet 2026"
    assert format_date(date(2026, 7, 5), "ar") == "5 يوليوز 2026"
    assert format_datetime("2026-07-05 14:05", "fr") == "5 juillet 2026 14:05"


def test_translate_and_direction():
    assert translate("nav.sign_in", "fr") == "Se connecter"
    assert translate("nav.sign_in", "xx") == "Sign in"  # unknown language falls back to English
    assert direction("ar") == "rtl" and direction("fr") == "ltr"
    with pytest.raises(KeyError):
        translate("no.such.key")


def _literal_ui_strings(path: Path):
    tree = ast.parse(path.read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in TEXT_COMPONENTS:
            if isinstance(node.func.value, ast.Name) and node.func.value.id == "rx":
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and re.search(r"[A-Za-z\u0600-\u06FF]{2}", arg.value):
                        yield f"{path.name}:{node.lineno}: {arg.value!r}"


def test_no_ui_string_outside_the_catalogs():
    found = [hit for folder in ("pages", "components") for p in (PACKAGE / "ui" / folder).rglob("*.py")
             for hit in _literal_ui_strings(p)]
    assert found == []


# Keys built at run time: a prefix in the code plus a word of the vocabulary. A new prefix in the
# code must be listed here, so that its keys are checked too.
DYNAMIC_KEYS = {
    "status.": ASSESSMENT_STATUSES,
    "role.": ROLES,
    "group.": RESPONDENT_GROUPS,
    "population.": POPULATION_BANDS,
    "effort.": EFFORTS,
    "horizon.": HORIZONS,
    "action_status.": ACTION_STATUSES,
    "workshop.status.": WORKSHOP_STATUSES,
    "questionnaires.status.": (questionnaire_service.NEW, questionnaire_service.NEW_VERSION,
                               questionnaire_service.IDENTICAL, questionnaire_service.CONFLICT,
                               questionnaire_service.INVALID),
}
KEY = re.compile(r"[a-z_]+(\.[a-z_0-9]+)+")
PREFIX = re.compile(r"[a-z_]+(\.[a-z_]+)*\.")


def keys_in_code() -> tuple[set[str], set[str]]:
    """Every string in the code that names a message (its first part is a catalog's section), and
    every prefix of a key built at run time ("status." + value, f"group.{g}"). db/ holds no UI
    string (its dotted strings are table columns)."""
    sections = {key.split(".")[0] for key in catalog("en")}
    keys, prefixes = set(), set()
    for path in PACKAGE.rglob("*.py"):
        if "db" in path.relative_to(PACKAGE).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.split(".")[0] in sections:
                if KEY.fullmatch(node.value):
                    keys.add(node.value)
                elif PREFIX.fullmatch(node.value):
                    prefixes.add(node.value)
    return keys, prefixes


def test_every_key_used_in_code_exists():
    keys, prefixes = keys_in_code()
    assert prefixes <= set(DYNAMIC_KEYS), f"keys built from unlisted prefixes: {sorted(prefixes - set(DYNAMIC_KEYS))}"
    built = {prefix + word for prefix in prefixes for word in DYNAMIC_KEYS[prefix]}
    for lang in LANGUAGES:
        missing = (keys | built) - set(catalog(lang))
        assert not missing, (lang, sorted(missing))


def test_every_key_in_the_catalogs_is_used():
    keys, prefixes = keys_in_code()
    built = {prefix + word for prefix in prefixes for word in DYNAMIC_KEYS[prefix]}
    unused = set(catalog("en")) - keys - built
    assert not unused, sorted(unused)


def test_a_moment_with_seconds_for_the_audit_log():
    from nlc_toolkit.i18n import format_datetime

    assert format_datetime("2026-07-05 14:05:09", "fr", seconds=True) == "5 juillet 2026 14:05:09"
    assert format_datetime("2026-07-05 14:05:09", "en") == "July 5, 2026 14:05"
