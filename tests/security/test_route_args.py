"""Route arguments (`/assessments/[assessment_id]`, `/workshops/[code]`) reach the server in the
router data the client sends, like everything else: a forged one is just another foreign id. The
pages read them through Reflex (PageState._route_arg) and the services check them."""

from __future__ import annotations

import pytest

from tests.security.client import Tab, handler, var_key


@pytest.mark.parametrize("claimed", ["{other}", "0", "-1", "99999999999999999999", "1 OR 1=1", "../admin", ""])
def test_a_forged_assessment_id_shows_nothing_and_changes_nothing(app_server, states, world, unchanged, claimed):
    """City A's editor opens their own assessment's address while the router data claims city
    B's assessment (or junk): the page is "not found", and an answer sent on it changes nothing."""
    claimed = claimed.format(other=world.assessment_b)
    session = {var_key(states.Auth, "session_token"): world.editor_a.token}
    with Tab(app_server.url, f"/assessments/{world.assessment_a}", session,
             route_args={"assessment_id": claimed}).connect() as tab:
        tab.wait_value(states.Assessment, "loading", False)
        assert tab.value(states.Assessment, "error") == "not_found"
        assert tab.value(states.Assessment, "info") in (None, {})
        mark = tab.send(handler(states.Assessment, "answer"), question_id=world.question, value="5")
        tab.wait(lambda t: len(t.messages) > mark, what="the answer's reply")
        tab.ping(states.Lang)


def test_the_real_route_argument_opens_the_page(app_server, states, world):
    """The same tab without forgery: the editor's own assessment loads (the check above is not
    passing because nothing ever loads)."""
    session = {var_key(states.Auth, "session_token"): world.editor_a.token}
    with Tab(app_server.url, f"/assessments/{world.assessment_a}", session).connect() as tab:
        tab.wait_value(states.Assessment, "loading", False)
        assert tab.value(states.Assessment, "error") == ""
        assert tab.value(states.Assessment, "info")["id"] == world.assessment_a
