"""The room's two public screens: the presenter view for the projector and the participant's phone.

Neither needs an account. Participants join with the code; their browser keeps a random token,
so a reload or a lost connection rejoins them with their answers intact."""

from __future__ import annotations

import secrets
from typing import ClassVar

import reflex as rx

from nlc_toolkit import routes
from nlc_toolkit.core.errors import Invalid, NotFound, Refused
from nlc_toolkit.core.vocabulary import RESPONDENT_GROUPS
from nlc_toolkit.core.workshop import (
    code_lookups,
    device_key,
    join_link,
    normalize_code,
)
from nlc_toolkit.i18n import LANGUAGES
from nlc_toolkit.services import workshops as svc
from nlc_toolkit.services.live import hub
from nlc_toolkit.services.uow import unit_of_work
from nlc_toolkit.ui.components.feedback import notice
from nlc_toolkit.ui.components.i18n import localized, t, t_key
from nlc_toolkit.ui.components.room_views import distribution_bars, level_cards
from nlc_toolkit.ui.components.shell import page
from nlc_toolkit.ui.state.auth import AuthState
from nlc_toolkit.ui.state.room import RoomState

JOIN_ERRORS = ["workshop.error.code", "workshop.error.ended", "workshop.error.paused", "workshop.error.locked",
               "workshop.error.rate", "workshop.error.full", "invite.error.group", "assessment.error.bad_answer"]
# Join codes must not be guessable by trying many: ten wrong codes a minute per client address,
# counted together on every route that looks a code up (core.workshop.code_lookups).


def _look_up(state, code: str) -> bool:
    """Whether the room behind `code` was loaded into `state`; a wrong code counts against the
    client's address, and a client stopped by the limit gets no answer at all."""
    client = state.router.session.client_ip or "?"
    if code_lookups.blocked(client):
        return False
    if state._load_room():
        return True
    code_lookups.failed(client)
    return False


class PresenterState(RoomState, AuthState):
    AUDIENCE: ClassVar[str] = "presenter"  # the projector: the spread only once revealed, no trainer notes
    missing: bool = False
    join_url: str = ""
    qr_svg: str = ""
    also: str = ""  # a second language under the first, for a mixed room (French and Arabic, say)

    @rx.var
    def showing_also(self) -> bool:
        return self.also != "" and self.also != self.lang

    @rx.var
    def also_dir(self) -> str:
        return LANGUAGES.get(self.also, {}).get("dir", "ltr")

    @rx.event
    def set_also(self, value: str):
        self.also = value if value in LANGUAGES else ""

    @rx.event
    def load(self):
        code = self.rx_router_page.params.get("code", "")  # the route's [code]
        self.code = normalize_code(code if isinstance(code, str) else "")
        self.missing = not _look_up(self, self.code)
        self.join_url, self.qr_svg = join_link(self.router.headers.origin or self.router.url.origin, self.code)
        also = self.router.url.query_parameters.get("also", "")
        self.also = also if also in LANGUAGES else ""
        if not self.missing:
            return PresenterState.watch
        return None


