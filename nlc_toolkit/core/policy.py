"""Who may do what: one table from role to capabilities, and the rules over it.

Anything not granted here is refused. The services apply these rules on every read and write, and
answer "not found" for assessments a user may not see, so nothing leaks. The navigation and the
landing page of each role come from here too, so a new role is one row in each table below (plus
its labels in the catalogs and its row in tests/db/test_authorization.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int
    role: str
    city_id: int | None


def actor_of(user) -> Actor:
    """The actor of a user row (anything with id, role and city_id)."""
    return Actor(user_id=user.id, role=user.role, city_id=user.city_id)


# What each role may do: one row per role. "own_city" capabilities apply to the role's city only.
# respondent: an invited national or civil-society counterpart; sees only what it is invited to.
CAPABILITIES: dict[str, frozenset[str]] = {
    "admin": frozenset({"see_all", "manage_any", "review", "administer", "compare", "facilitate"}),
    "network_staff": frozenset({"see_all", "review", "compare"}),
    "city_editor": frozenset({"see_own_city", "manage_own_city"}),
    "city_viewer": frozenset({"see_own_city"}),
    "facilitator": frozenset({"facilitate"}),
    "respondent": frozenset(),
}
ROLES = tuple(CAPABILITIES)
CITY_ROLES = tuple(r for r, caps in CAPABILITIES.items() if "see_own_city" in caps)  # they need a city

# The pages each role finds in the header (catalog key, path), and where it lands after sign-in.
NAV_ITEMS = (("nav.assessments", "/assessments", None), ("nav.network", "/network", "compare"),
             ("nav.workshops", "/workshops", "facilitate"), ("nav.admin", "/admin", "administer"))
HOME = {"admin": "/admin", "network_staff": "/network", "facilitator": "/workshops"}


def has(role: str, capability: str) -> bool:
    return capability in CAPABILITIES.get(role, frozenset())


def can(actor: Actor, action: str, *, city_id: int | None = None, respondent: bool = False) -> bool:
    """The one question the services ask. Actions: see, manage, answer (an assessment of `city_id`;
    `respondent`: the actor is invited to it), review, administer, compare, facilitate."""
    own = city_id is not None and actor.city_id == city_id
    if action == "see":
        return has(actor.role, "see_all") or (own and has(actor.role, "see_own_city")) or respondent
    if action == "manage":
        return has(actor.role, "manage_any") or (own and has(actor.role, "manage_own_city"))
    if action == "answer":
        return can(actor, "manage", city_id=city_id) or respondent
    return has(actor.role, action)


def sees_all_cities(role: str) -> bool:
    return has(role, "see_all")


def nav_for(role: str) -> list[tuple[str, str]]:
    """The header links of a role, in order: (catalog key, path)."""
    return [(key, path) for key, path, needs in NAV_ITEMS if needs is None or has(role, needs)]


def home_route(role: str) -> str:
    """Where a user lands after signing in."""
    return HOME.get(role, "/assessments")


# The named rules the services call (each is one cell of the table above).
def can_see_assessment(actor: Actor, city_id: int, is_respondent: bool = False) -> bool:
    return can(actor, "see", city_id=city_id, respondent=is_respondent)


def can_manage_assessment(actor: Actor, city_id: int) -> bool:
    """Create assessments, fill in the city profile, invite respondents, submit, start a new round."""
    return can(actor, "manage", city_id=city_id)


def can_answer(actor: Actor, city_id: int, is_respondent: bool) -> bool:
    """Answer as oneself. Editors of the city, and anyone invited as a respondent (e.g. a ministry)."""
    return can(actor, "answer", city_id=city_id, respondent=is_respondent)


def can_review(actor: Actor) -> bool:
    return can(actor, "review")


def can_administer(actor: Actor) -> bool:
    return can(actor, "administer")


def can_compare_cities(actor: Actor) -> bool:
    return can(actor, "compare")


def can_facilitate(actor: Actor) -> bool:
    return can(actor, "facilitate")
