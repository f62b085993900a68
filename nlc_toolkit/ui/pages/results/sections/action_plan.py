"""The action plan: one editable row per action."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit.core.vocabulary import ACTION_STATUSES
from nlc_toolkit.ui.components.i18n import t
from nlc_toolkit.ui.pages.results.state import ResultsState


def action_row(action: rx.Var) -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.el.input(type="hidden", name="action_id", value=action["id"].to(str)),
                rx.hstack(
                    rx.input(name="title", default_value=action["title"], aria_label=t("actions.title_field"), flex="1", dir="auto",
                             min_width="16em"),
                    rx.cond(~action["from_this_round"].to(bool), rx.badge(t("actions.carried"), color_scheme="amber")),
                    rx.badge(t("results.current_level"), " ", action["level_text"]),
                    wrap="wrap", width="100%", align="center",
                ),
                rx.hstack(
                    rx.input(name="owner", default_value=action["owner"], placeholder=t("actions.owner"), dir="auto",
                             aria_label=t("actions.owner")),
                    rx.input(name="due", type="date", default_value=action["due"], aria_label=t("actions.due")),
                    rx.el.select(*[rx.el.option(t(f"action_status.{s}"), value=s) for s in ACTION_STATUSES],
                                 name="status", default_value=action["status"], aria_label=t("actions.status")),
                    rx.input(name="note", default_value=action["note"], placeholder=t("actions.note"), dir="auto",
                             aria_label=t("actions.note"), flex="1"),
                    rx.button(t("actions.save"), type="submit", size="2", variant="soft"),
                    wrap="wrap", width="100%",
                ),
                width="100%",
            ),
            on_submit=ResultsState.save_action,
        ),
        width="100%", class_name="action-row",
    )
