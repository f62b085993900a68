"""Reports and spreadsheets out; a filled template in."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit.core.vocabulary import RESPONDENT_GROUPS
from nlc_toolkit.ui.components.feedback import preparing
from nlc_toolkit.ui.components.i18n import t
from nlc_toolkit.ui.components.upload import upload_zone
from nlc_toolkit.ui.pages.results.state import IMPORT_ID, ResultsState


def downloads() -> rx.Component:
    return rx.hstack(
        rx.button(rx.icon("file-text", size=16), t("results.download_pdf"), on_click=ResultsState.download_pdf,
                  loading=ResultsState.preparing == "pdf", disabled=ResultsState.preparing != "",
                  id="download-pdf"),
        rx.button(rx.icon("sheet", size=16), t("results.download_xlsx"), on_click=ResultsState.download_xlsx,
                  loading=ResultsState.preparing == "xlsx", disabled=ResultsState.preparing != "",
                  variant="soft", id="download-xlsx"),
        rx.button(rx.icon("file-down", size=16), t("results.download_csv"), on_click=ResultsState.download_csv,
                  loading=ResultsState.preparing == "csv", disabled=ResultsState.preparing != "",
                  variant="soft", id="download-csv"),
        rx.button(rx.icon("file-spreadsheet", size=16), t("results.template"), on_click=ResultsState.download_template,
                  loading=ResultsState.preparing == "template", disabled=ResultsState.preparing != "",
                  variant="soft", id="download-template"),
        preparing(ResultsState),
        wrap="wrap", align="center",
    )


def importer() -> rx.Component:
    return rx.card(rx.vstack(
        rx.text(t("results.import"), weight="bold"),
        rx.hstack(
            rx.input(value=ResultsState.import_label, on_change=ResultsState.set_import_label,
                     placeholder=t("results.import_label"), aria_label=t("results.import_label"), min_width="16em", dir="auto"),
            rx.el.select(*[rx.el.option(t(f"group.{g}"), value=g) for g in RESPONDENT_GROUPS],
                         value=ResultsState.import_group, on_change=ResultsState.set_import_group,
                         aria_label=t("invite.group")),
            wrap="wrap",
        ),
        upload_zone(rx.text(t("evidence.drop")), label=t("results.import"), id=IMPORT_ID, accept={
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"]}, max_files=1,
            border="1px dashed var(--gray-a7)", padding="1em", width="100%"),
        rx.button(t("evidence.upload"), id="import-submit", loading=ResultsState.preparing == "import",
                  disabled=ResultsState.preparing != "",
                  on_click=ResultsState.import_template(rx.upload_files(upload_id=IMPORT_ID))),
        rx.cond(ResultsState.problems.length() > 0,
                rx.el.ul(rx.foreach(ResultsState.problems, lambda p: rx.el.li(p)), id="import-problems")),
        width="100%",
    ), width="100%")
