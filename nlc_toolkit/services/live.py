"""Live notifications: "something changed in room X" (workshops) or "in assessment N" (dashboards).

Writers publish after committing to the database; open pages wait for a notification, then read
the room from the database once. Nothing polls. With REFLEX_REDIS_URL set (several workers),
notifications travel over Redis pub/sub, so a vote taken by one worker wakes the presenter page
held by another; without Redis, within the one process.

Two channels per workshop room: "control" (question, lock, pause: everybody follows) and "votes"
(only the presenter and the trainer care, so 200 participants are not woken by each other's
answers). One per assessment: "answers" (any change; open dashboards re-read)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os

logger = logging.getLogger(__name__)
PREFIX = "nlc:live:"
# Seconds between a live page's heartbeats while nothing happens (the browser tests use a short
# one, so every live test also goes through heartbeats).
HEARTBEAT = float(os.environ.get("NLC_WATCH_HEARTBEAT", "20"))


class Hub:
    def __init__(self) -> None:
        self._versions: dict[str, int] = {}
        self._changed: dict[str, asyncio.Condition] = {}
        self._redis = None
        self._listener: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None  # where waiters wait (for notify)
        self._sync_redis = None
        self._url = os.environ.get("REFLEX_REDIS_URL") or ""

    def _key(self, code: str, channel: str) -> str:
        return f"{code}:{channel}"

    def _bump(self, key: str) -> None:
        self._versions[key] = self._versions.get(key, 0) + 1
        condition = self._changed.get(key)
        if condition is not None:
            async def notify(c=condition):
                async with c:
                    c.notify_all()
            asyncio.get_running_loop().create_task(notify())

    async def _ensure_listener(self) -> None:
        if not self._url or (self._listener and not self._listener.done()):
            return
        import redis.asyncio as aioredis

        again = self._listener is not None  # the subscription was lost (Redis restarted)
        if self._redis is not None:
            with contextlib.suppress(Exception):
                await self._redis.aclose()
        self._redis = aioredis.from_url(self._url)
        pubsub = self._redis.pubsub()
        await pubsub.psubscribe(PREFIX + "*")

        async def listen():
            try:
                async for message in pubsub.listen():
                    if message.get("type") == "pmessage":
                        self._bump(message["channel"].decode()[len(PREFIX):])
            except Exception:  # noqa: BLE001 - Redis went away: the next wait() subscribes again
                logger.warning("live: lost the Redis subscription; subscribing again")

        self._listener = asyncio.get_running_loop().create_task(listen())
        if again:
            # Whatever was published while nobody listened is lost: every page following
            # something here re-reads once.
            for key in list(self._versions):
                self._bump(key)

    def notify(self, code: str, channel: str) -> None:
        """`publish` for code that cannot await: a plain (non-async) event handler, which Reflex
        runs on the event loop, or a worker thread."""
        key = self._key(code, channel)
        if self._url:
            if self._sync_redis is None:
                import redis

                self._sync_redis = redis.Redis.from_url(self._url)
            try:
                self._sync_redis.publish(PREFIX + key, "1")
            except Exception:  # noqa: BLE001 - Redis down: the change is committed, the handler must not fail
                # Notifications are at most once anyway: the followers' heartbeats re-read.
                logger.warning("live: could not publish %s (Redis unreachable)", key)
        elif self._loop is not None:
            self._loop.call_soon_threadsafe(self._bump, key)
        else:
            self._versions[key] = self._versions.get(key, 0) + 1  # nobody waits yet

    async def publish(self, code: str, channel: str) -> None:
        key = self._key(code, channel)
        if self._url:
            try:
                await self._ensure_listener()
                await self._redis.publish(PREFIX + key, "1")  # our own listener bumps us too
            except Exception:  # noqa: BLE001 - as in notify: committed already, at most once
                logger.warning("live: could not publish %s (Redis unreachable)", key)
        else:
            self._bump(key)

    def versions(self, code: str, channels: tuple[str, ...]) -> dict[str, int]:
        return {key: self._versions.get(key, 0) for key in (self._key(code, c) for c in channels)}

    async def wait(self, code: str, channels: tuple[str, ...], seen: dict[str, int], timeout: float) -> dict[str, int]:
        """Wait until any channel moves past `seen` (or the timeout); return the new versions."""
        self._loop = asyncio.get_running_loop()
        try:
            await self._ensure_listener()
        except Exception:  # noqa: BLE001 - Redis unreachable: wait out the timeout, try again next time
            logger.warning("live: Redis unreachable, following %s by heartbeat only", code)
        keys = [self._key(code, c) for c in channels]

        def moved() -> bool:
            return any(self._versions.get(k, 0) > seen.get(k, 0) for k in keys)

        if not moved():
            waiters = []
            for k in keys:
                condition = self._changed.setdefault(k, asyncio.Condition())

                async def wait_one(c=condition):
                    async with c:
                        await c.wait_for(moved)

                waiters.append(asyncio.ensure_future(wait_one()))
            try:
                await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()
        return self.versions(code, channels)


hub = Hub()


async def tab_connected(token: str) -> bool:
    """Whether a browser tab still has a socket on any worker (asked as Reflex's shared states do)."""
    from reflex_base.registry import RegistrationContext

    namespace = RegistrationContext.get().app.event_namespace
    if namespace is None:
        return True
    try:
        return await namespace._token_manager.is_token_connected(token)
    except Exception:  # noqa: BLE001 - when unsure, keep following
        return True


def assessment_channel(assessment_id: int) -> str:
    return f"assessment-{assessment_id}"
