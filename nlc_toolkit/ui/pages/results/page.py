"""The scored dashboard of an assessment: scores, radar, levels by group, the local-national gap,
domain drill-down, grouped recommendations, the action plan, reports and spreadsheets. This module
composes the sections (sections/); the state is in state.py."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit import routes
from nlc_toolkit.ui.components.charts import chart
from nlc_toolkit.ui.components.feedback import message_banner, page_guard, status_badge
from nlc_toolkit.ui.components.i18n import localized, t
from nlc_toolkit.ui.components.shell import page
from nlc_toolkit.ui.pages.results.sections.action_plan import action_row
from nlc_toolkit.ui.pages.results.sections.drilldown import drilldown
from nlc_toolkit.ui.pages.results.sections.files import downloads, importer
from nlc_toolkit.ui.pages.results.sections.recommendations import kpi, rec_group
from nlc_toolkit.ui.pages.results.state import MESSAGES, ResultsState


def dashboard() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading(rx.el.bdi(ResultsState.head["city"].to(str)), size="7", as_="h1", id="results-city"),
            status_badge(ResultsState.head["status"].to(str)),
            rx.spacer(),
            rx.link(t("results.back"), href="/assessments/" + ResultsState.head["id"].to(str)),
            width="100%", align="center", wrap="wrap",
        ),
        rx.text(localized(ResultsState.head["title"]), " · ", ResultsState.head["year"].to(str), color_scheme="gray"),
        message_banner(ResultsState, MESSAGES, "results-message"),
        rx.hstack(kpi("results.overall", ResultsState.overall_text, "overall-score"),
                  kpi("results.band", ResultsState.band_text, "band"),
                  kpi("results.completeness", ResultsState.completeness_text, "completeness"),
                  rx.foreach(ResultsState.facet_rows, lambda f: rx.card(rx.vstack(
                      rx.text(f["title_text"], size="2", color_scheme="gray"),
                      rx.heading(f["score_text"], size="7"),
                      rx.text(f["count_text"], size="1", color_scheme="gray"), spacing="1"),
                      min_width="10em", class_name="facet-score", data_facet=f["id"])),
                  wrap="wrap"),
        downloads(),
        rx.heading(t("results.radar"), size="5", as_="h2"),
        # The radar's table is the domain list the page always showed: visible, the full names.
        chart(ResultsState.radar, ResultsState.radar_table, "radar", "results.radar_label", "results.radar_caption",
              table_shown=True, row_class="domain-score-row"),
        rx.cond(ResultsState.too_few_peers, rx.text(t("results.too_few_peers"), size="2", color_scheme="gray",
                                                    id="too-few-peers")),
        rx.heading(t("results.heatmap"), size="5", as_="h2"),
        rx.text(t("results.heatmap_help"), size="2", color_scheme="gray"),
        chart(ResultsState.heatmap, ResultsState.heatmap_table, "heatmap", "results.heatmap_label",
              "results.heatmap_caption"),
        rx.heading(t("results.gap_title"), size="5", as_="h2", id="gap-title"),
        rx.text(t("results.gap_help"), size="2", color_scheme="gray"),
        # A plain table in a region a keyboard can scroll (a phone may still be narrower than it).
        rx.cond(ResultsState.gaps.length() > 0, rx.box(rx.el.table(
            rx.el.thead(rx.el.tr(*[rx.el.th(t(k), scope="col") for k in (
                "export.question", "group.municipality", "group.national", "results.gap")])),
            rx.el.tbody(rx.foreach(ResultsState.gaps, lambda g: rx.el.tr(
                rx.el.td(g["text"]), rx.el.td(g["local_text"], class_name="num"),
                rx.el.td(g["national_text"], class_name="num"),
                rx.el.td(rx.badge(g["gap_text"], dir="ltr",
                                  color_scheme=rx.cond(g["gap"].to(float) > 0, "orange", "blue"))),
                class_name="gap-row"))),
            class_name="plain-table"), width="100%", overflow_x="auto", id="gap-table", tab_index=0, role="region",
            aria_labelledby="gap-title"),
            rx.text(t("results.no_gap"))),
        rx.heading(t("results.drilldown"), size="5", as_="h2"),
        drilldown(),
        rx.heading(t("results.recommendations"), size="5", as_="h2"),
        rec_group("results.quick_wins", ResultsState.quick_wins, "quick-wins"),
        rec_group("results.strategic", ResultsState.strategic, "strategic"),
        rec_group("results.national_asks", ResultsState.national_asks, "national-asks"),
        rx.heading(t("actions.heading"), size="5", as_="h2"),
        rx.cond(ResultsState.actions.length() > 0,
                rx.vstack(rx.foreach(ResultsState.actions, action_row), width="100%", id="action-plan"),
                rx.text(t("results.no_actions"))),
        rx.cond(ResultsState.head["can_manage"].to(bool), importer()),
        spacing="4", width="100%",
    )


@page(routes.RESULTS, on_load=[ResultsState.load])
def results() -> rx.Component:
    return page_guard(ResultsState, dashboard())
