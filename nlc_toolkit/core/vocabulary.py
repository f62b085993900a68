"""The words of the domain that every layer shares: roles, respondent groups, statuses.

A new role or status starts here, then gets its capabilities in core/policy.py and its labels in
the i18n catalogs (role.<name>, group.<name>, status.<name>)."""

from __future__ import annotations

# respondent: an invited national or civil-society counterpart; sees only what it is invited to.
ROLES = ("admin", "network_staff", "city_editor", "city_viewer", "facilitator", "respondent")
CITY_ROLES = ("city_editor", "city_viewer")  # these belong to one city and need it
RESPONDENT_GROUPS = ("municipality", "national", "civil_society", "other")
ASSESSMENT_STATUSES = ("draft", "submitted", "returned", "approved")
EDITABLE = ("draft", "returned")  # statuses in which answers may change
ACTION_STATUSES = ("planned", "in_progress", "done", "dropped")
WORKSHOP_STATUSES = ("open", "paused", "ended")
