"""The city profile: the context questions that decide which questions apply."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit.ui.components.i18n import localized, t
from nlc_toolkit.ui.pages.assessment.state import AssessmentState


def profile_section() -> rx.Component:
    return rx.vstack(
        rx.heading(t("assessment.profile"), size="5", as_="h2"),
        rx.text(t("assessment.profile_help"), size="2", color_scheme="gray"),
        rx.foreach(
            AssessmentState.profile,
            lambda c: rx.card(
                rx.vstack(
                    rx.text(localized(c["text"]), weight="bold", id="ctx-label-" + c["id"].to(str)),
                    rx.hstack(
                        rx.foreach(
                            c["options"].to(list[dict]),
                            lambda o: rx.button(
                                localized(o["label"]),
                                role="radio",
                                aria_checked=rx.cond(AssessmentState.context[c["id"].to(str)].to(str) == o["value"].to(str), "true", "false"),
                                variant=rx.cond(AssessmentState.context[c["id"].to(str)].to(str) == o["value"].to(str), "solid", "outline"),
                                disabled=~(AssessmentState.can_manage & AssessmentState.editable),
                                on_click=AssessmentState.set_context(c["id"], o["value"]),
                                size="2",
                            ),
                        ),
                        wrap="wrap", role="radiogroup", aria_labelledby="ctx-label-" + c["id"].to(str),
                    ),
                    rx.cond(AssessmentState.unsaved.contains("context:" + c["id"].to(str)),
                            rx.badge(rx.icon("triangle_alert", size=12), t("save.unsaved"), color_scheme="orange",
                                     class_name="unsaved-mark")),
                ),
                width="100%",
                class_name="context-card",
            ),
        ),
        rx.button(t("assessment.start_answering"), on_click=AssessmentState.go(AssessmentState.domains[0]["id"].to(str)),
                  id="start-answering"),
        spacing="3", width="100%",
    )
