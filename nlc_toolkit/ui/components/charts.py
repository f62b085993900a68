"""The dashboard's figures and their text alternatives, built from plain rows and travelling as
plain JSON in the state.

Every chart has a table of the same numbers (WCAG 1.1.1: a screen reader cannot read a Plotly SVG),
built here from the same rows as the figure, and `chart` shows the figure as an image with a name
and the table beside it or behind a "Show as a table" button.

A computed var holding a plotly Figure is pickled into every client's stored state, and rebuilding
Figure objects on each event dominated the cost of an event once state lives in Redis. Reflex also
computes every page state's computed vars when any tab hydrates (a phone joining a workshop builds
the results radar, empty), so each builder is cached per process by its arguments: the same rows
give the same figure, and the empty figures are built once per worker (measured with py-spy in
bench/workshop_bench.py: they were a third of a worker's time under a room of 200)."""

from __future__ import annotations

import functools
import html
import json
import threading
from collections import OrderedDict
from collections.abc import Callable

import plotly.graph_objects as go
import reflex as rx
from plotly.colors import get_colorscale
from plotly.utils import PlotlyJSONEncoder

from nlc_toolkit.core.exports.pdf import CURRENT, PREVIOUS
from nlc_toolkit.i18n import translate
from nlc_toolkit.ui.components.i18n import t
from nlc_toolkit.ui.state.tables import TablesState

COMPARE_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00"]  # Okabe-Ito
CACHE_SIZE = 256
CIVIDIS = [list(step) for step in get_colorscale("Cividis")]  # as Plotly expands the name


def plain_figure(build: Callable[..., go.Figure | dict]) -> Callable[..., dict]:
    """Cache a figure builder's JSON by its (JSON-able) arguments. Every caller of the same
    arguments gets the same dict, to read and send, never to change: every tab that hydrates
    computes every page's figures (empty ones included), and a copy per call was about 12 KiB
    kept in each workshop phone's state (tracemalloc, 400 phones) and a JSON decode per figure
    per hydrate."""
    cache: OrderedDict[str, dict] = OrderedDict()
    lock = threading.Lock()

    @functools.wraps(build)
    def cached(*args) -> dict:
        key = json.dumps(args, sort_keys=True, default=str)
        with lock:
            figure = cache.get(key)
            if figure is not None:
                cache.move_to_end(key)
                return figure
        figure = json.loads(plotly_json(build(*args)))
        with lock:
            figure = cache.setdefault(key, figure)  # a builder racing in another thread: one of the two
            while len(cache) > CACHE_SIZE:
                cache.popitem(last=False)
        return figure

    return cached


def plotly_json(figure: go.Figure | dict) -> str:
    """A figure as the JSON Plotly itself writes, without its template (rx.plotly merges the light
    or dark template in the browser; plotly's own copy would add about 10 KB to every figure in
    every tab's state). The results page's two figures are written as that JSON directly: a
    Figure object validates every value and took 5–10 ms of the event loop on each live re-read
    of a dashboard; tests/unit/test_charts.py checks Plotly reads them back unchanged."""
    if isinstance(figure, go.Figure):
        figure = figure.to_plotly_json()
        figure.get("layout", {}).pop("template", None)
    return json.dumps(figure, cls=PlotlyJSONEncoder)


