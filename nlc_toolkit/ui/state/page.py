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
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import ClassVar

import reflex as rx

from nlc_toolkit.core.errors import Invalid, NotFound, Refused
from nlc_toolkit.services.live import hub
from nlc_toolkit.services.uow import unit_of_work

logger = logging.getLogger(__name__)


class PageState(rx.State, mixin=True):
    # The page's upload handlers and the most bytes each may receive (files only): the HTTP
    # guard (api/evidence.py) refuses any other upload, and a larger one, before Reflex reads it.
    UPLOAD_LIMITS: ClassVar[dict[str, int]] = {}
    loading: bool = True
    error: str = ""
    message: str = ""
    message_detail: str = ""
    message_is_error: bool = False

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

    def _run(self, action: Callable, ok: str | None = "", *, reread: Callable | None = None, notify: tuple[str, str] | None = None):
        """Run `action(s, actor)` and then `reread(s, actor)` in one unit of work, for a handler to
        return. A refusal (Invalid, Refused) becomes the message and nothing is kept; NotFound
        turns the page into "not found". After the commit, the live hub hears `notify` (code, channel) of the
        change (open pages follow it). Nobody signed in: returns the redirect to sign-in."""
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
        if ok is not None:  # None: a read, the last message stays
            self._say(ok)
        if notify:
            hub.notify(*notify)
        return None

    def _route_arg(self, name: str) -> str:
        """A route argument of the page (`[name]` in routes.py), as Reflex parsed it; "" if absent
        or not a string (a client can send anything)."""
        value = self.rx_router_page.params.get(name, "")
        return value if isinstance(value, str) else ""
