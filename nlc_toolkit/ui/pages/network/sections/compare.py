"""Side by side: up to five cities on one radar and in one table, and the network's trend over
the years with their histories."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit.ui.components.charts import chart
from nlc_toolkit.ui.components.i18n import t
from nlc_toolkit.ui.pages.network.state import NetworkState


def _choices() -> rx.Component:
    return rx.flex(rx.foreach(NetworkState.city_options, lambda c: rx.hstack(
        rx.checkbox(checked=NetworkState.query["compare_ids"].to(list[str]).contains(c["id"]),
                    on_change=lambda v: NetworkState.toggle_compare(c["id"], v), id="compare-" + c["id"].to(str)),
        # A Radix checkbox is a <button>: the label names it (axe: button-name).
        rx.el.label(c["name"], html_for="compare-" + c["id"].to(str), font_size="var(--font-size-2)"),
        align="center", class_name="compare-option", min_width="12em")),
        wrap="wrap", gap="2", max_height="12em", overflow_y="auto", width="100%")


def compare_tab() -> rx.Component:
    return rx.vstack(
        rx.text(t("network.compare_help"), size="2", color_scheme="gray"),
        _choices(),
        # The radar's axes are numbered; its table, always shown, names each domain in full.
        chart(NetworkState.compare_figure, NetworkState.compare_table, "compare-radar", "network.compare_label",
              "network.compare_caption", table_shown=True),
        rx.heading(t("network.trends"), size="4", as_="h3"),
        chart(NetworkState.trend_figure, NetworkState.trend_table, "trend-chart", "network.trend_label",
              "network.trend_caption"),
        width="100%",
    )
