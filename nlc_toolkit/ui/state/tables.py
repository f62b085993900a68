"""Which charts show their table (charts.chart's "Show as a table"): the tab's own choice, by chart id."""

import reflex as rx

from nlc_toolkit.ui.state.inputs import text


class TablesState(rx.State):
    shown: list[str] = []

    @rx.event
    def toggle(self, chart: str):
        chart = text(chart, 40)
        self.shown = [c for c in self.shown if c != chart] if chart in self.shown else self.shown + [chart]
