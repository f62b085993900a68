"""The policy table: what each role may do, where it lands, what its header shows, and that every
role and group has its words in every language."""

from __future__ import annotations

import pytest

from nlc_toolkit.core import policy
from nlc_toolkit.core.policy import Actor, can
from nlc_toolkit.core.vocabulary import ASSESSMENT_STATUSES, RESPONDENT_GROUPS, ROLES
from nlc_toolkit.i18n import LANGUAGES, translate

OWN, OTHER = 1, 2

# role -> (see own, see other, manage own, manage other, review, administer, compare, facilitate)
EXPECTED = {
    "admin": (True, True, True, True, True, True, True, True),
    "network_staff": (True, True, False, False, True, False, True, False),
    "city_editor": (True, False, True, False, False, False, False, False),
    "city_viewer": (True, False, False, False, False, False, False, False),
    "facilitator": (False, False, False, False, False, False, False, True),
    "respondent": (False, False, False, False, False, False, False, False),
}


def test_every_role_has_a_row():
    assert set(EXPECTED) == set(ROLES) == set(policy.CAPABILITIES)


@pytest.mark.parametrize("role", ROLES)
def test_capabilities(role):
    actor = Actor(user_id=1, role=role, city_id=OWN)
    got = (can(actor, "see", city_id=OWN), can(actor, "see", city_id=OTHER), can(actor, "manage", city_id=OWN),
           can(actor, "manage", city_id=OTHER), can(actor, "review"), can(actor, "administer"), can(actor, "compare"),
           can(actor, "facilitate"))
    assert got == EXPECTED[role]


@pytest.mark.parametrize("role", ROLES)
def test_an_invitation_opens_one_assessment_to_anyone(role):
    actor = Actor(user_id=1, role=role, city_id=None)
    assert can(actor, "see", city_id=OTHER, respondent=True)
    assert can(actor, "answer", city_id=OTHER, respondent=True)
    assert can(actor, "answer", city_id=OTHER) == can(actor, "manage", city_id=OTHER)


def test_unknown_role_or_action_gets_nothing():
    nobody = Actor(user_id=1, role="superuser", city_id=OWN)
    assert not any(can(nobody, a, city_id=OWN) for a in ("see", "manage", "answer", "review", "administer", "compare"))
    assert not can(Actor(1, "admin", None), "delete_everything")


def test_navigation_and_landing_follow_the_table():
    assert [path for _, path in policy.nav_for("admin")] == ["/assessments", "/network", "/workshops", "/admin"]
    assert [path for _, path in policy.nav_for("network_staff")] == ["/assessments", "/network"]
    assert [path for _, path in policy.nav_for("facilitator")] == ["/assessments", "/workshops"]
    assert [path for _, path in policy.nav_for("city_editor")] == ["/assessments"]
    assert policy.home_route("network_staff") == "/network" and policy.home_route("city_viewer") == "/assessments"


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_role_group_and_status_is_named_in_every_language(lang):
    keys = [f"role.{r}" for r in ROLES] + [f"group.{g}" for g in RESPONDENT_GROUPS] + \
        [f"status.{s}" for s in ASSESSMENT_STATUSES]
    missing = [k for k in keys if translate(k, lang) in ("", k)]
    assert not missing, missing
