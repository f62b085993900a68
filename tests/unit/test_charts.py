"""Figure builders are cached per process by their arguments: a tab hydrating builds every page's
figures (empty ones included), and that must not rebuild plotly figures each time. Labels keep
names whole (wrapped between words), and each chart's table holds the numbers it plots."""

import html
import json

import plotly.graph_objects as go
import pytest

from nlc_toolkit.ui.components import charts


def test_same_rows_build_once_and_every_caller_shares_the_result():
    """Every tab computes every page's figures when it hydrates: one shared dict per figure, not a
    copy per tab (a workshop phone kept about 12 KiB of copies)."""
    calls = []

    @charts.plain_figure
    def bars(counts):
        calls.append(counts)
        return go.Figure(go.Bar(y=counts))

    first, second = bars([1, 2, 3]), bars([1, 2, 3])
    assert first is second and len(calls) == 1
    assert first["data"][0]["y"] == [1, 2, 3] and "template" not in first["layout"]
    assert bars([3, 2, 1])["data"][0]["y"] == [3, 2, 1] and len(calls) == 2


def test_the_pages_computed_figures_are_shared_between_tabs():
    from nlc_toolkit.ui.pages.network.state import NetworkState
    from nlc_toolkit.ui.pages.results.state import ResultsState

    for state, var in ((ResultsState, "radar"), (NetworkState, "dist_figure"), (NetworkState, "compare_figure")):
        one, other = state(_reflex_internal_init=True), state(_reflex_internal_init=True)
        assert getattr(one, var) is getattr(other, var), (state.__name__, var)


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
    assert go.Figure(radar).layout.height == 640 and go.Figure(heat).data == ()
    assert "template" not in radar["layout"]  # the browser's rx.plotly brings the light/dark one
    assert [t["name"] for t in charts.radar_figure(["1. A", "2. B"], [40, 60], [30, 50], "2025", None, "", "2026")["data"]] \
        == ["2025", "2026"]


def _as_plotly_writes_it(figure: dict) -> dict:
    """The figure read by Plotly (every value validated, names expanded) and written back."""
    return json.loads(charts.plotly_json(go.Figure(figure)))


@pytest.mark.parametrize("figure", [
    charts.radar_figure(["1. A", "2. B", "3. C"], [40, 60, 0], [30, 50, 10], "2025", [20, 20, 20], "Peers", "2026"),
    charts.radar_figure(["1. A"], [40], None, "", None, "", "2026"),
    charts.radar_figure([], [], None, "", None, "", ""),
    charts.group_heatmap(["⚠ Q1", "Q2"], ["Commune", "État"], [[1.5, None], [2, 3]], ["« texte »", "نص"], 3),
    charts.group_heatmap([], [], [], [], 5),
], ids=["radar", "radar-alone", "radar-empty", "heatmap", "heatmap-empty"])
def test_hand_written_figures_are_what_plotly_itself_writes(figure):
    """The results page's figures skip building a Figure object (5-10 ms of the event loop per
    live re-read); Plotly reading them back must change nothing, so the browser draws the same."""
    assert _as_plotly_writes_it(figure) == figure


# ------------------------------------------------------------------------ labels in full (issue 14)

LONG_NAMES = [
    "4. Knowing the local context: mapping, needs and vulnerability assessment, data",
    "4. Connaissance du contexte local : cartographie, évaluation des besoins et des vulnérabilités, données",
    "4. معرفة السياق المحلي: الجرد وتقييم الحاجيات ومواطن الهشاشة والمعطيات",
    "11. Youth",
    "1. Rehabilitation-and-reintegration-of-returnees-as-one-very-long-word and more",
]


@pytest.mark.parametrize("name", LONG_NAMES)
@pytest.mark.parametrize("width", [10, 22, 30])
def test_wrapped_labels_split_no_word_and_keep_the_whole_name(name, width):
    lines = charts.wrap_label(name, width).split("<br>")
    words = [w for line in lines for w in line.split(" ")]
    assert words == name.split()  # every word, whole and in order: nothing cut, nothing lost
    assert " ".join(lines) == name
    # Each line is as long as allowed, or is one word longer than the width on its own.
    assert all(len(line) <= width or " " not in line for line in lines)
    # ... and greedy: the next line's first word would not have fitted on the line before.
    assert all(len(a) + 1 + len(b.split(" ")[0]) > width for a, b in zip(lines, lines[1:]))


def test_a_short_label_stays_on_one_line():
    assert charts.wrap_label("11. Youth") == "11. Youth"
    assert charts.wrap_label("") == ""


