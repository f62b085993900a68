"""Answering an assessment: city profile first, then domain by domain, saved on every choice.

The state holds plain rows for the section on screen only (the questionnaire stays on the server);
every write goes through db.assessments, which checks the user and the assessment's status."""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path

import reflex as rx

from nlc_toolkit import routes
from nlc_toolkit.core.vocabulary import RESPONDENT_GROUPS
from nlc_toolkit.db import files as evidence_files
from nlc_toolkit.services import assessments as svc
from nlc_toolkit.services.live import assessment_channel, hub
from nlc_toolkit.services.uow import unit_of_work
from nlc_toolkit.ui.components.feedback import loading_or_error, notice, status_badge
from nlc_toolkit.ui.components.i18n import localized, t, t_key
from nlc_toolkit.ui.components.shell import page
from nlc_toolkit.ui.state.auth import AuthState
from nlc_toolkit.ui.state.inputs import db_id, text
from nlc_toolkit.ui.state.inputs import form as as_form
from nlc_toolkit.ui.state.uploads import read_at_most

logger = logging.getLogger(__name__)

MESSAGES = [
    "error.forbidden", "assessment.error.locked", "assessment.error.bad_answer", "assessment.error.note_too_long",
    "evidence.error.bad_link", "evidence.error.too_many", "evidence.error.not_found", "evidence.error.file_type",
    "evidence.error.file_size", "invite.error.group", "invite.error.email", "invite.error.already",
    "review.error.not_submitted", "review.error.comment_required", "assessment.saved", "assessment.submitted_ok",
    "review.done", "invite.done", "error.session", "evidence.error.too_many_files",
]
UPLOAD_ID = "evidence-upload"




