"""The network page's view (core.network.network_view and export_table), pure: filters, latest
round, sorting, paging, the benchmark and its MIN_PEERS rule, distribution, comparison, export."""

import math

import numpy as np
import pandas as pd
import pytest

from nlc_toolkit.core.network import (
    MIN_PEERS,
    NetworkQuery,
    cell_colour,
    export_table,
    network_view,
    page_text,
)
from tests.helpers import build

Q = build([{"id": "d1", "questions": [{"id": "a"}, {"id": "b"}]}, {"id": "d2", "questions": [{"id": "c"}]}],
          levels=4)
COLUMNS = ["assessment", "city_id", "city", "country", "region", "population_band", "year", "round", "version",
           "status", "overall", "completeness", "d1", "d2"]


def row(assessment, city_id, city, region="mena", band="big", year=2025, round=1, d1=50.0, d2=50.0,
        country="Morocco"):
    overall = np.nanmean([d1, d2]) if not (math.isnan(d1) and math.isnan(d2)) else np.nan
    return (assessment, city_id, city, country, region, band, year, round, "1", "approved", overall, 1.0, d1, d2)


def frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


NO_LEVELS = pd.DataFrame(columns=["assessment", "question", "level"])

# Tangier: two rounds; four other MENA big cities; one European city; one small MENA city.
SMALL = frame([
    row(1, 1, "Tangier", year=2024, d1=10.0, d2=40.0),
    row(2, 1, "Tangier", year=2025, round=2, d1=30.0, d2=50.0),
    row(3, 2, "Fes", d1=20.0, d2=np.nan),
    row(4, 3, "Rabat", d1=60.0, d2=80.0),
    row(5, 4, "Oujda", d1=40.0, d2=20.0),
    row(6, 5, "Lyon", region="europe", country="France", d1=90.0, d2=90.0),
    row(7, 6, "Ifrane", band="small", d1=70.0, d2=70.0),
])


def names(view) -> list[str]:
    return [r.city for r in view.rows]


def test_nothing_approved_gives_an_empty_view():
    view = network_view(frame([]), NO_LEVELS, None, NetworkQuery())
    assert view.rows == [] and view.total == 0 and view.page_text == "0" and view.bench_rows == []
    assert view.to_dict()["rows"] == []


def test_filters_options_and_latest_round():
    view = network_view(SMALL, NO_LEVELS, Q, NetworkQuery())
    assert view.total == 6 and "Tangier" in names(view)  # one row per city: its latest round
    assert next(r for r in view.rows if r.city == "Tangier").year == 2025
    assert view.options["region"] == ["europe", "mena"] and view.options["year"] == ["2024", "2025"]
    assert [d.number for d in view.domains] == [1, 2] and view.domains[0].id == "d1"

    assert network_view(SMALL, NO_LEVELS, Q, NetworkQuery(latest_only=False)).total == 7
    assert names(network_view(SMALL, NO_LEVELS, Q, NetworkQuery(region="europe"))) == ["Lyon"]
    assert network_view(SMALL, NO_LEVELS, Q, NetworkQuery(region="mena", population_band="big")).total == 4
    only_2024 = network_view(SMALL, NO_LEVELS, Q, NetworkQuery(year="2024"))
    assert names(only_2024) == ["Tangier"] and only_2024.rows[0].year == 2024
    assert network_view(SMALL, NO_LEVELS, Q, NetworkQuery(region="nowhere")).total == 0


def test_sorting_and_cells():
    view = network_view(SMALL, NO_LEVELS, Q, NetworkQuery())
    overall = [float(r.overall) for r in view.rows]
    assert overall == sorted(overall, reverse=True)  # overall, highest first, by default
    by_name = network_view(SMALL, NO_LEVELS, Q, NetworkQuery(sort_by="city", sort_desc=False))
    assert names(by_name) == sorted(names(by_name))
    by_d2 = network_view(SMALL, NO_LEVELS, Q, NetworkQuery(sort_by="d2", sort_desc=False))
    assert names(by_d2)[0] == "Oujda" and names(by_d2)[-1] == "Fes"  # no score: last
    assert names(network_view(SMALL, NO_LEVELS, Q, NetworkQuery(sort_by="no such column"))) == names(view)
    fes = next(r for r in view.rows if r.city == "Fes")
    assert [c.text for c in fes.cells] == ["20", "–"]
    assert fes.cells[1].colour == cell_colour(None) == "var(--gray-a3)"
    lyon = next(r for r in view.rows if r.city == "Lyon")
    assert lyon.cells[0].colour == cell_colour(90.0) and lyon.cells[0].ink == "#000" and fes.cells[0].ink == "#fff"


def test_paging():
    many = frame([row(i, i, f"City {i:03d}", d1=float(i % 100), d2=50.0) for i in range(1, 121)])
    first = network_view(many, NO_LEVELS, Q, NetworkQuery(), page_size=50)
    assert len(first.rows) == 50 and first.page == 0 and first.page_text == "1–50 / 120"
    last = network_view(many, NO_LEVELS, Q, NetworkQuery(page=2), page_size=50)
    assert len(last.rows) == 20 and last.page_text == "101–120 / 120"
    beyond = network_view(many, NO_LEVELS, Q, NetworkQuery(page=99), page_size=50)
    assert beyond.page == 2 and names(beyond) == names(last)  # past the end: the last page
    assert network_view(many, NO_LEVELS, Q, NetworkQuery(page=-3), page_size=50).page == 0
    shown = [name for p in range(3) for name in names(network_view(many, NO_LEVELS, Q, NetworkQuery(page=p),
                                                                  page_size=50))]
    assert len(shown) == len(set(shown)) == 120
    assert page_text(0, 0) == "0"


