"""What a page load sends to its tab. Reflex keeps every page's state in every tab, so a load that
assigns a var many pages read (the language) makes it recompute and send every page's computed
vars: at a workshop's join storm each phone was sent the dashboard's and the network view's
figures and tables (4.5 KB, and their computation on the event loop)."""

import pytest

from tests.security.client import Tab

pytestmark = pytest.mark.e2e


def _states_sent_after_the_snapshot(tab: Tab) -> set[str]:
    return {name for message in tab.messages[1:] for name in (message.get("delta") or {})}


@pytest.mark.parametrize("path", ["/w/ABCDEF/present", "/login", "/"])
def test_a_page_load_sends_no_other_page_s_vars(app_server, path):
    from nlc_toolkit.ui.pages.network.state import NetworkState
    from nlc_toolkit.ui.pages.results.state import ResultsState

    with Tab(app_server.url, path).connect() as tab:
        sent = _states_sent_after_the_snapshot(tab)
    assert not sent & {NetworkState.get_full_name(), ResultsState.get_full_name()}, sent


def test_a_load_that_changes_the_language_still_changes_it_everywhere(app_server):
    from nlc_toolkit.ui.pages.network.state import NetworkState
    from nlc_toolkit.ui.state.lang import LangState

    with Tab(app_server.url, "/w/ABCDEF/present?lang=ar").connect() as tab:
        assert tab.value(LangState, "lang") == "ar" and tab.value(LangState, "dir") == "rtl"
        assert NetworkState.get_full_name() in _states_sent_after_the_snapshot(tab)  # its texts, in Arabic


def test_an_answer_sends_what_it_changed_and_not_who_is_signed_in(app_server):
    """The sign-in check runs on every event and found the same user each time; assigning their
    name, role and city again made Reflex send the header's vars with every click."""
    from nlc_toolkit.db import repo
    from nlc_toolkit.services import accounts
    from nlc_toolkit.ui.pages.assessment.state import AssessmentState
    from nlc_toolkit.ui.state.auth import AuthState
    from tests import factories
    from tests.security.client import handler, var_key

    with app_server.db() as s:
        city = factories.city(s, "Page load city")
        editor = factories.user(s, "page-load@example.org", "city_editor", city)
        version = factories.latest(s)
        assessment_id = factories.assessment(s, editor, city, version).id
        question = next(q.id for q in repo.questionnaire_model(version).questions if not q.show_if)
        token = accounts.sign_in(s, "page-load@example.org", factories.PASSWORD).token
    session = {var_key(AuthState, "session_token"): token}
    with Tab(app_server.url, f"/assessments/{assessment_id}", session).connect() as tab:
        tab.wait_value(AssessmentState, "loading", False)
        mark = tab.send(handler(AssessmentState, "answer"), question_id=question, value="2")
        tab.wait(lambda t: t.value(AssessmentState, "values", {}).get(question) == "2"
                 and t.value(AssessmentState, "message") == "assessment.saved", what="the answer saved")
        sent = {name for message in tab.messages[mark:] for name in (message.get("delta") or {})}
    assert AssessmentState.get_full_name() in sent
    assert AuthState.get_full_name() not in sent, "the signed-in user's vars were sent again"