class AssessmentState(AuthState):
    loading: bool = True
    error: str = ""  # "", "not_found" or "load"
    assessment_id: int = 0
    info: dict = {}
    domains: list[dict] = []
    respondents: list[dict] = []
    history: list[dict] = []
    section: str = "profile"
    cards: list[dict] = []
    profile: list[dict] = []
    context: dict[str, str] = {}
    values: dict[str, str] = {}
    notes: dict[str, str] = {}
    evidence: dict[str, list[dict]] = {}
    message: str = ""
    message_is_error: bool = False
    upload_question: str = ""
    invited_password: str = ""
    invited_email: str = ""

    # ----------------------------------------------------------------- derived

    @rx.var
    def total_questions(self) -> int:
        return sum(d["total"] for d in self.domains)

    @rx.var
    def total_answered(self) -> int:
        return sum(d["answered"] for d in self.domains)

    @rx.var
    def overall_progress(self) -> int:
        total = sum(d["total"] for d in self.domains)
        return round(100 * sum(d["answered"] for d in self.domains) / total) if total else 0

    @rx.var
    def unanswered(self) -> list[dict]:
        return [{"domain": d["id"], "title": d["title"], "count": len(d["unanswered"])} for d in self.domains if d["unanswered"]]

    @rx.var
    def can_answer(self) -> bool:
        return bool(self.info.get("can_answer"))

    @rx.var
    def can_manage(self) -> bool:
        return bool(self.info.get("can_manage"))

    @rx.var
    def editable(self) -> bool:
        return self.info.get("status") in ("draft", "returned")

    # ----------------------------------------------------------------- loading

    def _id_from_url(self) -> int:
        match = re.fullmatch(r"/assessments/(\d+)/?", self.router.url.path or "")
        return db_id(match.group(1)) if match else 0

    def _refresh(self, actor, keep_section: bool = True) -> None:
        with unit_of_work() as s:
            view = svc.view(s, actor, self.assessment_id)
            q = svc.questionnaire_of(svc.load(s, actor, self.assessment_id))
            if not keep_section:
                self.section = svc.last_section(s, actor, self.assessment_id) or "profile"
        self.info = {k: view[k] for k in ("id", "city", "title", "year", "round", "status", "can_manage", "can_answer",
                                          "can_review", "my_group")}
        self.domains = view["domains"]
        self.respondents = view["respondents"]
        self.history = view["history"]
        self.context = view["context"]
        self.values = {k: v["value"] for k, v in view["answers"].items() if v["value"]}
        self.notes = {k: v["note"] for k, v in view["answers"].items()}
        self.evidence = {k: v["evidence"] for k, v in view["answers"].items()}
        self.profile = svc.context_cards(q)
        known = {d["id"] for d in self.domains} | {"profile", "overview"}
        if self.section not in known:
            self.section = "profile"
        if self.section in {d["id"] for d in self.domains}:
            applicable = {i for d in self.domains if d["id"] == self.section for i in d["ids"]}
            self.cards = svc.question_cards(q, self.section, view["my_group"], applicable)
        else:
            self.cards = []

    @rx.event
    def load(self):
        actor = self._actor()
        if actor is None:
            return self._to_login()
        wanted = self._id_from_url()
        # A reload of the page on screen keeps its content while it is re-read: the tab's state
        # outlives a reload, so the hydrated page already shows it, and swapping it for a spinner
        # would re-mount every form under the user's typing (input lost, seen as flaky tests).
        self.loading = not (wanted == self.assessment_id and self.info and not self.error)
        self.error, self.message = "", ""
        self.invited_password = self.invited_email = self.upload_question = ""
        self.assessment_id = wanted
        yield
        try:
            self._refresh(actor, keep_section=False)
        except svc.NotFound:
            self.error = "not_found"
            self.info, self.domains, self.cards = {}, [], []
        except Exception:  # noqa: BLE001 - shown as a page state, details in the log
            logger.exception("assessment %s: load failed", self.assessment_id)
            self.error = "load"
        self.loading = False

    def _run(self, action, ok_message: str = "", refresh: bool = True, changes: bool = True):
        """Run a service call for the signed-in user; show its refusal as a message. `changes`:
        it changed the assessment (open dashboards are told)."""
        actor = self._actor()
        if actor is None:
            return self._to_login()
        recovered = not self.assessment_id
        if recovered:  # the backend restarted and lost this tab's state: the URL says which assessment
            self.assessment_id = self._id_from_url()
        try:
            with unit_of_work() as s:
                action(s, actor)
        except svc.NotFound:
            self.error = "not_found"
            return None
        except (svc.Invalid, svc.Refused) as e:
            self.message, self.message_is_error = str(e), True
            return None
        self.message, self.message_is_error = ok_message, False
        if changes:
            hub.notify(assessment_channel(self.assessment_id), "answers")  # open dashboards follow
        if refresh or recovered:
            self._refresh(actor, keep_section=not recovered)  # a recovered tab resumes its section
        return None

    # ----------------------------------------------------------------- events

    @rx.event
    def go(self, section: str):
        known = {d["id"] for d in self.domains} | {"profile", "overview"}
        # Not a section of this page: shown as the profile, nothing kept. (With no domains loaded,
        # after a backend restart, the service checks the section once the tab has recovered.)
        if not isinstance(section, str) or (self.domains and section not in known):
            self.section = "profile"
            return rx.call_script("window.scrollTo(0, 0)")
        self.section = section
        self.message = ""
        result = self._run(lambda s, a: svc.remember_section(s, a, self.assessment_id, section), changes=False)
        return [result, rx.call_script("window.scrollTo(0, 0)")] if result else rx.call_script("window.scrollTo(0, 0)")

    @rx.event
    def answer(self, question_id: str, value: str):
        question_id, value = text(question_id, 100), text(value, 20)
        previous = self.values.get(question_id)
        self.values[question_id] = value  # shown at once; undone below if the server refuses
        result = self._run(lambda s, a: svc.answer(s, a, self.assessment_id, question_id, value), "assessment.saved")
        if self.message_is_error:
            if previous is None:
                self.values.pop(question_id, None)
            else:
                self.values[question_id] = previous
        return result

    @rx.event
    def save_note(self, question_id: str, note: str):
        question_id = text(question_id, 100)
        note = note if isinstance(note, str) else ""  # over-long notes are refused with a message
        if note == self.notes.get(question_id, ""):
            return None
        return self._run(lambda s, a: svc.set_note(s, a, self.assessment_id, question_id, note), "assessment.saved")

    @rx.event
    def add_link(self, form: dict):
        # The question id rides in a hidden field: a form's handler cannot close over foreach vars.
        form = as_form(form)
        question_id, url = text(form.get("question"), 100), text(form.get("url"), 2001).strip()
        return self._run(lambda s, a: svc.add_evidence(s, a, self.assessment_id, question_id, {"kind": "link", "url": url}),
                         "assessment.saved")

    @rx.event
    def remove_evidence(self, question_id: str, index: int):
        question_id, index = text(question_id, 100), index if isinstance(index, int) and not isinstance(index, bool) else -1
        return self._run(lambda s, a: svc.remove_evidence(s, a, self.assessment_id, question_id, index), "assessment.saved")

    @rx.event
    def choose_upload(self, question_id: str):
        self.upload_question = text(question_id, 100)
        self.message = ""

    @rx.event
    def close_upload(self, _open: bool = False):
        self.upload_question = ""

    def _refuse_upload(self, key: str):
        self.message, self.message_is_error, self.upload_question = key, True, ""

    @rx.event
    async def upload(self, files: list[rx.UploadFile]):
        """Store evidence files. Order matters: the session and the permission first, then each
        file's size (counted while reading) and type (name and first bytes), and only then the
        disk. Anything refused leaves nothing behind."""
        question_id = self.upload_question if isinstance(self.upload_question, str) else ""
        actor = self._actor()
        if actor is None:
            return self._to_login()
        if not self.assessment_id:  # the backend restarted: the URL says which assessment
            self.assessment_id = self._id_from_url()
        if not files:
            return None
        if len(files) > evidence_files.MAX_FILES_PER_UPLOAD:
            return self._refuse_upload("evidence.error.too_many_files")
        try:
            with unit_of_work() as s:
                svc.check_attach(s, actor, self.assessment_id, question_id, count=len(files))
        except svc.NotFound:
            self.error, self.upload_question = "not_found", ""
            return None
        except (svc.Invalid, svc.Refused) as e:
            return self._refuse_upload(str(e))
        items = []
        for file in files:
            name = Path(str(file.name or "file").replace("\\", "/")).name[:200] or "file"
            data = await read_at_most(file, evidence_files.MAX_FILE_BYTES)
            if data is None:
                return self._refuse_upload("evidence.error.file_size")
            if not evidence_files.accepted_type(name, data[:512]):
                return self._refuse_upload("evidence.error.file_type")
            items.append(({"kind": "file", "name": name,
                           "path": evidence_files.new_relative_path(self.assessment_id, name)}, data))

        def write_all():
            for item, data in items:
                evidence_files.write(item["path"], data)

        def attach(s, a):
            for item, _ in items:
                svc.add_evidence(s, a, self.assessment_id, question_id, item)

        await asyncio.to_thread(write_all)  # disk writes off the event loop
        result = self._run(attach, "assessment.saved")
        if self.message_is_error:
            for item, _ in items:
                evidence_files.delete_if_unreferenced_path(item["path"])
        self.upload_question = ""
        return result

    @rx.event
    def set_context(self, question_id: str, value: str):
        question_id, value = text(question_id, 100), text(value, 100)
        return self._run(lambda s, a: svc.set_context(s, a, self.assessment_id, question_id, value), "assessment.saved")

    @rx.event
    def submit(self):
        return self._run(lambda s, a: svc.submit(s, a, self.assessment_id), "assessment.submitted_ok")

    @rx.event
    def review(self, form: dict):
        form = as_form(form)
        approve = form.get("decision") == "approve"
        comment = text(form.get("comment"), 5000)
        return self._run(lambda s, a: svc.review(s, a, self.assessment_id, approve, comment), "review.done")

    @rx.event
    def new_round(self):
        created = {}

        def action(s, a):
            created["id"] = svc.new_round(s, a, self.assessment_id).id

        result = self._run(action, refresh=False)
        return rx.redirect(f"/assessments/{created['id']}") if created else result

    @rx.event
    def invite(self, form: dict):
        form, out = as_form(form), {}

        def action(s, a):
            user, password = svc.invite(s, a, self.assessment_id, text(form.get("email"), 254), text(form.get("name"), 200),
                                        text(form.get("group"), 20))
            out.update(email=user.email, password=password)

        result = self._run(action, "invite.done")
        self.invited_email, self.invited_password = out.get("email", ""), out.get("password", "")
        return result


