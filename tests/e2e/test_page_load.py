"""What a page load sends to its tab. Reflex keeps every page's state in every tab, so a load that
assigns a var many pages read (the language) makes it recompute and send every page's computed
vars: at a workshop's join storm each phone was sent the dashboard's and the network view's
figures and tables (4.5 KB, and their computation on the event loop)."""

import pytest

from tests.security.client import Tab

pytestmark = pytest.mark.e2e


def _states_sent_after_the_snapshot(tab: Tab) -> set[str]:
    return {name for message in tab.messages[1:] for name in (message.get("delta") or {})}


@pytest.mark.parametrize("path", ["/join?code=ABCDEF", "/login", "/"])
def test_a_page_load_sends_no_other_page_s_vars(app_server, path):
    from nlc_toolkit.ui.pages.network.state import NetworkState
    from nlc_toolkit.ui.pages.results.state import ResultsState

    with Tab(app_server.url, path).connect() as tab:
        sent = _states_sent_after_the_snapshot(tab)
    assert not sent & {NetworkState.get_full_name(), ResultsState.get_full_name()}, sent


def test_a_load_that_changes_the_language_still_changes_it_everywhere(app_server):
    from nlc_toolkit.ui.pages.network.state import NetworkState
    from nlc_toolkit.ui.state.lang import LangState

    with Tab(app_server.url, "/join?code=ABCDEF&lang=ar").connect() as tab:
        assert tab.value(LangState, "lang") == "ar" and tab.value(LangState, "dir") == "rtl"
        assert NetworkState.get_full_name() in _states_sent_after_the_snapshot(tab)  # its texts, in Arabic
