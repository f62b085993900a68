"""What a room sends all at once, written together: its answers (the ballot box) and its joins
(the join desk).

When a trainer shows the join code, or opens a question, a room of hundreds acts within a second
or two. Written one by one, each join or answer is a transaction of its own (a commit, a disk
flush), on the event loop, and the room queues behind it. Here a request waits for the next write
instead: while one batch is written (in a worker thread, one unit of work for all), the requests
that arrive meanwhile gather, and are written together next. A single request is written at once,
so nothing waits for a timer. Each handler returns only after its batch is committed, with its
own result or refusal (each request is checked as it would be alone), so what a phone is shown
as done is stored. Then the rooms that received something are told once per batch."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from nlc_toolkit.core.errors import Invalid, NotFound, Refused
from nlc_toolkit.db.models import Participant, Workshop
from nlc_toolkit.services import workshops
from nlc_toolkit.services.live import hub
from nlc_toolkit.services.rooms import room_snapshot
from nlc_toolkit.services.uow import unit_of_work

logger = logging.getLogger(__name__)
MAX_BATCH = 1000  # requests in one transaction at most (a room arriving all at once is split)


class BatchWriter:
    """Requests for rooms (each starts with the room's code), written `write` a batch at a time:
    `write(requests)` returns, in order, each one's result or its refusal (an exception)."""

    def __init__(self, write: Callable[[list[tuple]], list[Any]]) -> None:
        self._write = write
        self._waiting: list[tuple[tuple, asyncio.Future]] = []
        self._writer: asyncio.Task | None = None
        self.batches = 0  # how many transactions wrote requests (the tests and the bench read it)

    async def submit(self, request: tuple) -> Any:
        """Write `request` with the others waiting; returns its result once committed, or raises its refusal."""
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        self._waiting.append((request, done))
        if self._writer is None or self._writer.done():
            self._writer = loop.create_task(self._write_all())
        return await done

    async def _write_all(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            try:
                outcomes = await asyncio.to_thread(self._write, [request for request, _ in batch])
            except Exception as e:  # noqa: BLE001 - the database failed: every request of the batch hears it
                logger.exception("writing %d requests failed", len(batch))
                outcomes = [e] * len(batch)
            self.batches += 1
            for (_, done), outcome in zip(batch, outcomes):
                if done.done():
                    continue  # its handler went away (the tab closed); what it sent is stored all the same
                if isinstance(outcome, Exception):
                    done.set_exception(outcome)
                else:
                    done.set_result(outcome)
            accepted = {request[0] for (request, _), outcome in zip(batch, outcomes) if not isinstance(outcome, Exception)}
            for code in accepted:
                await hub.publish(code, "votes")  # the presenter's counts move, once per batch


def _write_votes(ballots: list[tuple[str, str, str, str]]) -> list[Exception | None]:
    with unit_of_work() as s:
        return workshops.vote_many(s, ballots)


def _write_joins(joins: list[tuple[str, str, str, str, str]]) -> list[Exception | tuple[str, dict, str]]:
    """Joins (code, token, name, group, device), each as `workshops.join` does it alone; each
    accepted one gets (its participant token, the room as a phone sees it, its answer to the
    open question). A refused join writes nothing, so the others of its batch are kept."""
    outcomes: list[Exception | tuple[str, dict, str] | None] = []
    joined: dict[int, list[tuple[int, Participant]]] = {}  # by room: (place in `outcomes`, participant)
    batch = workshops.JoinBatch()
    with unit_of_work() as s:
        for code, token, name, group, device in joins:
            try:
                p = workshops.join(s, code, token, name, group, device=device, batch=batch)
            except (NotFound, Refused, Invalid) as refusal:
                outcomes.append(refusal)
                continue
            joined.setdefault(p.workshop_id, []).append((len(outcomes), p))
            outcomes.append(None)  # its result once the batch's rooms are read, below
        for room_id, people in joined.items():
            # One snapshot and one read of answers per room and batch, not one per join.
            w = s.get(Workshop, room_id)  # already in the session: `join` read it
            room = room_snapshot(s, w, "phone")
            mine = workshops.votes_of(s, w, [p.id for _, p in people], workshops.current_question(w))
            for place, p in people:
                outcomes[place] = (p.token, room, mine.get(p.id, ""))
    return outcomes


class BallotBox(BatchWriter):
    def __init__(self) -> None:
        super().__init__(_write_votes)

    async def cast(self, code: str, token: str, question_id: str, value: str) -> None:
        """Store a participant's answer; returns once it is committed, or raises its refusal."""
        await self.submit((code, token, question_id, value))


class JoinDesk(BatchWriter):
    def __init__(self) -> None:
        super().__init__(_write_joins)

    async def join(self, code: str, token: str, name: str, group: str, device: str) -> tuple[str, dict, str]:
        """Join (or rejoin) the room; returns (participant token, room for a phone, my answer)
        once committed, or raises the refusal (NotFound, Refused, Invalid)."""
        return await self.submit((code, token, name, group, device))


ballot_box = BallotBox()
join_desk = JoinDesk()