# ===================================================================== components


def message_banner() -> rx.Component:
    return rx.cond(
        AssessmentState.message != "",
        rx.callout.root(
            rx.callout.text(t_key(AssessmentState.message, MESSAGES)),
            color_scheme=rx.cond(AssessmentState.message_is_error, "red", "green"),
            role=rx.cond(AssessmentState.message_is_error, "alert", "status"),
            id="assessment-message",
            size="1",
        ),
    )


def level_option(question_id: rx.Var, level: rx.Var) -> rx.Component:
    selected = AssessmentState.values[question_id].to(str) == level["value"].to(str)
    return rx.el.button(
        rx.hstack(
            rx.badge(level["value"], variant=rx.cond(selected, "solid", "soft"), size="2"),
            rx.text(localized(level["label"]), weight="bold", size="2"),
            align="center",
        ),
        rx.text(localized(level["descriptor"]), size="2", text_align="start"),
        role="radio",
        aria_checked=rx.cond(selected, "true", "false"),
        disabled=~AssessmentState.can_answer,
        on_click=AssessmentState.answer(question_id, level["value"]),
        class_name=rx.cond(selected, "level-option selected", "level-option"),
        data_level=level["value"],
    )


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
            rx.box(
                rx.foreach(card["levels"].to(list[dict]), lambda level: level_option(qid, level)),
                role="radiogroup",
                aria_label=localized(card["text"]),
                class_name="level-picker",
            ),
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
                max_length=svc.MAX_NOTE + 500,  # the server refuses beyond MAX_NOTE with a message
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


