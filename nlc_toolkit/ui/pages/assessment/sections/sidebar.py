"""Progress and the way through the sections."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit.ui.components.i18n import localized, t
from nlc_toolkit.ui.pages.assessment.state import AssessmentState


def sidebar() -> rx.Component:
    return rx.el.nav(rx.vstack(
        rx.text(t("assessment.progress"), size="2", weight="bold"),
        rx.box(rx.progress(value=AssessmentState.overall_progress, aria_label=t("assessment.progress")), width="100%",
               id="overall-progress"),
        rx.text(AssessmentState.total_answered.to(str), " / ", AssessmentState.total_questions.to(str), size="1",
                id="overall-count"),
        rx.button(t("assessment.profile"), variant=rx.cond(AssessmentState.section == "profile", "solid", "ghost"),
                  on_click=AssessmentState.go("profile"), width="100%", justify="start", id="nav-profile"),
        rx.foreach(
            AssessmentState.domains,
            lambda d: rx.button(
                rx.vstack(
                    rx.text(localized(d["title"]), size="2", text_align="start"),
                    rx.progress(value=AssessmentState.progress[d["id"].to(str)]["percent"].to(int), size="1", width="100%",
                                aria_label=localized(d["title"])),
                    spacing="1", width="100%", align="start",
                ),
                variant=rx.cond(AssessmentState.section == d["id"], "soft", "ghost"),
                on_click=AssessmentState.go(d["id"]),
                width="100%", height="auto", padding_y="0.4em",
                class_name="domain-nav",
                data_domain=d["id"],
            ),
        ),
        rx.button(t("assessment.overview"), variant=rx.cond(AssessmentState.section == "overview", "solid", "ghost"),
                  on_click=AssessmentState.go("overview"), width="100%", justify="start", id="nav-overview"),
        spacing="2",
        width="100%",
    ), min_width="14em", width=rx.breakpoints(initial="100%", md="16em"), aria_label=t("assessment.progress"))
