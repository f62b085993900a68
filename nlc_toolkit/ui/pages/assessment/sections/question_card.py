"""One question: its levels (the shared level picker), N/A and \"don't know\", note and evidence;
and the dialog that uploads evidence files."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit.ui.components.i18n import localized, t
from nlc_toolkit.ui.components.level_picker import level_picker
from nlc_toolkit.ui.pages.assessment.state import MAX_NOTE, UPLOAD_ID, AssessmentState


def special_option(question_id: rx.Var, value: str, key: str) -> rx.Component:
    selected = AssessmentState.values[question_id].to(str) == value
    return rx.button(
        t(key),
        role="radio",
        aria_checked=rx.cond(selected, "true", "false"),
        variant=rx.cond(selected, "solid", "outline"),
        color_scheme="gray",
        size="1",
        disabled=~AssessmentState.can_answer,
        on_click=AssessmentState.answer(question_id, value),
        data_level=value,
    )


def evidence_list(question_id: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.foreach(
            AssessmentState.evidence[question_id].to(list[dict]),
            lambda item, index: rx.hstack(
                rx.icon(rx.cond(item["kind"] == "file", "paperclip", "link"), size=14),
                rx.cond(
                    item["kind"] == "file",
                    rx.link(item["name"], is_external=True,
                            # served by /_evidence/ (who asks is checked there), never /_upload/
                            href=rx.get_upload_url(item["path"].to(str)).replace("/_upload/evidence/", "/_evidence/")),
                    rx.link(item["url"], href=item["url"].to(str), is_external=True),
                ),
                rx.cond(AssessmentState.can_answer, rx.icon_button(
                    rx.icon("x", size=12), size="1", variant="ghost", color_scheme="gray", aria_label=t("evidence.remove"),
                    on_click=AssessmentState.remove_evidence(question_id, index))),
                align="center", class_name="evidence-item",
            ),
        ),
        spacing="1",
    )


def question_card(card: rx.Var) -> rx.Component:
    qid = card["id"].to(str)
    return rx.card(
        rx.vstack(
            rx.heading(localized(card["text"]), size="4", as_="h3"),
            rx.text(localized(card["help"]), size="2", color_scheme="gray"),
            level_picker(card["levels"], lambda level: AssessmentState.values[qid].to(str) == level["value"].to(str),
                         lambda value: AssessmentState.answer(qid, value), ~AssessmentState.can_answer,
                         label=localized(card["text"]), badge_follows=True),
            rx.hstack(
                special_option(qid, "na", "answer.na"),
                special_option(qid, "unknown", "answer.unknown"),
                rx.spacer(),
                rx.cond(AssessmentState.values.contains(qid),
                        rx.badge(rx.icon("check", size=12), t("assessment.answered"), color_scheme="green", class_name="saved-mark")),
                width="100%", align="center", wrap="wrap",
            ),
            rx.el.label(t("assessment.note"), html_for="note-" + qid, font_size="0.85em"),
            rx.text_area(
                id="note-" + qid,
                default_value=AssessmentState.notes[qid].to(str),
                on_blur=lambda value: AssessmentState.save_note(qid, value),
                max_length=MAX_NOTE + 500,  # the server refuses beyond MAX_NOTE with a message
                disabled=~AssessmentState.can_answer,
                width="100%",
                class_name="note",
            ),
            rx.text(t("assessment.evidence"), size="2", weight="bold"),
            rx.text(localized(card["evidence_hint"]), size="1", color_scheme="gray"),
            evidence_list(qid),
            rx.cond(
                AssessmentState.can_answer,
                rx.hstack(
                    rx.form(
                        rx.hstack(
                            rx.el.input(type="hidden", name="question", value=qid),
                            rx.input(name="url", placeholder="https://", size="1", aria_label=t("evidence.link")),
                            rx.button(t("evidence.add_link"), size="1", type="submit", variant="soft"),
                        ),
                        on_submit=AssessmentState.add_link,
                        reset_on_submit=True,
                    ),
                    rx.button(rx.icon("paperclip", size=14), t("evidence.attach"), size="1", variant="soft",
                              on_click=AssessmentState.choose_upload(qid)),
                    wrap="wrap",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        id="q-" + qid,
        class_name="question-card",
        width="100%",
    )


def upload_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("evidence.attach")),
            rx.text(t("evidence.limits"), size="2"),
            rx.upload(
                rx.vstack(rx.icon("upload"), rx.text(t("evidence.drop")), align="center"),
                id=UPLOAD_ID,
                max_files=3,
                border="1px dashed var(--gray-a7)",
                padding="2em",
            ),
            rx.hstack(rx.foreach(rx.selected_files(UPLOAD_ID), rx.text)),
            rx.hstack(
                rx.dialog.close(rx.button(t("common.cancel"), variant="soft", color_scheme="gray")),
                rx.button(t("evidence.upload"), id="upload-submit",
                          on_click=AssessmentState.upload(rx.upload_files(upload_id=UPLOAD_ID))),
                justify="end",
            ),
        ),
        open=AssessmentState.upload_question != "",
        on_open_change=AssessmentState.close_upload,
    )
