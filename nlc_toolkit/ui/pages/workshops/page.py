"""Workshops: a trainer's sessions and a new one (the list), and the console of one session.
This module composes the pages; the states are in state.py, the console in sections/."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit import routes
from nlc_toolkit.ui.components.feedback import loading_or_error, notice, page_guard
from nlc_toolkit.ui.components.i18n import localized, t, t_key
from nlc_toolkit.ui.components.shell import page
from nlc_toolkit.ui.pages.workshops.sections.console import console
from nlc_toolkit.ui.pages.workshops.state import (
    MESSAGES,
    STATUS_KEYS,
    ConsoleState,
    WorkshopsState,
)


@page(routes.WORKSHOPS, on_load=[WorkshopsState.load])
def workshops() -> rx.Component:
    return rx.vstack(
        rx.heading(t("workshop.title"), size="7", as_="h1"),
        rx.cond(
            WorkshopsState.error == "forbidden",
            notice(t("error.forbidden"), icon="lock", color="gray", id="forbidden"),
            loading_or_error(WorkshopsState.loading, WorkshopsState.error, WorkshopsState.load, rx.vstack(
                rx.card(rx.form(rx.vstack(
                    rx.heading(t("workshop.new"), size="4", as_="h2"),
                    rx.hstack(
                        rx.vstack(rx.el.label(t("assessments.city"), html_for="ws-city"),
                                  rx.el.select(rx.foreach(WorkshopsState.cities, lambda c: rx.el.option(c["name"], value=c["id"])),
                                               id="ws-city", name="city")),
                        rx.vstack(rx.el.label(t("assessments.questionnaire"), html_for="ws-questionnaire"),
                                  rx.el.select(rx.foreach(WorkshopsState.questionnaires, lambda q: rx.el.option(
                                      localized(q["title"]), value=q["id"])), id="ws-questionnaire",
                                      value=WorkshopsState.chosen_questionnaire,
                                      on_change=WorkshopsState.choose_questionnaire)),
                        rx.vstack(rx.el.label(t("workshop.assessment"), html_for="ws-assessment"),
                                  rx.el.select(rx.el.option("—", value=""),
                                               rx.foreach(WorkshopsState.assessments, lambda a: rx.el.option(a["label"], value=a["id"])),
                                               id="ws-assessment", name="assessment")),
                        wrap="wrap", align="end",
                    ),
                    rx.el.fieldset(
                        rx.el.legend(t("workshop.domains")),
                        rx.box(rx.foreach(WorkshopsState.domain_options, lambda d: rx.el.label(
                            rx.el.input(type="checkbox", value=d["id"],
                                        checked=WorkshopsState.chosen_domains.contains(d["id"]),
                                        on_change=WorkshopsState.toggle_domain(d["id"])),
                            " ", localized(d["title"]), " (", d["count"].to(str), ")",
                            class_name="domain-choice", display="block",
                        )), column_width="18em"),
                        id="ws-domains", border="none", padding="0",
                    ),
                    rx.cond(WorkshopsState.message != "", notice(t_key(WorkshopsState.message, MESSAGES), color="red",
                                                                 role="alert")),
                    rx.button(t("workshop.create"), type="submit", id="create-workshop"),
                ), on_submit=WorkshopsState.create), width="100%"),
                rx.table.root(
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(k)) for k in (
                        "workshop.code", "assessments.city", "assessments.status", "workshop.created")])),
                    rx.table.body(rx.foreach(WorkshopsState.session_rows, lambda w: rx.table.row(
                        rx.table.cell(rx.link(w["code"], href="/workshops/" + w["code"].to(str))),
                        rx.table.cell(w["city"]), rx.table.cell(t_key(w["status"], STATUS_KEYS, "workshop.status.")),
                        rx.table.cell(w["created_text"])))),
                    width="100%",
                ),
                width="100%",
            )),
        ),
        spacing="4", width="100%",
    )


@page(routes.CONSOLE, on_load=[ConsoleState.load])
def workshop_console() -> rx.Component:
    return page_guard(ConsoleState, console())
