"""Workshops for trainers: create a session, run it from the console, end it into an assessment."""

from __future__ import annotations

import asyncio
import logging
from typing import ClassVar

import reflex as rx

from nlc_toolkit import routes
from nlc_toolkit.core.errors import NotFound, Refused
from nlc_toolkit.core.exports.spreadsheets import workshop_workbook
from nlc_toolkit.core.vocabulary import RESPONDENT_GROUPS
from nlc_toolkit.core.workshop import join_link, normalize_code
from nlc_toolkit.services import workshops as svc
from nlc_toolkit.services.live import assessment_channel, hub
from nlc_toolkit.services.uow import unit_of_work
from nlc_toolkit.ui.components.feedback import loading_or_error, notice, page_guard
from nlc_toolkit.ui.components.i18n import localized, t, t_key
from nlc_toolkit.ui.components.room_views import distribution_bars, level_cards
from nlc_toolkit.ui.components.shell import page
from nlc_toolkit.ui.state.auth import AuthState
from nlc_toolkit.ui.state.inputs import db_id, text
from nlc_toolkit.ui.state.inputs import form as as_form
from nlc_toolkit.ui.state.page import PageState
from nlc_toolkit.ui.state.room import RoomState, room_snapshot, stats_snapshot

logger = logging.getLogger(__name__)
MESSAGES = ["error.forbidden", "workshop.error.setup", "workshop.error.assessment", "workshop.error.ended",
            "assessment.error.locked", "assessment.error.note_too_long", "assessment.error.bad_answer",
            "invite.error.group", "workshop.ended_ok", "admin.saved", "workshop.participant_removed",
            "workshop.error.city"]


STATUS_KEYS = [f"workshop.status.{s}" for s in ("open", "paused", "ended")]


class WorkshopsState(PageState, AuthState):
    sessions: list[dict] = []
    cities: list[dict] = []
    questionnaires: list[dict] = []
    assessments: list[dict] = []
    chosen_questionnaire: str = ""  # the version id picked for a new session
    chosen_domains: list[str] = []  # ticked domains; none ticked: all

    def _read(self, s, actor) -> None:
        self.sessions = svc.sessions(s, actor)
        # Only the cities (and their open assessments) this trainer is assigned to.
        options = svc.setup_options(s, actor)
        self.cities, self.questionnaires = options["cities"], options["questionnaires"]
        self.assessments = options["assessments"]
        self.chosen_questionnaire = self.questionnaires[0]["id"] if self.questionnaires else ""
        self.chosen_domains = []

    @rx.event
    def load(self):
        yield from self._load_with(self._read)

    @rx.var
    def domain_options(self) -> list[dict]:
        return next((q["domains"] for q in self.questionnaires if q["id"] == self.chosen_questionnaire), [])

    @rx.event
    def choose_questionnaire(self, value: str):
        self.chosen_questionnaire, self.chosen_domains = str(db_id(value)), []

    @rx.event
    def toggle_domain(self, domain: str):
        domain = text(domain, 100)
        rest = [d for d in self.chosen_domains if d != domain]
        self.chosen_domains = rest if domain in self.chosen_domains else [*rest, domain]

    @rx.event
    def create(self, form: dict):
        form, created = as_form(form), {}

        def action(s, actor):
            created["code"] = svc.create(s, actor, db_id(form.get("city")), db_id(self.chosen_questionnaire),
                                         list(self.chosen_domains), db_id(form.get("assessment")) or None).code

        result = self._run(action)
        return rx.redirect(routes.console_url(created["code"])) if created else result


