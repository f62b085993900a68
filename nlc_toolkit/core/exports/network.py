"""The network view's export (core.network.export_table) as CSV or XLSX, every text cell
neutralised against formula injection (spreadsheets.safe)."""

from __future__ import annotations

import io

import pandas as pd

from nlc_toolkit.core.exports.spreadsheets import safe

KINDS = ("csv", "xlsx")


def network_csv(table: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens Arabic and French names correctly."""
    return ("\ufeff" + table.map(safe).to_csv(index=False)).encode("utf-8")


def network_xlsx(table: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    table.map(safe).to_excel(buffer, index=False, sheet_name="network")
    return buffer.getvalue()


def network_file(table: pd.DataFrame, kind: str) -> bytes:
    if kind not in KINDS:
        raise ValueError(f"unknown export kind {kind!r}")
    return network_csv(table) if kind == "csv" else network_xlsx(table)
