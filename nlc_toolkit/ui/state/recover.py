"""A tab whose state was lost while its socket stayed open is made to reconnect.

With Redis, the tabs' states live in Redis. When Redis restarts empty (or a tab's keys expire),
each open tab keeps its socket, but its next event finds a fresh state: no session (the cookie
and the browser's local storage arrive only with the hydrate event sent on a (re)connect), no
page. Reflex then re-runs the page's on_load without them: the assessment page sent a signed-in
editor to the sign-in page, a workshop phone refused its vote ("wrong code"), and a room page's
watcher found its state reset and stopped, so the projector froze (tests/e2e/test_faults.py).

The browser already knows how to recover: after a backend restart it reconnects with the same
token and hydrates with its cookie and local storage, and every page re-reads from its route.
So such a tab is told to do just that: its transport is closed (an Engine.IO close, which the
browser takes for a lost connection and reconnects at once; a Socket.IO disconnect would tell it
to stay away). The event that found the lost state is dropped unprocessed: it was never shown as
done (an answer is only shown saved once stored), and the person does it again on the page."""

from __future__ import annotations

import asyncio
import functools
import logging

import reflex as rx
from reflex.middleware.middleware import Middleware
from reflex.state import StateUpdate

from nlc_toolkit.ui.state.lang import LangState

logger = logging.getLogger(__name__)
NAMESPACE = "/_event"


@functools.cache  # asked on every event of every tab
def _hydrate_events() -> frozenset[str]:
    return frozenset(f"{rx.State.get_full_name()}.{name}" for name in ("hydrate", "hydrate_and_load"))


async def drop_transport(sid: str) -> None:
    """Close the tab's Engine.IO transport: its browser reconnects and hydrates, as after a
    backend restart."""
    from reflex_base.registry import RegistrationContext

    namespace = RegistrationContext.get().app.event_namespace
    if namespace is None or not sid:
        return
    try:
        server = namespace.server
        eio_sid = server.manager.eio_sid_from_sid(sid, NAMESPACE)
        if eio_sid is not None:
            await server.eio.disconnect(eio_sid)
    except Exception:  # noqa: BLE001 - the socket may be gone already; nothing more to do
        logger.debug("closing the transport of %s failed", sid, exc_info=True)


def reconnect_later(sid: str) -> None:
    """`drop_transport` once the current event (which holds the tab's state lock) is done."""
    asyncio.get_running_loop().create_task(drop_transport(sid))


class LostStateMiddleware(Middleware):
    """Marks each tab's state when it hydrates; an event of a page that finds no mark came to a
    state that was lost (see the module's docstring): the tab is made to reconnect."""

    async def preprocess(self, app, state, event):
        if event.name in _hydrate_events():
            (await state.get_state(LangState))._hydrated = True
            return None
        if not event.name.startswith(LangState.get_full_name() + "."):
            return None  # Reflex's own events (on_load_internal, storage sync) need no page state
        lang = await state.get_state(LangState)  # loaded already: every page state derives from it
        if lang._hydrated:
            return None
        sid = state.router.session.session_id
        logger.warning("tab %s lost its state (Redis restarted?): reconnecting it", state.router.session.client_token)
        reconnect_later(sid)
        return StateUpdate()
