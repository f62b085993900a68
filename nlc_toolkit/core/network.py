"""The network view: many cities compared, benchmarked against peers, followed over rounds.

Inputs are plain frames built by db.network: `cities` (one row per assessment with city facts and
domain scores) and `levels` (consolidated level per assessment and question). All vectorised."""

from __future__ import annotations

import numpy as np
import pandas as pd

LOW_LEVEL = 1  # "lowest": not in place or ad hoc, on either scale


def latest_per_city(frame: pd.DataFrame) -> pd.DataFrame:
    """The latest round of every city (by year, then round)."""
    if frame.empty:
        return frame
    ordered = frame.sort_values(["city_id", "year", "round"])
    return ordered.groupby("city_id", sort=False).tail(1)


def filter_frame(frame: pd.DataFrame, **criteria) -> pd.DataFrame:
    """Keep rows whose column equals the criterion (empty criteria are ignored)."""
    mask = pd.Series(True, index=frame.index)
    for column, value in criteria.items():
        if value not in (None, "", "all"):
            mask &= frame[column].astype(str) == str(value)
    return frame[mask]


# Peer statistics over fewer cities than this would give those cities' own scores away (the median
# of one or two peers is their score); below it, pages say "too few peers" instead.
MIN_PEERS = 3


def peer_stats(frame: pd.DataFrame, domains: list[str]) -> pd.DataFrame:
    """Median and quartiles of each domain over the peers (rows: domains; NaN scores ignored)."""
    scores = frame[domains].astype(float)
    return pd.DataFrame({
        "q1": scores.quantile(0.25),
        "median": scores.median(),
        "q3": scores.quantile(0.75),
        "n": scores.notna().sum(),
    })


def peers_of(frame: pd.DataFrame, city_row: pd.Series, by: list[str]) -> pd.DataFrame:
    """Other cities sharing the attributes in `by` (e.g. region and population band)."""
    mask = frame["city_id"] != city_row["city_id"]
    for column in by:
        mask &= frame[column] == city_row[column]
    return frame[mask]


def peer_medians(latest: pd.DataFrame, domains: list[str], city_id: int, region: str, population_band: str) -> dict:
    """{"n": peers, "domains": {id: median or None}} over the other cities of the same region and
    population band; every median is None with fewer than MIN_PEERS peers."""
    peers = latest[(latest["city_id"] != city_id) & (latest["region"] == region)
                   & (latest["population_band"] == population_band)]
    if len(peers) < MIN_PEERS:
        return {"n": len(peers), "domains": {d: None for d in domains}}
    medians = peers[domains].median()
    return {"n": len(peers), "domains": {d: (None if pd.isna(v) else float(v)) for d, v in medians.items()}}


def benchmark(city_row: pd.Series, peers: pd.DataFrame, domains: list[str]) -> pd.DataFrame:
    """The city's domain scores beside its peers; `gap` = city - peer median, most negative first.
    With fewer than MIN_PEERS peers the peer columns are empty."""
    stats = peer_stats(peers if len(peers) >= MIN_PEERS else peers.iloc[0:0], domains)
    out = stats.assign(city=[float(city_row[d]) if pd.notna(city_row[d]) else np.nan for d in domains])
    out["gap"] = out["city"] - out["median"]
    return out


def common_gaps(levels: pd.DataFrame, max_level: int) -> pd.DataFrame:
    """Questions ranked by how many cities are at the lowest levels (what training to offer).

    `levels`: columns assessment, question, level (consolidated). Returns per question: cities with
    a level, share at level <= LOW_LEVEL, mean level (0..max), sorted by share then mean."""
    data = levels.dropna(subset=["level"])
    grouped = data.groupby("question")["level"]
    out = pd.DataFrame({
        "cities": grouped.size(),
        "share_low": grouped.apply(lambda s: float((np.floor(s) <= LOW_LEVEL).mean())),
        "mean_level": grouped.mean(),
    })
    out["mean_pct"] = 100 * out["mean_level"] / max_level
    return out.sort_values(["share_low", "mean_level"], ascending=[False, True])


def distribution(levels: pd.Series, max_level: int) -> list[int]:
    """Number of cities at each level 0..max (fractional medians are floored)."""
    floored = np.floor(levels.dropna()).astype(int).clip(0, max_level)
    return [int(x) for x in np.bincount(floored, minlength=max_level + 1)]


def trend(frame: pd.DataFrame, value: str = "overall") -> pd.DataFrame:
    """Median of `value` over cities, per year (the network's trend)."""
    return frame.groupby("year")[value].median().reset_index()


def anonymised_names(city_ids: list[int]) -> dict[int, str]:
    """Stable pseudonyms: the same city gets the same label on the page and in every export."""
    labels = {}
    for index, city_id in enumerate(sorted(set(city_ids))):
        letters, n = "", index
        while True:
            letters = chr(ord("A") + n % 26) + letters
            n = n // 26 - 1
            if n < 0:
                break
        labels[city_id] = f"City {letters}"
    return labels
