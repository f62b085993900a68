"""The web server that `reflex run --env prod` starts: gunicorn, with a uvicorn worker per process.

Reflex would start granian, which held about twice the backend memory per workshop phone
(bench/workshop_bench.py; the README's workshop table has the figures). A bare echo server shows
why: granian keeps about 175 KiB of buffers per open websocket that has carried a 2 KB message,
uvicorn with wsproto about 22 KiB.

rxconfig.py selects it (REFLEX_USE_GRANIAN=False and GUNICORN_CMD_ARGS, from NLC_WORKERS)."""

import asyncio

from uvicorn_worker import UvicornWorker


class Worker(UvicornWorker):
    # uvloop and httptools: the fastest loop and HTTP parser uvicorn has (compiled). wsproto for
    # websockets: the smallest per connection (the `websockets` package took about 10 KiB more).
    # No `server` header: the software behind the app is nobody's business. No proxy headers: a
    # client's address is its connection's, as it was on granian (uvicorn would take X-Forwarded-For
    # from any client on this machine, and the join-code and sign-in limits count by address);
    # behind a proxy, Reflex's `trusted_proxy_hops` reads the header (docs/deploy.md).
    CONFIG_KWARGS = {"loop": "uvloop", "http": "httptools", "ws": "wsproto", "server_header": False,
                     "proxy_headers": False}


def gunicorn_args(workers: int) -> str:
    """The GUNICORN_CMD_ARGS that Reflex hands to gunicorn: this worker class, this many workers."""
    return f"--worker-class {__name__}.Worker --workers {workers}"


# How many of a worker's events may run at once (background tasks, such as a page's follower, are
# not counted). Reflex starts every tab's event at once, and each holds its tab's state lock until
# it ends: at a join storm a worker ran a thousand hydrations side by side, each took as long as
# all of them, and with Redis they outlived the 10 s lock (LockExpiredError, 2,000 phones on two
# workers, bench/workshop_bench.py). Past this many, an event waits before it takes its lock.
EVENT_SLOTS = 64


class EventSlots:
    """At most `limit` foreground events of a process run at once; the others wait their turn, in
    order of arrival, before taking their tab's lock."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._slots: asyncio.Semaphore | None = None  # made on the loop that uses it
        self.running = self.most_running = 0  # the tests read them

    def wrap(self, execute):
        async def execute_in_a_slot(processor, *, entry, registered_handler):
            if registered_handler.handler.is_background:
                return await execute(processor, entry=entry, registered_handler=registered_handler)
            if self._slots is None:
                self._slots = asyncio.Semaphore(self.limit)
            async with self._slots:
                self.running += 1
                self.most_running = max(self.most_running, self.running)
                try:
                    return await execute(processor, entry=entry, registered_handler=registered_handler)
                finally:
                    self.running -= 1

        return execute_in_a_slot


event_slots = EventSlots(EVENT_SLOTS)


def limit_foreground_events() -> None:
    """Put Reflex's event processing (pinned: reflex 0.10.1) behind `event_slots`; once per process."""
    from reflex_base.event.processor.base_state_processor import BaseStateEventProcessor

    if not getattr(BaseStateEventProcessor._execute_event, "_nlc_slots", False):
        BaseStateEventProcessor._execute_event = event_slots.wrap(BaseStateEventProcessor._execute_event)
        BaseStateEventProcessor._execute_event._nlc_slots = True
