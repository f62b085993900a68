"""The domain on screen: its questions and the way to the previous and next domain."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit.ui.components.i18n import localized, t
from nlc_toolkit.ui.pages.assessment.sections.question_card import question_card
from nlc_toolkit.ui.pages.assessment.state import AssessmentState


def answering_guide() -> rx.Component:
    """How to choose a level when a descriptor is only partly true; open at first, one click folds it."""
    return rx.el.details(
        rx.el.summary(t("guide.title"), font_weight="bold", cursor="pointer"),
        rx.el.ul(*[rx.el.li(t(key)) for key in ("guide.build", "guide.highest", "guide.partly", "guide.excluded")],
                 padding_inline_start="1.2em", margin_top="0.4em"),
        open=True, id="answer-guide", class_name="answer-guide",
    )


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
                    answering_guide(),
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
