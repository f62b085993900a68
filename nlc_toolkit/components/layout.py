"""The page shell: header with the app name, language switch and sign-in link; content; footer.

`page(route, ...)` registers a page with the shell and its on_load events in one place
(the pattern of reflex-dev/templates' dashboard)."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from ..i18n import LANGUAGES
from ..state.lang import LangState
from .i18n import t

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
    return rx.hstack(
        rx.link(
            rx.hstack(rx.icon("shield-check", size=24), rx.text(t("app.name"), size="5", weight="bold"), align="center"),
            href="/",
            underline="none",
            color_scheme="gray",
            high_contrast=True,
        ),
        rx.spacer(),
        language_switch(),
        rx.link(t("nav.sign_in"), href="/login", id="sign-in-link"),
        align="center",
        wrap="wrap",
        spacing="4",
        padding_y="0.75em",
        padding_x="1em",
        border_bottom="1px solid var(--gray-a5)",
        width="100%",
    )


def shell(content: rx.Component) -> rx.Component:
    return rx.box(
        header(),
        rx.box(content, as_="main", padding="1em", max_width="72em", margin_x="auto", width="100%"),
        rx.box(
            rx.text(t("app.footer"), size="1", color_scheme="gray"),
            as_="footer", padding="1em", max_width="72em", margin_x="auto",
        ),
        dir=LangState.dir,
        lang=LangState.lang,
        min_height="100vh",
        id="page-root",
    )


def page(route: str, title: str, on_load: list | None = None):
    """Decorator: wrap a page in the shell and remember it for `register_pages`."""

    def decorator(render: Callable[[], rx.Component]):
        def wrapped() -> rx.Component:
            return shell(render())

        _registry.append((route, wrapped, title, [LangState.apply, *(on_load or [])]))
        return render

    return decorator


def register_pages(app: rx.App) -> None:
    for route, render, title, on_load in _registry:
        app.add_page(render, route=route, title=title, on_load=on_load)


def loading_or_error(loading: rx.Var, error: rx.Var, retry, content: rx.Component) -> rx.Component:
    """Show a spinner while loading, a message with a retry button on error, else the content."""
    return rx.cond(
        loading,
        rx.hstack(rx.spinner(), rx.text(t("state.loading")), role="status", id="loading"),
        rx.cond(
            error != "",
            rx.callout(
                rx.vstack(rx.text(t("state.error")), rx.button(t("state.retry"), on_click=retry, size="1")),
                icon="triangle_alert", color_scheme="red", role="alert", id="load-error",
            ),
            content,
        ),
    )
