"""One loop that keeps an open page current: the workshop screens and the live dashboard use it.

A page's background event calls `follow`. It sleeps on the live hub (services/live.py) until one
of the page's channels moves, or a heartbeat passes, then calls `on_change(moved, urgent, fetched)` inside
`async with state` (the state is locked only then). Changes on a channel that is not `urgent` are
taken at most every `interval` seconds, all that arrived meanwhile in one read, so a room's own
answers keep the CPU. The newest follower of a page wins (a reload or a reconnect starts another:
Reflex cancels a page-load chain's tasks when its tab goes, but not those a click started); an
older one stops at its next wake-up, and every follower stops when its tab is gone, when
`on_change` returns False, or after `lifetime` seconds."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from nlc_toolkit.services.live import HEARTBEAT, hub, tab_connected
from nlc_toolkit.ui.state.recover import reconnect_later


async def follow(state, code: str, channels: tuple[str, ...], on_change: Callable[..., bool], *,
                 owner: str, interval: float, urgent: tuple[str, ...] = (), lifetime: float = float("inf"),
                 fetch: Callable[[bool], Awaitable[Any]] | None = None, seen: dict[str, int] | None = None) -> None:
    """`owner`: the name of the state var that holds the current follower's id. `fetch(moved)`,
    when given, is awaited at each wake-up before the state is locked, and what it returns is
    passed to `on_change(moved, urgent, fetched)` (None without a fetch): a read that takes more than a few milliseconds
    (a report, in a build process) must neither run on the event loop nor keep the tab's state
    locked meanwhile (the tab's own clicks would wait behind it). `seen`: the hub's versions
    (`hub.versions`) read just before the page last read what it shows; without it the first
    wake-up comes at once if the room ever moved in this process."""
    me = uuid.uuid4().hex
    async with state:
        setattr(state, owner, me)
        session = state.router.session  # built anew on each read of `router`
        tab, sid = session.client_token, session.session_id
    started, seen, refreshed = time.monotonic(), dict(seen or {}), 0.0
    urgent_keys = [f"{code}:{c}" for c in urgent]

    def moved_on(now: dict, keys) -> bool:
        return any(now.get(k, 0) != seen.get(k, 0) for k in keys)

    while code and time.monotonic() - started < lifetime:
        now = await hub.wait(code, channels, seen, HEARTBEAT)
        moved, is_urgent = moved_on(now, now), moved_on(now, urgent_keys)
        if moved and not is_urgent:
            await asyncio.sleep(max(0.0, refreshed + interval - time.monotonic()))
            now = hub.versions(code, channels)
            is_urgent = moved_on(now, urgent_keys)
        seen = now
        if not moved and not await tab_connected(tab):
            return  # the tab is gone; when it comes back, its page loads and starts a new follower
        fetched = await fetch(moved) if fetch is not None else None
        async with state:
            if getattr(state, owner) != me:
                if not getattr(state, owner):
                    # Not a newer follower: the tab's state was lost (Redis restarted empty). The
                    # page cannot be followed from nothing, and this tab may send no event to
                    # notice (a projector): make it reconnect, its page loads again and follows.
                    reconnect_later(sid)
                return  # a newer follower keeps this page current now
            go_on = on_change(moved, is_urgent, fetched)
            if moved:
                refreshed = time.monotonic()
            if go_on is False:
                return
        await asyncio.sleep(0)
