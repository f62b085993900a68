"""`t(key)`: a UI string in the user's language, chosen on the client from all catalogs."""

import reflex as rx

from nlc_toolkit.i18n import LANGUAGES, catalog, is_plural
from nlc_toolkit.ui.state.lang import LangState


def _refuse_plural(key: str) -> None:
    # A message with a count has one form per plural category: a state renders it with
    # i18n.plural(key, n, self.lang), so the count is never left out.
    if is_plural(key):
        raise TypeError(f"'{key}' is a message with a count: render it with i18n.plural() in a state")


def t(key: str) -> rx.Var:
    _refuse_plural(key)
    per_language = {}
    for lang in LANGUAGES:
        per_language[lang] = catalog(lang).get(key) or catalog("en")[key]
    return rx.Var.create(per_language)[LangState.lang].to(str)


def localized(text_var: rx.Var) -> rx.Var:
    """Pick the user's language from a localised-text var ({en:..., fr:..., ar:...})."""
    return text_var.to(dict)[LangState.lang].to(str)


def t_key(key_var: rx.Var, keys: list[str], prefix: str = "") -> rx.Var:
    """A message whose key is only known at run time (e.g. an error a state sets), among `keys`.

    With `prefix`, `key_var` holds the key without it (e.g. a status "draft" for "status.draft")."""
    for key in keys:
        _refuse_plural(key)
    table = {key[len(prefix):]: {lang: catalog(lang).get(key) or catalog("en")[key] for lang in LANGUAGES} for key in keys}
    return rx.Var.create(table).to(dict)[key_var.to(str)].to(dict)[LangState.lang].to(str)
