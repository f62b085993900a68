"""The network view for Strong Cities staff: compare cities, benchmark against peers, common gaps,
trends and side-by-side comparison; export of the current view, optionally anonymised."""

from __future__ import annotations

import io
import logging
import re

import pandas as pd
import plotly.graph_objects as go
import reflex as rx

from nlc_toolkit import routes
from nlc_toolkit.core import network as net
from nlc_toolkit.core.errors import Refused
from nlc_toolkit.core.exports.spreadsheets import safe
from nlc_toolkit.core.network import MIN_PEERS
from nlc_toolkit.services import network as svc
from nlc_toolkit.services.uow import unit_of_work
from nlc_toolkit.ui.components import charts
from nlc_toolkit.ui.components.feedback import loading_or_error, notice
from nlc_toolkit.ui.components.i18n import localized, t
from nlc_toolkit.ui.components.shell import page
from nlc_toolkit.ui.state.auth import AuthState
from nlc_toolkit.ui.state.inputs import db_id, text

logger = logging.getLogger(__name__)
PAGE_SIZE = 50
PEER_KEYS = ["region", "population_band", "country"]


def _cell_colour(score) -> str:
    """Cividis-like steps (colour-blind safe); the number is always printed in the cell too."""
    if score is None or pd.isna(score):
        return "var(--gray-a3)"
    steps = ["#00204d", "#31446b", "#666970", "#958f78", "#cbba69", "#ffea46"]
    return steps[min(5, int(score // 20))]


class NetworkState(AuthState):
    loading: bool = True
    error: str = ""
    questionnaire_options: list[str] = []
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
    options: dict[str, list[str]] = {}
    domains: list[dict] = []
    rows: list[dict] = []
    total: int = 0
    # benchmark
    city_options: list[dict] = []
    bench_city: str = ""
    peer_by: list[str] = ["region", "population_band"]
    bench_rows: list[dict] = []
    bench_peers: int = 0
    # distribution and gaps
    dist_domain: str = ""
    dist_counts: list[int] = []
    gap_rows: list[dict] = []
    max_level: int = 5
    # trends and side by side
    trend_rows: list[dict] = []
    compare_ids: list[str] = []
    compare_rows: list[dict] = []

    # ----------------------------------------------------------------- data

    def _frame(self, actor):
        with unit_of_work() as s:
            if not self.questionnaire_options:
                self.questionnaire_options = svc.questionnaire_ids(s, actor)
                if self.questionnaire_options and not self.questionnaire_id:
                    self.questionnaire_id = ("nlc-quick-scan" if "nlc-quick-scan" in self.questionnaire_options
                                             else self.questionnaire_options[0])
            return svc.network_frame(s, actor, self.questionnaire_id)

    def _names(self, frame: pd.DataFrame) -> dict[int, str]:
        if self.anonymise:
            return net.anonymised_names(list(frame["city_id"]))
        return dict(zip(frame["city_id"], frame["city"]))

    def _compute(self) -> None:
        actor = self._actor()
        if actor is None:
            raise PermissionError
        frame, levels, q = self._frame(actor)
        if q is None:
            self.rows, self.domains, self.total, self.city_options = [], [], 0, []
            self.bench_rows, self.gap_rows, self.trend_rows, self.compare_rows, self.dist_counts = [], [], [], [], []
            return
        self.max_level = q.max_level
        self.domains = [{"id": d.id, "title": dict(d.title), "number": i + 1} for i, d in enumerate(q.domains)]
        domain_ids = [d.id for d in q.domains]
        self.options = {c: sorted(frame[c].astype(str).unique().tolist()) for c in
                        ("region", "country", "population_band", "year", "version")}
        names = self._names(frame)

        filtered = net.filter_frame(frame, region=self.region, country=self.country,
                                    population_band=self.population_band, version=self.version)
        trend_source = filtered
        if self.year:
            filtered = net.filter_frame(filtered, year=self.year)
        view = net.latest_per_city(filtered) if self.latest_only else filtered
        key = self.sort_by if self.sort_by in view.columns else "overall"
        if key == "city":
            view = view.assign(_label=view["city_id"].map(names)).sort_values("_label", ascending=not self.sort_desc)
        else:
            view = view.sort_values(key, ascending=not self.sort_desc, na_position="last")
        self.total = len(view)
        self.page = min(self.page, max(0, (self.total - 1) // PAGE_SIZE))
        shown = view.iloc[self.page * PAGE_SIZE:(self.page + 1) * PAGE_SIZE]
        self.rows = [
            {"assessment": int(r.assessment), "city": names[r.city_id], "region": r.region, "country": r.country,
             "year": int(r.year), "round": int(r.round),
             "overall": "–" if pd.isna(r.overall) else f"{r.overall:.0f}",
             "cells": [{"domain": d, "text": "–" if pd.isna(getattr(r, d)) else f"{getattr(r, d):.0f}",
                        "colour": _cell_colour(getattr(r, d)),
                        "ink": "#000" if not pd.isna(getattr(r, d)) and getattr(r, d) >= 60 else "#fff"}
                       for d in domain_ids]}
            for r in shown.itertuples(index=False)
        ]

        latest = net.latest_per_city(net.filter_frame(frame, version=self.version))
        self.city_options = sorted(({"id": str(c), "name": names[c]} for c in latest["city_id"]), key=lambda x: x["name"])
        if self.bench_city not in {c["id"] for c in self.city_options}:
            self.bench_city = self.city_options[0]["id"] if self.city_options else ""
        self.bench_rows, self.bench_peers = [], 0
        if self.bench_city:
            city_row = latest[latest["city_id"] == int(self.bench_city)].iloc[0]
            peers = net.peers_of(latest, city_row, [k for k in self.peer_by if k in PEER_KEYS])
            self.bench_peers = len(peers)
            result = net.benchmark(city_row, peers, domain_ids)
            fmt = lambda v: "–" if pd.isna(v) else f"{v:.0f}"  # noqa: E731
            self.bench_rows = [
                {"domain": d, "title": dict(q.domains[i].title), "number": i + 1, "city": fmt(result.at[d, "city"]),
                 "median": fmt(result.at[d, "median"]), "q1": fmt(result.at[d, "q1"]), "q3": fmt(result.at[d, "q3"]),
                 "gap": None if pd.isna(result.at[d, "gap"]) else float(result.at[d, "gap"]),
                 "gap_text": "–" if pd.isna(result.at[d, "gap"]) else f"{result.at[d, 'gap']:+.0f}",
                 "c": None if pd.isna(result.at[d, "city"]) else float(result.at[d, "city"]),
                 "m": None if pd.isna(result.at[d, "median"]) else float(result.at[d, "median"]),
                 "lo": None if pd.isna(result.at[d, "q1"]) else float(result.at[d, "q1"]),
                 "hi": None if pd.isna(result.at[d, "q3"]) else float(result.at[d, "q3"])}
                for i, d in enumerate(domain_ids)
            ]

        in_view = levels[levels["assessment"].isin(view["assessment"])]
        if self.dist_domain not in domain_ids:
            self.dist_domain = domain_ids[0]
        domain_questions = [x.id for x in q.domains[domain_ids.index(self.dist_domain)].questions]
        self.dist_counts = net.distribution(in_view[in_view["question"].isin(domain_questions)]["level"], q.max_level)
        gaps = net.common_gaps(in_view, q.max_level).head(15)
        self.gap_rows = [
            {"question": qid, "text": dict(q.question_by_id[qid].text) if qid in q.question_by_id else {"en": qid},
             "cities": int(row.cities), "share": f"{100 * row.share_low:.0f}%", "mean": f"{row.mean_pct:.0f}"}
            for qid, row in gaps.iterrows()
        ]

        network_trend = net.trend(trend_source)
        self.trend_rows = [{"year": int(r.year), "median": None if pd.isna(r.overall) else float(r.overall)}
                           for r in network_trend.itertuples(index=False)]
        wanted = [int(c) for c in self.compare_ids if c.isdigit()]
        chosen = latest[latest["city_id"].isin(wanted)]
        self.compare_rows = [
            {"city": names[r["city_id"]], "city_id": int(r["city_id"]),
             "scores": [None if pd.isna(r[d]) else float(r[d]) for d in domain_ids],
             "texts": ["–" if pd.isna(r[d]) else f"{r[d]:.0f}" for d in domain_ids],
             "history": [{"year": int(h.year), "overall": None if pd.isna(h.overall) else float(h.overall)}
                         for h in frame[frame["city_id"] == r["city_id"]].sort_values(["year", "round"]).itertuples()]}
            for _, r in chosen.iterrows()
        ]

    def _refresh(self):
        try:
            self._compute()
            self.error = ""
        except Refused:
            self.error = "forbidden"
        except PermissionError:
            return self._to_login()
        except Exception:  # noqa: BLE001 - shown as a page state, details in the log
            logger.exception("network: computing the view failed")
            self.error = "load"
        return None

    @rx.event
    def load(self):
        if self._actor() is None:
            return self._to_login()
        self.loading = True
        yield
        result = self._refresh()
        self.loading = False
        yield result

    @rx.event
    def set_filter(self, name: str, value: str):
        if name in ("questionnaire_id", "region", "country", "population_band", "year", "version", "bench_city",
                    "dist_domain"):
            setattr(self, name, text(value, 200))
            if name == "questionnaire_id":
                self.region = self.country = self.population_band = self.year = self.version = ""
                self.compare_ids = []
            self.page = 0
        return self._refresh()

    @rx.event
    def toggle(self, name: str, value: bool):
        if name in ("latest_only", "anonymise"):
            setattr(self, name, bool(value))
        return self._refresh()

    @rx.event
    def toggle_peer(self, key: str, value: bool):
        if key not in PEER_KEYS:
            return None
        peers = [k for k in self.peer_by if k != key]
        self.peer_by = peers + [key] if value else peers
        return self._refresh()

    @rx.event
    def sort(self, column: str):
        column = text(column, 100)
        self.sort_desc = not self.sort_desc if self.sort_by == column else column != "city"
        self.sort_by = column
        return self._refresh()

    @rx.event
    def go_page(self, delta: int):
        self.page = max(0, self.page + (1 if delta == 1 else -1 if delta == -1 else 0))
        return self._refresh()

    @rx.event
    def toggle_compare(self, city_id: str, value: bool):
        city_id = str(db_id(city_id))
        ids = [c for c in self.compare_ids if c != city_id]
        if value and len(ids) < 5:
            ids.append(city_id)
        self.compare_ids = ids
        return self._refresh()

    # ----------------------------------------------------------------- exports

    def _export_frame(self) -> pd.DataFrame:
        actor = self._actor()
        frame, _, q = self._frame(actor)
        if q is None:
            return pd.DataFrame()
        filtered = net.filter_frame(frame, region=self.region, country=self.country,
                                    population_band=self.population_band, version=self.version, year=self.year)
        view = net.latest_per_city(filtered) if self.latest_only else filtered
        names = self._names(frame)
        out = pd.DataFrame({"city": view["city_id"].map(names), "region": view["region"],
                            "population_band": view["population_band"], "year": view["year"],
                            "round": view["round"], "overall": view["overall"].round(1)})
        if not self.anonymise:
            out.insert(1, "country", view["country"])
        for d in q.domains:
            out[d.id] = view[d.id].round(1)
        return out.map(safe)

    def _exported(self, kind: str) -> str | None:
        """Record the export in the audit log; the file's name (safe parts only), or None."""
        actor = self._actor()
        if actor is None:
            return None
        with unit_of_work() as s:
            svc.record_export(s, actor, self.questionnaire_id, kind, self.anonymise)
        slug = re.sub(r"[^a-z0-9.-]+", "-", str(self.questionnaire_id).lower())[:60] or "network"
        return f"nlc-network-{slug}.{kind}"

    @rx.event
    def export_csv(self):
        filename = self._exported("csv")
        if filename is None:
            return self._to_login()
        data = ("\ufeff" + self._export_frame().to_csv(index=False)).encode("utf-8")
        return rx.download(data=data, filename=filename)

    @rx.event
    def export_xlsx(self):
        filename = self._exported("xlsx")
        if filename is None:
            return self._to_login()
        buffer = io.BytesIO()
        self._export_frame().to_excel(buffer, index=False, sheet_name="network")
        return rx.download(data=buffer.getvalue(), filename=filename)

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

    @rx.var
    def furthest_below(self) -> list[dict]:
        rows = [r for r in self.bench_rows if r["gap"] is not None and r["gap"] < 0]
        return sorted(rows, key=lambda r: r["gap"])[:3]

    @rx.var
    def page_text(self) -> str:
        if not self.total:
            return "0"
        return f"{self.page * PAGE_SIZE + 1}–{min(self.total, (self.page + 1) * PAGE_SIZE)} / {self.total}"


# ===================================================================== components


def select_filter(name: str, label_key: str, options: rx.Var, value: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.el.label(t(label_key), html_for=f"filter-{name}", font_size="0.8em"),
        rx.el.select(
            rx.el.option(t("network.all"), value=""),
            rx.foreach(options, lambda o: rx.el.option(o, value=o)),
            id=f"filter-{name}", value=value, on_change=lambda v: NetworkState.set_filter(name, v),
        ),
        spacing="1",
    )


def filters() -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.el.label(t("assessments.questionnaire"), html_for="filter-questionnaire", font_size="0.8em"),
            rx.el.select(rx.foreach(NetworkState.questionnaire_options, lambda o: rx.el.option(o, value=o)),
                         id="filter-questionnaire", value=NetworkState.questionnaire_id,
                         on_change=lambda v: NetworkState.set_filter("questionnaire_id", v)),
            spacing="1",
        ),
        select_filter("region", "admin.region", NetworkState.options["region"].to(list[str]), NetworkState.region),
        select_filter("country", "admin.country", NetworkState.options["country"].to(list[str]), NetworkState.country),
        select_filter("population_band", "admin.population", NetworkState.options["population_band"].to(list[str]),
                      NetworkState.population_band),
        select_filter("year", "assessments.year", NetworkState.options["year"].to(list[str]), NetworkState.year),
        select_filter("version", "network.version", NetworkState.options["version"].to(list[str]), NetworkState.version),
        rx.hstack(rx.switch(checked=NetworkState.latest_only, on_change=lambda v: NetworkState.toggle("latest_only", v),
                            id="latest-only"), rx.text(t("network.latest_only"), size="2"), align="center"),
        rx.hstack(rx.switch(checked=NetworkState.anonymise, on_change=lambda v: NetworkState.toggle("anonymise", v),
                            id="anonymise"), rx.text(t("network.anonymise"), size="2"), align="center"),
        wrap="wrap", align="end", spacing="4",
    )


def heat_table() -> rx.Component:
    return rx.vstack(
        rx.box(
            rx.el.table(
                rx.el.thead(rx.el.tr(
                    rx.el.th(rx.button(t("assessments.city"), variant="ghost", size="1",
                                       on_click=NetworkState.sort("city")), class_name="sticky-col"),
                    rx.el.th(rx.button(t("results.overall"), variant="ghost", size="1", on_click=NetworkState.sort("overall"))),
                    rx.foreach(NetworkState.domains, lambda d: rx.el.th(rx.tooltip(
                        rx.button(d["number"].to(str), variant="ghost", size="1", on_click=NetworkState.sort(d["id"])),
                        content=localized(d["title"])))),
                )),
                rx.el.tbody(rx.foreach(NetworkState.rows, lambda r: rx.el.tr(
                    rx.el.td(rx.link(r["city"], href="/assessments/" + r["assessment"].to(str) + "/results"),
                             rx.text(r["year"].to(str), size="1", color_scheme="gray"), class_name="sticky-col"),
                    rx.el.td(r["overall"], class_name="num"),
                    rx.foreach(r["cells"].to(list[dict]), lambda c: rx.el.td(
                        rx.link(c["text"], href="/assessments/" + r["assessment"].to(str) + "/results?domain="
                                + c["domain"].to(str), color=c["ink"], underline="none"),
                        background=c["colour"], class_name="heat-cell", data_domain=c["domain"])),
                    class_name="network-row",
                ))),
                class_name="heat-table",
            ),
            overflow_x="auto", width="100%", id="network-heatmap",
        ),
        rx.hstack(
            rx.button("‹", on_click=NetworkState.go_page(-1), variant="soft", size="1", aria_label=t("network.previous")),
            rx.text(NetworkState.page_text, size="2", id="page-text"),
            rx.button("›", on_click=NetworkState.go_page(1), variant="soft", size="1", aria_label=t("network.next")),
            rx.spacer(),
            rx.button(t("network.export_csv"), on_click=NetworkState.export_csv, variant="soft", size="1", id="export-csv"),
            rx.button(t("results.download_xlsx"), on_click=NetworkState.export_xlsx, variant="soft", size="1",
                      id="export-xlsx"),
            width="100%", align="center",
        ),
        width="100%",
    )


def city_select(value: rx.Var, on_change, id_: str) -> rx.Component:
    return rx.el.select(rx.foreach(NetworkState.city_options, lambda c: rx.el.option(c["name"], value=c["id"])),
                        value=value, on_change=on_change, id=id_, aria_label=t("assessments.city"))


def peer_toggle(key: str, label_key: str) -> rx.Component:
    return rx.hstack(rx.checkbox(checked=NetworkState.peer_by.contains(key),
                                 on_change=lambda v: NetworkState.toggle_peer(key, v), id=f"peer-{key}"),
                     rx.text(t(label_key), size="2"), align="center")


def benchmark_tab() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            city_select(NetworkState.bench_city, lambda v: NetworkState.set_filter("bench_city", v), "bench-city"),
            rx.text(t("network.peers_by"), size="2"),
            peer_toggle("region", "admin.region"),
            peer_toggle("population_band", "admin.population"),
            peer_toggle("country", "admin.country"),
            rx.badge(NetworkState.bench_peers.to(str), " ", t("network.peers"), id="peer-count"),
            wrap="wrap", align="center",
        ),
        rx.cond(NetworkState.bench_peers < MIN_PEERS, rx.text(t("results.too_few_peers"), size="2", id="too-few-peers")),
        rx.box(rx.plotly(data=NetworkState.bench_figure.to(go.Figure), config={"displayModeBar": False, "responsive": True}),
               width="100%", dir="ltr"),
        rx.text(t("network.furthest_below"), weight="bold"),
        rx.vstack(rx.foreach(NetworkState.furthest_below, lambda r: rx.text(
            r["number"].to(str), ". ", localized(r["title"]), " (", r["gap_text"], ")", class_name="below-peer")),
            id="furthest-below"),
        rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(k)) for k in (
                "results.domain", "assessments.city", "network.q1", "network.median", "network.q3", "results.gap")])),
            rx.table.body(rx.foreach(NetworkState.bench_rows, lambda r: rx.table.row(
                rx.table.cell(r["number"].to(str), ". ", localized(r["title"])), rx.table.cell(r["city"]),
                rx.table.cell(r["q1"]), rx.table.cell(r["median"]), rx.table.cell(r["q3"]),
                rx.table.cell(rx.text(r["gap_text"], dir="ltr")), class_name="bench-row"))),
            size="1", width="100%"), overflow_x="auto", width="100%"),
        width="100%", id="benchmark",
    )