def test_benchmark_against_peers():
    view = network_view(SMALL, NO_LEVELS, Q, NetworkQuery(bench_city="1"))
    assert view.bench_city == "1" and view.bench_peers == 3  # Fes, Rabat, Oujda: same region and size
    d1, d2 = view.bench_rows
    # d1: Tangier 30 against 20, 60, 40 -> median 40, quartiles 30 and 50, gap -10
    assert (d1.city, d1.q1, d1.median, d1.q3, d1.gap, d1.gap_text) == ("30", "30", "40", "50", -10.0, "-10")
    assert (d1.c, d1.m, d1.lo, d1.hi) == (30.0, 40.0, 30.0, 50.0)
    assert d2.gap == pytest.approx(0.0) and d2.title == {"en": "d2"} and d2.number == 2
    assert [r.domain for r in view.furthest_below] == ["d1"]  # only domains below the peers

    wider = network_view(SMALL, NO_LEVELS, Q, NetworkQuery(bench_city="1", peer_by=("region",)))
    assert wider.bench_peers == 4  # the small city joins
    everyone = network_view(SMALL, NO_LEVELS, Q, NetworkQuery(bench_city="1", peer_by=("nonsense",)))
    assert everyone.bench_peers == 5  # unknown attributes are ignored: every other city


def test_too_few_peers_show_no_peer_statistics():
    assert MIN_PEERS == 3
    two = SMALL[SMALL["city_id"] != 4]  # Tangier's peers: Fes and Rabat only
    view = network_view(two, NO_LEVELS, Q, NetworkQuery(bench_city="1"))
    assert view.bench_peers == 2
    assert all(r.median == r.q1 == r.q3 == "–" and r.gap is None and r.m is None for r in view.bench_rows)
    assert [r.city for r in view.bench_rows] == ["30", "50"] and view.furthest_below == []


def test_the_benchmarked_city_falls_back_to_the_first_listed():
    view = network_view(SMALL, NO_LEVELS, Q, NetworkQuery(bench_city="999"))
    assert [c.name for c in view.city_options] == sorted(c.name for c in view.city_options)
    assert view.bench_city == view.city_options[0].id == "2"  # Fes, first by name
    anonymous = network_view(SMALL, NO_LEVELS, Q, NetworkQuery(anonymise=True))
    assert {r.city for r in anonymous.rows} == {f"City {x}" for x in "ABCDEF"}
    assert all(c.name.startswith("City ") for c in anonymous.city_options)


def test_distribution_gaps_trend_and_comparison():
    levels = pd.DataFrame([(2, "a", 0.0), (3, "a", 1.0), (4, "a", 3.0), (2, "c", 4.0), (1, "a", 0.0)],
                          columns=["assessment", "question", "level"])
    view = network_view(SMALL, levels, Q, NetworkQuery(dist_domain="unknown", compare_ids=("1", "5", "x")))
    assert view.dist_domain == "d1"
    assert view.dist_counts == [1, 1, 0, 1, 0]  # latest rounds only: assessment 1 is Tangier's older one
    assert view.gap_rows[0].question == "a" and view.gap_rows[0].cities == 3 and view.gap_rows[0].share == "67%"
    assert network_view(SMALL, levels, Q, NetworkQuery(dist_domain="d2")).dist_counts == [0, 0, 0, 0, 1]
    assert [p.year for p in view.trend_rows] == [2024, 2025]
    assert [r.city for r in view.compare_rows] == ["Tangier", "Lyon"]
    tangier = view.compare_rows[0]
    assert tangier.texts == ["30", "50"] and [h.year for h in tangier.history] == [2024, 2025]
    assert view.to_dict()["compare_rows"][0]["history"][0] == {"year": 2024, "overall": 25.0}


def test_export_table():
    table = export_table(SMALL, Q, NetworkQuery(region="mena"))
    assert list(table.columns) == ["city", "country", "region", "population_band", "year", "round", "overall", "d1",
                                   "d2"]
    assert len(table) == 5 and set(table["city"]) == {"Tangier", "Fes", "Rabat", "Oujda", "Ifrane"}
    anonymous = export_table(SMALL, Q, NetworkQuery(anonymise=True, latest_only=False))
    assert "country" not in anonymous.columns and len(anonymous) == 7
    assert anonymous["city"].str.match(r"City [A-Z]+$").all()
    shown = network_view(SMALL, NO_LEVELS, Q, NetworkQuery(anonymise=True))
    assert set(anonymous["city"]) == {r.city for r in shown.rows}  # the same pseudonyms as the page
    assert export_table(frame([]), None, NetworkQuery()).empty


def test_a_query_held_by_the_page_round_trips_and_junk_takes_the_defaults():
    from nlc_toolkit.core.network import NetworkQuery

    query = NetworkQuery(region="mena", page=2, peer_by=("region",), compare_ids=("4", "7"), anonymise=True)
    assert NetworkQuery.from_dict(query.as_dict()) == query
    junk = {"region": 5, "page": "2", "peer_by": "region", "compare_ids": [1, "3", None], "latest_only": "no",
            "sort_desc": None, "unknown": "x"}
    assert NetworkQuery.from_dict(junk) == NetworkQuery(compare_ids=("3",))
