"""Side by side: up to five cities on one radar and in one table, and the network's trend over
the years with their histories."""

from __future__ import annotations

import plotly.graph_objects as go
import reflex as rx

from nlc_toolkit.ui.components.i18n import t
from nlc_toolkit.ui.pages.network.state import NetworkState


def _choices() -> rx.Component:
    return rx.flex(rx.foreach(NetworkState.city_options, lambda c: rx.hstack(
        rx.checkbox(checked=NetworkState.query["compare_ids"].to(list[str]).contains(c["id"]),
                    on_change=lambda v: NetworkState.toggle_compare(c["id"], v), aria_labelledby="compare-name-" + c["id"].to(str)),
        rx.text(c["name"], size="2", id="compare-name-" + c["id"].to(str), dir="auto"), align="center", class_name="compare-option",
        min_width="12em")),
        wrap="wrap", gap="2", max_height="12em", overflow_y="auto", width="100%")


def _table() -> rx.Component:
    return rx.box(rx.el.table(
        rx.el.thead(rx.el.tr(rx.el.th(t("assessments.city")),
                             rx.foreach(NetworkState.domains, lambda d: rx.el.th(d["number"].to(str))))),
        rx.el.tbody(rx.foreach(NetworkState.compare_rows, lambda r: rx.el.tr(
            rx.el.td(rx.el.bdi(r["city"])), rx.foreach(r["texts"].to(list[str]), lambda v: rx.el.td(v, class_name="num")),
            class_name="compare-row"))),
        class_name="heat-table"), overflow_x="auto", width="100%")


def compare_tab() -> rx.Component:
    return rx.vstack(
        rx.text(t("network.compare_help"), size="2", color_scheme="gray"),
        _choices(),
        rx.box(rx.plotly(data=NetworkState.compare_figure.to(go.Figure), config={"displayModeBar": False, "responsive": True}),
               width="100%", dir="ltr", id="compare-radar"),
        _table(),
        rx.heading(t("network.trends"), size="4", as_="h3"),
        rx.box(rx.plotly(data=NetworkState.trend_figure.to(go.Figure), config={"displayModeBar": False, "responsive": True}),
               width="100%", dir="ltr", id="trend-chart"),
        width="100%",
    )
