"""Typed view models: what a service returns and a page, an export or the command line reads.

Plain dataclasses of plain values (str, numbers, None, dicts of texts by language, lists), built
by the services from core's computations. `to_dict()` gives the JSON-able shape a Reflex state
keeps; exports and the command line read the attributes.

Every view also answers `view["field"]` (and `.get`, `.keys`, `view["field"] = value`): callers
written against the old dicts (the results page's downloads, older tests) keep working while they
move to attributes. A list of dicts set as a field of dataclasses becomes those dataclasses."""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from functools import cache

Text = dict[str, str]  # a text in every language of the questionnaire


class _View:
    """Dict-style access to a dataclass's fields (see the module docstring)."""

    def to_dict(self) -> dict:
        return _plain(self)

    def keys(self) -> list[str]:
        return list(_names(type(self)))

    def __getitem__(self, key: str):
        if key not in self.keys():
            raise KeyError(key)
        return getattr(self, key)

    def __contains__(self, key: object) -> bool:
        return key in self.keys()

    def __iter__(self):
        return iter(self.keys())

    def get(self, key: str, default=None):
        return getattr(self, key) if key in self.keys() else default

    def __setitem__(self, key: str, value) -> None:
        if key not in self.keys():
            raise KeyError(key)
        setattr(self, key, _coerce(_field_types(type(self)).get(key), value))

    @classmethod
    def from_dict(cls, data):
        """The view of a dict of its shape (nested dicts become the nested views)."""
        if isinstance(data, cls):
            return data
        types = _field_types(cls)
        return cls(**{k: _coerce(types.get(k), v) for k, v in dict(data).items() if k in types})


@cache
def _names(cls) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _plain(value):
    """`dataclasses.asdict` for views of plain values, without its deep copies (a report's
    `to_dict` was a fifth of its cost): views become dicts, containers are new, the rest shared
    (strings and numbers are immutable)."""
    if isinstance(value, _View):
        return {name: _plain(getattr(value, name)) for name in _names(type(value))}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return value


@cache
def _field_types(cls) -> dict:
    return typing.get_type_hints(cls)


def _view_class(tp):
    """The _View class a field's type names (directly or as `X | None`), else None."""
    if isinstance(tp, type) and issubclass(tp, _View):
        return tp
    for arg in typing.get_args(tp):
        if isinstance(arg, type) and issubclass(arg, _View):
            return arg
    return None


def _coerce(tp, value):
    """A value for a field of type `tp`: dicts become the field's view class, lists of dicts a
    list of them; anything else is kept as it is."""
    if tp is None or value is None:
        return value
    if typing.get_origin(tp) is list and isinstance(value, list):
        item = _view_class(typing.get_args(tp)[0]) if typing.get_args(tp) else None
        return [item.from_dict(v) if item and not isinstance(v, item) and hasattr(v, "keys") else v for v in value]
    view = _view_class(tp)
    if view is not None and not isinstance(value, view) and hasattr(value, "keys"):
        return view.from_dict(value)
    return value


# --------------------------------------------------------------------------- the report of an assessment


@dataclass
class PreviousRound(_View):
    year: int
    round: int
    overall: float | None


@dataclass
class DomainResult(_View):
    id: str
    title: Text
    score: float | None
    previous: float | None  # the previous round's score of this domain
    peers: float | None  # the median of the peer cities (None with too few peers)


@dataclass
class FacetResult(_View):
    """A sub-score across domains that the questionnaire declares (e.g. the national-local interface)."""
    id: str
    title: Text
    score: float | None
    questions: int  # how many questions it gathers


@dataclass
class QuestionResult(_View):
    id: str
    domain: str
    text: Text
    level: float | None  # consolidated over respondents
    status: str  # level | na | unknown | missing | not_applicable
    spread: float | None
    disagreement: bool


@dataclass
class GroupLevels(_View):
    """One applicable question: the consolidated level of each respondent group."""

    question: str
    domain: str
    levels: dict[str, float]
    spread: float | None
    disagreement: bool


@dataclass
class Gap(_View):
    """The local-national perception gap of one question (gap > 0: the national side sees more)."""

    question: str
    domain: str
    local: float
    national: float
    gap: float


@dataclass
class Recommendation(_View):
    question: str
    question_text: Text
    rec: int  # index among the question's recommendations
    priority: float
    level: float
    text: Text
    effort: str
    horizon: str
    actors: list[str]

    @property
    def key(self) -> str:
        """How `Report.groups` names it."""
        return f"{self.question}:{self.rec}"


@dataclass
class AnswerRow(_View):
    respondent: str
    group: str
    question: str
    answer: str
    note: str