def distribution_tab() -> rx.Component:
    return rx.vstack(
        rx.el.select(rx.foreach(NetworkState.domains, lambda d: rx.el.option(
            d["number"].to(str) + ". " + localized(d["title"]), value=d["id"])),
            value=NetworkState.dist_domain, on_change=lambda v: NetworkState.set_filter("dist_domain", v),
            aria_label=t("results.domain"), id="dist-domain"),
        rx.text(t("network.distribution_help"), size="2", color_scheme="gray"),
        rx.box(rx.plotly(data=NetworkState.dist_figure.to(go.Figure), config={"displayModeBar": False, "responsive": True}),
               width="100%", dir="ltr"),
        rx.heading(t("network.common_gaps"), size="4", as_="h3"),
        rx.text(t("network.common_gaps_help"), size="2", color_scheme="gray"),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(k)) for k in (
                "export.question", "network.cities", "network.share_low", "network.mean")])),
            rx.table.body(rx.foreach(NetworkState.gap_rows, lambda g: rx.table.row(
                rx.table.cell(localized(g["text"])), rx.table.cell(g["cities"].to(str)), rx.table.cell(g["share"]),
                rx.table.cell(g["mean"]), class_name="common-gap-row"))),
            size="1", width="100%",
        ),
        width="100%",
    )


