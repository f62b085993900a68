"""`ui/state/follow.follow`, the loop that keeps an open page current: a slow read (`fetch`, a
dashboard's report in a build process) runs before the tab's state is locked, so the tab's own
clicks never wait behind it, and its result reaches `on_change` under the lock."""

import asyncio
import uuid
from types import SimpleNamespace

from nlc_toolkit.services.live import hub
from nlc_toolkit.ui.state.follow import follow
from tests.helpers import run_coroutine


class FakeTab:
    """What `follow` uses of a Reflex state: `async with` takes the tab's lock, and the router."""

    def __init__(self):
        self.lock = asyncio.Lock()
        self.follow_id = ""
        self.router = SimpleNamespace(session=SimpleNamespace(client_token="tab", session_id="sid"))

    async def __aenter__(self):
        await self.lock.acquire()
        return self

    async def __aexit__(self, *exc):
        self.lock.release()


def test_a_slow_read_runs_with_the_tab_unlocked_and_its_result_is_applied_under_the_lock():
    async def scenario():
        tab, code = FakeTab(), f"test-{uuid.uuid4().hex}"
        fetches, changes = [], []
        read_started, read_may_end = asyncio.Event(), asyncio.Event()

        async def fetch(moved):
            fetches.append(tab.lock.locked())
            read_started.set()
            await read_may_end.wait()  # the report being built elsewhere
            return {"read": len(fetches)}

        def on_change(moved, urgent, fetched):
            changes.append((moved, fetched, tab.lock.locked()))
            return False  # one change is enough

        follower = asyncio.create_task(follow(tab, code, ("answers",), on_change, owner="follow_id", interval=0,
                                              fetch=fetch))
        await hub.publish(code, "answers")
        await read_started.wait()
        # A click on the same tab while the report is being read gets the tab (it would wait for
        # ever if the read held it: the read ends only after the click).
        await asyncio.wait_for(tab.lock.acquire(), 5)
        tab.lock.release()
        read_may_end.set()
        await asyncio.wait_for(follower, 5)
        return fetches, changes

    fetches, changes = run_coroutine(scenario(), 30)
    assert fetches == [False]  # read with the tab unlocked
    assert changes == [(True, {"read": 1}, True)]  # applied with the tab locked


def test_without_a_fetch_on_change_is_given_none():
    async def scenario():
        tab, code = FakeTab(), f"test-{uuid.uuid4().hex}"
        changes = []

        def on_change(moved, urgent, fetched):
            changes.append((moved, fetched))
            return False

        follower = asyncio.create_task(follow(tab, code, ("votes",), on_change, owner="follow_id", interval=0))
        await hub.publish(code, "votes")
        await asyncio.wait_for(follower, 5)
        return changes

    assert run_coroutine(scenario(), 30) == [(True, None)]


def test_a_follower_started_from_what_the_page_read_wakes_only_for_what_came_after():
    """A phone joins after the trainer's first action: its watcher starts from the versions read
    with the room, so it does not re-read at once; the next action still reaches it. Started from
    nothing, it re-reads at once (what a page that never read the room needs)."""
    async def scenario():
        code = f"test-{uuid.uuid4().hex}"
        await hub.publish(code, "control")  # the trainer opened the first question
        seen = hub.versions(code, ("control",))  # the page reads the room now
        woken: dict[str, list] = {"from what it read": [], "from nothing": []}

        def on_change_of(name):
            def on_change(moved, urgent, fetched):
                woken[name].append((moved, urgent))
                return False  # one wake-up is enough
            return on_change

        followers = [
            asyncio.create_task(follow(FakeTab(), code, ("control",), on_change_of("from what it read"),
                                       owner="follow_id", interval=0, urgent=("control",), seen=seen)),
            asyncio.create_task(follow(FakeTab(), code, ("control",), on_change_of("from nothing"),
                                       owner="follow_id", interval=0, urgent=("control",))),
        ]
        await asyncio.wait_for(followers[1], 5)  # woken at once, by the action before it started
        for _ in range(20):  # the other went the same way as far as its first wait: it would have been woken too
            await asyncio.sleep(0)
        before_next = list(woken["from what it read"])
        await hub.publish(code, "control")  # the trainer moves to the next question
        await asyncio.wait_for(followers[0], 5)
        return before_next, woken

    before_next, woken = run_coroutine(scenario(), 30)
    assert woken["from nothing"] == [(True, True)]
    assert before_next == []  # nothing new: no re-read of the room it had just read
    assert woken["from what it read"] == [(True, True)]
