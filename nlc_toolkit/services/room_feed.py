"""One reader per room for the phones that follow it (the phone page, api/phone.py).

When the trainer acts, every phone of the room must show the new question. A page per phone that
re-reads the room on its own costs a read per phone: 1,000 reads on the event loop for a room of
1,000. Here the room is read once, in a worker thread, with every participant's answer to the
open question, and each phone connected to this process is handed its share. The reader wakes on
the live hub's "control" channel (services/live.py), and also every heartbeat, in case a Redis
notification was lost; it stops when the room's last phone here has gone, or the room has ended
or disappeared."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Protocol

from nlc_toolkit.core.errors import NotFound
from nlc_toolkit.services import workshops as svc
from nlc_toolkit.services.live import HEARTBEAT, hub
from nlc_toolkit.services.rooms import ENDED_ROOM, answers_by_token, room_snapshot
from nlc_toolkit.services.uow import unit_of_work

logger = logging.getLogger(__name__)
CHANNELS = ("control",)  # a phone is not woken by the others' answers
RETRY_S = 1.0


class Phone(Protocol):
    token: str  # the participant it joined as

    def show(self, room: dict, mine: str | None) -> Awaitable[None]:
        """Show the room and this participant's answer; `mine` None: no such participant any
        more (the trainer removed it)."""


def read_room(code: str) -> tuple[dict, dict[str, str]]:
    """The room as a phone sees it, and each participant's answer to the open question by token
    (blocking: call it from a worker thread). A room that is gone reads as ended."""
    try:
        with unit_of_work() as s:
            w = svc.by_code(s, code)
            return room_snapshot(s, w, "phone"), answers_by_token(s, w)
    except NotFound:
        return {**ENDED_ROOM, "code": code}, {}


class RoomFeed:
    def __init__(self) -> None:
        self._phones: dict[str, set[Phone]] = {}
        self._readers: dict[str, asyncio.Task] = {}

    def follow(self, code: str, phone: Phone) -> None:
        self._phones.setdefault(code, set()).add(phone)
        reader = self._readers.get(code)
        if reader is None or reader.done():
            self._readers[code] = asyncio.get_running_loop().create_task(self._read(code))

    def leave(self, code: str, phone: Phone) -> None:
        phones = self._phones.get(code)
        if phones is not None:
            phones.discard(phone)
            if not phones:
                del self._phones[code]

    def following(self, code: str) -> int:
        return len(self._phones.get(code, ()))

    async def _read(self, code: str) -> None:
        seen = hub.versions(code, CHANNELS)  # every phone here was shown the room read after these
        try:
            while self._phones.get(code):
                now = await hub.wait(code, CHANNELS, seen, HEARTBEAT)
                if not self._phones.get(code):
                    break
                try:
                    room, answers = await asyncio.to_thread(read_room, code)
                except Exception:  # noqa: BLE001 - the database is away: try again in a moment
                    logger.warning("room feed %s: cannot read the room; trying again", code, exc_info=True)
                    await asyncio.sleep(RETRY_S)
                    continue  # `seen` unchanged: what moved is read next time
                seen = now
                phones = list(self._phones.get(code, ()))
                await asyncio.gather(*(p.show(room, answers.get(p.token)) for p in phones), return_exceptions=True)
                if room.get("status") == "ended":
                    break
        finally:
            if self._readers.get(code) is asyncio.current_task():
                del self._readers[code]


room_feed = RoomFeed()