class ConsoleState(RoomState, PageState, AuthState):
    AUDIENCE: ClassVar[str] = "trainer"  # the console sees everything, before the room does
    join_url: str = ""
    qr_svg: str = ""
    has_assessment: bool = False
    summary: list[dict] = []
    participants: list[dict] = []

    def _on_change(self, control: bool = True) -> None:
        super()._on_change(control)
        self._load_participants()

    def _load_participants(self) -> None:
        actor = self._actor()
        if actor is None:
            self.participants = []
            return
        try:
            with unit_of_work() as s:
                self.participants = svc.participants(s, actor, self.code)
        except (NotFound, Refused):
            self.participants = []

    def _code_from_route(self) -> str:
        return normalize_code(self._route_arg("code"))

    def _read(self, s, actor) -> None:
        w = svc.for_trainer(s, actor, self.code)
        self.room, self.stats = room_snapshot(s, w, "trainer"), stats_snapshot(s, w, "trainer")
        self.has_assessment = w.assessment_id is not None
        self.participants = svc.participants(s, actor, self.code)
        if w.status == "ended":
            self.summary = svc.summary(s, actor, self.code)

    @rx.event
    def load(self):
        self.code = self._code_from_route()
        yield from self._load_with(self._read)
        if self.error == "forbidden":  # another trainer's room looks like no room at all
            self.error = "not_found"
        if not self.error:
            self.join_url, self.qr_svg = join_link(self.router.headers.origin or self.router.url.origin, self.code)
            yield ConsoleState.watch

    def _act(self, action, ok: str = ""):
        """A trainer's action on the room, re-read with it in one unit of work (PageState._run).
        A room that is gone or not this trainer's is refused as forbidden, without leaving the page."""
        self.code = self.code or self._code_from_route()  # after a backend restart the route says which

        def guarded(s, actor):
            try:
                action(s, actor)
            except NotFound:
                raise Refused("error.forbidden") from None

        return self._run(guarded, ok, reread=self._read)

    async def _control(self, action: str, value=None):
        result = self._act(lambda s, actor: svc.control(s, actor, self.code, action, value))
        if not self.message_is_error:
            await hub.publish(self.code, "control")
        return result

    @rx.event
    async def next(self):
        return await self._control("next")

    @rx.event
    async def previous(self):
        return await self._control("previous")

    @rx.event
    async def jump(self, domain: str):
        return await self._control("domain", domain)

    @rx.event
    async def reveal(self, value: bool):
        return await self._control("reveal", value)

    @rx.event
    async def lock(self, value: bool):
        return await self._control("lock", value)

    @rx.event
    async def pause(self, paused: bool):
        return await self._control("pause" if paused else "resume")

    @rx.event
    async def agree(self, value: str):
        return await self._control("agree", value)

    @rx.event
    async def save_note(self, value: str):
        return await self._control("note", str(value))

    @rx.event
    async def remove_participant(self, participant_id: int):
        """Take someone out of the room, their answers with them (a second phone, a stranger)."""
        result = self._act(lambda s, actor: svc.remove_participant(s, actor, self.code, participant_id),
                           "workshop.participant_removed")
        if not self.message_is_error:
            await hub.publish(self.code, "votes")  # the projector's counts
            await hub.publish(self.code, "control")  # the removed phone learns it is out
        return result

    @rx.event
    async def end(self, form: dict):
        form, fed = as_form(form), {}

        def action(s, actor):
            w = svc.end(s, actor, self.code, text(form.get("group"), 20) or "municipality", form.get("keep") == "on")
            fed["assessment"] = w.assessment_id

        result = self._act(action, "workshop.ended_ok")
        if not self.message_is_error:
            await hub.publish(self.code, "control")
            if fed.get("assessment"):  # its open dashboards show the consensus
                await hub.publish(assessment_channel(fed["assessment"]), "answers")
        return result

    async def _export(self, kind: str):
        """The session's record as a file, built in a worker thread (not on the event loop that
        serves the rooms) and noted in the audit log."""
        actor = self._actor()
        if actor is None:
            return self._to_login()
        code, lang = normalize_code(self.code), self.lang

        def run() -> bytes:
            from nlc_toolkit.core.exports.pdf import workshop_summary_pdf

            with unit_of_work() as s:
                rows = svc.summary(s, actor, code)
                w = svc.for_trainer(s, actor, code)
                svc.record_export(s, actor, w, kind)
                if kind == "pdf":
                    return workshop_summary_pdf(dict(svc.questionnaire(w).title), w.city.name, w.code, rows, lang)
                return workshop_workbook(rows, lang)

        try:
            data = await asyncio.to_thread(run)
        except (NotFound, Refused):
            self._say("error.forbidden", error=True)
            return None
        return rx.download(data=data, filename=f"nlc-workshop-{code}-{lang}.{kind}")

    @rx.event
    async def export_summary_pdf(self):
        return await self._export("pdf")

    @rx.event
    async def export_summary(self):
        return await self._export("xlsx")


