"""The network view for Strong Cities staff: compare cities, benchmark against peers, common gaps,
trends and side-by-side comparison; export of the current view, optionally anonymised. This
module composes the sections (sections/); the state is in state.py, the data in
services/network.py and core/network.py."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit import routes
from nlc_toolkit.ui.components.feedback import page_guard
from nlc_toolkit.ui.components.i18n import t
from nlc_toolkit.ui.components.shell import page
from nlc_toolkit.ui.components.tabs import tabs
from nlc_toolkit.ui.pages.network.sections.benchmark import benchmark_tab
from nlc_toolkit.ui.pages.network.sections.compare import compare_tab
from nlc_toolkit.ui.pages.network.sections.distribution import distribution_tab
from nlc_toolkit.ui.pages.network.sections.filters import filters
from nlc_toolkit.ui.pages.network.sections.heatmap import heat_table
from nlc_toolkit.ui.pages.network.state import NetworkState


@page(routes.NETWORK, on_load=[NetworkState.load])
def network() -> rx.Component:
    return rx.vstack(
        rx.heading(t("network.title"), size="7", as_="h1"),
        page_guard(NetworkState, rx.vstack(
            filters(),
            tabs(("network.compare_cities", "heatmap", heat_table()),
                 ("network.benchmark", "benchmark", benchmark_tab()),
                 ("network.distribution", "distribution", distribution_tab()),
                 ("network.side_by_side", "compare", compare_tab())),
            width="100%", spacing="4",
        )),
        spacing="4", width="100%",
    )
