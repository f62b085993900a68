"""The state shared by the workshop pages: reading a room from the database and following it live.

A page that follows a room runs one background task that waits on the live hub and re-reads the
room when told; the newest task of a page wins, so a reload or a reconnect simply starts another."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from nlc_toolkit.core.errors import NotFound
from nlc_toolkit.services import workshops as svc
from nlc_toolkit.services.live import hub
from nlc_toolkit.services.rooms import room_snapshot, stats_snapshot
from nlc_toolkit.services.uow import unit_of_work
from nlc_toolkit.ui.state.follow import follow

WATCH_LIFETIME = 6 * 3600.0  # a workshop day; then the page's next load starts a new watcher
VOTES_INTERVAL = 0.15  # seconds: the least time between two refreshes caused by answers alone


class RoomState(rx.State, mixin=True):
    """What the pages that show a room share: `code`, `room`, and one background watcher.

    A mixin, not a parent state: Reflex stores a parent's vars and runs its event handlers on the
    parent itself, so as a parent every page's watcher ran as the base (the phones followed every
    answer, 200 refreshes per answer in a room of 200) and the pages shared one `room` per tab.
    As a mixin each page state gets its own copy of the vars and of `watch`."""

    CHANNELS: ClassVar[tuple[str, ...]] = ("control", "votes")  # which hub channels wake this page
    AUDIENCE: ClassVar[str]  # which screen this page is (see room_snapshot): each page sets its own
    code: str = ""
    room: dict = {}
    stats: dict = {}
    _watch_id: str = ""  # the page's current watcher (see `watch`); backend-only: nothing to send the tab
    # The hub's versions of the room's channels just before the page last read it: a watcher that
    # starts from them is woken only by what the page has not shown yet. From nothing, a phone
    # joining after the trainer's first action re-read the room it had just read.
    _seen: dict[str, int] = {}

    def _phone_origin(self) -> str:
        """Where the room's phones open its link: this page's own origin, except under `make dev`,
        where the pages come from the frontend's dev server and the phones' page (api/phone.py,
        not a Reflex page) from the backend."""
        from reflex.utils.exec import is_prod_mode

        if not is_prod_mode():
            return rx.config.get_config().api_url
        return self.router.headers.origin or self.router.url.origin

    def _load_room(self, stats_only: bool = False) -> bool:
        if not stats_only:  # only a full read shows everything up to these versions
            self._seen = hub.versions(self.code, self.CHANNELS)
        try:
            with unit_of_work() as s:
                w = svc.by_code(s, self.code)
                if not stats_only:
                    self.room = room_snapshot(s, w, self.AUDIENCE)
                if "votes" in self.CHANNELS:
                    self.stats = stats_snapshot(s, w, self.AUDIENCE)
            return True
        except NotFound:
            self.room, self.stats = {}, {}
            return False

    def _on_change(self, control: bool = True) -> None:
        """Called by the watcher: `control` when the trainer acted, else only answers came in."""
        self._load_room(stats_only=not control)

    @rx.event(background=True)
    async def watch(self):
        """Follow the room until it ends (ui/state/follow.py). The trainer's actions ("control")
        are shown at once; answers alone at most every VOTES_INTERVAL."""
        async with self:
            code, channels, seen = self.code, tuple(self.CHANNELS), dict(self._seen)  # `self` is a proxy: read inside

        def on_change(moved: bool, control: bool, _fetched: None) -> bool:
            # A heartbeat (nothing moved) only checks the tab is still there; the few screens
            # that follow answers also re-read then, in case a notification was lost (Redis
            # pub/sub is at most once).
            if self.code != code:
                return False
            if moved or "votes" in channels:
                self._on_change(control=control or not moved)
            return self.room.get("status") != "ended"

        await follow(self, code, channels, on_change, owner="_watch_id", interval=VOTES_INTERVAL, urgent=("control",),
                     lifetime=WATCH_LIFETIME, seen=seen)
