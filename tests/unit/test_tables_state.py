"""The "Show as a table" choice is client input: a toggle opens and closes a chart's table, and a
client sending endless made-up ids cannot make the tab's state grow without end."""

from reflex.state import State

from nlc_toolkit.ui.state.tables import MAX_SHOWN, TablesState


def _state() -> TablesState:
    return State(_reflex_internal_init=True).get_substate(TablesState.get_full_name().split(".")[1:])


def test_a_toggle_opens_and_closes_one_table():
    state = _state()
    TablesState.toggle.fn(state, "heatmap")
    assert state.shown == ["heatmap"]
    TablesState.toggle.fn(state, "heatmap")
    assert state.shown == []


def test_made_up_ids_are_bounded():
    state = _state()
    for i in range(1000):
        TablesState.toggle.fn(state, f"chart-{i}" * 10)
    assert len(state.shown) == MAX_SHOWN and all(len(c) <= 40 for c in state.shown)
