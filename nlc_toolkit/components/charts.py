"""Plotly figures travel as plain JSON in the state.

A computed var holding a plotly Figure is pickled into every client's stored state, and rebuilding
Figure objects on each event dominated the cost of an event once state lives in Redis (measured
with py-spy in bench/workshop_bench.py). States build figures and keep only `fig.to_plotly_json()`."""

import json

import plotly.graph_objects as go
from plotly.utils import PlotlyJSONEncoder


def as_plain(fig: go.Figure) -> dict:
    return json.loads(json.dumps(fig.to_plotly_json(), cls=PlotlyJSONEncoder))