def compare_tab() -> rx.Component:
    return rx.vstack(
        rx.text(t("network.compare_help"), size="2", color_scheme="gray"),
        rx.flex(rx.foreach(NetworkState.city_options, lambda c: rx.hstack(
            rx.checkbox(checked=NetworkState.compare_ids.contains(c["id"]),
                        on_change=lambda v: NetworkState.toggle_compare(c["id"], v)),
            rx.text(c["name"], size="2"), align="center", class_name="compare-option", min_width="12em")),
            wrap="wrap", gap="2", max_height="12em", overflow_y="auto", width="100%"),
        rx.box(rx.plotly(data=NetworkState.compare_figure.to(go.Figure), config={"displayModeBar": False, "responsive": True}),
               width="100%", dir="ltr", id="compare-radar"),
        rx.box(rx.el.table(
            rx.el.thead(rx.el.tr(rx.el.th(t("assessments.city")),
                                 rx.foreach(NetworkState.domains, lambda d: rx.el.th(d["number"].to(str))))),
            rx.el.tbody(rx.foreach(NetworkState.compare_rows, lambda r: rx.el.tr(
                rx.el.td(r["city"]), rx.foreach(r["texts"].to(list[str]), lambda v: rx.el.td(v, class_name="num")),
                class_name="compare-row"))),
            class_name="heat-table"), overflow_x="auto", width="100%"),
        rx.heading(t("network.trends"), size="4", as_="h3"),
        rx.box(rx.plotly(data=NetworkState.trend_figure.to(go.Figure), config={"displayModeBar": False, "responsive": True}),
               width="100%", dir="ltr", id="trend-chart"),
        width="100%",
    )


