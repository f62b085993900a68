"""Recommendations, grouped: quick wins, strategic, what to ask of the national level."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit.ui.components.i18n import t, t_key
from nlc_toolkit.ui.pages.results.state import ResultsState


def kpi(label_key: str, value: rx.Var, id_: str) -> rx.Component:
    return rx.card(rx.vstack(rx.text(t(label_key), size="2", color_scheme="gray"),
                             rx.heading(value, size="7", id=id_), spacing="1"), min_width="10em")


def rec_card(rec: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(rec["text_now"], weight="bold"),
            rx.text(rec["question_now"], size="1", color_scheme="gray"),
            rx.hstack(
                rx.badge(t("results.priority"), " ", rec["priority_text"]),
                rx.badge(t_key(rec["effort"], ["effort.low", "effort.medium", "effort.high"], prefix="effort."),
                         color_scheme="gray"),
                rx.badge(t_key(rec["horizon"], ["horizon.short", "horizon.medium", "horizon.long"], prefix="horizon."),
                         color_scheme="gray"),
                rx.spacer(),
                rx.cond(ResultsState.head["can_manage"].to(bool),
                        rx.button(rx.icon("list-plus", size=14), t("results.add_to_plan"), size="1", variant="soft",
                                  on_click=ResultsState.add_to_plan(rec["question"], rec["text_now"]))),
                wrap="wrap", width="100%", align="center",
            ),
            spacing="1", width="100%",
        ),
        width="100%", class_name="rec-card",
    )


def rec_group(title_key: str, items: rx.Var, id_: str) -> rx.Component:
    return rx.vstack(
        rx.heading(t(title_key), size="4", as_="h3"),
        rx.cond(items.length() > 0, rx.vstack(rx.foreach(items, rec_card), width="100%"), rx.text(t("results.none"))),
        width="100%", id=id_,
    )