# ===================================================================== pages


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
                    rx.table.body(rx.foreach(WorkshopsState.sessions, lambda w: rx.table.row(
                        rx.table.cell(rx.link(w["code"], href="/workshops/" + w["code"].to(str))),
                        rx.table.cell(w["city"]), rx.table.cell(t_key(w["status"], STATUS_KEYS, "workshop.status.")),
                        rx.table.cell(w["created"])))),
                    width="100%",
                ),
                width="100%",
            )),
        ),
        spacing="4", width="100%",
    )


def participants_card() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(t("workshop.participants"), " (", ConsoleState.participants.length().to(str), ")", size="3", as_="h2"),
        rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(k)) for k in (
                "workshop.your_name", "invite.group", "workshop.answers", "workshop.joined", "admin.actions")])),
            rx.table.body(rx.foreach(ConsoleState.participants, lambda p: rx.table.row(
                rx.table.cell(rx.cond(p["name"] != "", p["name"], "–")),
                rx.table.cell(t_key(p["group"], [f"group.{g}" for g in RESPONDENT_GROUPS], prefix="group.")),
                rx.table.cell(p["answers"].to(str)), rx.table.cell(p["joined"]),
                rx.table.cell(rx.button(t("workshop.remove"), size="1", variant="soft", color_scheme="red",
                                        on_click=ConsoleState.remove_participant(p["id"]),
                                        aria_label=t("workshop.remove"), class_name="remove-participant")),
                class_name="participant-row", data_participant=p["id"]))),
            size="1", width="100%"), overflow_x="auto", width="100%", max_height="16em", overflow_y="auto"),
        width="100%"), width="100%", id="participants")