@dataclass
class ActionRow(_View):
    id: int
    title: str
    owner: str
    due: str
    status: str
    note: str
    question: str
    current_level: float | None
    from_this_round: bool


@dataclass
class Report(_View):
    """Everything a city gets back about one assessment (services/results.report)."""

    id: int
    city: str
    questionnaire_id: str
    version: str
    title: Text
    year: int
    round: int
    status: str
    max_level: int
    overall: float | None
    band: Text  # {} without a score
    completeness: float | None
    previous: PreviousRound | None
    peer_count: int
    domains: list[DomainResult]
    questions: list[QuestionResult]
    by_group: list[GroupLevels]
    gaps: list[Gap]
    recommendations: list[Recommendation]
    groups: dict[str, list[str]]  # quick_wins | strategic | national_asks -> Recommendation.key
    answers: list[AnswerRow]
    actions: list[ActionRow]
    can_manage: bool
    facets: list[FacetResult] = field(default_factory=list)

    def recommendations_in(self, group: str) -> list[Recommendation]:
        """The recommendations of one group, in priority order."""
        by_key = {r.key: r for r in self.recommendations}
        return [by_key[k] for k in self.groups.get(group, []) if k in by_key]

    def question_text(self, question_id: str) -> Text:
        return next((x.text for x in self.questions if x.id == question_id), {})


# --------------------------------------------------------------------------- the network view


@dataclass
class DomainHead(_View):
    id: str
    title: Text
    number: int  # 1-based, as the heatmap's column header


@dataclass
class FacetHead(_View):
    id: str
    title: Text
    column: str  # its column in the network frame, and the heatmap's sort key ("facet.<id>")


@dataclass
class HeatCell(_View):
    domain: str
    text: str  # the score, rounded, or "–"
    colour: str  # background
    ink: str  # text colour readable on it


@dataclass
class HeatRow(_View):
    assessment: int
    city: str  # or its pseudonym
    region: str
    country: str
    year: int
    round: int
    overall: str
    cells: list[HeatCell]
    facets: list[str] = field(default_factory=list)  # each facet's score, in NetworkView.facets' order


@dataclass
class CityOption(_View):
    id: str
    name: str


@dataclass
class BenchRow(_View):
    """One domain of a city beside its peers (texts for the table, numbers for the chart)."""

    domain: str
    title: Text
    number: int
    city: str
    median: str
    q1: str
    q3: str
    gap: float | None
    gap_text: str
    c: float | None
    m: float | None
    lo: float | None
    hi: float | None


@dataclass
class GapRow(_View):
    """A question many cities are at the lowest levels of."""

    question: str
    text: Text
    cities: int
    share: str
    mean: str
    share_low: float = 0.0  # the share itself, for pages that write it for their locale


@dataclass
class TrendPoint(_View):
    year: int
    median: float | None


@dataclass
class HistoryPoint(_View):
    year: int
    overall: float | None


@dataclass
class CompareRow(_View):
    city: str
    city_id: int
    scores: list[float | None]
    texts: list[str]
    history: list[HistoryPoint]


@dataclass
class QuestionnaireOption(_View):
    id: str
    title: Text  # the newest version's, as the picker shows it


@dataclass
class NetworkView(_View):
    """The network page (services/network.view): the questionnaire shown, the filter options,
    one page of the heatmap, the benchmark, the distribution and common gaps, trends and the
    side-by-side comparison. `page`, `bench_city` and `dist_domain` are the values in effect
    (a page past the end, a city no longer listed, an unknown domain fall back)."""

    questionnaire_options: list[QuestionnaireOption] = field(default_factory=list)
    questionnaire_id: str = ""
    max_level: int = 5
    options: dict[str, list[str]] = field(default_factory=dict)  # region, country, ... -> values
    domains: list[DomainHead] = field(default_factory=list)
    facets: list[FacetHead] = field(default_factory=list)  # sub-scores across domains, beside overall
    rows: list[HeatRow] = field(default_factory=list)
    total: int = 0
    page: int = 0
    page_text: str = "0"
    city_options: list[CityOption] = field(default_factory=list)
    bench_city: str = ""
    bench_rows: list[BenchRow] = field(default_factory=list)
    bench_peers: int = 0
    furthest_below: list[BenchRow] = field(default_factory=list)
    dist_domain: str = ""
    dist_counts: list[int] = field(default_factory=list)
    gap_rows: list[GapRow] = field(default_factory=list)
    trend_rows: list[TrendPoint] = field(default_factory=list)
    compare_rows: list[CompareRow] = field(default_factory=list)
