"""The room's public screens' states: the projector (PresenterState) and a participant's phone
(ParticipantState). Neither needs an account: participants join with the code, and their browser
keeps a random token, so a reload or a lost connection rejoins them with their answers intact."""

from __future__ import annotations

import secrets
from typing import ClassVar

import reflex as rx

from nlc_toolkit.core.errors import Invalid, NotFound, Refused
from nlc_toolkit.core.vocabulary import RESPONDENT_GROUPS
from nlc_toolkit.core.workshop import (
    code_lookups,
    device_key,
    join_link,
    normalize_code,
)
from nlc_toolkit.i18n import LANGUAGES, format_number
from nlc_toolkit.services import workshops as svc
from nlc_toolkit.services.ballot_box import ballot_box, join_desk
from nlc_toolkit.services.live import hub
from nlc_toolkit.services.uow import unit_of_work
from nlc_toolkit.ui.state.auth import AuthState
from nlc_toolkit.ui.state.inputs import form as as_form
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
    def median_text(self) -> str:
        return format_number(self.stats.get("median"), self.lang)

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
    async def join(self, form: dict | None = None):
        """The join form, sent once: its fields are not sent as they are typed (a room joining at
        once would otherwise send an event per key pressed on every phone)."""
        client = self.router.session.client_ip or "?"
        if code_lookups.blocked(client):
            self.error = "workshop.error.rate"
            return None
        form = as_form(form)
        typed = form.get("code") if isinstance(form.get("code"), str) and form.get("code") else self.typed_code
        code = normalize_code(typed if isinstance(typed, str) else "")
        self.typed_code = code
        if isinstance(form.get("name"), str):
            self.name = form["name"][:100]
        if "group" in form:
            self.group = form["group"] if form["group"] in RESPONDENT_GROUPS else "municipality"
        if not device_key(self.device):
            self.device = secrets.token_urlsafe(24)
        token = self.participant_token if isinstance(self.participant_token, str) and self.participant_code == code else ""
        seen = hub.versions(code, self.CHANNELS)  # before the room is read: see RoomState._seen
        try:  # written with the joins arriving meanwhile; the presenter is told (services/ballot_box.py)
            token, room, mine = await join_desk.join(code, token, str(self.name)[:100], self.group, self.device)
        except NotFound:
            code_lookups.failed(client)
            self.error = "workshop.error.code"
            return None
        except (Refused, Invalid) as e:
            self.error = str(e)
            return None
        self.participant_token, self.participant_code, self.code = token, code, code
        self.error, self.joined, self.room, self.mine, self._seen = "", True, room, mine, seen
        return ParticipantState.watch

    @rx.event
    async def pick(self, value: str):
        if not self.code and self.participant_code:  # the backend restarted: the browser remembers the room
            self.code = normalize_code(str(self.participant_code))
            self._load_room()
        value = str(value)[:20]
        previous = self.mine
        self.mine = value
        try:  # written with the answers arriving meanwhile; the presenter is told (services/ballot_box.py)
            await ballot_box.cast(self.code, self.participant_token, self.room.get("question", ""), value)
        except (Refused, Invalid, NotFound) as e:
            self.mine, self.error = previous, (str(e) if not isinstance(e, NotFound) else "workshop.error.code")
            self._load_room()
            return
        self.error = ""
