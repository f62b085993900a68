"""The user's interface language: kept in a cookie, applied to <html lang dir>."""

import reflex as rx

from ..i18n import LANGUAGES, direction, normalize


def _apply_script(lang: str) -> str:
    # The root element carries lang/dir so the browser, screen readers and CSS logical
    # properties all follow the language, not only our wrapper.
    return f"document.documentElement.lang='{lang}';document.documentElement.dir='{direction(lang)}'"


class LangState(rx.State):
    lang: str = rx.Cookie("en", name="nlc_lang", max_age=365 * 24 * 3600, same_site="lax")

    @rx.var
    def dir(self) -> str:
        return direction(self.lang)

    @rx.event
    def set_lang(self, lang: str):
        self.lang = normalize(lang)
        return rx.call_script(_apply_script(self.lang))

    @rx.event
    def apply(self):
        """On every page load: honour ?lang= in the URL, then apply the language to the page."""
        wanted = self.router.url.query_parameters.get("lang")
        if wanted in LANGUAGES:
            self.lang = wanted
        return rx.call_script(_apply_script(normalize(self.lang)))
