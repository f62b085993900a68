"""Answering an assessment: city profile first, then domain by domain, saved on every choice.
This module composes the sections (sections/); the state is in state.py."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit import routes
from nlc_toolkit.ui.components.feedback import message_banner, page_guard, status_badge
from nlc_toolkit.ui.components.i18n import localized, t
from nlc_toolkit.ui.components.shell import page
from nlc_toolkit.ui.pages.assessment.sections.domain import domain_section
from nlc_toolkit.ui.pages.assessment.sections.overview import overview_section
from nlc_toolkit.ui.pages.assessment.sections.profile import profile_section
from nlc_toolkit.ui.pages.assessment.sections.question_card import upload_dialog
from nlc_toolkit.ui.pages.assessment.sections.sidebar import sidebar
from nlc_toolkit.ui.pages.assessment.state import MESSAGES, AssessmentState


@page(routes.ASSESSMENT, on_load=[AssessmentState.load])
def assessment() -> rx.Component:
    return page_guard(
            AssessmentState,
            rx.vstack(
                rx.hstack(
                    rx.heading(rx.el.bdi(AssessmentState.info["city"].to(str)), size="7", as_="h1", id="assessment-city"),
                    status_badge(AssessmentState.info["status"].to(str)),
                    rx.spacer(),
                    rx.link(rx.button(rx.icon("chart-no-axes-combined", size=16), t("results.open"), variant="soft"),
                            href="/assessments/" + AssessmentState.assessment_id.to(str) + "/results", id="open-results"),
                    align="center", wrap="wrap", width="100%",
                ),
                rx.text(localized(AssessmentState.info["title"]), " · ", AssessmentState.info["year"].to(str), " · ",
                        t("assessments.round_short"), " ", AssessmentState.info["round"].to(str), color_scheme="gray"),
                rx.cond(~AssessmentState.editable, rx.callout(t("assessment.locked_note"), icon="lock", size="1")),
                # A next round says once, at the top, what it took over; the details are in the overview.
                rx.cond(AssessmentState.editable & (AssessmentState.carried_summary != ""), rx.callout(
                    rx.text(AssessmentState.carried_summary, " ",
                            rx.link(t("carry.see"), href="#", on_click=AssessmentState.go("overview"), id="see-carried")),
                    icon="copy", size="1", id="carried-callout")),
                message_banner(AssessmentState, MESSAGES, "assessment-message"),
                rx.flex(
                    sidebar(),
                    rx.box(
                        rx.match(
                            AssessmentState.section,
                            ("profile", profile_section()),
                            ("overview", overview_section()),
                            domain_section(),
                        ),
                        flex="1", min_width="0", width="100%",
                    ),
                    direction=rx.breakpoints(initial="column", md="row"),
                    spacing="5", width="100%",
                ),
                upload_dialog(),
                spacing="3", width="100%",
            ),
    )