def profile_section() -> rx.Component:
    return rx.vstack(
        rx.heading(t("assessment.profile"), size="5", as_="h2"),
        rx.text(t("assessment.profile_help"), size="2", color_scheme="gray"),
        rx.foreach(
            AssessmentState.profile,
            lambda c: rx.card(
                rx.vstack(
                    rx.text(localized(c["text"]), weight="bold", id="ctx-label-" + c["id"].to(str)),
                    rx.hstack(
                        rx.foreach(
                            c["options"].to(list[dict]),
                            lambda o: rx.button(
                                localized(o["label"]),
                                role="radio",
                                aria_checked=rx.cond(AssessmentState.context[c["id"].to(str)].to(str) == o["value"].to(str), "true", "false"),
                                variant=rx.cond(AssessmentState.context[c["id"].to(str)].to(str) == o["value"].to(str), "solid", "outline"),
                                disabled=~(AssessmentState.can_manage & AssessmentState.editable),
                                on_click=AssessmentState.set_context(c["id"], o["value"]),
                                size="2",
                            ),
                        ),
                        wrap="wrap", role="radiogroup", aria_labelledby="ctx-label-" + c["id"].to(str),
                    ),
                ),
                width="100%",
                class_name="context-card",
            ),
        ),
        rx.button(t("assessment.start_answering"), on_click=AssessmentState.go(AssessmentState.domains[0]["id"].to(str)),
                  id="start-answering"),
        spacing="3", width="100%",
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
                    rx.text(d["answered"].to(str), " / ", d["total"].to(str), " ", t("assessment.answered_of"), size="2"),
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


def overview_section() -> rx.Component:
    return rx.vstack(
        rx.heading(t("assessment.overview"), size="5", as_="h2"),
        rx.heading(t("assessment.unanswered"), size="3", as_="h3"),
        rx.cond(
            AssessmentState.unanswered.length() > 0,
            rx.vstack(rx.foreach(AssessmentState.unanswered, lambda u: rx.link(
                localized(u["title"]), " (", u["count"].to(str), ")", on_click=AssessmentState.go(u["domain"]),
                href="#", class_name="unanswered-link")), id="unanswered-list"),
            rx.text(t("assessment.all_answered")),
        ),
        rx.heading(t("respondents.title"), size="3", as_="h3"),
        rx.table.root(
            rx.table.body(rx.foreach(AssessmentState.respondents, lambda r: rx.table.row(
                rx.table.cell(r["label"]),
                rx.table.cell(t_key(r["group"], [f"group.{g}" for g in RESPONDENT_GROUPS], prefix="group.")),
                rx.table.cell(r["answered"].to(str), " ", t("assessment.answered_count")),
                class_name="respondent-row",
            ))),
        ),
        rx.cond(AssessmentState.can_manage & AssessmentState.editable, invite_form()),
        rx.heading(t("history.title"), size="3", as_="h3"),
        rx.vstack(rx.foreach(AssessmentState.history, lambda h: rx.hstack(
            rx.text(h["at"], size="1", color_scheme="gray"),
            rx.cond(h["to"] != "", status_badge(h["to"])),
            rx.text(h["by"], size="2"),
            rx.cond(h["comment"] != "", rx.text("« ", h["comment"], " »", size="2", class_name="history-comment")),
            wrap="wrap", align="center", class_name="history-row",
        )), id="status-history"),
        actions(),
        spacing="3", width="100%",
    )


def invite_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.text(t("invite.title"), weight="bold"),
                rx.hstack(
                    rx.input(name="email", type="email", placeholder=t("auth.email"), aria_label=t("auth.email"), required=True),
                    rx.input(name="name", placeholder=t("invite.name"), aria_label=t("invite.name")),
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
                    rx.text_area(name="comment", id="review-comment", width="100%"),
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
                    rx.progress(value=rx.cond(d["total"].to(int) > 0, d["answered"].to(int) * 100 / d["total"].to(int), 0),
                                size="1", width="100%"),
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


def not_found() -> rx.Component:
    return rx.callout(t("error.not_found"), icon="search_x", color_scheme="gray", id="not-found")


@page(routes.ASSESSMENT, on_load=[AssessmentState.load])
def assessment() -> rx.Component:
    return rx.cond(
        AssessmentState.error == "not_found",
        not_found(),
        loading_or_error(
            AssessmentState.loading, AssessmentState.error, AssessmentState.load,
            rx.vstack(
                rx.hstack(
                    rx.heading(AssessmentState.info["city"].to(str), size="7", as_="h1", id="assessment-city"),
                    status_badge(AssessmentState.info["status"].to(str)),
                    rx.spacer(),
                    rx.link(rx.button(rx.icon("chart-no-axes-combined", size=16), t("results.open"), variant="soft"),
                            href="/assessments/" + AssessmentState.assessment_id.to(str) + "/results", id="open-results"),
                    align="center", wrap="wrap", width="100%",
                ),
                rx.text(localized(AssessmentState.info["title"]), " · ", AssessmentState.info["year"].to(str), " · ",
                        t("assessments.round_short"), " ", AssessmentState.info["round"].to(str), color_scheme="gray"),
                rx.cond(~AssessmentState.editable, rx.callout(t("assessment.locked_note"), icon="lock", size="1")),
                message_banner(),
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
        ),
    )
