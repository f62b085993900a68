"""Benchmark: one city's domain scores beside its peers' quartiles (peers chosen by region,
population and country), and the domains it is furthest below them."""

from __future__ import annotations

import plotly.graph_objects as go
import reflex as rx

from nlc_toolkit.core.network import MIN_PEERS
from nlc_toolkit.ui.components.i18n import localized, t
from nlc_toolkit.ui.pages.network.state import NetworkState


def city_select(value: rx.Var, on_change, id_: str) -> rx.Component:
    return rx.el.select(rx.foreach(NetworkState.city_options, lambda c: rx.el.option(c["name"], value=c["id"])),
                        value=value, on_change=on_change, id=id_, aria_label=t("assessments.city"))


def peer_toggle(key: str, label_key: str) -> rx.Component:
    return rx.hstack(rx.checkbox(checked=NetworkState.query["peer_by"].to(list[str]).contains(key),
                                 on_change=lambda v: NetworkState.toggle_peer(key, v), id=f"peer-{key}",
                                 aria_labelledby=f"peer-{key}-label"),
                     rx.text(t(label_key), size="2", id=f"peer-{key}-label"), align="center")


def _table() -> rx.Component:
    return rx.box(rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(k)) for k in (
            "results.domain", "assessments.city", "network.q1", "network.median", "network.q3", "results.gap")])),
        rx.table.body(rx.foreach(NetworkState.bench_rows, lambda r: rx.table.row(
            rx.table.cell(r["number"].to(str), ". ", localized(r["title"])), rx.table.cell(r["city"]),
            rx.table.cell(r["q1"]), rx.table.cell(r["median"]), rx.table.cell(r["q3"]),
            rx.table.cell(rx.text(r["gap_text"], dir="ltr")), class_name="bench-row"))),
        size="1", width="100%"), overflow_x="auto", width="100%")


def benchmark_tab() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            city_select(NetworkState.query["bench_city"].to(str), lambda v: NetworkState.set_filter("bench_city", v), "bench-city"),
            rx.text(t("network.peers_by"), size="2"),
            peer_toggle("region", "admin.region"),
            peer_toggle("population_band", "admin.population"),
            peer_toggle("country", "admin.country"),
            rx.badge(NetworkState.peers_text, id="peer-count"),
            wrap="wrap", align="center",
        ),
        rx.cond(NetworkState.bench_peers < MIN_PEERS, rx.text(t("results.too_few_peers"), size="2", id="too-few-peers")),
        rx.box(rx.plotly(data=NetworkState.bench_figure.to(go.Figure), config={"displayModeBar": False, "responsive": True}),
               width="100%", dir="ltr"),
        rx.text(t("network.furthest_below"), weight="bold"),
        rx.vstack(rx.foreach(NetworkState.furthest_below, lambda r: rx.text(
            r["number"].to(str), ". ", localized(r["title"]), " (", r["gap_text"], ")", class_name="below-peer")),
            id="furthest-below"),
        _table(),
        width="100%", id="benchmark",
    )
