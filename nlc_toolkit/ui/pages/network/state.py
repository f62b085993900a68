"""The network page's state: what the page asks for (filters, sort, page, benchmark and comparison
choices) and what services/network.view answered (a core.views.NetworkView, bound field by
field). It computes nothing; the exports are built in a build process."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit.core.errors import Invalid, Refused
from nlc_toolkit.core.network import MAX_COMPARED, PEER_KEYS, NetworkQuery
from nlc_toolkit.core.questionnaire import localized as pick
from nlc_toolkit.i18n import format_percent, plural
from nlc_toolkit.services import builds
from nlc_toolkit.services import network as svc
from nlc_toolkit.ui.components import charts
from nlc_toolkit.ui.state.auth import AuthState
from nlc_toolkit.ui.state.inputs import db_id, text
from nlc_toolkit.ui.state.page import PageState

FILTER_NAMES = ("region", "country", "population_band", "year", "version", "bench_city", "dist_domain")


class NetworkState(PageState, AuthState):
    # ----------------------------------------------------------------- what the page asks for
    questionnaire_id: str = ""
    query: dict = NetworkQuery().as_dict()  # core.network.NetworkQuery: filters, sort, page, choices

    # ----------------------------------------------------------------- what the service answered
    questionnaire_options: list[dict] = []  # id and title
    max_level: int = 5
    options: dict[str, list[str]] = {}
    domains: list[dict] = []
    facets: list[dict] = []  # sub-scores across domains (core.views.FacetHead), columns after overall
    rows: list[dict] = []
    total: int = 0
    page_text: str = "0"
    city_options: list[dict] = []
    bench_rows: list[dict] = []
    bench_peers: int = 0
    furthest_below: list[dict] = []
    dist_counts: list[int] = []
    gap_rows: list[dict] = []
    trend_rows: list[dict] = []
    compare_rows: list[dict] = []
    preparing: str = ""  # the export being built ("csv" or "xlsx"), shown as busy

    def _query(self) -> NetworkQuery:
        return NetworkQuery.from_dict(self.query)

    def _ask(self, **changes) -> None:
        self.query = {**self.query, **changes}

    def _read(self, s, actor) -> None:
        answered = svc.view(s, actor, self.questionnaire_id, self._query()).to_dict()
        # What the service settled (the page within range, the default benchmark city and domain)
        # goes back into the query; the rest is what the page shows.
        self._ask(**{name: answered.pop(name) for name in list(answered) if name in self.query})
        for name, value in answered.items():
            setattr(self, name, value)

    async def _refresh(self):
        """Re-read after a change of what is asked for, keeping the page on screen."""
        async for update in self._load_with(self._read, keep=True):
            yield update

    # ----------------------------------------------------------------- events

    @rx.event
    async def load(self):
        # Coming back to the page, the hydrated view stays on screen while it is re-read: a
        # spinner would re-mount the tabs and undo a first click on one (seen as a flaky test).
        async for update in self._load_with(self._read, keep=bool(self.rows and not self.error)):
            yield update

    @rx.event
    async def set_filter(self, name: str, value: str):
        if name == "questionnaire_id":
            self.questionnaire_id = text(value, 200)
            self._ask(region="", country="", population_band="", year="", version="", compare_ids=[], page=0)
        elif name in FILTER_NAMES:
            self._ask(**{name: text(value, 200), "page": 0})
        async for update in self._refresh():
            yield update

    @rx.event
    async def toggle(self, name: str, value: bool):
        if name in ("latest_only", "anonymise"):
            self._ask(**{name: value is True})
        async for update in self._refresh():
            yield update

    @rx.event
    async def toggle_peer(self, key: str, value: bool):
        if key not in PEER_KEYS:
            return
        peers = [k for k in self.query["peer_by"] if k != key]
        self._ask(peer_by=peers + [key] if value else peers)
        async for update in self._refresh():
            yield update

    @rx.event
    async def sort(self, column: str):
        column = text(column, 100)
        same = self.query["sort_by"] == column
        self._ask(sort_by=column, sort_desc=not self.query["sort_desc"] if same else column != "city")
        async for update in self._refresh():
            yield update

    @rx.event
    async def go_page(self, delta: int):
        self._ask(page=max(0, self.query["page"] + (1 if delta == 1 else -1 if delta == -1 else 0)))
        async for update in self._refresh():
            yield update

    @rx.event
    async def toggle_compare(self, city_id: str, value: bool):
        city_id = str(db_id(city_id))
        ids = [c for c in self.query["compare_ids"] if c != city_id]
        if value and len(ids) < MAX_COMPARED:
            ids.append(city_id)
        self._ask(compare_ids=ids)
        async for update in self._refresh():
            yield update

    # ----------------------------------------------------------------- exports

    @rx.event
    async def export(self, kind: str):
        """The rows of the current view as CSV or XLSX, built in a build process
        (services/builds.py: a large network's workbook takes a while), with the audit record;
        the button shows it is busy meanwhile. The service checks `kind`."""
        actor = self._actor()
        if actor is None:
            yield self._to_login()
            return
        self.preparing = text(kind, 10)
        yield
        try:
            data, filename = await builds.in_build_process(builds.network_file, actor, self.questionnaire_id,
                                                           self._query().as_dict(), text(kind, 10))
        except Refused:
            self.error = "forbidden"
            return
        except Invalid as e:  # a build process died while building it
            self._say(str(e), error=True)
            return
        finally:
            self.preparing = ""
        yield rx.download(data=data, filename=filename)

    @rx.var
    def peers_text(self) -> str:
        return plural("network.peers", self.bench_peers, self.lang)

    @rx.var
    def gap_texts(self) -> list[dict]:
        return [dict(g, share_text=format_percent(g["share_low"], self.lang)) for g in self.gap_rows]

    # ----------------------------------------------------------------- figures from plain rows

    def _domain_names(self) -> list[str]:
        return [f"{d['number']}. {pick(d['title'], self.lang)}" for d in self.domains]

    @rx.var
    def bench_figure(self) -> dict:
        return charts.benchmark_figure(self.bench_rows, self.lang)

    @rx.var
    def bench_table(self) -> dict:
        return charts.benchmark_table(self.bench_rows, [f"{r['number']}. {pick(r['title'], self.lang)}"
                                                        for r in self.bench_rows], self.lang)

    @rx.var
    def dist_figure(self) -> dict:
        return charts.distribution_figure(self.dist_counts)

    @rx.var
    def dist_table(self) -> dict:
        return charts.distribution_table(self.dist_counts, self.lang)

    @rx.var
    def trend_figure(self) -> dict:
        return charts.trend_figure(self.trend_rows, self.compare_rows, self.lang)

    @rx.var
    def trend_table(self) -> dict:
        return charts.trend_table(self.trend_rows, self.compare_rows, self.lang)

    @rx.var
    def compare_figure(self) -> dict:
        return charts.compare_figure([f"{d['number']}" for d in self.domains], self.compare_rows)

    @rx.var
    def compare_table(self) -> dict:
        return charts.compare_table([d["id"] for d in self.domains], self._domain_names(), self.compare_rows, self.lang)

    @rx.var
    def domain_names(self) -> list[dict]:
        """The domains' numbers with their names in full, the legend of the numbered columns."""
        return [{"id": d["id"], "number": d["number"], "name": name} for d, name in zip(self.domains, self._domain_names())]

    @rx.var
    def facet_names(self) -> list[dict]:
        """Each facet's column (its sort key) and name, in the user's language."""
        return [{"column": f["column"], "name": pick(f["title"], self.lang)} for f in self.facets]

    @rx.var
    def questionnaire_choices(self) -> list[dict]:
        """The questionnaires offered, by title in the user's language (the id means nothing to a reader)."""
        return [{"id": o["id"], "title": pick(o["title"], self.lang)} for o in self.questionnaire_options]
