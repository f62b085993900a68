"""Benchmark: one city's domain scores beside its peers' quartiles (peers chosen by region,
population and country), and the domains it is furthest below them."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit.core.network import MIN_PEERS
from nlc_toolkit.ui.components.charts import chart
from nlc_toolkit.ui.components.i18n import localized, t
from nlc_toolkit.ui.pages.network.state import NetworkState


def city_select(value: rx.Var, on_change, id_: str) -> rx.Component:
    return rx.el.select(rx.foreach(NetworkState.city_options, lambda c: rx.el.option(c["name"], value=c["id"])),
                        value=value, on_change=on_change, id=id_, aria_label=t("assessments.city"))


def peer_toggle(key: str, label_key: str) -> rx.Component:
    # A Radix checkbox is a <button>: the label names it (axe: button-name).
    return rx.hstack(rx.checkbox(checked=NetworkState.query["peer_by"].to(list[str]).contains(key),
                                 on_change=lambda v: NetworkState.toggle_peer(key, v), id=f"peer-{key}"),
                     rx.el.label(t(label_key), html_for=f"peer-{key}", font_size="var(--font-size-2)"), align="center")


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
        # The table under the chart names the numbered domains and holds its numbers.
        chart(NetworkState.bench_figure, NetworkState.bench_table, "bench-chart", "network.bench_label",
              "network.bench_caption", table_shown=True, row_class="bench-row"),
        rx.text(t("network.furthest_below"), weight="bold"),
        rx.vstack(rx.foreach(NetworkState.furthest_below, lambda r: rx.text(
            r["number"].to(str), ". ", localized(r["title"]), " (", r["gap_text"], ")", class_name="below-peer")),
            id="furthest-below"),
        width="100%", id="benchmark",
    )
