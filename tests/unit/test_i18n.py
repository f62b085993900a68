"""The UI catalogs are complete in every language, and pages hold no UI string of their own."""

import ast
import re
import string
from pathlib import Path

import pytest

from nlc_toolkit.i18n import LANGUAGES, catalog, direction, translate

PACKAGE = Path(__file__).resolve().parents[2] / "nlc_toolkit"
TEXT_COMPONENTS = {"text", "heading", "button", "link", "badge", "callout", "label", "tooltip", "code", "em", "strong"}


def test_catalogs_have_the_same_keys_and_no_empty_message():
    keys = set(catalog("en"))
    for lang in LANGUAGES:
        assert set(catalog(lang)) == keys, f"{lang}: {sorted(set(catalog(lang)) ^ keys)}"
        assert all(v.strip() for v in catalog(lang).values()), lang


def test_placeholders_match_across_languages():
    def fields(text):
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}
    for key, text in catalog("en").items():
        for lang in LANGUAGES:
            assert fields(catalog(lang)[key]) == fields(text), (lang, key)


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
    found = [hit for folder in ("pages", "components") for p in (PACKAGE / folder).rglob("*.py") for hit in _literal_ui_strings(p)]
    assert found == []


def test_every_key_used_in_pages_exists():
    used = set()
    for p in PACKAGE.rglob("*.py"):
        used |= set(re.findall(r"\bt\(\"([a-z_.0-9]+)\"\)", p.read_text("utf-8")))
    assert used and used <= set(catalog("en")), sorted(used - set(catalog("en")))
