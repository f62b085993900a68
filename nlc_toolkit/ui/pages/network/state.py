"""The network page's state: what the page asks for (filters, sort, page, benchmark and comparison
choices) and what services/network.view answered (a core.views.NetworkView, bound field by
field). It computes nothing; the exports are built in a worker thread."""

from __future__ import annotations

import asyncio

import reflex as rx

from nlc_toolkit.core.errors import Refused
from nlc_toolkit.core.network import MAX_COMPARED, PEER_KEYS, NetworkQuery
from nlc_toolkit.services import network as svc
from nlc_toolkit.services.uow import unit_of_work
from nlc_toolkit.ui.components import charts
from nlc_toolkit.ui.state.auth import AuthState
from nlc_toolkit.ui.state.inputs import db_id, text
from nlc_toolkit.ui.state.page import PageState

FILTER_NAMES = ("questionnaire_id", "region", "country", "population_band", "year", "version", "bench_city",
                "dist_domain")


class NetworkState(PageState, AuthState):
    # ----------------------------------------------------------------- what the page asks for
    questionnaire_id: str = ""
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
    peer_by: list[str] = ["region", "population_band"]
    dist_domain: str = ""
    compare_ids: list[str] = []

    # ----------------------------------------------------------------- what the service answered
    questionnaire_options: list[str] = []
    max_level: int = 5
    options: dict[str, list[str]] = {}
    domains: list[dict] = []
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

    def _query(self) -> NetworkQuery:
        return NetworkQuery(
            region=self.region, country=self.country, population_band=self.population_band, year=self.year,
            version=self.version, latest_only=self.latest_only, anonymise=self.anonymise, sort_by=self.sort_by,
            sort_desc=self.sort_desc, page=self.page, bench_city=self.bench_city, peer_by=tuple(self.peer_by),
            dist_domain=self.dist_domain, compare_ids=tuple(self.compare_ids),
        )

    def _read(self, s, actor) -> None:
        for name, value in svc.view(s, actor, self.questionnaire_id, self._query()).to_dict().items():
            setattr(self, name, value)

    def _refresh(self):
        """Re-read after a change of what is asked for, keeping the page on screen."""
        yield from self._load_with(self._read, keep=True)

    # ----------------------------------------------------------------- events

    @rx.event
    def load(self):
        yield from self._load_with(self._read)

    @rx.event
    def set_filter(self, name: str, value: str):
        if name in FILTER_NAMES:
            setattr(self, name, text(value, 200))
            if name == "questionnaire_id":
                self.region = self.country = self.population_band = self.year = self.version = ""
                self.compare_ids = []
            self.page = 0
        yield from self._refresh()

    @rx.event
    def toggle(self, name: str, value: bool):
        if name in ("latest_only", "anonymise"):
            setattr(self, name, bool(value))
        yield from self._refresh()

    @rx.event
    def toggle_peer(self, key: str, value: bool):
        if key not in PEER_KEYS:
            return
        peers = [k for k in self.peer_by if k != key]
        self.peer_by = peers + [key] if value else peers
        yield from self._refresh()

    @rx.event
    def sort(self, column: str):
        column = text(column, 100)
        self.sort_desc = not self.sort_desc if self.sort_by == column else column != "city"
        self.sort_by = column
        yield from self._refresh()

    @rx.event
    def go_page(self, delta: int):
        self.page = max(0, self.page + (1 if delta == 1 else -1 if delta == -1 else 0))
        yield from self._refresh()

    @rx.event
    def toggle_compare(self, city_id: str, value: bool):
        city_id = str(db_id(city_id))
        ids = [c for c in self.compare_ids if c != city_id]
        if value and len(ids) < MAX_COMPARED:
            ids.append(city_id)
        self.compare_ids = ids
        yield from self._refresh()

    # ----------------------------------------------------------------- exports

    async def _export(self, kind: str):
        """The rows of the current view as a file, built in a worker thread (a large network's
        workbook takes a while: on the event loop it would stall every socket of the process),
        in one unit of work with the sign-in check and the audit record."""
        questionnaire_id, query, outcome = self.questionnaire_id, self._query(), {}

        def run():
            with unit_of_work() as s:
                actor = self._actor(s)
                if actor is not None:
                    outcome["file"] = svc.export(s, actor, questionnaire_id, query, kind)

        try:
            await asyncio.to_thread(run)
        except Refused:
            self.error = "forbidden"
            return None
        if "file" not in outcome:
            return self._to_login()
        data, filename = outcome["file"]
        return rx.download(data=data, filename=filename)

    @rx.event
    async def export_csv(self):
        return await self._export("csv")

    @rx.event
    async def export_xlsx(self):
        return await self._export("xlsx")

    # ----------------------------------------------------------------- figures from plain rows

    @rx.var
    def bench_figure(self) -> dict:
        return charts.benchmark_figure(self.bench_rows)

    @rx.var
    def dist_figure(self) -> dict:
        return charts.distribution_figure(self.dist_counts)

    @rx.var
    def trend_figure(self) -> dict:
        return charts.trend_figure(self.trend_rows, self.compare_rows)

    @rx.var
    def compare_figure(self) -> dict:
        return charts.compare_figure([f"{d['number']}" for d in self.domains], self.compare_rows)