class ParticipantState(RoomState, AuthState):
    CHANNELS: ClassVar[tuple[str, ...]] = ("control",)  # a participant is not woken by the others' answers
    participant_token: str = rx.LocalStorage("", name="nlc_ws_participant")
    participant_code: str = rx.LocalStorage("", name="nlc_ws_code")
    # This browser, for good (any room): joining a room again resumes its participant instead of
    # adding a voter, even when the room's own token was lost.
    device: str = rx.LocalStorage("", name="nlc_device")
    typed_code: str = ""
    name: str = ""
    group: str = "municipality"
    joined: bool = False
    mine: str = ""
    error: str = ""
    ready: bool = False  # the prerendered page is live only once load ran: a click before is lost

    @rx.var
    def can_answer(self) -> bool:
        return self.joined and self.room.get("status") == "open" and not self.room.get("locked", False)

    def _on_change(self, control: bool = True) -> None:
        self._load_room()
        self._load_mine()

    def _load_mine(self) -> bool:
        """This browser's answer to the open question; False when it is no participant here."""
        try:
            with unit_of_work() as s:
                w, p = svc.participant(s, self.code, self.participant_token)
                self.mine = svc.my_vote(s, w, p, svc.current_question(w))
            return True
        except NotFound:
            self.joined, self.mine = False, ""
            return False

    @rx.event
    def load(self):
        self.error, self.ready = "", True
        wanted = self.router.url.query_parameters.get("code", "")
        wanted = normalize_code(wanted if isinstance(wanted, str) else "")
        self.typed_code = wanted or self.typed_code
        # A returning participant (same browser, same code) rejoins without typing anything.
        stored = normalize_code(self.participant_code if isinstance(self.participant_code, str) else "")
        if self.participant_token and stored and (not wanted or wanted == stored):
            self.code = stored
            if _look_up(self, self.code) and self._load_mine():
                self.joined = self.room.get("status") != "ended"
                if self.joined:
                    return ParticipantState.watch
        self.joined = False
        return None

    @rx.event
    def set_typed_code(self, value: str):
        self.typed_code = str(value).upper()[:12]

    @rx.event
    def set_name(self, value: str):
        self.name = str(value)[:100]

    @rx.event
    def set_group(self, value: str):
        self.group = value if value in RESPONDENT_GROUPS else "municipality"

    @rx.event
    async def join(self, form: dict | None = None):
        client = self.router.session.client_ip or "?"
        if code_lookups.blocked(client):
            self.error = "workshop.error.rate"
            return None
        code = normalize_code(self.typed_code if isinstance(self.typed_code, str) else "")
        if not device_key(self.device):
            self.device = secrets.token_urlsafe(24)
        token = self.participant_token if isinstance(self.participant_token, str) and self.participant_code == code else ""
        try:
            with unit_of_work() as s:
                p = svc.join(s, code, token, str(self.name)[:100], self.group, device=self.device)
                token = p.token
        except NotFound:
            code_lookups.failed(client)
            self.error = "workshop.error.code"
            return None
        except (Refused, Invalid) as e:
            self.error = str(e)
            return None
        self.participant_token, self.participant_code, self.code = token, code, code
        self.error, self.joined = "", True
        self._load_room()
        self._load_mine()
        await hub.publish(code, "votes")  # the presenter's "answers / people in the room" moves
        return ParticipantState.watch

    @rx.event
    async def pick(self, value: str):
        if not self.code and self.participant_code:  # the backend restarted: the browser remembers the room
            self.code = normalize_code(str(self.participant_code))
            self._load_room()
        value = str(value)[:20]
        previous = self.mine
        self.mine = value
        try:
            with unit_of_work() as s:
                svc.vote(s, self.code, self.participant_token, self.room.get("question", ""), value)
        except (Refused, Invalid, NotFound) as e:
            self.mine, self.error = previous, (str(e) if not isinstance(e, NotFound) else "workshop.error.code")
            self._load_room()
            return
        self.error = ""
        await hub.publish(self.code, "votes")


@page(routes.PRESENTER, on_load=[PresenterState.load])
def presenter() -> rx.Component:
    room, stats = PresenterState.room, PresenterState.stats
    return rx.cond(
        PresenterState.missing,
        notice(t("workshop.error.code"), icon="search_x", color="gray", id="not-found"),
        rx.vstack(
            rx.hstack(rx.text(room["city"].to(str), " · ", t("workshop.code"), " ", room["code"].to(str), size="4",
                              weight="bold"), rx.spacer(),
                      rx.el.label(t("workshop.also_in"), html_for="present-also", font_size="0.8em"),
                      rx.el.select(rx.el.option("—", value=""),
                                   *[rx.el.option(v["name"], value=k) for k, v in LANGUAGES.items()],
                                   id="present-also", value=PresenterState.also, on_change=PresenterState.set_also),
                      rx.text(room["position"].to(str), " / ", room["total"].to(str), size="4"), width="100%",
                      align="center"),
            # How to join, readable from the back of the room: the QR code and the code itself.
            rx.cond(room["status"] != "ended", rx.card(rx.hstack(
                rx.image(src=PresenterState.qr_svg, width="11em", height="11em", alt=PresenterState.join_url,
                         id="present-qr"),
                rx.vstack(rx.text(t("workshop.join_at"), size="5"),
                          rx.text(PresenterState.join_url, size="4", id="present-join-url", dir="ltr"),
                          rx.heading(room["code"].to(str), size="9", letter_spacing="0.15em", id="present-code",
                                     dir="ltr")),
                align="center", wrap="wrap", spacing="5",
            ), width="100%")),
            rx.text(localized(room["domain"]), size="4", color_scheme="gray"),
            rx.heading(localized(room["text"]), size="8", id="present-question"),
            rx.cond(PresenterState.showing_also, rx.heading(
                room["text"].to(dict)[PresenterState.also].to(str), size="6", color_scheme="gray",
                id="present-question-also", lang=PresenterState.also, dir=PresenterState.also_dir)),
            rx.cond(room["status"] == "paused", rx.badge(t("workshop.paused"), size="3", color_scheme="amber")),
            rx.cond(room["status"] == "ended", rx.badge(t("workshop.ended"), size="3", color_scheme="gray")),
            rx.hstack(
                rx.badge(rx.text(t("workshop.answers"), " ", rx.text.span(stats["count"].to(str), id="present-count"),
                                 " / ", stats["participants"].to(str), size="6"), size="3"),
                rx.cond(room["revealed"].to(bool), rx.hstack(
                    rx.badge(t("workshop.median"), " ", stats["median"].to(str), size="3", id="present-median"),
                    rx.badge(t("workshop.spread"), " ", stats["spread"].to(str), size="3", id="present-spread"),
                    rx.cond(stats["no_consensus"].to(bool),
                            rx.badge("⚠ ", t("workshop.no_consensus"), size="3", color_scheme="orange", id="no-consensus")),
                )),
                rx.cond(room["locked"].to(bool), rx.badge(t("workshop.locked"), size="3", color_scheme="gray")),
                wrap="wrap",
            ),
            distribution_bars(room, stats),
            level_cards(room, also=rx.cond(PresenterState.showing_also, PresenterState.also, "")),
            spacing="4", width="100%", font_size="1.2em",
        ),
    )


