"""A room's answers, written together: the ballot box of a live workshop.

When a trainer opens a question, a room of hundreds answers within a second or two. Written one
by one, each answer is a transaction of its own (a commit, a disk flush), on the event loop, and
the room's answers queue behind each other. Here an answer waits for the next write instead:
while one batch is written (in a worker thread, one unit of work for all), the answers that
arrive meanwhile gather, and are written together next. A single answer is written at once, so
nothing waits for a timer. Each answer's handler returns only after its batch is committed, with
its own refusal if it had one (services/workshops.vote_many checks each as `vote` would), so an
answer shown as taken is stored. Then the rooms that received answers are told once per batch."""

from __future__ import annotations

import asyncio
import logging

from nlc_toolkit.services import workshops
from nlc_toolkit.services.live import hub
from nlc_toolkit.services.uow import unit_of_work

logger = logging.getLogger(__name__)
MAX_BATCH = 1000  # ballots in one transaction at most (a room arriving all at once is split)


def _write(ballots: list[tuple[str, str, str, str]]) -> list[Exception | None]:
    with unit_of_work() as s:
        return workshops.vote_many(s, ballots)


class BallotBox:
    def __init__(self) -> None:
        self._waiting: list[tuple[tuple[str, str, str, str], asyncio.Future]] = []
        self._writer: asyncio.Task | None = None
        self.batches = 0  # how many transactions wrote answers (the tests and the bench read it)

    async def cast(self, code: str, token: str, question_id: str, value: str) -> None:
        """Store a participant's answer; returns once it is committed, or raises its refusal."""
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        self._waiting.append(((code, token, question_id, value), done))
        if self._writer is None or self._writer.done():
            self._writer = loop.create_task(self._write_all())
        await done

    async def _write_all(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            try:
                outcomes = await asyncio.to_thread(_write, [ballot for ballot, _ in batch])
            except Exception as e:  # noqa: BLE001 - the database failed: every ballot of the batch hears it
                logger.exception("writing %d answers failed", len(batch))
                outcomes = [e] * len(batch)
            self.batches += 1
            for (_, done), outcome in zip(batch, outcomes):
                if done.done():
                    continue  # its handler went away (the tab closed); the answer is stored all the same
                if outcome is None:
                    done.set_result(None)
                else:
                    done.set_exception(outcome)
            for code in {ballot[0] for (ballot, _), outcome in zip(batch, outcomes) if outcome is None}:
                await hub.publish(code, "votes")  # the presenter's counts move, once per batch


ballot_box = BallotBox()