def wrap_label(text: str, width: int = 22) -> str:
    """A tick label broken into lines of at most `width` characters, at spaces only, joined with
    Plotly's line break: Plotly never wraps a label, and cutting it mid-word ("Knowing the local
    context: m") loses the name. A word longer than `width` keeps a line of its own, whole.

    Plotly reads tags in a label (<b>, <a href>...): a name's own < > & are given as entities, so a
    questionnaire's title shows as written and adds no markup."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(html.escape(line, quote=False) for line in lines)


def series_table(keys: list[str], names: list[str], first: str, series: list[tuple[str, list | None]],
                 fmt: str = "{:.0f}") -> dict:
    """A chart's text alternative as plain JSON: `first` heads the column of row names, then one
    column per series shown (a series of None is not on the chart, so not in the table). A value
    is printed with `fmt`, a text as it is, a missing one as a dash."""
    shown = [(header, values) for header, values in series if values is not None]

    def cell(value) -> str:
        return "–" if value is None else value if isinstance(value, str) else fmt.format(value)

    return {"columns": [first] + [header for header, _ in shown],
            "rows": [{"key": key, "head": name, "cells": [cell(values[i]) for _, values in shown]}
                     for i, (key, name) in enumerate(zip(keys, names))]}


# ------------------------------------------------------------------------ an assessment's results


@plain_figure
def radar_figure(names: list[str], now: list, previous: list | None, previous_name: str,
                 peers: list | None, peers_name: str, now_name: str) -> dict:
    """Domain scores on a radar, with the previous round and the peer median when there are.
    Written as Plotly's JSON directly (see `plotly_json`)."""
    data = []
    if names:
        closed = names + names[:1]

        def trace(values, name, line, **more):
            return {"hovertemplate": "%{theta}: %{r:.0f}", "line": line, "name": name, "r": values + values[:1],
                    "theta": closed, **more, "type": "scatterpolar"}

        if previous:
            data.append(trace(previous, previous_name, {"color": PREVIOUS, "dash": "dash"}))
        if peers:
            data.append(trace(peers, peers_name, {"color": "#009E73", "dash": "dot"}))
        data.append(trace(now, now_name, {"color": CURRENT}, fill="toself"))
    # Room for the wrapped domain names (wrap_label): Plotly does not widen a polar chart's margins.
    # Domain 1 at the top, clockwise; the 0-100 scale between the first two domains, off their labels.
    between = 90 - 180 / max(len(names), 1)
    return {"data": data, "layout": {
        "polar": {"radialaxis": {"range": [0, 100], "angle": between, "tickangle": between},
                  "angularaxis": {"tickfont": {"size": 10}, "rotation": 90, "direction": "clockwise"}},
        "margin": {"l": 150, "r": 150, "t": 80, "b": 80}, "legend": {"orientation": "h"}, "font": {"size": 11},
        "height": 640}}


def radar_table(keys: list[str], names: list[str], now: list, previous: list | None, previous_name: str,
                peers: list | None, peers_name: str, now_name: str, lang: str) -> dict:
    """The radar's numbers, domain by domain (names in full)."""
    return series_table(keys, names, translate("results.domain", lang),
                        [(now_name, now), (previous_name, previous), (peers_name, peers)])


@plain_figure
def group_heatmap(y: list[str], x: list[str], z: list[list], hover: list[str], max_level: int) -> dict:
    """Levels by question (rows) and respondent group (columns), values printed in the cells.
    Written as Plotly's JSON directly (see `plotly_json`)."""
    data = []
    if y and x:
        data.append({
            "colorbar": {"title": {"text": ""}}, "colorscale": CIVIDIS,
            "customdata": [[text] * len(x) for text in hover],
            "hovertemplate": "%{customdata}<br>%{x}: %{z}<extra></extra>",
            "text": [["" if v is None else f"{v:g}" for v in row] for row in z], "texttemplate": "%{text}",
            "x": x, "y": y, "z": z, "zmax": max_level, "zmin": 0, "type": "heatmap",
        })
    return {"data": data, "layout": {
        "margin": {"l": 60, "r": 10, "t": 10, "b": 30}, "yaxis": {"autorange": "reversed"},
        "xaxis": {"side": "top", "automargin": True}, "font": {"size": 11}, "height": max(260, 22 * len(y) + 80)}}


def group_table(keys: list[str], questions: list[str], groups: list[str], z: list[list], lang: str) -> dict:
    """The heatmap's levels: a row per question (its text in full), a column per group. A level
    is a median, so it may be a half."""
    return series_table(keys, questions, translate("export.question", lang),
                        [(group, [row[i] for row in z]) for i, group in enumerate(groups)], fmt="{:g}")