def join_form() -> rx.Component:
    return rx.card(rx.form(rx.vstack(
        rx.heading(t("workshop.join_title"), size="6", as_="h1"),
        rx.el.label(t("workshop.code"), html_for="join-code"),
        rx.input(id="join-code", name="code", value=ParticipantState.typed_code, on_change=ParticipantState.set_typed_code,
                 auto_complete="off", size="3", letter_spacing="0.2em", width="100%"),
        rx.el.label(t("workshop.your_name"), html_for="join-name"),
        rx.input(id="join-name", name="name", value=ParticipantState.name, on_change=ParticipantState.set_name, width="100%"),
        rx.el.label(t("invite.group"), html_for="join-group"),
        rx.el.select(*[rx.el.option(t(f"group.{g}"), value=g) for g in RESPONDENT_GROUPS], id="join-group", name="group",
                     value=ParticipantState.group, on_change=ParticipantState.set_group),
        rx.cond(ParticipantState.error != "", notice(t_key(ParticipantState.error, JOIN_ERRORS), color="red",
                                                     role="alert", id="join-error")),
        rx.button(t("workshop.join"), type="submit", size="3", width="100%", id="join-submit",
                  disabled=~ParticipantState.ready),
        width="100%",
    ), on_submit=ParticipantState.join), width="100%")


def answering() -> rx.Component:
    room = ParticipantState.room
    return rx.vstack(
        rx.text(room["city"].to(str), " · ", room["position"].to(str), " / ", room["total"].to(str), size="2",
                color_scheme="gray"),
        rx.heading(localized(room["text"]), size="5", id="join-question"),
        rx.cond(room["status"] == "paused", notice(t("workshop.paused"), color="amber")),
        rx.cond(room["status"] == "ended", notice(t("workshop.ended"), color="gray", id="join-ended")),
        rx.cond(room["locked"].to(bool), notice(t("workshop.locked"), color="gray", id="join-locked")),
        rx.cond(ParticipantState.error != "", notice(t_key(ParticipantState.error, JOIN_ERRORS), color="red",
                                                     role="alert", id="join-error")),
        level_cards(room, ParticipantState.pick, ParticipantState.mine, ~ParticipantState.can_answer),
        rx.hstack(
            rx.button(t("answer.na"), variant=rx.cond(ParticipantState.mine == "na", "solid", "outline"),
                      on_click=ParticipantState.pick("na"), disabled=~ParticipantState.can_answer, data_level="na"),
            rx.button(t("answer.unknown"), variant=rx.cond(ParticipantState.mine == "unknown", "solid", "outline"),
                      on_click=ParticipantState.pick("unknown"), disabled=~ParticipantState.can_answer,
                      data_level="unknown"),
        ),
        width="100%", spacing="3",
    )


@page(routes.JOIN, on_load=[ParticipantState.load])
def join() -> rx.Component:
    return rx.box(rx.cond(ParticipantState.joined, answering(), join_form()), max_width="40em", margin_x="auto",
                  width="100%")
