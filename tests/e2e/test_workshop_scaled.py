"""The same live session with Redis, two backend workers and PostgreSQL: phones land on both
workers, and the presenter (on one of them) still follows every answer."""

import pytest

from tests.e2e.test_workshop import run_room

pytestmark = pytest.mark.e2e


@pytest.fixture
def scaled(scaled_app_server, page):
    page.set_default_timeout(20_000)
    return scaled_app_server


def test_room_on_two_workers_with_redis_and_postgres(scaled, page, browser):
    run_room(scaled, page, browser, "Casablanca")
