"""Which charts show their table (charts.chart's "Show as a table"): the tab's own choice, by chart id."""

import reflex as rx

from nlc_toolkit.ui.state.inputs import text

# A page has a handful of charts; a client sending made-up ids (any client can send any event)
# must not grow this tab's state without end.
MAX_SHOWN = 12


class TablesState(rx.State):
    shown: list[str] = []

    @rx.event
    def toggle(self, chart: str):
        chart = text(chart, 40)
        if chart in self.shown:
            self.shown = [c for c in self.shown if c != chart]
        elif len(self.shown) < MAX_SHOWN:
            self.shown = self.shown + [chart]
