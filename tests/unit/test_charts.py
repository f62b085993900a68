"""Figure builders are cached per process by their arguments: a tab hydrating builds every page's
figures (empty ones included), and that must not rebuild plotly figures each time."""

import plotly.graph_objects as go

from nlc_toolkit.ui.components import charts


def test_same_rows_build_once_and_each_caller_gets_its_own_copy():
    calls = []

    @charts.plain_figure
    def bars(counts):
        calls.append(counts)
        return go.Figure(go.Bar(y=counts))

    first, second = bars([1, 2, 3]), bars([1, 2, 3])
    assert first == second and len(calls) == 1
    first["data"][0]["y"].append(99)  # a caller changing its copy changes nobody else's
    assert bars([1, 2, 3])["data"][0]["y"] == [1, 2, 3]
    assert bars([3, 2, 1])["data"][0]["y"] == [3, 2, 1] and len(calls) == 2


def test_the_cache_stays_bounded():
    calls = []

    @charts.plain_figure
    def bars(n):
        calls.append(n)
        return go.Figure(go.Bar(y=[n]))

    for n in range(charts.CACHE_SIZE + 10):
        bars(n)
    bars(0)  # evicted long ago: built again
    bars(charts.CACHE_SIZE + 9)  # recent: served from the cache
    assert len(calls) == charts.CACHE_SIZE + 11


def test_empty_results_figures_are_valid_plotly():
    radar = charts.radar_figure([], [], None, "", None, "", "")
    heat = charts.group_heatmap([], [], [], [], 5)
    assert go.Figure(radar).layout.height == 460 and go.Figure(heat).data == ()
    assert "template" not in radar["layout"]  # the browser's rx.plotly brings the light/dark one
    assert [t["name"] for t in charts.radar_figure(["1. A", "2. B"], [40, 60], [30, 50], "2025", None, "", "2026")["data"]] \
        == ["2025", "2026"]
