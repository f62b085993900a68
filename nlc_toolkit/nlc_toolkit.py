"""Builds the Reflex app and registers the pages; nothing else lives here."""

import asyncio
import contextlib
import gc
import logging

import reflex as rx

from nlc_toolkit.api.evidence import evidence_guard
from nlc_toolkit.api.health import health_route
from nlc_toolkit.api.phone import phone_route
from nlc_toolkit.core import settings
from nlc_toolkit.services import builds, questionnaires
from nlc_toolkit.services.uow import unit_of_work
from nlc_toolkit.ui.components.shell import register_pages

# Importing a page module registers its route (ui/components/shell.page); routes.py lists them all.
from nlc_toolkit.ui.pages.account import page as _account  # noqa: F401
from nlc_toolkit.ui.pages.admin import page as _admin  # noqa: F401
from nlc_toolkit.ui.pages.assessment import page as _assessment  # noqa: F401
from nlc_toolkit.ui.pages.assessments import page as _assessments  # noqa: F401
from nlc_toolkit.ui.pages.home import page as _home  # noqa: F401
from nlc_toolkit.ui.pages.live_room import page as _live_room  # noqa: F401
from nlc_toolkit.ui.pages.login import page as _login  # noqa: F401
from nlc_toolkit.ui.pages.network import page as _network  # noqa: F401
from nlc_toolkit.ui.pages.questionnaires import page as _questionnaires  # noqa: F401
from nlc_toolkit.ui.pages.results import page as _results  # noqa: F401
from nlc_toolkit.ui.pages.workshops import page as _workshops  # noqa: F401
from nlc_toolkit.ui.state.recover import LostStateMiddleware
from nlc_toolkit.web_server import limit_foreground_events

if settings.production():
    # Production cannot start unsafe: demo passwords, no admin, an https address without Secure cookies.
    from nlc_toolkit.db.session import session_scope
    from nlc_toolkit.services.production import UnsafeProduction, refuse_unsafe_start

    try:
        with session_scope() as _session:
            refuse_unsafe_start(_session)
    except UnsafeProduction as e:
        raise SystemExit(f"NLC_ENV=production: refusing to start:\n{e}") from None

logger = logging.getLogger(__name__)

app = rx.App(
    html_lang="en",
    stylesheets=["/styles.css"],
    head_components=[rx.el.meta(name="viewport", content="width=device-width, initial-scale=1"),
                     rx.script(src="/radiogroup.js")],  # the level picker's arrow keys (ARIA radio group)
    # /_health for load balancers; uploaded evidence only for those who may see its assessment;
    # the workshop phones' page, outside Reflex (light for a room joining at once).
    api_transformer=[health_route, evidence_guard, phone_route],
)
register_pages(app)
app.add_middleware(LostStateMiddleware())  # a tab whose state Redis lost reconnects (ui/state/recover.py)


@contextlib.asynccontextmanager
async def _build_processes():
    """The build processes (services/builds.py) start with the backend, so the first PDF does not
    wait for them, and stop with it."""
    builds.warm_up()
    try:
        yield
    finally:
        builds.shut_down()


app.register_lifespan_task(_build_processes)


def _parse_questionnaires() -> None:
    try:
        with unit_of_work() as s:
            questionnaires.parse_latest(s)
    except Exception:  # noqa: BLE001 - the database is away: the pages say so, and parse when it is back
        logger.warning("questionnaires not parsed at start", exc_info=True)


@contextlib.asynccontextmanager
async def _questionnaires_parsed():
    """The questionnaires are parsed as the backend starts, in a thread (the start does not wait)."""
    parsing = asyncio.create_task(asyncio.to_thread(_parse_questionnaires))
    yield
    parsing.cancel()


app.register_lifespan_task(_questionnaires_parsed)
limit_foreground_events()  # a join storm's events take their turns (web_server.py)

# Python's collector, tuned for a server that holds thousands of tabs: by default a full collection
# runs whenever the long-lived objects grew by a quarter, walking every tab's state with the event
# loop stopped. Measured with a gc callback during two join storms of 1,000 phones
# (bench/workshop_bench.py): 20 full collections of 90-590 ms, 7.0 s in all; with these thresholds
# none, and the answers' p95 165/158 ms instead of 168/357 ms. Young objects are still collected
# (every 10,000 allocations instead of 700); old cycles wait for 100 middle collections.
GC_THRESHOLDS = (10_000, 10, 100)


@contextlib.asynccontextmanager
async def _collector_for_a_server():
    previous = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


app.register_lifespan_task(_collector_for_a_server)
