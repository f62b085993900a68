"""The dashboard's figures, built from plain rows and travelling as plain JSON in the state.

A computed var holding a plotly Figure is pickled into every client's stored state, and rebuilding
Figure objects on each event dominated the cost of an event once state lives in Redis. Reflex also
computes every page state's computed vars when any tab hydrates (a phone joining a workshop builds
the results radar, empty), so each builder is cached per process by its arguments: the same rows
give the same figure, and the empty figures are built once per worker (measured with py-spy in
bench/workshop_bench.py: they were a third of a worker's time under a room of 200)."""

from __future__ import annotations

import functools
import json
import threading
from collections import OrderedDict
from collections.abc import Callable

import plotly.graph_objects as go
from plotly.utils import PlotlyJSONEncoder

from nlc_toolkit.core.exports.pdf import CURRENT, PREVIOUS

COMPARE_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00"]  # Okabe-Ito
CACHE_SIZE = 256


def plain_figure(build: Callable[..., go.Figure]) -> Callable[..., dict]:
    """Cache a figure builder's JSON by its (JSON-able) arguments; each call gets its own copy."""
    cache: OrderedDict[str, str] = OrderedDict()
    lock = threading.Lock()

    @functools.wraps(build)
    def cached(*args) -> dict:
        key = json.dumps(args, sort_keys=True, default=str)
        with lock:
            text = cache.get(key)
            if text is not None:
                cache.move_to_end(key)
        if text is None:
            figure = build(*args).to_plotly_json()
            # rx.plotly merges the light or dark template in the browser; plotly's own copy would
            # add about 10 KB to every figure in every tab's state.
            figure.get("layout", {}).pop("template", None)
            text = json.dumps(figure, cls=PlotlyJSONEncoder)
            with lock:
                cache[key] = text
                while len(cache) > CACHE_SIZE:
                    cache.popitem(last=False)
        return json.loads(text)

    return cached


# ------------------------------------------------------------------------ an assessment's results


@plain_figure
def radar_figure(names: list[str], now: list, previous: list | None, previous_name: str,
                 peers: list | None, peers_name: str, now_name: str) -> go.Figure:
    """Domain scores on a radar, with the previous round and the peer median when there are."""
    fig = go.Figure()
    if names:
        closed = names + names[:1]
        if previous:
            fig.add_trace(go.Scatterpolar(r=previous + previous[:1], theta=closed, name=previous_name,
                                          line={"color": PREVIOUS, "dash": "dash"}, hovertemplate="%{theta}: %{r:.0f}"))
        if peers:
            fig.add_trace(go.Scatterpolar(r=peers + peers[:1], theta=closed, name=peers_name,
                                          line={"color": "#009E73", "dash": "dot"}, hovertemplate="%{theta}: %{r:.0f}"))
        fig.add_trace(go.Scatterpolar(r=now + now[:1], theta=closed, name=now_name, fill="toself",
                                      line={"color": CURRENT}, hovertemplate="%{theta}: %{r:.0f}"))
    fig.update_layout(polar={"radialaxis": {"range": [0, 100]}}, margin={"l": 40, "r": 40, "t": 20, "b": 20},
                      height=460, legend={"orientation": "h"}, font={"size": 11})
    return fig


@plain_figure
def group_heatmap(y: list[str], x: list[str], z: list[list], hover: list[str], max_level: int) -> go.Figure:
    """Levels by question (rows) and respondent group (columns), values printed in the cells."""
    fig = go.Figure()
    if y and x:
        fig.add_trace(go.Heatmap(
            z=z, x=x, y=y, zmin=0, zmax=max_level, colorscale="Cividis",
            text=[["" if v is None else f"{v:g}" for v in row] for row in z], texttemplate="%{text}",
            customdata=[[text] * len(x) for text in hover],
            hovertemplate="%{customdata}<br>%{x}: %{z}<extra></extra>", colorbar={"title": {"text": ""}},
        ))
    fig.update_layout(height=max(260, 22 * len(y) + 80), margin={"l": 60, "r": 10, "t": 10, "b": 30},
                      yaxis={"autorange": "reversed"}, font={"size": 11})
    return fig


# ------------------------------------------------------------------------ the network view


@plain_figure
def benchmark_figure(rows: list[dict]) -> go.Figure:
    """Per domain: the peers' interquartile range, their median and the city."""
    fig = go.Figure()
    if rows:
        names = [str(r["number"]) for r in rows]  # numbers on the axis; the table names them
        fig.add_trace(go.Bar(x=names, y=[(r["hi"] or 0) - (r["lo"] or 0) for r in rows], base=[r["lo"] or 0 for r in rows],
                             marker={"color": "rgba(230,159,0,0.30)"}, name="Q1–Q3", hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=names, y=[r["m"] for r in rows], mode="markers", name="median",
                                 marker={"symbol": "line-ew-open", "size": 18, "color": PREVIOUS, "line": {"width": 3}}))
        fig.add_trace(go.Scatter(x=names, y=[r["c"] for r in rows], mode="markers", name="city",
                                 marker={"symbol": "diamond", "size": 11, "color": CURRENT}))
    fig.update_layout(yaxis={"range": [0, 100]}, height=420, margin={"l": 40, "r": 10, "t": 10, "b": 120},
                      legend={"orientation": "h"}, font={"size": 11})
    return fig


@plain_figure
def distribution_figure(counts: list[int]) -> go.Figure:
    fig = go.Figure(go.Bar(x=[str(i) for i in range(len(counts))], y=counts, text=[str(c) for c in counts],
                           textposition="auto", marker={"color": CURRENT}))
    fig.update_layout(height=280, margin={"l": 40, "r": 10, "t": 10, "b": 40}, font={"size": 11})
    return fig


@plain_figure
def trend_figure(median_rows: list[dict], cities: list[dict]) -> go.Figure:
    """The peer median over the years (dotted) and each compared city's overall score."""
    fig = go.Figure()
    if median_rows:
        fig.add_trace(go.Scatter(x=[r["year"] for r in median_rows], y=[r["median"] for r in median_rows],
                                 mode="lines+markers", name="median", line={"color": "#555555", "dash": "dot"}))
    for i, row in enumerate(cities):
        fig.add_trace(go.Scatter(x=[h["year"] for h in row["history"]], y=[h["overall"] for h in row["history"]],
                                 mode="lines+markers", name=row["city"],
                                 line={"color": COMPARE_COLOURS[i % len(COMPARE_COLOURS)]}))
    fig.update_layout(yaxis={"range": [0, 100]}, xaxis={"dtick": 1}, height=320,
                      margin={"l": 40, "r": 10, "t": 10, "b": 40}, legend={"orientation": "h"}, font={"size": 11})
    return fig


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