# ------------------------------------------------------------------------ the network view


@plain_figure
def benchmark_figure(rows: list[dict], lang: str) -> go.Figure:
    """Per domain: the peers' interquartile range, their median and the city."""
    fig = go.Figure()
    if rows:
        names = [str(r["number"]) for r in rows]  # numbers on the axis; the table beside names them
        fig.add_trace(go.Bar(x=names, y=[(r["hi"] or 0) - (r["lo"] or 0) for r in rows], base=[r["lo"] or 0 for r in rows],
                             marker={"color": "rgba(230,159,0,0.30)"}, name=translate("network.q1_q3", lang),
                             hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=names, y=[r["m"] for r in rows], mode="markers", name=translate("network.median", lang),
                                 marker={"symbol": "line-ew-open", "size": 18, "color": PREVIOUS, "line": {"width": 3}}))
        fig.add_trace(go.Scatter(x=names, y=[r["c"] for r in rows], mode="markers", name=translate("assessments.city", lang),
                                 marker={"symbol": "diamond", "size": 11, "color": CURRENT}))
    fig.update_layout(yaxis={"range": [0, 100]}, height=420, margin={"l": 40, "r": 10, "t": 10, "b": 120},
                      legend={"orientation": "h"}, font={"size": 11})
    return fig


def benchmark_table(rows: list[dict], names: list[str], lang: str) -> dict:
    """The benchmark's numbers, domain by domain: the city, the peers' quartiles, the gap."""
    return series_table([r["domain"] for r in rows], names, translate("results.domain", lang), [
        (translate("assessments.city", lang), [r["c"] for r in rows]),
        (translate("network.q1", lang), [r["lo"] for r in rows]),
        (translate("network.median", lang), [r["m"] for r in rows]),
        (translate("network.q3", lang), [r["hi"] for r in rows]),
        (translate("results.gap", lang), [r["gap_text"] for r in rows])])


@plain_figure
def distribution_figure(counts: list[int]) -> go.Figure:
    fig = go.Figure(go.Bar(x=[str(i) for i in range(len(counts))], y=counts, text=[str(c) for c in counts],
                           textposition="auto", marker={"color": CURRENT}))
    fig.update_layout(height=280, margin={"l": 40, "r": 10, "t": 10, "b": 40}, font={"size": 11})
    return fig


def distribution_table(counts: list[int], lang: str) -> dict:
    """How many cities at each level."""
    levels = [str(i) for i in range(len(counts))]
    return series_table(levels, levels, translate("results.level", lang), [(translate("network.cities", lang), counts)])


@plain_figure
def trend_figure(median_rows: list[dict], cities: list[dict], lang: str) -> go.Figure:
    """The network median over the years (dotted) and each compared city's overall score."""
    fig = go.Figure()
    if median_rows:
        fig.add_trace(go.Scatter(x=[r["year"] for r in median_rows], y=[r["median"] for r in median_rows],
                                 mode="lines+markers", name=translate("network.network_median", lang),
                                 line={"color": "#555555", "dash": "dot"}))
    for i, row in enumerate(cities):
        fig.add_trace(go.Scatter(x=[h["year"] for h in row["history"]], y=[h["overall"] for h in row["history"]],
                                 mode="lines+markers", name=row["city"],
                                 line={"color": COMPARE_COLOURS[i % len(COMPARE_COLOURS)]}))
    fig.update_layout(yaxis={"range": [0, 100]}, xaxis={"dtick": 1}, height=320,
                      margin={"l": 40, "r": 10, "t": 10, "b": 40}, legend={"orientation": "h"}, font={"size": 11})
    return fig


