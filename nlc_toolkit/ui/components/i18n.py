"""`t(key)`: a UI string in the user's language, chosen on the client from all catalogs."""

import reflex as rx

from nlc_toolkit.i18n import LANGUAGES, catalog
from nlc_toolkit.ui.state.lang import LangState


def t(key: str) -> rx.Var:
    per_language = {}
    for lang in LANGUAGES:
        text = catalog(lang).get(key) or catalog("en").get(key)
        if text is None:
            raise KeyError(f"no message '{key}' in the catalogs")
        per_language[lang] = text
    return rx.Var.create(per_language)[LangState.lang].to(str)


def localized(text_var: rx.Var) -> rx.Var:
    """Pick the user's language from a localised-text var ({en:..., fr:..., ar:...})."""
    return text_var.to(dict)[LangState.lang].to(str)


def t_key(key_var: rx.Var, keys: list[str], prefix: str = "") -> rx.Var:
    """A message whose key is only known at run time (e.g. an error a state sets), among `keys`.

    With `prefix`, `key_var` holds the key without it (e.g. a status "draft" for "status.draft")."""
    table = {key[len(prefix):]: {lang: catalog(lang).get(key) or catalog("en")[key] for lang in LANGUAGES} for key in keys}
    return rx.Var.create(table).to(dict)[key_var.to(str)].to(dict)[LangState.lang].to(str)
