"""The same live session scaled out: Redis, PostgreSQL, and two backend processes (the first
with two workers) behind a load balancer that hands each new websocket to the next backend, so
the phones sit on different backends for certain while the presenter follows every answer."""

import pytest

from tests.e2e.helpers import run_room

pytestmark = pytest.mark.e2e


@pytest.fixture
def scaled(scaled_app_server, page):
    page.set_default_timeout(20_000)
    return scaled_app_server


def test_room_on_two_backends_with_redis_and_postgres(scaled, page, browser):
    def phones_joined(before=None):
        now = dict(scaled.balancer.sent)
        if before is None:
            return now
        landed = {port: n - before.get(port, 0) for port, n in now.items()}
        # Five phones, each with its own websocket: both backends hold some of them.
        assert sorted(landed) == sorted([scaled.port, scaled.second.port]) and min(landed.values()) >= 2, landed
        return now

    run_room(scaled, page, browser, "Casablanca", phones_joined)