def test_a_name_adds_no_markup_to_a_label():
    """Plotly reads tags in labels: a title's own < > & show as written (entities), whole."""
    label = charts.wrap_label("Youth <b>under</b> 25 & <a href='x'>more</a>", 12)
    assert "<b>" not in label and "<a " not in label
    assert html.unescape(label.replace("<br>", " ")) == "Youth <b>under</b> 25 & <a href='x'>more</a>"


# ------------------------------------------------------------------------ each chart's table


def cells(table: dict) -> list[list[str]]:
    return [[r["head"], *r["cells"]] for r in table["rows"]]


def test_radar_table_holds_the_radars_numbers_with_names_in_full():
    names = ["1. Mandate, governance and political leadership", "2. Youth"]
    table = charts.radar_table(["mandate", "youth"], names, [40.4, None], [30, 50.6], "2025", None, "Peers", "2026", "en")
    assert table["columns"] == ["Domain", "2026", "2025"]  # no peer median on the radar: none in the table
    assert cells(table) == [[names[0], "40", "30"], [names[1], "–", "51"]]
    assert [r["key"] for r in table["rows"]] == ["mandate", "youth"]
    with_peers = charts.radar_table(["mandate"], names[:1], [40], None, "", [55], "Médiane des pairs", "2026", "fr")
    assert with_peers["columns"] == ["Domaine", "2026", "Médiane des pairs"]
    assert cells(with_peers) == [[names[0], "40", "55"]]


def test_group_table_prints_levels_as_given_halves_included():
    table = charts.group_table(["q1", "q2"], ["Q1. Is there a plan?", "⚠ Q2. Is it funded?"],
                               ["City", "National government"], [[2, 1.5], [None, 4]], "en")
    assert table["columns"] == ["Question", "City", "National government"]
    assert cells(table) == [["Q1. Is there a plan?", "2", "1.5"], ["⚠ Q2. Is it funded?", "–", "4"]]


def bench_row(domain, number, c, lo, m, hi, gap_text):
    return {"domain": domain, "number": number, "title": {"en": domain}, "c": c, "lo": lo, "m": m, "hi": hi,
            "gap_text": gap_text}


def test_benchmark_table_holds_the_charts_numbers():
    rows = [bench_row("mandate", 1, 62.4, 40, 50.5, 70, "+12"), bench_row("youth", 2, None, None, None, None, "–")]
    table = charts.benchmark_table(rows, ["1. Mandate", "2. Youth"], "ar")
    assert table["columns"] == ["المجال", "الجماعة", "الربيع الأول للنظراء", "وسيط النظراء", "الربيع الثالث للنظراء", "الفارق"]
    assert cells(table) == [["1. Mandate", "62", "40", "50", "70", "+12"], ["2. Youth", "–", "–", "–", "–", "–"]]
    # The chart plots the same values: the city's diamonds and the peers' medians.
    figure = charts.benchmark_figure(rows, "ar")
    assert [t["name"] for t in figure["data"]] == ["النظراء: من الربيع الأول إلى الثالث", "وسيط النظراء", "الجماعة"]
    assert figure["data"][2]["y"] == [62.4, None]


def test_distribution_table_counts_cities_per_level():
    table = charts.distribution_table([3, 0, 5], "fr")
    assert table["columns"] == ["Niveau", "Communes"]
    assert cells(table) == [["0", "3"], ["1", "0"], ["2", "5"]]


def test_trend_table_lines_up_years_of_the_median_and_each_city():
    medians = [{"year": 2024, "median": 41.2}, {"year": 2026, "median": 55}]
    cities = [{"city": "Fes", "history": [{"year": 2025, "overall": 48}, {"year": 2026, "overall": 61.6}]}]
    table = charts.trend_table(medians, cities, "en")
    assert table["columns"] == ["Year", "Network median", "Fes"]
    assert cells(table) == [["2024", "41", "–"], ["2025", "–", "48"], ["2026", "55", "62"]]
    assert charts.trend_table([], cities, "en")["columns"] == ["Year", "Fes"]


def test_compare_table_has_a_row_per_domain_and_a_column_per_city():
    cities = [{"city": "Fes", "scores": [40, None]}, {"city": "Tangier", "scores": [70.2, 20]}]
    table = charts.compare_table(["mandate", "youth"], ["1. Mandate, governance", "2. Youth"], cities, "en")
    assert table["columns"] == ["Domain", "Fes", "Tangier"]
    assert cells(table) == [["1. Mandate, governance", "40", "70"], ["2. Youth", "–", "20"]]
