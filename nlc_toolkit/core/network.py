"""The network view: many cities compared, benchmarked against peers, followed over rounds.

Inputs are plain frames built by services/network from db/scores: `frame` (one row per assessment
with city facts, overall, completeness and domain scores) and `levels` (consolidated level per
assessment and question). All vectorised. `network_view` turns them, with the page's filters,
sort and page (a `NetworkQuery`), into the plain rows of a `NetworkView`; `export_table` into the
table the page exports."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from nlc_toolkit.core.questionnaire import Questionnaire
from nlc_toolkit.core.views import (
    BenchRow,
    CityOption,
    CompareRow,
    DomainHead,
    FacetHead,
    GapRow,
    HeatCell,
    HeatRow,
    HistoryPoint,
    NetworkView,
    TrendPoint,
)

LOW_LEVEL = 1  # "lowest": not in place or ad hoc, on either scale
PAGE_SIZE = 50  # heatmap rows per page
PEER_KEYS = ("region", "population_band", "country")  # what peers may be chosen by
FILTERS = ("region", "country", "population_band", "year", "version")  # the page's select filters
MAX_COMPARED = 5  # cities side by side
COMMON_GAPS = 15  # questions listed as common gaps
FACET = "facet."  # a facet's column in the frame: "facet.<id>" (facet ids may equal domain ids)


def facet_scores(levels: pd.DataFrame, q: Questionnaire) -> pd.DataFrame:
    """Each assessment's facet scores (column assessment, then one "facet.<id>" column per facet
    of `q`), from its questions' consolidated levels, scored as core/scoring scores a facet. Every
    round is scored with the facets of `q`, the newest version: an earlier version that declared
    none gets them over the questions it shares with it."""
    out = pd.DataFrame({"assessment": pd.unique(levels["assessment"]) if len(levels) else []})
    if not q.facets or not len(levels):
        return out.assign(**{FACET + f.id: np.nan for f in q.facets})
    question = levels["question"].astype("category")
    codes, categories = question.cat.codes.to_numpy(), question.cat.categories
    weight = np.asarray(categories.map({x.id: float(x.weight) for x in q.questions}), dtype=float)[codes]
    part = levels["level"].to_numpy(dtype=float) / q.max_level
    for f in q.facets:
        inside = np.asarray(categories.isin(f.questions))[codes] & ~np.isnan(weight)
        sums = pd.DataFrame({"assessment": levels["assessment"].to_numpy()[inside], "num": (weight * part)[inside],
                             "den": weight[inside]}).groupby("assessment")[["num", "den"]].sum()
        score = (100.0 * sums["num"] / sums["den"].where(sums["den"] > 0)).rename(FACET + f.id)
        out = out.merge(score, left_on="assessment", right_index=True, how="left")
    return out


def latest_per_city(frame: pd.DataFrame) -> pd.DataFrame:
    """The latest round of every city (by year, then round)."""
    if frame.empty:
        return frame
    ordered = frame.sort_values(["city_id", "year", "round"])
    return ordered[~ordered["city_id"].duplicated(keep="last")]  # each city's last row, in that order


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


def _quartiles(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(q1, median, q3) of each column over the rows, NaN scores ignored: numpy's nan-quantiles
    and median, as pandas computes them, without its overhead."""
    if not len(scores):
        empty = np.full(scores.shape[1], np.nan)
        return empty, empty, empty
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a domain no peer has a score in: NaN
        q1, q3 = np.nanquantile(scores, [0.25, 0.75], axis=0)
        return q1, np.nanmedian(scores, axis=0), q3


def peer_stats(frame: pd.DataFrame, domains: list[str]) -> pd.DataFrame:
    """Median and quartiles of each domain over the peers (rows: domains; NaN scores ignored)."""
    scores = frame[domains].to_numpy(dtype=float)
    q1, median, q3 = _quartiles(scores)
    return pd.DataFrame({"q1": q1, "median": median, "q3": q3, "n": (~np.isnan(scores)).sum(axis=0)},
                        index=pd.Index(domains))


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


def benchmark(city_row: pd.Series, peers: pd.DataFrame, domains: list[str]) -> dict[str, dict[str, float]]:
    """Per domain, the city's score beside its peers': {"city", "q1", "median", "q3", "gap"}, where
    `gap` = city - peer median (NaN where either is missing). With fewer than MIN_PEERS peers the
    peer figures are NaN."""
    scores = peers[domains].to_numpy(dtype=float) if len(peers) >= MIN_PEERS else np.empty((0, len(domains)))
    q1, median, q3 = _quartiles(scores)
    city = pd.to_numeric(city_row[domains], errors="coerce").to_numpy(dtype=float)
    gap = city - median
    return {d: {"city": city[i], "q1": q1[i], "median": median[i], "q3": q3[i], "gap": gap[i]}
            for i, d in enumerate(domains)}


