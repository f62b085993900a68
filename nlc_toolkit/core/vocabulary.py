"""The words of the domain that every layer shares: roles, respondent groups, statuses.

Roles come from the policy table (core/policy.py), where a new role is one row; a new group or
status starts here. Each has its labels in the i18n catalogs (role.<name>, group.<name>,
status.<name>)."""

from __future__ import annotations

from nlc_toolkit.core.policy import CITY_ROLES, ROLES  # noqa: F401 - the roles, named where they are defined

RESPONDENT_GROUPS = ("municipality", "national", "civil_society", "other")
ASSESSMENT_STATUSES = ("draft", "submitted", "returned", "approved")
EDITABLE = ("draft", "returned")  # statuses in which answers may change
ACTION_STATUSES = ("planned", "in_progress", "done", "dropped")
WORKSHOP_STATUSES = ("open", "paused", "ended")
