"""The projector's state (PresenterState): no account needed, only the room's code. The phones'
page is not a Reflex page (api/phone.py)."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from nlc_toolkit.core.workshop import code_lookups, join_link, normalize_code
from nlc_toolkit.i18n import LANGUAGES, format_number
from nlc_toolkit.ui.state.auth import AuthState
from nlc_toolkit.ui.state.room import RoomState

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
        self.join_url, self.qr_svg = join_link(self._phone_origin(), self.code)
        also = self.router.url.query_parameters.get("also", "")
        self.also = also if also in LANGUAGES else ""
        if not self.missing:
            return PresenterState.watch
        return None
