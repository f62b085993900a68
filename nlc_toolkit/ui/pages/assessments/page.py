"""The assessments a user may see; editors start a new one (questionnaire, year, round)."""

import logging
from datetime import date

import reflex as rx

from nlc_toolkit import routes
from nlc_toolkit.i18n import format_date, format_number, format_percent
from nlc_toolkit.services import assessments as svc
from nlc_toolkit.services import questionnaires
from nlc_toolkit.ui.components.feedback import loading_or_error, status_badge
from nlc_toolkit.ui.components.i18n import localized, t, t_key
from nlc_toolkit.ui.components.shell import page
from nlc_toolkit.ui.state.auth import AuthState
from nlc_toolkit.ui.state.inputs import db_id
from nlc_toolkit.ui.state.inputs import form as as_form
from nlc_toolkit.ui.state.page import PageState

logger = logging.getLogger(__name__)
CREATE_ERRORS = ["error.forbidden", "assessment.error.choose_questionnaire", "assessment.error.year_round"]


class AssessmentsState(PageState, AuthState):
    rows: list[dict] = []
    cities: list[dict] = []
    questionnaires: list[dict] = []
    create_error: str = ""
    dialog_open: bool = False

    @rx.var
    def row_texts(self) -> list[dict]:
        """The rows with score, completeness and date written for the user's language."""
        return [dict(r, overall_text=format_number(r["overall"], self.lang, 0),
                     completeness_text=format_percent(r["completeness"] / 100, self.lang),
                     updated_text=format_date(date.fromisoformat(r["updated"]), self.lang))
                for r in self.rows]

    @rx.var
    def can_create(self) -> bool:
        return len(self.cities) > 0

    def _read(self, s, actor) -> None:
        self.rows = svc.visible_assessments(s, actor)
        self.cities = [{"id": str(c.id), "name": c.name} for c in svc.creatable_cities(s, actor)]
        self.questionnaires = [{"id": str(q["version_id"]), "title": q["title"]} for q in questionnaires.latest(s)]

    @rx.event
    async def load(self):
        async for update in self._load_with(self._read):
            yield update

    @rx.event
    def set_dialog(self, value: bool):
        self.dialog_open, self.create_error = value is True, ""

    @rx.event
    def create(self, form: dict):
        form = as_form(form)
        city_id = db_id(form.get("city") or (self.cities[0]["id"] if len(self.cities) == 1 else 0))
        year, round_, version_id = db_id(form.get("year")), db_id(form.get("round")), db_id(form.get("questionnaire"))
        created = {}

        def action(s, actor):
            created["id"] = svc.create(s, actor, city_id, version_id, year, round_).id

        result = self._run(action)
        if self.message_is_error:  # shown in the dialog, not on the page
            self.create_error, self.message = self.message, ""
            return None
        if not created:
            return result
        self.dialog_open = False
        return rx.redirect(routes.assessment_url(created["id"]))


def new_assessment_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("plus", size=16), t("assessments.new"), id="new-assessment")),
        rx.dialog.content(
            rx.dialog.title(t("assessments.new")),
            rx.form(
                rx.vstack(
                    rx.cond(
                        AssessmentsState.cities.length() > 1,
                        rx.vstack(
                            rx.el.label(t("assessments.city"), html_for="new-city"),
                            rx.el.select(
                                rx.foreach(AssessmentsState.cities, lambda c: rx.el.option(c["name"], value=c["id"])),
                                id="new-city", name="city",
                            ),
                        ),
                    ),
                    rx.el.label(t("assessments.questionnaire"), html_for="new-questionnaire"),
                    rx.el.select(
                        rx.foreach(AssessmentsState.questionnaires, lambda q: rx.el.option(localized(q["title"]), value=q["id"])),
                        id="new-questionnaire", name="questionnaire",
                    ),
                    rx.hstack(
                        rx.vstack(rx.el.label(t("assessments.year"), html_for="new-year"),
                                  rx.input(id="new-year", name="year", type="number", default_value=str(date.today().year))),
                        rx.vstack(rx.el.label(t("assessments.round"), html_for="new-round"),
                                  rx.input(id="new-round", name="round", type="number", default_value="1", min="1")),
                    ),
                    rx.cond(AssessmentsState.create_error != "",
                            rx.callout(t_key(AssessmentsState.create_error, CREATE_ERRORS), color_scheme="red", role="alert")),
                    rx.hstack(
                        rx.dialog.close(rx.button(t("common.cancel"), variant="soft", color_scheme="gray", type="button")),
                        rx.button(t("assessments.start"), type="submit", id="create-assessment"),
                        justify="end",
                    ),
                    spacing="3",
                ),
                on_submit=AssessmentsState.create,
            ),
        ),
        open=AssessmentsState.dialog_open,
        on_open_change=AssessmentsState.set_dialog,
    )


def assessment_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row["city"], href="/assessments/" + row["id"].to(str), dir="auto")),
        rx.table.cell(localized(row["questionnaire"])),
        rx.table.cell(row["year"].to(str), " · ", t("assessments.round_short"), " ", row["round"].to(str)),
        rx.table.cell(status_badge(row["status"])),
        rx.table.cell(row["overall_text"]),
        rx.table.cell(row["completeness_text"]),
        rx.table.cell(row["updated_text"]),
        class_name="assessment-row",
    )


@page(routes.ASSESSMENTS, on_load=[AssessmentsState.load])
def assessments() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading(t("assessments.title"), size="7", as_="h1"),
            rx.spacer(),
            rx.cond(AssessmentsState.can_create, new_assessment_dialog()),
            width="100%", align="center",
        ),
        loading_or_error(
            AssessmentsState.loading, AssessmentsState.error, AssessmentsState.load,
            rx.cond(
                AssessmentsState.rows.length() > 0,
                rx.box(
                    rx.table.root(
                        rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(k)) for k in (
                            "assessments.city", "assessments.questionnaire", "assessments.year", "assessments.status",
                            "assessments.score", "assessments.completeness", "assessments.updated")])),
                        rx.table.body(rx.foreach(AssessmentsState.row_texts, assessment_row)),
                        width="100%",
                    ),
                    overflow_x="auto", width="100%", id="assessment-list",
                ),
                rx.text(t("assessments.none"), id="no-assessments"),
            ),
        ),
        spacing="4", width="100%",
    )