def trend_table(median_rows: list[dict], cities: list[dict], lang: str) -> dict:
    """The trend's numbers, year by year: the network median, then each city's overall score."""
    years = sorted({r["year"] for r in median_rows} | {h["year"] for c in cities for h in c["history"]})
    medians = {r["year"]: r["median"] for r in median_rows}
    series = [(translate("network.network_median", lang), [medians.get(y) for y in years] if median_rows else None)]
    for row in cities:
        overall = {h["year"]: h["overall"] for h in row["history"]}
        series.append((row["city"], [overall.get(y) for y in years]))
    return series_table([str(y) for y in years], [str(y) for y in years], translate("assessments.year", lang), series)


@plain_figure
def compare_figure(names: list[str], cities: list[dict]) -> go.Figure:
    """Two to five cities' domain scores on one radar."""
    fig = go.Figure()
    for i, row in enumerate(cities):
        values = [v or 0 for v in row["scores"]]
        fig.add_trace(go.Scatterpolar(r=values + values[:1], theta=names + names[:1], name=row["city"],
                                      line={"color": COMPARE_COLOURS[i % len(COMPARE_COLOURS)]}))
    fig.update_layout(polar={"radialaxis": {"range": [0, 100]}}, height=420,
                      margin={"l": 40, "r": 40, "t": 20, "b": 20}, legend={"orientation": "h"}, font={"size": 11})
    return fig


def compare_table(keys: list[str], names: list[str], cities: list[dict], lang: str) -> dict:
    """The side-by-side radar's numbers: a row per domain (its name in full), a column per city."""
    return series_table(keys, names, translate("results.domain", lang), [(row["city"], row["scores"]) for row in cities])


# ------------------------------------------------------------------------ a chart with its table


def data_table(data: rx.Var, id_: str, caption_key: str, row_class: str = "") -> rx.Component:
    """A `series_table` as a real table: a caption, column headers and row names as headers, so a
    screen reader reads each number with its row and column."""
    return rx.box(rx.el.table(
        rx.el.caption(t(caption_key), class_name="data-table-caption"),
        rx.el.thead(rx.el.tr(rx.foreach(data["columns"].to(list[str]), lambda c: rx.el.th(c, scope="col")))),
        rx.el.tbody(rx.foreach(data["rows"].to(list[dict]), lambda r: rx.el.tr(
            rx.el.th(r["head"], scope="row"),
            # A number is read left to right in Arabic too: "-5" would show as "5-" (a gap's sign).
            rx.foreach(r["cells"].to(list[str]), lambda v: rx.el.td(rx.el.span(v, dir="ltr"), class_name="num")),
            class_name=row_class, data_key=r["key"]))),
        class_name="data-table", id=id_), overflow_x="auto", width="100%")


def chart(figure: rx.Var, data: rx.Var, id_: str, label_key: str, caption_key: str, table_shown: bool = False,
          row_class: str = "") -> rx.Component:
    """A figure as one image with a name (role img: its SVG's bits mean nothing read one by one),
    then its table: always shown (`table_shown`, where the table is a part of the page anyway), or
    behind a "Show as a table" button that says whether it is open."""
    table_id = f"{id_}-table"
    figure_box = rx.box(
        rx.plotly(data=figure.to(go.Figure), config={"displayModeBar": False, "responsive": True}),
        # Plotly lays out its SVG left to right only; inside an RTL page it shifts off screen. Its
        # SVG keeps its width (700 px): on a phone the chart scrolls sideways instead of being cut.
        width="100%", overflow_x="auto", id=id_, dir="ltr", role="img", aria_label=t(label_key),
    )
    if table_shown:
        return rx.fragment(figure_box, data_table(data, table_id, caption_key, row_class))
    shown = TablesState.shown.contains(id_)
    return rx.fragment(
        figure_box,
        rx.button(rx.cond(shown, t("chart.hide_table"), t("chart.show_table")), on_click=TablesState.toggle(id_),
                  aria_expanded=rx.cond(shown, "true", "false"), aria_controls=table_id, variant="soft", size="1",
                  id=f"{id_}-toggle"),
        rx.box(data_table(data, table_id, caption_key, row_class), hidden=~shown, width="100%"),
    )
