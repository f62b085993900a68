"""Where the trainer's console sends a room's phones (the join link and its QR code): the phones'
page is served by the backend (api/phone.py), not by the frontend's pages."""

from types import SimpleNamespace

import pytest
from reflex_base.config import get_config

from nlc_toolkit.ui.state.room import RoomState


def _page(origin: str) -> SimpleNamespace:
    return SimpleNamespace(router=SimpleNamespace(headers=SimpleNamespace(origin=origin),
                                                  url=SimpleNamespace(origin="http://fallback.example")))


@pytest.mark.parametrize(("mode", "origin", "expected"), [
    # `make run` and production: one port serves the pages and the backend, so the page's own origin
    ("prod", "https://nlc.example.org", "https://nlc.example.org"),
    ("prod", "", "http://fallback.example"),  # no Origin header: the URL the page was opened at
    # `make dev`: the pages come from the frontend's dev server, the phones' page from the backend
    ("dev", "http://localhost:3000", "http://localhost:8123"),
])
def test_the_join_link_points_where_the_phones_page_is_served(monkeypatch, mode, origin, expected):
    monkeypatch.setenv("REFLEX_ENV_MODE", mode)
    monkeypatch.setattr(get_config(), "api_url", "http://localhost:8123")
    assert RoomState._phone_origin(_page(origin)) == expected