def common_gaps(levels: pd.DataFrame, max_level: int) -> pd.DataFrame:
    """Questions ranked by how many cities are at the lowest levels (what training to offer).

    `levels`: columns assessment, question, level (consolidated). Returns per question: cities with
    a level, share at level <= LOW_LEVEL, mean level (0..max), sorted by share then mean (ties in
    question id order). Counted with numpy on the question codes (a categorical `question`, as the
    network service gives, needs no hashing of the ids)."""
    data = levels[levels["level"].notna()] if levels["level"].isna().any() else levels
    question = data["question"]
    if isinstance(question.dtype, pd.CategoricalDtype):
        codes, names = question.cat.codes.to_numpy(), np.asarray(question.cat.categories, dtype=object)
    else:
        codes, names = pd.factorize(question.to_numpy(dtype=object))
        names = np.asarray(names, dtype=object)
    level = data["level"].to_numpy(dtype=float)
    cities = np.bincount(codes, minlength=len(names))
    low = np.bincount(codes, weights=(np.floor(level) <= LOW_LEVEL).astype(float), minlength=len(names))
    total = np.bincount(codes, weights=level, minlength=len(names))
    seen = np.flatnonzero(cities)
    seen = seen[np.argsort(names[seen].astype(str), kind="stable")]  # as a groupby: by question id
    out = pd.DataFrame({
        "cities": cities[seen].astype("int64"),
        "share_low": low[seen] / cities[seen],
        "mean_level": total[seen] / cities[seen],
    }, index=pd.Index(names[seen].tolist(), name="question"))
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


# --------------------------------------------------------------------------- the page's view


@dataclass(frozen=True)
class NetworkQuery:
    """What the network page asks for: filters ("" = all), sort, page, the benchmarked city and
    its peer attributes, the domain of the distribution and the cities compared side by side.
    Values come from the client: anything unknown is ignored or falls back."""

    region: str = ""
    country: str = ""
    population_band: str = ""
    year: str = ""
    version: str = ""
    latest_only: bool = True
    anonymise: bool = False
    sort_by: str = "overall"
    sort_desc: bool = True
    page: int = 0
    bench_city: str = ""
    peer_by: tuple[str, ...] = ("region", "population_band")
    dist_domain: str = ""
    compare_ids: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        """Plain values (lists, not tuples), as a page state keeps them."""
        return {f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v for f in fields(self)}

    @classmethod
    def from_dict(cls, values: dict) -> NetworkQuery:
        """The query a page state holds; a value of the wrong type takes its default."""
        default = cls()
        kept = {}
        for f in fields(cls):
            value, fallback = values.get(f.name), getattr(default, f.name)
            if isinstance(fallback, tuple):
                kept[f.name] = tuple(v for v in value if isinstance(v, str)) if isinstance(value, list | tuple) else fallback
            elif type(value) is type(fallback):
                kept[f.name] = value
        return cls(**kept)


def _missing(value) -> bool:
    """No score: None, NaN or pandas' missing markers; a quicker pd.isna for one number (850 cells a page)."""
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float | np.floating) and value != value)


