"""The user's interface language: kept in a cookie, applied to <html lang dir>.

The cookie is client input: any client can set it to anything (a browser, or Reflex's
`update_vars_internal` event). So the raw value lives in `stored_lang` and nothing reads it but
`lang`, a computed var that is always one of the supported languages (English otherwise)."""

import reflex as rx

from nlc_toolkit.i18n import direction, normalize


def _apply_script(lang: str) -> str:
    # The root element carries lang/dir so the browser, screen readers and CSS logical
    # properties all follow the language, not only our wrapper. `lang` is normalised: one of en/fr/ar.
    return f"document.documentElement.lang='{lang}';document.documentElement.dir='{direction(lang)}'"


class LangState(rx.State):
    stored_lang: str = rx.Cookie("en", name="nlc_lang", max_age=365 * 24 * 3600, same_site="lax")
    # Set when the tab hydrates; a page's event that finds it unset came to a state that was lost
    # (Redis restarted empty): ui/state/recover.py makes the tab reconnect.
    _hydrated: bool = False

    def _assign(self, **values) -> None:
        """Set only the vars whose value changes: Reflex marks a var dirty on any assignment, then
        recomputes every computed var that reads it, in every page's state of the tab, and sends
        them all (measured: a page load sent each workshop phone the dashboard's and the network
        view's figures; each answer sent the signed-in user's eight header vars again)."""
        for name, value in values.items():
            if getattr(self, name) != value:
                setattr(self, name, value)

    @rx.var
    def lang(self) -> str:
        return normalize(self.stored_lang)

    @rx.var
    def dir(self) -> str:
        return direction(self.lang)

    @rx.event
    def set_lang(self, lang: str):
        self.stored_lang = normalize(lang)
        return rx.call_script(_apply_script(self.stored_lang))

    @rx.event
    def apply(self):
        """On every page load: honour ?lang= in the URL, then apply the language to the page. A
        hydrated cookie holding anything else than a supported language is replaced here."""
        wanted = self.router.url.query_parameters.get("lang")
        chosen = wanted if normalize(wanted) == wanted else normalize(self.stored_lang)
        self._assign(stored_lang=chosen)
        return rx.call_script(_apply_script(chosen))
