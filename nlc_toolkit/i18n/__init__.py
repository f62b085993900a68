"""UI message catalogs (en.json, fr.json, ar.json), the translate helpers and locale formats.

Pages never hold UI strings: they call `components.i18n.t(key)`, which compiles every language
into the page and picks one by the user's language on the client, so switching is instant.
Server-side messages (errors, toasts) use `translate(key, lang, **values)`.

A message with a count is an object keyed by CLDR plural categories ({"one": ..., "other": ...};
Arabic has zero/one/two/few/many/other). `plural(key, n, lang)` picks the form with Babel's CLDR
rules and writes the number for the locale. Numbers, percentages and dates shown to people go
through `format_number`, `format_percent` and `format_date`.

A message found away from the page (a problem in an imported file, found in a build process) is
kept as plain data, {"key": ..., "values": {...}}, and written in a language when shown:
`translate_message(message, lang)`.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers

LANGUAGES: dict[str, dict[str, str]] = {
    "en": {"name": "English", "dir": "ltr"},
    "fr": {"name": "Français", "dir": "ltr"},
    "ar": {"name": "العربية", "dir": "rtl"},
}
DEFAULT_LANGUAGE = "en"
# Numbers and dates are written as in Morocco, where the first users are: Arabic with latin
# digits and a decimal comma (CLDR ar_MA). Plural rules are the same for ar and ar_MA.
FORMAT_LOCALES = {"en": "en", "fr": "fr", "ar": "ar_MA"}
_DIR = Path(__file__).parent


@cache
def catalog(lang: str) -> dict[str, str | dict[str, str]]:
    return json.loads((_DIR / f"{lang}.json").read_text("utf-8"))


def normalize(lang) -> str:
    """A supported language code; anything else (a client can send any value) is the default."""
    return lang if isinstance(lang, str) and lang in LANGUAGES else DEFAULT_LANGUAGE


def _message(key: str, lang: str):
    text = catalog(normalize(lang)).get(key) or catalog(DEFAULT_LANGUAGE).get(key)
    if text is None:
        raise KeyError(f"no message '{key}' in the catalogs")
    return text


def is_plural(key: str) -> bool:
    return isinstance(_message(key, DEFAULT_LANGUAGE), dict)


def translate(key: str, lang: str = DEFAULT_LANGUAGE, **values) -> str:
    """The message in `lang` (English when missing there), with {placeholders} filled in."""
    text = _message(key, lang)
    if isinstance(text, dict):
        raise TypeError(f"'{key}' is a message with a count: use plural(key, n, lang)")
    return text.format(**values) if values else text


# How each language separates the items of a list of codes (allowed answers, column names). Not
# Babel's format_list: its "unit" style in Arabic repeats the second item of a two-item list
# ("a، وb، وb", Babel 2.19), and its "standard" style glues "و" onto the next code ("0 و1").
LIST_SEPARATORS = {"en": ", ", "fr": ", ", "ar": "، "}


def message_data(key: str, **values) -> dict:
    """A message as plain data (picklable, storable in a page's state): the catalog key and its
    values (text, whole numbers, lists of text; a message with a count takes it as `n`)."""
    return {"key": key, "values": values}


def translate_message(msg: dict, lang: str = DEFAULT_LANGUAGE) -> str:
    """A message kept as data (see `message_data`) in `lang`: numbers written for the locale, lists
    joined as the language writes them."""
    lang = normalize(lang)
    values = dict(msg.get("values") or {})
    n = values.pop("n", None)
    written = {}
    for name, value in values.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = format_number(value, lang)
        elif isinstance(value, list | tuple):
            value = LIST_SEPARATORS[lang].join(str(v) for v in value)
        written[name] = value
    if is_plural(msg["key"]):
        return plural(msg["key"], n, lang, **written)
    return translate(msg["key"], lang, **written)


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


def plural_category(n: float, lang: str) -> str:
    """CLDR's plural category of `n` in `lang` (zero, one, two, few, many or other)."""
    return _locale(normalize(lang)).plural_form(n)


def plural_categories(lang: str) -> set[str]:
    """The categories a plural message must have in `lang`, as CLDR defines them."""
    return set(_locale(normalize(lang)).plural_form.tags) | {"other"}


def plural(key: str, n: int | float, lang: str = DEFAULT_LANGUAGE, **values) -> str:
    """The form of the message `key` for the count `n`; {n} and the other numbers are written for
    the locale."""
    lang = normalize(lang)
    forms = catalog(lang).get(key)
    if forms is None:  # missing in this language: English, with English's rules
        forms, lang = catalog(DEFAULT_LANGUAGE).get(key), DEFAULT_LANGUAGE
    if not isinstance(forms, dict):
        raise TypeError(f"'{key}' is not a message with a count")
    text = forms.get(plural_category(n, lang)) or forms["other"]
    numbers = {k: format_number(v, lang) if isinstance(v, int | float) else v for k, v in values.items()}
    return text.format(n=format_number(n, lang), **numbers)


# The formatters are cached: a results page or a language switch formats the same few numbers
# hundreds of times, on the event loop, and babel takes tens of microseconds for each
# (bench/loop_bench.py). `typed`: 1 and 1.0 are different keys.
@lru_cache(maxsize=8192, typed=True)
def format_number(value: int | float | None, lang: str = DEFAULT_LANGUAGE, decimals: int | None = None,
                  signed: bool = False) -> str:
    """`value` as people of `lang` write it (1,234.5 / 1 234,5; latin digits); "–" for nothing.
    With `decimals`, exactly that many decimals; `signed` writes + before a positive value."""
    if value is None:
        return "–"
    pattern = None
    if decimals is not None or signed:
        body = "#,##0" + ("." + "0" * decimals if decimals else "")
        pattern = f"+{body};-{body}" if signed else body
    return babel_numbers.format_decimal(value, format=pattern, locale=FORMAT_LOCALES[normalize(lang)])


@lru_cache(maxsize=4096, typed=True)
def format_percent(ratio: float | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """A share (0.5) as a whole percentage for the locale (50 %, 50%); "–" for nothing."""
    if ratio is None:
        return "–"
    return babel_numbers.format_percent(ratio, locale=FORMAT_LOCALES[normalize(lang)])


@lru_cache(maxsize=4096)
def format_date(day: date, lang: str = DEFAULT_LANGUAGE) -> str:
    """A day as people of `lang` write it in full (5 July 2026 / 5 juillet 2026 / 5 يوليوز 2026)."""
    return babel_dates.format_date(day, "long", locale=FORMAT_LOCALES[normalize(lang)])


def format_datetime(moment: datetime | str, lang: str = DEFAULT_LANGUAGE, seconds: bool = False) -> str:
    """A moment as its day for the locale and a 24-hour time (5 juillet 2026 14:05, with
    `seconds` 14:05:09); services give "2026-07-05 14:05" strings."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return f"{format_date(moment.date(), lang)} {moment:%H:%M:%S}" if seconds else \
        f"{format_date(moment.date(), lang)} {moment:%H:%M}"


def direction(lang: str) -> str:
    return LANGUAGES[normalize(lang)]["dir"]
