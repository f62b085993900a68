"""Distribution: how many cities are at each level of one domain, and the questions most cities
are lowest on (what training to offer)."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit.ui.components.charts import chart
from nlc_toolkit.ui.components.i18n import localized, t
from nlc_toolkit.ui.pages.network.state import NetworkState


def distribution_tab() -> rx.Component:
    return rx.vstack(
        rx.el.select(rx.foreach(NetworkState.domains, lambda d: rx.el.option(
            d["number"].to(str) + ". " + localized(d["title"]), value=d["id"])),
            value=NetworkState.query["dist_domain"].to(str), on_change=lambda v: NetworkState.set_filter("dist_domain", v),
            aria_label=t("results.domain"), id="dist-domain"),
        rx.text(t("network.distribution_help"), size="2", color_scheme="gray"),
        chart(NetworkState.dist_figure, NetworkState.dist_table, "dist-chart", "network.dist_label",
              "network.dist_caption"),
        rx.heading(t("network.common_gaps"), size="4", as_="h3"),
        rx.text(t("network.common_gaps_help"), size="2", color_scheme="gray"),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(k)) for k in (
                "export.question", "network.cities", "network.share_low", "network.mean")])),
            rx.table.body(rx.foreach(NetworkState.gap_texts, lambda g: rx.table.row(
                rx.table.cell(localized(g["text"])), rx.table.cell(g["cities"].to(str)), rx.table.cell(g["share_text"]),
                rx.table.cell(g["mean"]), class_name="common-gap-row"))),
            size="1", width="100%",
        ),
        width="100%",
    )
