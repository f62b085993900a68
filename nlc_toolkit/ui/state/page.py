"""PageState: what every data page shares, written once.

A page's state mixes this in next to AuthState (`class ResultsState(PageState, AuthState)`). It
is a mixin, not a parent state: Reflex keeps a parent's vars in the parent, so as a parent every
page would share one `error` per tab. Each page gets its own copy of:

- `loading`, `error`: what the page shows instead of its content ("" | "not_found" |
  "forbidden" | "load"), see ui/components/feedback.py;
- `message`, `message_detail`, `message_is_error`: the outcome of the last action (an i18n key).

and two ways to talk to the services, each one unit of work (one transaction) in which the
sign-in check, the service call and the re-read of the page share a session:

- `_load_with(read)`: the body of an on_load handler (an async generator: `async for`), run in a
  worker thread;
- `_run(action, ok)`: an action; its refusal becomes the message, success says `ok`.

When the database is away, a page's small saves (an answer, a note) are kept in `unsaved` and
retried by one background loop per tab for up to RETRY_FOR seconds after the last of them
(`_save_later`, `_retry_unsaved`): the newest value per key is the one saved, and what is still
unsaved at the end is reverted and said plainly.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import ClassVar

import reflex as rx

from nlc_toolkit.core.errors import Invalid, NotFound, Refused, Unreachable
from nlc_toolkit.services.live import hub
from nlc_toolkit.services.uow import signed_in, unit_of_work

logger = logging.getLogger(__name__)

RETRY_FOR = 20.0  # seconds an unsaved change is retried after the last one, while the database is away
RETRY_DELAYS = (0.5, 1.0, 2.0, 3.0)  # the waits between attempts; the last one repeats


def unwrapped(value):
    """A state var's value read past the state's change-tracking proxy, for a computed var that
    only reads it: through the proxy every nested row is wrapped again on each access, which cost
    more than the computation itself (the dependency on the var is still seen by Reflex)."""
    return getattr(value, "__wrapped__", value)


class PageState(rx.State, mixin=True):
    # The page's upload handlers and the most bytes each may receive (files only): the HTTP
    # guard (api/evidence.py) refuses any other upload, and a larger one, before Reflex reads it.
    UPLOAD_LIMITS: ClassVar[dict[str, int]] = {}
    loading: bool = True
    error: str = ""
    message: str = ""
    message_detail: str = ""
    message_is_error: bool = False
    # Changes not saved yet because the database is away (key -> value), shown as such.
    unsaved: dict[str, str] = {}
    _unsaved_before: dict[str, str] = {}  # what each unsaved key showed before ("" for nothing)
    _retry_until: float = 0.0  # a retry loop runs until then (time.time()); 0: none

    def _say(self, key: str, detail: str = "", error: bool = False) -> None:
        self.message, self.message_detail, self.message_is_error = key, detail, error

    async def _load_with(self, read: Callable, *, keep: bool = False, public: bool = False) -> AsyncIterator:
        """Load the page: sign-in check, then `read(s, actor)` in one unit of work, in a worker
        thread (a report or a network view takes tens of milliseconds: on the event loop it
        would stall every socket of the process). `keep`: the page on screen stays while it is
        re-read (a reload of the same page: a spinner would re-mount its forms under the user's
        typing). Yields once so the spinner shows; nobody signed in: a redirect to sign-in is
        yielded, but on a `public` page `read` gets None for the actor."""
        self.loading, self.error = not keep, ""
        self._say("")
        yield
        redirect = await asyncio.to_thread(self._read_now, read, public)
        self.loading = False
        if redirect is not None:
            yield redirect

    def _read_now(self, read: Callable, public: bool):
        """The unit of work of `_load_with`; returns the redirect to sign-in, if any. The page's
        event holds the state's lock meanwhile, so nothing else touches it."""
        try:
            with unit_of_work() as s:
                actor = self._actor(s)
                if actor is None and not public:
                    return self._to_login()
                read(s, actor)
        except NotFound:
            self.error = "not_found"
        except Refused:
            self.error = "forbidden"
        except Exception:  # noqa: BLE001 - shown as a page state, details in the log
            logger.exception("%s: load failed", type(self).__name__)
            self.error = "load"
        return None

    def _run(self, action: Callable, ok: str | None = "", *, reread: Callable | None = None, notify: tuple[str, str] | None = None,
             away: Callable | None = None):
        """Run `action(s, actor)` and then `reread(s, actor)` in one unit of work, for a handler to
        return. A refusal (Invalid, Refused) becomes the message and nothing is kept; NotFound
        turns the page into "not found". After the commit, the live hub hears `notify` (code, channel) of the
        change (open pages follow it). Nobody signed in: returns the redirect to sign-in. The
        database away: returns `away()` when given (else the error propagates)."""
        try:
            with unit_of_work() as s:
                actor = self._actor(s)
                if actor is None:
                    return self._to_login()
                action(s, actor)
                if reread is not None:
                    reread(s, actor)
        except NotFound:
            self.error = "not_found"
            return None
        except (Invalid, Refused) as e:
            self._say(str(e), str((getattr(e, "values", None) or {}).get("reason", "")), error=True)
            return None
        except Unreachable:
            if away is None:
                raise
            logger.warning("%s: the database is away", type(self).__name__)
            return away()
        if ok is not None:  # None: a read, the last message stays
            self._say(ok)
        if notify:
            hub.notify(*notify)
        return None

    # ------------------------------------------------- saving while the database is away

    def _retrying(self) -> bool:
        return time.time() < self._retry_until + 10  # + 10: a loop's last attempt may still run

    def _save_later(self, key: str, value: str, before: str | None):
        """Keep `value` for `key` as not saved yet and say so; returns the page's retry loop
        (`retry_unsaved`, a background event) when none runs. A later value for the key replaces
        it; `before`: what the page showed before the first of them, restored if it is lost."""
        if key not in self.unsaved:
            self._unsaved_before[key] = before or ""
        self.unsaved[key] = value
        self._say("save.retrying", error=True)
        running = self._retrying()
        self._retry_until = time.time() + RETRY_FOR
        return None if running else type(self).retry_unsaved

    def _save_now(self, token: str, pending: dict[str, str], save: Callable) -> tuple[dict, dict]:
        """In a worker thread: each pending change in its own unit of work, with the sign-in check.
        Returns (saved key -> what `save` returned, refused key -> i18n key); stops at the first
        Unreachable (raised when nothing was saved, else what was saved is returned)."""
        saved, refused = {}, {}
        for key, value in pending.items():
            try:
                with unit_of_work() as s:
                    who = signed_in(s, token)
                    if who is None or who.must_change_password:
                        raise Refused("error.session")
                    saved[key] = save(s, who.actor, key, value)
            except (Invalid, Refused, NotFound) as e:
                refused[key] = str(e) if not isinstance(e, NotFound) else "error.forbidden"
            except Unreachable:
                if not saved and not refused:
                    raise
                break
        return saved, refused

    async def _retry_unsaved(self, save: Callable, done: Callable, lost: Callable, ok: str) -> None:
        """The body of a page's `retry_unsaved` background event: retry `save(s, actor, key,
        value)` for every key in `unsaved`, with growing waits, until all are saved (`done(key,
        value, result)` for each key still holding that value; the page says `ok`) or
        `_retry_until` passes (`lost(key, before)` reverts each one; the page says it was not saved). A
        refused change is reverted and its refusal shown."""
        for attempt in itertools.count():
            await asyncio.sleep(RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)])
            async with self:
                pending, token = dict(self.unsaved), self.session_token
            try:
                saved, refused = await asyncio.to_thread(self._save_now, token, pending, save)
            except Exception as e:  # noqa: BLE001 - away, or broken: retried, then said plainly
                if not isinstance(e, Unreachable):
                    logger.exception("%s: retried save failed", type(self).__name__)
                saved, refused = {}, {}
            async with self:
                for key, result in saved.items():
                    if self.unsaved.get(key) == pending[key]:  # else a newer value waits for the next attempt
                        self.unsaved.pop(key)
                        self._unsaved_before.pop(key, None)
                        done(key, pending[key], result)
                for key, reason in refused.items():
                    if self.unsaved.get(key) == pending[key]:
                        self.unsaved.pop(key)
                        lost(key, self._unsaved_before.pop(key, ""))
                        self._say(reason, error=True)
                if not self.unsaved:
                    self._retry_until = 0.0
                    if not refused:
                        self._say(ok)
                    return
                if time.time() >= self._retry_until:
                    for key in list(self.unsaved):
                        lost(key, self._unsaved_before.get(key, ""))
                    self.unsaved, self._unsaved_before = {}, {}
                    self._retry_until = 0.0
                    self._say("save.lost", error=True)
                    return

    def _route_arg(self, name: str) -> str:
        """A route argument of the page (`[name]` in routes.py), as Reflex parsed it; "" if absent
        or not a string (a client can send anything)."""
        value = self.rx_router_page.params.get(name, "")
        return value if isinstance(value, str) else ""
