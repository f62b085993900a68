"""UI message catalogs (en.json, fr.json, ar.json) and the translate helper.

Pages never hold UI strings: they call `components.i18n.t(key)`, which compiles every language
into the page and picks one by the user's language on the client, so switching is instant.
Server-side messages (errors, toasts) use `translate(key, lang, **values)`.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGUAGES: dict[str, dict[str, str]] = {
    "en": {"name": "English", "dir": "ltr"},
    "fr": {"name": "Français", "dir": "ltr"},
    "ar": {"name": "العربية", "dir": "rtl"},
}
DEFAULT_LANGUAGE = "en"
_DIR = Path(__file__).parent


@cache
def catalog(lang: str) -> dict[str, str]:
    return json.loads((_DIR / f"{lang}.json").read_text("utf-8"))


def normalize(lang) -> str:
    """A supported language code; anything else (a client can send any value) is the default."""
    return lang if isinstance(lang, str) and lang in LANGUAGES else DEFAULT_LANGUAGE


def translate(key: str, lang: str = DEFAULT_LANGUAGE, **values) -> str:
    """The message in `lang` (English when missing there), with {placeholders} filled in."""
    text = catalog(normalize(lang)).get(key) or catalog(DEFAULT_LANGUAGE).get(key)
    if text is None:
        raise KeyError(f"no message '{key}' in the catalogs")
    return text.format(**values) if values else text


def direction(lang: str) -> str:
    return LANGUAGES[normalize(lang)]["dir"]