def console() -> rx.Component:
    room, stats = ConsoleState.room, ConsoleState.stats
    return rx.vstack(
        rx.hstack(
            rx.heading(t("workshop.console"), " ", room["code"].to(str), size="6", as_="h1", id="console-title"),
            rx.badge(t_key(room["status"], STATUS_KEYS, "workshop.status."), id="room-status", data_status=room["status"]),
            rx.spacer(),
            rx.link(t("workshop.presenter"), href="/w/" + ConsoleState.code + "/present", is_external=True),
            width="100%", align="center", wrap="wrap",
        ),
        rx.hstack(
            rx.image(src=ConsoleState.qr_svg, width="9em", height="9em", alt=ConsoleState.join_url),
            rx.vstack(rx.text(t("workshop.join_at")), rx.code(ConsoleState.join_url, id="join-url"),
                      rx.heading(room["code"].to(str), size="8", letter_spacing="0.15em")),
            align="center", wrap="wrap",
        ),
        rx.cond(ConsoleState.message != "", notice(t_key(ConsoleState.message, MESSAGES), id="console-message",
                                                   color="blue")),
        rx.text(room["position"].to(str), " / ", room["total"].to(str), " · ", localized(room["domain"]), size="2",
                color_scheme="gray", id="console-position"),
        rx.heading(localized(room["text"]), size="5", as_="h2", id="console-question"),
        rx.hstack(
            rx.badge(t("workshop.answers"), " ", stats["count"].to(str), " / ", stats["participants"].to(str),
                     id="console-count", size="3"),
            rx.badge(t("workshop.median"), " ", stats["median"].to(str)),
            rx.badge(t("workshop.spread"), " ", stats["spread"].to(str)),
            rx.cond(stats["no_consensus"].to(bool), rx.badge(t("workshop.no_consensus"), color_scheme="orange")),
            wrap="wrap",
        ),
        distribution_bars(room, stats, preview=True),
        rx.hstack(
            rx.button(t("assessment.previous"), on_click=ConsoleState.previous, variant="soft", id="ws-previous"),
            rx.button(t("assessment.next"), on_click=ConsoleState.next, id="ws-next"),
            rx.button(rx.cond(room["revealed"].to(bool), t("workshop.hide"), t("workshop.reveal")),
                      on_click=ConsoleState.reveal(~room["revealed"].to(bool)), variant="soft", id="ws-reveal"),
            rx.button(rx.cond(room["locked"].to(bool), t("workshop.unlock"), t("workshop.lock")),
                      on_click=ConsoleState.lock(~room["locked"].to(bool)), variant="soft", id="ws-lock"),
            rx.button(rx.cond(room["status"] == "paused", t("workshop.resume"), t("workshop.pause")),
                      on_click=ConsoleState.pause(room["status"] != "paused"), variant="soft", color_scheme="gray",
                      id="ws-pause"),
            rx.el.select(rx.el.option(t("workshop.jump"), value=""),
                         rx.foreach(room["domains"].to(list[dict]), lambda d: rx.el.option(localized(d["title"]), value=d["id"])),
                         on_change=ConsoleState.jump, aria_label=t("workshop.jump"), value=""),
            wrap="wrap",
        ),
        rx.hstack(
            rx.text(t("workshop.agreed"), weight="bold"),
            rx.el.select(rx.el.option("—", value=""),
                         rx.foreach(room["levels"].to(list[dict]), lambda lv: rx.el.option(
                             lv["value"].to(str) + " · " + localized(lv["label"]), value=lv["value"])),
                         value=room["agreed"].to(str), on_change=ConsoleState.agree, id="ws-agreed",
                         aria_label=t("workshop.agreed")),
            align="center", wrap="wrap",
        ),
        rx.el.label(t("workshop.note"), html_for="ws-note"),
        rx.text_area(id="ws-note", key=room["question"].to(str), default_value=room["note"].to(str),
                     on_blur=ConsoleState.save_note, width="100%"),
        rx.card(rx.form(rx.vstack(
            rx.text(t("workshop.end_title"), weight="bold"),
            rx.cond(ConsoleState.has_assessment, rx.hstack(
                rx.el.select(*[rx.el.option(t(f"group.{g}"), value=g) for g in RESPONDENT_GROUPS], name="group",
                             aria_label=t("invite.group"), id="ws-end-group"),
                rx.el.label(rx.el.input(type="checkbox", name="keep", id="ws-keep"), " ", t("workshop.keep_participants")),
                wrap="wrap", align="center")),
            rx.button(t("workshop.end"), type="submit", color_scheme="red", id="ws-end"),
        ), on_submit=ConsoleState.end), width="100%"),
        participants_card(),
        rx.cond(ConsoleState.summary.length() > 0, rx.vstack(
            rx.heading(t("workshop.summary"), size="4", as_="h2"),
            rx.hstack(
                rx.button(t("results.download_xlsx"), on_click=ConsoleState.export_summary, variant="soft", id="ws-export"),
                rx.button(t("results.download_pdf"), on_click=ConsoleState.export_summary_pdf, variant="soft",
                          id="ws-export-pdf"),
            ),
            rx.table.root(rx.table.body(rx.foreach(ConsoleState.summary, lambda r: rx.table.row(
                rx.table.cell(localized(r["text"])), rx.table.cell(r["count"].to(str)),
                rx.table.cell(rx.cond(r["agreed"], r["agreed"].to(str), "–")), rx.table.cell(r["note"]),
                class_name="summary-row"))), size="1"),
            width="100%",
        )),
        level_cards(room),
        spacing="3", width="100%",
    )


@page(routes.CONSOLE, on_load=[ConsoleState.load])
def workshop_console() -> rx.Component:
    return page_guard(ConsoleState, console())
