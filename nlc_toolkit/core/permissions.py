"""Who may do what. Pure rules over (role, own city, the assessment's city, respondent or not).

Anything not granted here is refused. The db service layer applies these rules on every read and
write, and answers "not found" for assessments a user may not see, so nothing leaks."""

from __future__ import annotations

from dataclasses import dataclass

NETWORK_ROLES = ("admin", "network_staff")


@dataclass(frozen=True)
class Actor:
    user_id: int
    role: str
    city_id: int | None


def can_see_assessment(actor: Actor, city_id: int, is_respondent: bool = False) -> bool:
    return actor.role in NETWORK_ROLES or actor.city_id == city_id or is_respondent


def can_manage_assessment(actor: Actor, city_id: int) -> bool:
    """Create assessments, fill in the city profile, invite respondents, submit, start a new round."""
    return actor.role == "admin" or (actor.role == "city_editor" and actor.city_id == city_id)


def can_answer(actor: Actor, city_id: int, is_respondent: bool) -> bool:
    """Answer as oneself. Editors of the city, and anyone invited as a respondent (e.g. a ministry)."""
    return can_manage_assessment(actor, city_id) or is_respondent


def can_review(actor: Actor) -> bool:
    return actor.role in NETWORK_ROLES


def can_administer(actor: Actor) -> bool:
    return actor.role == "admin"


def can_compare_cities(actor: Actor) -> bool:
    return actor.role in NETWORK_ROLES


def can_facilitate(actor: Actor) -> bool:
    return actor.role in ("facilitator", "admin")


def home_route(role: str) -> str:
    """Where a user lands after signing in."""
    return {"admin": "/admin", "network_staff": "/network", "facilitator": "/workshops"}.get(role, "/assessments")
