"""The overview: unanswered questions, respondents and invitations, status history, submit and review."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit.core.vocabulary import RESPONDENT_GROUPS
from nlc_toolkit.ui.components.feedback import notice, status_badge
from nlc_toolkit.ui.components.i18n import localized, t, t_key
from nlc_toolkit.ui.pages.assessment.state import AssessmentState


def overview_section() -> rx.Component:
    return rx.vstack(
        rx.heading(t("assessment.overview"), size="5", as_="h2"),
        rx.cond(AssessmentState.carried_summary != "", carried_over()),
        rx.heading(t("assessment.unanswered"), size="3", as_="h3"),
        rx.cond(
            AssessmentState.unanswered.length() > 0,
            rx.vstack(rx.foreach(AssessmentState.unanswered, lambda u: rx.link(
                localized(AssessmentState.titles[u["domain"].to(str)]), " (", u["count"].to(str), ")", on_click=AssessmentState.go(u["domain"]),
                href="#", class_name="unanswered-link")), id="unanswered-list"),
            rx.text(t("assessment.all_answered")),
        ),
        rx.heading(t("respondents.title"), size="3", as_="h3"),
        rx.table.root(
            rx.table.body(rx.foreach(AssessmentState.respondent_rows, lambda r: rx.table.row(
                rx.table.cell(rx.el.bdi(r["label"])),
                rx.table.cell(t_key(r["group"], [f"group.{g}" for g in RESPONDENT_GROUPS], prefix="group.")),
                rx.table.cell(r["answered_text"]),
                class_name="respondent-row",
            ))),
        ),
        rx.cond(AssessmentState.can_manage & AssessmentState.editable, invite_form()),
        rx.heading(t("history.title"), size="3", as_="h3"),
        rx.vstack(rx.foreach(AssessmentState.history_rows, lambda h: rx.hstack(
            rx.text(h["at_text"], size="1", color_scheme="gray"),
            rx.cond(h["to"] != "", status_badge(h["to"])),
            rx.text(h["by"], size="2"),
            rx.cond(h["comment"] != "", rx.text("« ", h["comment"], " »", size="2", class_name="history-comment")),
            wrap="wrap", align="center", class_name="history-row",
        )), id="status-history"),
        actions(),
        spacing="3", width="100%",
    )


def carried_over() -> rx.Component:
    """What this round took over from the round it copies: counts, then the new, renamed and
    dropped questions (services/assessments.new_round)."""
    carried = AssessmentState.carried

    def question_link(x: rx.Var) -> rx.Component:
        return rx.el.li(rx.link(localized(x["text"]), href="#", on_click=AssessmentState.go(x["domain"].to(str))))

    return rx.card(
        rx.vstack(
            rx.heading(t("carry.title"), size="3", as_="h3"),
            rx.text(AssessmentState.carried_summary, id="carried-summary"),
            rx.cond(carried["new"].to(list[dict]).length() > 0, rx.fragment(
                rx.text(t("carry.new"), weight="bold", size="2"),
                rx.el.ul(rx.foreach(carried["new"].to(list[dict]), question_link), id="carried-new"),
            )),
            rx.cond(carried["renamed"].to(list[dict]).length() > 0, rx.fragment(
                rx.text(t("carry.renamed"), weight="bold", size="2"),
                rx.el.ul(rx.foreach(carried["renamed"].to(list[dict]), lambda x: rx.el.li(
                    rx.link(localized(x["text"]), href="#", on_click=AssessmentState.go(x["domain"].to(str))),
                    " (", t("carry.from"), " ", rx.el.bdi(rx.code(x["from"].to(str)), dir="ltr"), ")",
                )), id="carried-renamed"),
            )),
            rx.cond(carried["dropped"].to(list[dict]).length() > 0, rx.fragment(
                rx.text(t("carry.dropped"), weight="bold", size="2"),
                rx.el.ul(rx.foreach(carried["dropped"].to(list[dict]), lambda x: rx.el.li(localized(x["text"]))),
                         id="carried-dropped"),
            )),
            spacing="2", align="start",
        ),
        width="100%", id="carried-over",
    )


def invite_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.text(t("invite.title"), weight="bold"),
                rx.hstack(
                    rx.input(name="email", type="email", placeholder=t("auth.email"), aria_label=t("auth.email"), required=True),
                    rx.input(name="name", placeholder=t("invite.name"), aria_label=t("invite.name"), dir="auto"),
                    rx.el.select(*[rx.el.option(t(f"group.{g}"), value=g) for g in RESPONDENT_GROUPS], name="group",
                                 aria_label=t("invite.group")),
                    rx.button(t("invite.submit"), type="submit"),
                    wrap="wrap",
                ),
                rx.cond(AssessmentState.invited_password != "", notice(
                    t("invite.password_once"), " ", AssessmentState.invited_email, ": ",
                    rx.code(AssessmentState.invited_password, id="invited-password"), icon="key_round")),
            ),
            on_submit=AssessmentState.invite,
            reset_on_submit=True,
        ),
        width="100%",
    )


def actions() -> rx.Component:
    return rx.vstack(
        rx.cond(
            AssessmentState.can_manage & AssessmentState.editable,
            rx.alert_dialog.root(
                rx.alert_dialog.trigger(rx.button(t("assessment.submit"), id="submit-assessment", color_scheme="green")),
                rx.alert_dialog.content(
                    rx.alert_dialog.title(t("assessment.submit")),
                    rx.alert_dialog.description(t("assessment.submit_confirm")),
                    rx.hstack(
                        rx.alert_dialog.cancel(rx.button(t("common.cancel"), variant="soft", color_scheme="gray")),
                        rx.alert_dialog.action(rx.button(t("assessment.submit"), on_click=AssessmentState.submit,
                                                         id="confirm-submit")),
                        justify="end",
                    ),
                ),
            ),
        ),
        rx.cond(
            AssessmentState.info["can_review"].to(bool),
            rx.card(rx.form(
                rx.vstack(
                    rx.text(t("review.title"), weight="bold"),
                    rx.el.label(t("review.comment"), html_for="review-comment"),
                    rx.text_area(name="comment", id="review-comment", width="100%", dir="auto"),
                    rx.hstack(
                        rx.el.label(rx.el.input(type="radio", name="decision", value="approve", default_checked=True), " ",
                                    t("review.approve")),
                        rx.el.label(rx.el.input(type="radio", name="decision", value="return", id="decision-return"), " ",
                                    t("review.return")),
                    ),
                    rx.button(t("review.submit"), type="submit", id="review-submit"),
                ),
                on_submit=AssessmentState.review,
            ), width="100%"),
        ),
        rx.cond(
            AssessmentState.can_manage & ~AssessmentState.editable,
            rx.button(t("assessment.new_round"), on_click=AssessmentState.new_round, variant="soft", id="new-round"),
        ),
        width="100%",
    )
