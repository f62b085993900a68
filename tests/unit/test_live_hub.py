"""The live hub wakes a waiting page when a synchronous handler (run by Reflex in a worker thread)
says something changed: in one process, and through Redis as between workers."""

import asyncio
import os
import uuid

import pytest
import redis

from nlc_toolkit.services.live import Hub
from tests.helpers import run_coroutine


def run(coro_fn):
    return run_coroutine(coro_fn(), 30)


async def woken_by_a_thread(hub: Hub, code: str) -> dict:
    waiting = asyncio.create_task(hub.wait(code, ("answers",), {}, timeout=10))
    await asyncio.sleep(0.05)  # the waiter is parked
    await asyncio.get_running_loop().run_in_executor(None, hub.notify, code, "answers")
    return await asyncio.wait_for(waiting, 5)


def test_in_process(monkeypatch):
    monkeypatch.delenv("REFLEX_REDIS_URL", raising=False)
    versions = run(lambda: woken_by_a_thread(Hub(), "assessment-1"))
    assert versions == {"assessment-1:answers": 1}


def test_through_redis(monkeypatch):
    url = os.environ.get("NLC_TEST_REDIS", "redis://127.0.0.1:6379")
    monkeypatch.setenv("REFLEX_REDIS_URL", url)
    code = f"assessment-{uuid.uuid4().hex[:8]}"

    async def through():
        hub = Hub()
        try:
            await hub._ensure_listener()  # subscribed before anything is published
        except (OSError, redis.exceptions.RedisError) as e:
            pytest.fail(f"Redis is not reachable at {url} ({e}); start it (see README)")
        return await woken_by_a_thread(hub, code)

    assert run(through) == {f"{code}:answers": 1}
