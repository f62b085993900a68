"""Network statistics against hand-computed values."""

import numpy as np
import pandas as pd
import pytest

from nlc_toolkit.core.network import (
    MIN_PEERS,
    anonymised_names,
    benchmark,
    common_gaps,
    distribution,
    filter_frame,
    latest_per_city,
    peer_medians,
    peer_stats,
    peers_of,
)

FRAME = pd.DataFrame([
    # city_id, region, band, year, round, d1, d2
    (1, "mena", "big", 2024, 1, 10.0, 40.0),
    (1, "mena", "big", 2025, 2, 30.0, 50.0),
    (2, "mena", "big", 2025, 1, 20.0, np.nan),
    (3, "mena", "big", 2025, 1, 60.0, 80.0),
    (4, "mena", "big", 2025, 1, 40.0, 20.0),
    (5, "europe", "big", 2025, 1, 90.0, 90.0),
], columns=["city_id", "region", "band", "year", "round", "d1", "d2"])


def test_latest_per_city_and_filter():
    latest = latest_per_city(FRAME)
    assert sorted(latest["city_id"]) == [1, 2, 3, 4, 5]
    assert latest[latest["city_id"] == 1]["year"].item() == 2025
    assert list(filter_frame(latest, region="europe")["city_id"]) == [5]
    assert len(filter_frame(latest, region="")) == 5


def test_peer_median_and_quartiles():
    latest = latest_per_city(FRAME)
    peers = peers_of(latest, latest[latest["city_id"] == 1].iloc[0], ["region", "band"])
    assert sorted(peers["city_id"]) == [2, 3, 4]  # same region and band, not itself, not Europe
    stats = peer_stats(peers, ["d1", "d2"])
    # d1 peers 20, 60, 40 -> median 40, q1 30, q3 50 (linear interpolation)
    assert stats.loc["d1"].tolist() == [30.0, 40.0, 50.0, 3]
    # d2 peers 80, 20 (city 2 has no score) -> median 50, q1 35, q3 65
    assert stats.loc["d2"].tolist() == [35.0, 50.0, 65.0, 2]


def test_benchmark_gap():
    latest = latest_per_city(FRAME)
    city = latest[latest["city_id"] == 1].iloc[0]
    result = benchmark(city, peers_of(latest, city, ["region"]), ["d1", "d2"])
    assert result["d1"]["gap"] == pytest.approx(30.0 - 40.0) and result["d1"]["city"] == 30.0
    assert result["d2"]["gap"] == pytest.approx(50.0 - 50.0)
    assert (result["d1"]["q1"], result["d1"]["median"], result["d1"]["q3"]) == (30.0, 40.0, 50.0)
    assert min(result, key=lambda d: result[d]["gap"]) == "d1"  # furthest below peers
    no_score = benchmark(latest[latest["city_id"] == 2].iloc[0], peers_of(latest, city, ["region"]), ["d1", "d2"])
    assert np.isnan(no_score["d2"]["city"]) and np.isnan(no_score["d2"]["gap"])


def test_peer_statistics_need_three_other_cities():
    """The median of one or two peers is their own score: below MIN_PEERS nothing is shown."""
    latest = latest_per_city(FRAME).rename(columns={"band": "population_band"})
    city = latest[latest["city_id"] == 1].iloc[0]
    assert MIN_PEERS == 3
    assert peer_medians(latest, ["d1", "d2"], 1, "mena", "big") == {"n": 3, "domains": {"d1": 40.0, "d2": 50.0}}
    two = latest[latest["city_id"] != 4]
    assert peer_medians(two, ["d1", "d2"], 1, "mena", "big") == {"n": 2, "domains": {"d1": None, "d2": None}}
    few = benchmark(city, peers_of(two, city, ["region"]), ["d1", "d2"])
    assert all(np.isnan(few[d][k]) for d in ("d1", "d2") for k in ("q1", "median", "q3", "gap"))
    assert not any(np.isnan(r["median"]) for r in benchmark(city, peers_of(latest, city, ["region"]), ["d1", "d2"]).values())


def test_common_gaps_ranking():
    levels = pd.DataFrame([
        (1, "qa", 0.0), (2, "qa", 1.5), (3, "qa", 3.0),  # 2 of 3 at <= 1 (1.5 floors to 1)
        (1, "qb", 0.0), (2, "qb", 0.0), (3, "qb", 1.0),  # 3 of 3
        (1, "qc", 2.0), (2, "qc", np.nan), (3, "qc", 3.0),  # 0 of 2
    ], columns=["assessment", "question", "level"])
    gaps = common_gaps(levels, max_level=3)
    assert list(gaps.index) == ["qb", "qa", "qc"]
    assert gaps.loc["qa", "share_low"] == pytest.approx(2 / 3)
    assert gaps.loc["qc", "cities"] == 2
    assert gaps.loc["qb", "mean_pct"] == pytest.approx(100 * (1 / 3) / 3)


def test_distribution_counts_levels():
    assert distribution(pd.Series([0, 1, 1.5, 3, np.nan]), 3) == [1, 2, 0, 1]


def test_anonymised_names_are_stable():
    names = anonymised_names([30, 10, 20] + list(range(100, 130)))
    assert names[10] == "City A" and names[20] == "City B" and names[30] == "City C"
    assert names[129] == "City AG" and len(set(names.values())) == len(names)
    assert anonymised_names([20, 10]) == {10: "City A", 20: "City B"}


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, np.float64("nan"), np.float32("nan"), pd.NA, pd.NaT])
def test_a_missing_score_shows_as_a_dash_in_grey_whatever_its_kind(missing):
    from nlc_toolkit.core.network import _heat_cell, _num, _text, cell_colour

    assert _text(missing) == "–" and _num(missing) is None and cell_colour(missing) == "var(--gray-a3)"
    assert _heat_cell("d1", missing).text == "–"


@pytest.mark.parametrize("score, text, colour", [(0.0, "0", "#00204d"), (np.float64(59.6), "60", "#666970"),
                                                 (np.int64(100), "100", "#ffea46"), (72, "72", "#958f78"), (np.float32(85.2), "85", "#cbba69")])
def test_a_score_shows_as_its_rounded_number(score, text, colour):
    from nlc_toolkit.core.network import _heat_cell, _num, _text, cell_colour

    assert _text(score) == text and _num(score) == float(score) and cell_colour(score) == colour
    assert _heat_cell("d1", score).text == text


def test_the_views_filters_by_lookup_equal_isin():
    from nlc_toolkit.core.network import _among, _questions_among

    rng = np.random.default_rng(8)
    ids = rng.integers(1, 400, 5000)
    for wanted in (rng.integers(1, 600, 50), np.array([], dtype=int), np.unique(ids)):
        assert (_among(ids, wanted) == np.isin(ids, wanted)).all()
    assert not _among(np.array([], dtype=int), np.array([3])).any()
    names = [f"q{i}" for i in range(20)]
    plain = pd.Series(rng.choice(names, 3000))
    coded = plain.astype(pd.CategoricalDtype(names[::-1]))
    coded[::11] = np.nan  # a level whose question is unknown is never among the wanted
    for wanted in (names[:5], [], ["q3", "not-a-question"]):
        assert (_questions_among(plain, wanted) == plain.isin(wanted).to_numpy()).all()
        assert (_questions_among(coded, wanted) == coded.isin(wanted).to_numpy()).all()
