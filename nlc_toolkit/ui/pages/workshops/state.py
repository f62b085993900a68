"""The workshop pages' states: a trainer's sessions and the form for a new one (WorkshopsState),
and the live console of one session (ConsoleState: a room follower, see ui/state/room.py)."""

from __future__ import annotations

import logging
from typing import ClassVar

import reflex as rx

from nlc_toolkit import routes
from nlc_toolkit.core.errors import Invalid, NotFound, Refused
from nlc_toolkit.core.workshop import join_link, normalize_code
from nlc_toolkit.i18n import format_datetime, format_number
from nlc_toolkit.services import builds
from nlc_toolkit.services import workshops as svc
from nlc_toolkit.services.live import assessment_channel, hub
from nlc_toolkit.services.rooms import room_snapshot, stats_snapshot
from nlc_toolkit.services.uow import unit_of_work
from nlc_toolkit.ui.state.auth import AuthState
from nlc_toolkit.ui.state.inputs import db_id, text
from nlc_toolkit.ui.state.inputs import form as as_form
from nlc_toolkit.ui.state.page import PageState
from nlc_toolkit.ui.state.room import RoomState

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
    async def load(self):
        async for update in self._load_with(self._read):
            yield update

    @rx.var
    def session_rows(self) -> list[dict]:
        return [dict(w, created_text=format_datetime(w["created"], self.lang)) for w in self.sessions]

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
    preparing: str = ""  # the record being built ("pdf" or "xlsx"), shown as busy

    def _on_change(self, control: bool = True) -> None:
        super()._on_change(control)
        self._load_participants()

    @rx.var
    def participant_rows(self) -> list[dict]:
        return [dict(p, joined_text=format_datetime(p["joined"], self.lang)) for p in self.participants]

    @rx.var
    def median_text(self) -> str:
        return format_number(self.stats.get("median"), self.lang)

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
    async def load(self):
        self.code = self._code_from_route()
        async for update in self._load_with(self._read):
            yield update
        if self.error == "forbidden":  # another trainer's room looks like no room at all
            self.error = "not_found"
        if not self.error:
            self.join_url, self.qr_svg = join_link(self._phone_origin(), self.code)
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

    @rx.event
    async def control(self, action: str, value=None):
        """One console action (next, previous, domain, reveal, lock, pause, resume, agree, note):
        services/workshops.control checks the action and its value, whatever the client sent."""
        action = text(action, 20)
        result = self._act(lambda s, actor: svc.control(s, actor, self.code, action, value))
        if not self.message_is_error:
            await hub.publish(self.code, "control")
        return result

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

    @rx.event
    async def export(self, kind: str):
        """The session's record as a PDF or XLSX file (services/workshops.summary_file), built in
        a build process (services/builds.py), not on the event loop that serves the rooms."""
        code, lang, kind = normalize_code(self.code), self.lang, text(kind, 10)
        actor = self._actor()
        if actor is None:
            yield self._to_login()
            return
        self.preparing = kind
        yield
        try:
            data = await builds.in_build_process(builds.workshop_file, actor, code, kind, lang)
        except (NotFound, Refused, Invalid) as e:
            self._say("files.interrupted" if str(e) == "files.interrupted" else "error.forbidden", error=True)
            return
        finally:
            self.preparing = ""
        yield rx.download(data=data, filename=f"nlc-workshop-{code}-{lang}.{kind}")
