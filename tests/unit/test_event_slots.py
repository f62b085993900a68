"""Event slots (nlc_toolkit/web_server.py): at most `limit` foreground events of a process run at
once, the others wait their turn in order before taking their tab's lock; background tasks (a
page's follower) are never held back."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from nlc_toolkit.web_server import EventSlots, limit_foreground_events
from tests.helpers import run_coroutine


def _handler(background: bool = False):
    return SimpleNamespace(handler=SimpleNamespace(is_background=background))


def test_at_most_limit_foreground_events_run_and_the_rest_wait_in_order():
    async def scenario():
        slots, release, started = EventSlots(2), asyncio.Event(), []

        async def execute(processor, *, entry, registered_handler):
            started.append(entry)
            await release.wait()

        run = slots.wrap(execute)
        tasks = [asyncio.create_task(run(None, entry=i, registered_handler=_handler())) for i in range(5)]
        while len(started) < 2:
            await asyncio.sleep(0)
        for _ in range(20):  # let the others try: they must stay queued
            await asyncio.sleep(0)
        queued_while_busy = list(started)
        release.set()
        await asyncio.gather(*tasks)
        return queued_while_busy, started, slots

    queued_while_busy, started, slots = run_coroutine(scenario(), 10)
    assert queued_while_busy == [0, 1]
    assert started == [0, 1, 2, 3, 4] and slots.most_running == 2 and slots.running == 0


def test_background_tasks_are_not_held_back_by_full_slots():
    async def scenario():
        slots, release, ran = EventSlots(1), asyncio.Event(), []

        async def execute(processor, *, entry, registered_handler):
            ran.append(entry)
            if entry == "click":
                await release.wait()

        run = slots.wrap(execute)
        click = asyncio.create_task(run(None, entry="click", registered_handler=_handler()))
        while not ran:
            await asyncio.sleep(0)
        await asyncio.wait_for(run(None, entry="follower", registered_handler=_handler(background=True)), 5)
        release.set()
        await click
        return ran

    assert run_coroutine(scenario(), 10) == ["click", "follower"]


def test_an_event_that_fails_gives_its_slot_back():
    async def scenario():
        slots = EventSlots(1)

        async def execute(processor, *, entry, registered_handler):
            raise RuntimeError(entry)

        run = slots.wrap(execute)
        for i in range(3):
            try:
                await asyncio.wait_for(run(None, entry=i, registered_handler=_handler()), 5)
            except RuntimeError:
                pass
        return slots.running

    assert run_coroutine(scenario(), 10) == 0


def test_reflex_s_event_processing_is_wrapped_once():
    from reflex_base.event.processor.base_state_processor import BaseStateEventProcessor

    limit_foreground_events()
    wrapped = BaseStateEventProcessor._execute_event
    limit_foreground_events()
    assert BaseStateEventProcessor._execute_event is wrapped and wrapped._nlc_slots
