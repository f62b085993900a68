"""The state shared by the workshop pages: reading a room from the database and following it live.

A page that follows a room runs one background task that waits on the live hub and re-reads the
room when told; the newest task of a page wins, so a reload or a reconnect simply starts another."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from nlc_toolkit.core.errors import NotFound
from nlc_toolkit.services import workshops as svc
from nlc_toolkit.services.uow import unit_of_work
from nlc_toolkit.ui.state.follow import follow

WATCH_LIFETIME = 6 * 3600.0  # a workshop day; then the page's next load starts a new watcher
VOTES_INTERVAL = 0.15  # seconds: the least time between two refreshes caused by answers alone


AUDIENCES = ("trainer", "presenter", "phone")
# What an ended room shows the projector and the phones: that it has ended, nothing more. The
# other keys stay, empty, so the pages render without errors.
ENDED_ROOM = {"city": "", "status": "ended", "question": "", "position": 0, "total": 0, "domain": {}, "text": {},
              "levels": [], "locked": False, "revealed": False, "agreed": "", "note": "", "domains": []}
EMPTY_STATS = {"count": 0, "participants": 0, "distribution": [], "na": 0, "unknown": 0, "median": "–",
               "spread": "–", "no_consensus": False}


def _audience(audience: str) -> str:
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}")
    return audience


def room_snapshot(s, w, audience: str) -> dict:
    """The room's open question and controls, as plain values (all languages), holding only what
    the `audience` screen shows: the trainer everything; the presenter and a phone no trainer
    note, no agreed level and no list of domains. An ended room shows the presenter and
    the phones only that it has ended. Changes only when the trainer acts."""
    if _audience(audience) != "trainer" and w.status == "ended":
        return {**ENDED_ROOM, "code": w.code}
    q = svc.questionnaire(w)
    qid = svc.current_question(w)
    ids = svc.question_ids(w)
    question = q.question_by_id.get(qid)
    trainer = audience == "trainer"
    return {
        "code": w.code,
        "city": w.city.name,
        "status": w.status,
        "question": qid,
        "position": w.position + 1,
        "total": len(ids),
        "domain": dict(q.domain_of[qid].title) if qid else {},
        "text": dict(question.text) if question else {},
        "levels": [{"value": str(level.value), "label": dict(level.label),
                    "descriptor": dict(question.levels[level.value])} for level in q.scale.levels] if question else [],
        "locked": qid in w.locked,
        "revealed": w.revealed,
        "agreed": "" if not trainer or qid not in w.agreed else str(w.agreed[qid]),
        "note": w.notes.get(qid, "") if trainer else "",
        "domains": [{"id": d.id, "title": dict(d.title)} for d in q.domains if not w.domains or d.id in w.domains]
        if trainer else [],  # the console's "jump to a domain"; no other screen shows it
    }


def stats_snapshot(s, w, audience: str) -> dict:
    """The live numbers of the open question: small, sent on every answer. The trainer gets them
    all; the presenter how many answered, and the rest only once revealed (nothing once ended);
    a phone nothing (its page does not follow answers)."""
    if _audience(audience) == "phone" or (audience == "presenter" and w.status == "ended"):
        return dict(EMPTY_STATS)
    qid = svc.current_question(w)
    sp = svc.spread(s, w, qid) if qid else None
    counts = {"count": sp.count if sp else 0, "participants": svc.participant_count(s, w)}
    if audience == "presenter" and not w.revealed:
        return {**EMPTY_STATS, **counts}
    total = max(1, sp.count if sp else 1)
    return {
        **counts,
        "distribution": [{"level": str(i), "n": n, "pct": round(100 * n / total)} for i, n in
                         enumerate(sp.distribution)] if sp else [],
        "na": sp.na if sp else 0,
        "unknown": sp.unknown if sp else 0,
        "median": "–" if not sp or sp.median is None else f"{sp.median:g}",
        "spread": "–" if not sp or sp.spread is None else str(sp.spread),
        "no_consensus": bool(sp and sp.no_consensus),
    }


class RoomState(rx.State, mixin=True):
    """What the pages that show a room share: `code`, `room`, and one background watcher.

    A mixin, not a parent state: Reflex stores a parent's vars and runs its event handlers on the
    parent itself, so as a parent every page's watcher ran as the base (the phones followed every
    answer, 200 refreshes per answer in a room of 200) and the pages shared one `room` per tab.
    As a mixin each page state gets its own copy of the vars and of `watch`."""

    CHANNELS: ClassVar[tuple[str, ...]] = ("control", "votes")  # which hub channels wake this page
    AUDIENCE: ClassVar[str] = "phone"  # which screen this page is (see room_snapshot); the least by default
    code: str = ""
    room: dict = {}
    stats: dict = {}
    watch_id: str = ""  # the page's current watcher (see `watch`)

    def _load_room(self, stats_only: bool = False) -> bool:
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
            code, channels = self.code, tuple(self.CHANNELS)  # `self` is a proxy here: read inside

        def on_change(moved: bool, control: bool) -> bool:
            # A heartbeat (nothing moved) only checks the tab is still there; the few screens
            # that follow answers also re-read then, in case a notification was lost (Redis
            # pub/sub is at most once).
            if self.code != code:
                return False
            if moved or "votes" in channels:
                self._on_change(control=control or not moved)
            return self.room.get("status") != "ended"

        await follow(self, code, channels, on_change, owner="watch_id", interval=VOTES_INTERVAL, urgent=("control",),
                     lifetime=WATCH_LIFETIME)
