"""Compare cities: the heatmap of domain scores, after the overall and facet scores (a cell opens that city's drill-down of that
domain), sortable by any column, paged, and exported as CSV or XLSX."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit.ui.components.feedback import preparing
from nlc_toolkit.ui.components.i18n import t
from nlc_toolkit.ui.pages.network.state import NetworkState


def _header() -> rx.Component:
    return rx.el.thead(rx.el.tr(
        rx.el.th(rx.button(t("assessments.city"), variant="ghost", size="1", on_click=NetworkState.sort("city")),
                 class_name="sticky-col"),
        rx.el.th(rx.button(t("results.overall"), variant="ghost", size="1", on_click=NetworkState.sort("overall"))),
        # Facets (e.g. the national-local interface) beside overall, named in full: there are few.
        rx.foreach(NetworkState.facet_names, lambda f: rx.el.th(
            rx.button(f["name"], variant="ghost", size="1", on_click=NetworkState.sort(f["column"].to(str))),
            scope="col", class_name="facet-col")),
        # A column is a domain's number (17 names would not fit); the button is named by the
        # domain in full, so a screen reader reads the name as each cell's column header, and the
        # legend above the table lists every number with its name.
        rx.foreach(NetworkState.domain_names, lambda d: rx.el.th(rx.tooltip(
            rx.button(d["number"].to(str), variant="ghost", size="1", on_click=NetworkState.sort(d["id"]),
                      aria_label=d["name"]),
            content=d["name"]), scope="col", class_name="domain-col", data_domain=d["id"])),
    ))


def domain_legend() -> rx.Component:
    """Each column's number with the domain's name in full."""
    return rx.box(
        rx.text(t("network.domain_legend"), size="2", weight="bold", id="domain-legend-title"),
        rx.el.ul(rx.foreach(NetworkState.domain_names, lambda d: rx.el.li(d["name"], data_domain=d["id"])),
                 class_name="domain-legend", aria_labelledby="domain-legend-title"),
        id="domain-legend", width="100%",
    )


def _row(r) -> rx.Component:
    results = "/assessments/" + r["assessment"].to(str) + "/results"
    return rx.el.tr(
        rx.el.td(rx.link(r["city"], href=results, dir="auto"),
                 rx.text(r["year"].to(str), size="1", color_scheme="gray"), class_name="sticky-col"),
        rx.el.td(r["overall"], class_name="num"),
        rx.foreach(r["facets"].to(list[str]), lambda v: rx.el.td(v, class_name="num facet-score")),
        rx.foreach(r["cells"].to(list[dict]), lambda c: rx.el.td(
            rx.link(c["text"], href=results + "?domain=" + c["domain"].to(str), color=c["ink"], underline="none"),
            background=c["colour"], class_name="heat-cell", data_domain=c["domain"])),
        class_name="network-row",
    )


def pager_and_exports() -> rx.Component:
    return rx.hstack(
        rx.button("‹", on_click=NetworkState.go_page(-1), variant="soft", size="1", aria_label=t("network.previous")),
        rx.text(NetworkState.page_text, size="2", id="page-text"),
        rx.button("›", on_click=NetworkState.go_page(1), variant="soft", size="1", aria_label=t("network.next")),
        rx.spacer(),
        preparing(NetworkState),
        rx.button(t("network.export_csv"), on_click=NetworkState.export("csv"), variant="soft", size="1", id="export-csv",
                  loading=NetworkState.preparing == "csv", disabled=NetworkState.preparing != ""),
        rx.button(t("results.download_xlsx"), on_click=NetworkState.export("xlsx"), variant="soft", size="1",
                  id="export-xlsx", loading=NetworkState.preparing == "xlsx", disabled=NetworkState.preparing != ""),
        width="100%", align="center",
    )


def heat_table() -> rx.Component:
    return rx.vstack(
        domain_legend(),
        rx.box(
            rx.el.table(_header(), rx.el.tbody(rx.foreach(NetworkState.rows, _row)), class_name="heat-table"),
            overflow_x="auto", width="100%", id="network-heatmap",
        ),
        pager_and_exports(),
        width="100%",
    )
