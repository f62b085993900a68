"""A domain's questions with every respondent's answer and note."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit.core.vocabulary import RESPONDENT_GROUPS
from nlc_toolkit.ui.components.i18n import t, t_key
from nlc_toolkit.ui.pages.results.state import ResultsState


def drilldown() -> rx.Component:
    return rx.vstack(
        rx.el.select(
            rx.foreach(ResultsState.domain_rows, lambda d: rx.el.option(d["number"].to(str) + ". " + d["title_text"].to(str),
                                                                       value=d["id"])),
            value=ResultsState.drill_domain, on_change=ResultsState.set_drill, aria_label=t("results.domain"),
            id="drill-domain",
        ),
        rx.foreach(ResultsState.drill_rows, lambda row: rx.card(
            rx.vstack(
                rx.hstack(rx.text(row["text"], weight="bold"), rx.spacer(),
                          rx.cond(row["disagreement"], rx.badge("⚠", color_scheme="orange")),
                          rx.badge(t("results.consolidated"), " ", row["level"]), width="100%"),
                rx.foreach(row["answers"].to(list[dict]), lambda a: rx.hstack(
                    rx.text(rx.el.bdi(a["respondent"]), size="2", weight="medium"),
                    rx.badge(t_key(a["group"], [f"group.{g}" for g in RESPONDENT_GROUPS], prefix="group."),
                             color_scheme="gray"),
                    rx.badge(a["answer"]),
                    rx.text(a["note"], size="2", color_scheme="gray", dir="auto"),
                    wrap="wrap", align="center",
                )),
                width="100%",
            ),
            width="100%", class_name="drill-row",
        )),
        width="100%", id="drilldown",
    )
