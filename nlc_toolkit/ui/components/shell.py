"""The page shell: header with the app name, language switch and sign-in link; content; footer.

`page(route, ...)` registers a page with the shell and its on_load events in one place
(the pattern of reflex-dev/templates' dashboard)."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from nlc_toolkit import routes
from nlc_toolkit.core.policy import NAV_ITEMS
from nlc_toolkit.i18n import LANGUAGES
from nlc_toolkit.routes import Route
from nlc_toolkit.ui.components.i18n import t
from nlc_toolkit.ui.state.auth import AuthState
from nlc_toolkit.ui.state.lang import LangState

_registry: list[tuple[str, Callable[[], rx.Component], str, list]] = []


def language_switch() -> rx.Component:
    return rx.hstack(
        rx.icon("languages", size=18, aria_hidden="true"),
        *[
            rx.button(
                info["name"],
                lang=code,
                variant=rx.cond(LangState.lang == code, "solid", "ghost"),
                size="1",
                aria_pressed=rx.cond(LangState.lang == code, "true", "false"),
                on_click=LangState.set_lang(code),
                id=f"lang-{code}",
            )
            for code, info in LANGUAGES.items()
        ],
        role="group",
        aria_label=t("nav.language"),
        align="center",
        spacing="2",
    )


def header() -> rx.Component:
    return rx.el.header(rx.hstack(
        rx.link(
            rx.hstack(rx.icon("shield-check", size=24), rx.text(t("app.name"), size="5", weight="bold"), align="center"),
            href="/",
            underline="none",
            color_scheme="gray",
            high_contrast=True,
        ),
        rx.spacer(),
        language_switch(),
        rx.cond(
            AuthState.signed_in,
            rx.hstack(
                *[rx.cond(AuthState.nav_paths.contains(path), rx.link(t(key), href=path, id=f"nav-{path.strip('/')}"))
                  for key, path, _ in NAV_ITEMS],
                rx.link(AuthState.user_name, href="/account", size="2", id="signed-in-as",
                        title=t("nav.account")),
                rx.button(t("nav.sign_out"), on_click=AuthState.sign_out, variant="soft", size="1", id="sign-out"),
                align="center", spacing="3", wrap="wrap",
            ),
            rx.hstack(rx.link(t("nav.join"), href=routes.JOIN, reload_document=True, id="nav-join"), rx.link(t("nav.sign_in"), href="/login", id="sign-in-link"),
                      spacing="3"),
        ),
        align="center",
        wrap="wrap",
        spacing="4",
        padding_y="0.75em",
        padding_x="1em",
        border_bottom="1px solid var(--gray-a5)",
        width="100%",
    ))


def shell(content: rx.Component) -> rx.Component:
    return rx.box(
        header(),
        rx.el.main(content, padding="1em", max_width="72em", margin_x="auto", width="100%"),
        rx.el.footer(
            rx.text(t("app.footer"), size="1", color_scheme="gray"),
            padding="1em", max_width="72em", margin_x="auto",
        ),
        dir=LangState.dir,
        lang=LangState.lang,
        min_height="100vh",
        id="page-root",
        # "true" once the page's on_load events have all run (Reflex flips is_hydrated after them):
        # the browser tests wait for it before typing, so nothing typed is overwritten by a load.
        data_hydrated=rx.cond(rx.State.is_hydrated, "true", "false"),
    )


def page(route: Route, on_load: list | None = None):
    """Decorator: wrap a page in the shell and remember it, with its route from routes.py, for
    `register_pages`."""

    def decorator(render: Callable[[], rx.Component]):
        def wrapped() -> rx.Component:
            return shell(render())

        _registry.append((route.path, wrapped, route.title, [LangState.apply, *(on_load or [AuthState.check])]))
        return render

    return decorator


def registered_routes() -> list[str]:
    """The paths of every page module imported so far (nlc_toolkit.py imports them all)."""
    return [route for route, *_ in _registry]


def register_pages(app: rx.App) -> None:
    for route, render, title, on_load in _registry:
        app.add_page(render, route=route, title=title, on_load=on_load)