@page(routes.NETWORK, on_load=[NetworkState.load])
def network() -> rx.Component:
    return rx.vstack(
        rx.heading(t("network.title"), size="7", as_="h1"),
        rx.cond(
            NetworkState.error == "forbidden",
            notice(t("error.forbidden"), icon="lock", color="gray", id="forbidden"),
            loading_or_error(
                NetworkState.loading, NetworkState.error, NetworkState.load,
                rx.vstack(
                    filters(),
                    rx.tabs.root(
                        rx.tabs.list(
                            rx.tabs.trigger(t("network.compare_cities"), value="heatmap"),
                            rx.tabs.trigger(t("network.benchmark"), value="benchmark"),
                            rx.tabs.trigger(t("network.distribution"), value="distribution"),
                            rx.tabs.trigger(t("network.side_by_side"), value="compare"),
                        ),
                        rx.tabs.content(heat_table(), value="heatmap", padding_top="1em"),
                        rx.tabs.content(benchmark_tab(), value="benchmark", padding_top="1em"),
                        rx.tabs.content(distribution_tab(), value="distribution", padding_top="1em"),
                        rx.tabs.content(compare_tab(), value="compare", padding_top="1em"),
                        default_value="heatmap", width="100%",
                    ),
                    width="100%", spacing="4",
                ),
            ),
        ),
        spacing="4", width="100%",
    )
