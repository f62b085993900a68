"""What a page says about itself: loading, an error with a retry, "not found", the message of
the last action, and the status badge. Every page uses these, so every page shows its state the
same way (and screen readers hear it: role=status / alert)."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit.core.vocabulary import ASSESSMENT_STATUSES
from nlc_toolkit.ui.components.i18n import t, t_key

STATUS_COLORS = {"draft": "gray", "submitted": "blue", "returned": "orange", "approved": "green"}


def loading_or_error(loading: rx.Var, error: rx.Var, retry, content: rx.Component) -> rx.Component:
    """Show a spinner while loading, a message with a retry button on error, else the content."""
    return rx.cond(
        loading,
        rx.hstack(rx.spinner(), rx.text(t("state.loading")), role="status", id="loading"),
        rx.cond(
            error != "",
            notice(
                rx.vstack(rx.text(t("state.error")), rx.button(t("state.retry"), on_click=retry, size="1")),
                icon="triangle_alert", color="red", role="alert", id="load-error",
            ),
            content,
        ),
    )


def status_badge(status: rx.Var) -> rx.Component:
    return rx.badge(
        t_key(status, [f"status.{x}" for x in ASSESSMENT_STATUSES], prefix="status."),
        color_scheme=rx.match(status, *[(k, v) for k, v in STATUS_COLORS.items()], "gray"),
        class_name="status-badge",
    )


def notice(*children, icon: str = "info", color: str = "blue", **props) -> rx.Component:
    """A callout holding any children (rx.callout itself takes one text)."""
    return rx.callout.root(
        rx.callout.icon(rx.icon(icon, size=16)),
        rx.callout.text(*children),
        color_scheme=color,
        **props,
    )


def not_found() -> rx.Component:
    return rx.callout(t("error.not_found"), icon="search_x", color_scheme="gray", id="not-found")


def message_banner(state, keys: list[str], id_: str) -> rx.Component:
    """The outcome of the last action of a PageState: green when it went through, red (and
    announced at once) when refused, with its detail; `keys`: the catalog keys it may hold."""
    return rx.cond(state.message != "", notice(
        t_key(state.message, keys), " ", state.message_detail,
        color=rx.cond(state.message_is_error, "red", "green"),
        role=rx.cond(state.message_is_error, "alert", "status"), id=id_))


def forbidden() -> rx.Component:
    return notice(t("error.forbidden"), icon="lock", color="gray", id="forbidden")


def page_guard(state, content: rx.Component) -> rx.Component:
    """A PageState's page: "forbidden", "not found", the spinner, a load error with a retry, or
    the content."""
    return rx.match(
        state.error,
        ("forbidden", forbidden()),
        ("not_found", not_found()),
        loading_or_error(state.loading, state.error, state.load, content),
    )


def preparing(state) -> rx.Component:
    """While a state builds a file (its `preparing` var names which), a spinner and a sentence that
    screen readers hear; the region stays in the page so the announcement is not lost."""
    return rx.box(
        rx.cond(state.preparing != "", rx.hstack(
            rx.spinner(size="1"), rx.text(t("files.preparing"), size="2"), align="center")),
        role="status", aria_live="polite", id="preparing",
    )
