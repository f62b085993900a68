"""One question: its levels (the shared level picker), N/A and \"don't know\", note and evidence;
and the dialog that uploads evidence files."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit.ui.components.i18n import localized, t
from nlc_toolkit.ui.components.level_picker import level_picker
from nlc_toolkit.ui.components.upload import upload_zone
from nlc_toolkit.ui.pages.assessment.state import MAX_NOTE, UPLOAD_ID, AssessmentState


def evidence_list(question_id: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.foreach(
            AssessmentState.evidence[question_id].to(list[dict]),
            lambda item, index: rx.hstack(
                rx.icon(rx.cond(item["kind"] == "file", "paperclip", "link"), size=14),
                rx.cond(
                    item["kind"] == "file",
                    rx.link(item["name"], is_external=True, dir="auto",
                            # served by /_evidence/ (who asks is checked there), never /_upload/
                            href=rx.get_upload_url(item["path"].to(str)).replace("/_upload/evidence/", "/_evidence/")),
                    rx.link(item["url"], href=item["url"].to(str), is_external=True, dir="ltr"),
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
            rx.cond(AssessmentState.new_questions.contains(qid),
                    rx.badge(t("carry.new_badge"), color_scheme="blue", class_name="new-question")),
            rx.heading(localized(card["text"]), size="4", as_="h3", id="qt-" + qid),
            rx.text(localized(card["help"]), size="2", color_scheme="gray"),
            level_picker(card["levels"], rx.cond(AssessmentState.values.contains(qid), AssessmentState.values[qid].to(str), ""),
                         lambda value: AssessmentState.answer(qid, value),
                         ~AssessmentState.can_answer, key=qid, labelled_by="qt-" + qid, badge_follows=True),
            rx.cond(AssessmentState.unsaved.contains("answer:" + qid),
                    rx.badge(rx.icon("triangle_alert", size=12), t("save.unsaved"), color_scheme="orange",
                             class_name="unsaved-mark", id="unsaved-" + qid),
                    rx.cond(AssessmentState.values.contains(qid),
                            rx.badge(rx.icon("check", size=12), t("assessment.answered"), color_scheme="green",
                                     class_name="saved-mark"))),
            rx.el.label(t("assessment.note"), html_for="note-" + qid, font_size="0.85em"),
            rx.text_area(
                id="note-" + qid,
                dir="auto",  # a note may be French inside an Arabic page, or the reverse
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
                            rx.input(name="url", placeholder="https://", size="1", aria_label=t("evidence.link"), dir="ltr"),
                            rx.button(t("evidence.add_link"), size="1", type="submit", variant="soft"),
                        ),
                        on_submit=AssessmentState.add_link,
                        reset_on_submit=True,
                    ),
                    rx.button(rx.icon("paperclip", size=14), t("evidence.attach"), size="1", variant="soft",
                              class_name="attach-evidence", on_click=AssessmentState.choose_upload(qid)),
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
            upload_zone(
                rx.vstack(rx.icon("upload"), rx.text(t("evidence.drop")), align="center"),
                label=t("evidence.attach"),
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
