"""Every page's address, as data, and the URL builders the pages and services use.

A route's `[arg]` is a Reflex route argument: the page state reads it with
`PageState._route_arg(name)` (never by parsing the URL). Page modules attach their component and
on_load events to a route with `ui.components.shell.page(ROUTE)`; nlc_toolkit.py registers them."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class Route:
    path: str
    title: str  # the browser tab's title (the page's own h1 is translated)


# Anyone
HOME = Route("/", "NLC Toolkit")
LOGIN = Route("/login", "Sign in · NLC Toolkit")
# A live room's phone page is not a Reflex page: api/phone.py serves it, light for a join storm.
JOIN = "/join"
PRESENTER = Route("/w/[code]/present", "Workshop · NLC Toolkit")

# Signed in
ACCOUNT = Route("/account", "Account · NLC Toolkit")
ASSESSMENTS = Route("/assessments", "Assessments · NLC Toolkit")
ASSESSMENT = Route("/assessments/[assessment_id]", "Assessment · NLC Toolkit")
RESULTS = Route("/assessments/[assessment_id]/results", "Results · NLC Toolkit")

# By role (core/policy.py NAV_ITEMS)
NETWORK = Route("/network", "Network · NLC Toolkit")
WORKSHOPS = Route("/workshops", "Workshops · NLC Toolkit")
CONSOLE = Route("/workshops/[code]", "Workshop console · NLC Toolkit")
ADMIN = Route("/admin", "Administration · NLC Toolkit")
QUESTIONNAIRES = Route("/admin/questionnaires", "Questionnaires · NLC Toolkit")

ALL = (HOME, LOGIN, ACCOUNT, ASSESSMENTS, ASSESSMENT, RESULTS, NETWORK, WORKSHOPS, CONSOLE, PRESENTER, ADMIN,
       QUESTIONNAIRES)


def assessment_url(assessment_id: int) -> str:
    return f"/assessments/{int(assessment_id)}"


def console_url(code: str) -> str:
    return f"/workshops/{code}"


def login_url(next_path: str = "/", expired: bool = False) -> str:
    """Sign-in, coming back to `next_path` afterwards (checked again where it is used: core/redirects)."""
    return f"/login?next={quote(next_path, safe='/')}" + ("&expired=1" if expired else "")
