"""Administration of questionnaires: the versions stored, and a new questionnaire or version put in
from the browser (checked, previewed with its problems by path, then registered). The state is in
state.py."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit import routes
from nlc_toolkit.services.questionnaires import MAX_BYTES
from nlc_toolkit.ui.components.feedback import loading_or_error, message_banner, notice
from nlc_toolkit.ui.components.i18n import localized, t, t_key
from nlc_toolkit.ui.components.shell import page
from nlc_toolkit.ui.components.upload import upload_zone
from nlc_toolkit.ui.pages.questionnaires.state import (
    MESSAGES,
    STATUSES,
    UPLOAD_ID,
    QuestionnairesState,
)

S = QuestionnairesState
STATUS_COLORS = {"new": "green", "new_version": "green", "identical": "gray", "conflict": "red", "invalid": "red"}
assert MAX_BYTES == 2 * 1024 * 1024, "questionnaires.upload_hint says 2 MB"


# --------------------------------------------------------------------------- stored versions


def version_row(v: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(localized(v["title"]), weight="bold")),
        rx.table.cell(rx.code(v["id"].to(str))),
        rx.table.cell(rx.hstack(
            rx.text(v["version"].to(str)),
            rx.cond(v["latest"].to(bool), rx.badge(t("questionnaires.latest"), color_scheme="green")),
            align="center", spacing="2", wrap="wrap")),
        rx.table.cell(v["domains"].to(str)),
        rx.table.cell(v["questions"].to(str)),
        rx.table.cell(v["assessments"].to(str)),
        rx.table.cell(v["registered_text"].to(str)),
        class_name="version-row",
        data_key=v["key"].to(str),
    )


def versions_section() -> rx.Component:
    header = ("questionnaires.title_column", "questionnaires.id", "questionnaires.version", "questionnaires.domains",
              "questionnaires.questions", "questionnaires.assessments", "questionnaires.registered_at")
    return rx.el.section(
        rx.heading(t("questionnaires.stored"), size="5", as_="h2", id="stored-heading"),
        rx.cond(
            S.versions.length() > 0,
            rx.box(rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(key)) for key in header])),
                rx.table.body(rx.foreach(S.version_rows, version_row)),
                size="1", width="100%",
            ), overflow_x="auto", width="100%", id="version-list"),
            rx.text(t("questionnaires.none_stored"), id="no-versions"),
        ),
        rx.text(t("questionnaires.latest_note"), size="2", color_scheme="gray"),
        aria_labelledby="stored-heading",
        width="100%",
    )


# --------------------------------------------------------------------------- upload, problems, preview


def upload_section() -> rx.Component:
    return rx.el.section(
        rx.heading(t("questionnaires.upload"), size="5", as_="h2", id="upload-heading"),
        rx.text(t("questionnaires.upload_intro"), size="2"),
        upload_zone(
            rx.vstack(
                rx.icon("file-up", aria_hidden="true"),
                rx.button(t("questionnaires.choose"), type="button", variant="soft", id="questionnaire-choose"),
                rx.text(t("questionnaires.upload_hint"), size="1", color_scheme="gray", id="upload-hint"),
                align="center",
            ),
            label=t("questionnaires.upload"),
            id=UPLOAD_ID,
            accept={"application/yaml": [".yaml", ".yml"], "application/x-yaml": [".yaml", ".yml"],
                    "text/yaml": [".yaml", ".yml"]},
            max_files=1,
            multiple=False,
            border="1px dashed var(--gray-a7)",
            padding="1.5em",
            width="100%",
        ),
        rx.hstack(
            rx.foreach(rx.selected_files(UPLOAD_ID), lambda name: rx.code(name, class_name="selected-file")),
            rx.button(t("questionnaires.check"), id="questionnaire-check", disabled=S.checking,
                      aria_describedby="upload-hint",
                      on_click=S.check_file(rx.upload_files(upload_id=UPLOAD_ID))),
            rx.cond(S.checking, rx.hstack(rx.spinner(), rx.text(t("questionnaires.checking")), role="status",
                                          id="questionnaire-checking")),
            align="center", spacing="3", wrap="wrap",
        ),
        aria_labelledby="upload-heading",
        width="100%",
    )


def problem_item(p: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.cond(p["path"] != "", rx.fragment(rx.code(p["path"], class_name="problem-path"), ": ")),
        p["message"],
        class_name="problem",
    )


def problems_box() -> rx.Component:
    return rx.cond(
        S.problems.length() > 0,
        rx.box(
            rx.hstack(rx.icon("triangle_alert", size=16, aria_hidden="true"),
                      rx.text(t("questionnaires.problems"), " (", S.file_name, ", ", S.problems.length().to(str), ")",
                              weight="bold"),
                      align="center"),
            rx.el.ul(rx.foreach(S.problems, problem_item), padding_inline_start="1.2em", margin_top="0.5em"),
            role="alert", id="questionnaire-problems", width="100%", padding="1em", border_radius="var(--radius-3)",
            background="var(--red-a3)", color="var(--red-11)",
        ),
    )


def domain_item(d: rx.Var) -> rx.Component:
    return rx.el.li(localized(d["title"]), " (", rx.code(d["id"].to(str)), ") · ", t("questionnaires.questions"), ": ",
                    d["questions"].to(str), class_name="preview-domain")


def fact(label_key: str, value: rx.Var, id_: str) -> rx.Component:
    return rx.fragment(rx.el.dt(t(label_key), font_weight="bold"), rx.el.dd(value, id=id_, margin_inline_start="0"))


def preview_card() -> rx.Component:
    status_keys = [f"questionnaires.status.{x}" for x in STATUSES]
    return rx.cond(
        S.summary.contains("id"),
        rx.card(rx.vstack(
            rx.heading(t("questionnaires.preview"), " · ", localized(S.title), size="4", as_="h2", id="preview-heading"),
            rx.callout.root(
                rx.callout.text(t_key(S.status, status_keys, prefix="questionnaires.status.")),
                color_scheme=rx.match(S.status, *STATUS_COLORS.items(), "gray"),
                role=rx.cond(S.can_register, "status", "alert"), id="preview-status", size="1",
            ),
            rx.el.dl(
                fact("questionnaires.file", S.file_name, "preview-file"),
                fact("questionnaires.id", S.summary["id"], "preview-id"),
                fact("questionnaires.version", S.summary["version"], "preview-version"),
                fact("questionnaires.languages", S.summary["languages"], "preview-languages"),
                fact("questionnaires.questions", S.summary["questions"], "preview-questions"),
                rx.cond(S.summary["versions"] != "",
                        fact("questionnaires.stored_versions", S.summary["versions"], "preview-versions")),
                display="grid", grid_template_columns="max-content 1fr", column_gap="1em", row_gap="0.25em",
            ),
            rx.text(t("questionnaires.domains"), " (", S.domains.length().to(str), ")", weight="bold"),
            rx.el.ul(rx.foreach(S.domains, domain_item), padding_inline_start="1.2em", id="preview-domains"),
            rx.hstack(
                rx.button(rx.icon("check", size=16), t("questionnaires.register"), id="questionnaire-register",
                          disabled=~S.can_register | S.checking, on_click=S.register),
                rx.button(t("common.cancel"), variant="soft", color_scheme="gray", on_click=S.clear,
                          id="questionnaire-cancel"),
                spacing="3",
            ),
            spacing="3", width="100%",
        ), width="100%", id="questionnaire-preview", aria_labelledby="preview-heading"),
    )


@page(routes.QUESTIONNAIRES, on_load=[S.load])
def questionnaires() -> rx.Component:
    return rx.vstack(
        rx.link(rx.hstack(rx.icon("arrow-left", size=16, aria_hidden="true"), t("questionnaires.back")),
                href=routes.ADMIN.path, id="back-to-admin"),
        rx.heading(t("questionnaires.title"), size="7", as_="h1"),
        rx.cond(
            S.error == "forbidden",
            notice(t("error.forbidden"), icon="lock", color="gray", id="forbidden"),
            loading_or_error(
                S.loading, S.error, S.load,
                rx.vstack(
                    message_banner(S, MESSAGES, "questionnaires-message"),
                    versions_section(),
                    rx.divider(),
                    upload_section(),
                    problems_box(),
                    preview_card(),
                    spacing="4", width="100%",
                ),
            ),
        ),
        spacing="4", width="100%",
    )
