"""The filters above every tab: questionnaire, region, country, population, year, version, the
latest round only, and anonymised names."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit.ui.components.i18n import t
from nlc_toolkit.ui.pages.network.state import NetworkState


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


def switch(name: str, label_key: str, checked: rx.Var, id_: str) -> rx.Component:
    # A Radix switch is a <button>: the label names it (axe: button-name) and is a larger target.
    return rx.hstack(rx.switch(checked=checked, on_change=lambda v: NetworkState.toggle(name, v), id=id_),
                     rx.el.label(t(label_key), html_for=id_, font_size="var(--font-size-2)"), align="center")


def filters() -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.el.label(t("assessments.questionnaire"), html_for="filter-questionnaire", font_size="0.8em"),
            rx.el.select(rx.foreach(NetworkState.questionnaire_choices, lambda o: rx.el.option(o["title"], value=o["id"])),
                         id="filter-questionnaire", value=NetworkState.questionnaire_id,
                         on_change=lambda v: NetworkState.set_filter("questionnaire_id", v)),
            spacing="1",
        ),
        select_filter("region", "admin.region", NetworkState.options["region"].to(list[str]), NetworkState.query["region"].to(str)),
        select_filter("country", "admin.country", NetworkState.options["country"].to(list[str]), NetworkState.query["country"].to(str)),
        select_filter("population_band", "admin.population", NetworkState.options["population_band"].to(list[str]),
                      NetworkState.query["population_band"].to(str)),
        select_filter("year", "assessments.year", NetworkState.options["year"].to(list[str]), NetworkState.query["year"].to(str)),
        select_filter("version", "network.version", NetworkState.options["version"].to(list[str]), NetworkState.query["version"].to(str)),
        switch("latest_only", "network.latest_only", NetworkState.query["latest_only"].to(bool), "latest-only"),
        switch("anonymise", "network.anonymise", NetworkState.query["anonymise"].to(bool), "anonymise"),
        wrap="wrap", align="end", spacing="4",
    )
