"""The domain on screen: its questions and the way to the previous and next domain."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit.ui.components.i18n import localized, t
from nlc_toolkit.ui.pages.assessment.sections.question_card import question_card
from nlc_toolkit.ui.pages.assessment.state import AssessmentState


def domain_section() -> rx.Component:
    index = AssessmentState.domains.to(list[dict])
    return rx.vstack(
        rx.foreach(
            index,
            lambda d, i: rx.cond(
                d["id"] == AssessmentState.section,
                rx.vstack(
                    rx.heading(localized(d["title"]), size="5", as_="h2", id="domain-title"),
                    rx.text(AssessmentState.section_progress, size="2", id="domain-progress"),
                    rx.foreach(AssessmentState.cards, question_card),
                    rx.hstack(
                        rx.cond(i > 0, rx.button(t("assessment.previous"), variant="soft",
                                                 on_click=AssessmentState.go(AssessmentState.domains[i - 1]["id"].to(str)))),
                        rx.spacer(),
                        rx.cond(i < AssessmentState.domains.length() - 1,
                                rx.button(t("assessment.next"), id="next-domain",
                                          on_click=AssessmentState.go(AssessmentState.domains[i + 1]["id"].to(str))),
                                rx.button(t("assessment.overview"), on_click=AssessmentState.go("overview"))),
                        width="100%",
                    ),
                    spacing="3", width="100%",
                ),
            ),
        ),
        width="100%",
    )