def cell_colour(value) -> str:
    """A heatmap cell's background: cividis-like steps (colour-blind safe); the number is always
    printed in the cell too."""
    if _missing(value):
        return "var(--gray-a3)"
    steps = ["#00204d", "#31446b", "#666970", "#958f78", "#cbba69", "#ffea46"]
    return steps[min(5, int(value // 20))]


def _heat_cell(domain: str, value) -> HeatCell:
    """A heatmap cell: as cell_colour and _text say, NaN checked once (850 cells a page)."""
    if _missing(value):
        return HeatCell(domain=domain, text="–", colour=cell_colour(None), ink="#fff")
    return HeatCell(domain=domain, text=f"{value:.0f}", colour=cell_colour(value), ink="#000" if value >= 60 else "#fff")


def _text(value, fmt: str = "{:.0f}") -> str:
    return "–" if _missing(value) else fmt.format(value)


def _num(value) -> float | None:
    return None if _missing(value) else float(value)


def _values(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """The values of these columns, one tuple per row (empty tuples when there are none)."""
    return list(frame[columns].itertuples(index=False, name=None)) if columns else [()] * len(frame)


def city_names(frame: pd.DataFrame, anonymise: bool) -> dict[int, str]:
    """City id -> the name shown: the city's name, or its stable pseudonym."""
    if anonymise:
        return anonymised_names(frame["city_id"].tolist())
    return dict(zip(frame["city_id"].tolist(), frame["city"].tolist()))


def _selected(frame: pd.DataFrame, query: NetworkQuery, with_year: bool = True) -> pd.DataFrame:
    filtered = filter_frame(frame, region=query.region, country=query.country,
                            population_band=query.population_band, version=query.version)
    if with_year and query.year:
        filtered = filter_frame(filtered, year=query.year)
    return latest_per_city(filtered) if query.latest_only else filtered


def page_text(page: int, total: int, page_size: int = PAGE_SIZE) -> str:
    """"51–100 / 230": the rows shown and how many there are."""
    if not total:
        return "0"
    return f"{page * page_size + 1}–{min(total, (page + 1) * page_size)} / {total}"


def _among(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """ids in wanted, for the small non-negative integers that assessment ids are: one lookup per
    row instead of np.isin's sort (a third of a million levels for 1,000 cities)."""
    if not len(ids) or not len(wanted):
        return np.zeros(len(ids), dtype=bool)
    lookup = np.zeros(max(int(ids.max()), int(wanted.max())) + 1, dtype=bool)
    lookup[wanted] = True
    return lookup[ids]


def _questions_among(question: pd.Series, wanted: list[str]) -> np.ndarray:
    """question in wanted; on a categorical column (as services/network gives), by its codes."""
    if isinstance(question.dtype, pd.CategoricalDtype):
        codes = question.cat.codes.to_numpy()
        return np.append(np.asarray(question.cat.categories.isin(wanted)), False)[codes]  # code -1: missing
    return question.isin(wanted).to_numpy()


def network_view(frame: pd.DataFrame, levels: pd.DataFrame, q: Questionnaire | None, query: NetworkQuery,
                 page_size: int = PAGE_SIZE) -> NetworkView:
    """Everything the network page shows, as plain rows. `q`: the latest version of the
    questionnaire (None: nothing approved yet, an empty view)."""
    if q is None:
        return NetworkView(page=0, bench_city="", dist_domain="")
    domain_ids = [d.id for d in q.domains]
    domains = [DomainHead(id=d.id, title=dict(d.title), number=i + 1) for i, d in enumerate(q.domains)]
    facets = [FacetHead(id=f.id, title=dict(f.title), column=FACET + f.id) for f in q.facets if FACET + f.id in frame]
    options = {c: sorted({str(v) for v in frame[c].unique().tolist()}) for c in FILTERS}
    names = city_names(frame, query.anonymise)

    # The heatmap: filtered, latest round per city (or every round), sorted, one page.
    trend_source = filter_frame(frame, region=query.region, country=query.country,
                                population_band=query.population_band, version=query.version)
    # The benchmark's cities: every city's latest round (all filters but the version ignored).
    latest = latest_per_city(filter_frame(frame, version=query.version))
    unfiltered = not (query.region or query.country or query.population_band or query.year)
    view = latest if query.latest_only and unfiltered else _selected(frame, query)
    key = query.sort_by if query.sort_by in view.columns else "overall"
    if key == "city":
        view = view.assign(_label=view["city_id"].map(names)).sort_values("_label", ascending=not query.sort_desc)
    else:
        view = view.sort_values(key, ascending=not query.sort_desc, na_position="last")
    total = len(view)
    page = min(max(0, int(query.page)), max(0, (total - 1) // page_size))
    shown = view.iloc[page * page_size:(page + 1) * page_size]
    rows = [
        HeatRow(assessment=int(r.assessment), city=names[r.city_id], region=r.region, country=r.country,
                year=int(r.year), round=int(r.round), overall=_text(r.overall),
                cells=[_heat_cell(d, getattr(r, d)) for d in domain_ids], facets=[_text(v) for v in facet_values])
        for r, facet_values in zip(shown.itertuples(index=False), _values(shown, [f.column for f in facets]))
    ]

    # The benchmark: a city's latest round beside its peers'.
    city_options = sorted((CityOption(id=str(c), name=names[c]) for c in latest["city_id"].tolist()), key=lambda x: x.name)
    bench_city = query.bench_city if query.bench_city in {c.id for c in city_options} else (
        city_options[0].id if city_options else "")
    bench_rows, bench_peers = [], 0
    if bench_city:
        city_row = latest[latest["city_id"] == int(bench_city)].iloc[0]
        peers = peers_of(latest, city_row, [k for k in query.peer_by if k in PEER_KEYS])
        bench_peers = len(peers)
        result = benchmark(city_row, peers, domain_ids)
        bench_rows = [
            BenchRow(domain=d, title=dict(q.domains[i].title), number=i + 1, city=_text(r["city"]),
                     median=_text(r["median"]), q1=_text(r["q1"]), q3=_text(r["q3"]),
                     gap=_num(r["gap"]), gap_text=_text(r["gap"], "{:+.0f}"),
                     c=_num(r["city"]), m=_num(r["median"]), lo=_num(r["q1"]), hi=_num(r["q3"]))
            for i, (d, r) in enumerate((d, result[d]) for d in domain_ids)
        ]
    furthest_below = sorted((r for r in bench_rows if r.gap is not None and r.gap < 0), key=lambda r: r.gap)[:3]

    # The distribution of one domain's levels, and the questions most cities are low on.
    in_view = levels[_among(levels["assessment"].to_numpy(), view["assessment"].to_numpy())] if len(levels) else levels
    dist_domain = query.dist_domain if query.dist_domain in domain_ids else domain_ids[0]
    domain_questions = [x.id for x in q.domains[domain_ids.index(dist_domain)].questions]
    dist_counts = distribution(in_view["level"][_questions_among(in_view["question"], domain_questions)], q.max_level)
    gaps = common_gaps(in_view, q.max_level).head(COMMON_GAPS)
    gap_rows = [
        GapRow(question=qid, text=dict(q.question_by_id[qid].text) if qid in q.question_by_id else {"en": qid},
               cities=int(row.cities), share=f"{100 * row.share_low:.0f}%", mean=f"{row.mean_pct:.0f}",
               share_low=float(row.share_low))
        for qid, row in zip(gaps.index.tolist(), gaps.itertuples(index=False))
    ]

    # Trends over the years (every round, the year filter aside) and cities side by side.
    trend_rows = [TrendPoint(year=int(r.year), median=_num(r.overall)) for r in trend(trend_source).itertuples(index=False)]
    wanted = [int(c) for c in query.compare_ids if str(c).isdigit()][:MAX_COMPARED]
    chosen = latest[latest["city_id"].isin(wanted)]
    compare_rows = [
        CompareRow(city=names[r["city_id"]], city_id=int(r["city_id"]),
                   scores=[_num(r[d]) for d in domain_ids], texts=[_text(r[d]) for d in domain_ids],
                   history=[HistoryPoint(year=int(h.year), overall=_num(h.overall))
                            for h in frame[frame["city_id"] == r["city_id"]].sort_values(["year", "round"]).itertuples()])
        for _, r in chosen.iterrows()
    ]
    return NetworkView(
        max_level=q.max_level, options=options, domains=domains, facets=facets, rows=rows, total=total, page=page,
        page_text=page_text(page, total, page_size), city_options=city_options, bench_city=bench_city,
        bench_rows=bench_rows, bench_peers=bench_peers, furthest_below=furthest_below, dist_domain=dist_domain,
        dist_counts=dist_counts, gap_rows=gap_rows, trend_rows=trend_rows, compare_rows=compare_rows,
    )


def export_table(frame: pd.DataFrame, q: Questionnaire | None, query: NetworkQuery) -> pd.DataFrame:
    """The rows of the heatmap (every page, unsorted) as the export's table: city (or its
    pseudonym), country (left out when anonymised), region, population band, year, round, overall
    and one column per domain, then one per facet ("facet.<id>"), scores rounded to one decimal."""
    if q is None:
        return pd.DataFrame()
    view = _selected(frame, query)
    out = pd.DataFrame({"city": view["city_id"].map(city_names(frame, query.anonymise)), "region": view["region"],
                        "population_band": view["population_band"], "year": view["year"],
                        "round": view["round"], "overall": view["overall"].round(1)})
    if not query.anonymise:
        out.insert(1, "country", view["country"])
    for d in q.domains:
        out[d.id] = view[d.id].round(1)
    for f in q.facets:
        if FACET + f.id in view:
            out[FACET + f.id] = view[FACET + f.id].round(1)
    return out
