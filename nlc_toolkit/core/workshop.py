"""Live workshop rules: join codes, the spread of a room's answers, and a join rate limiter."""

from __future__ import annotations

import secrets
import statistics
import time
from collections import deque
from dataclasses import dataclass

# No 0/O, 1/I/L: a code read off a projector must not be ambiguous.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
NO_CONSENSUS_SPREAD = 2


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """What a participant typed, as a code: upper case, spaces and dashes dropped."""
    return "".join(ch for ch in (text or "").upper() if ch not in " -")


def join_link(origin: str, code: str) -> tuple[str, str]:
    """The URL a phone opens to join, and its QR code as an SVG data URI (for an <img>)."""
    import io

    import segno

    url = f"{origin.rstrip('/')}/join?code={code}"
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=8, border=2)
    return url, "data:image/svg+xml;utf8," + buffer.getvalue().decode().replace("#", "%23")


def looks_like_code(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


@dataclass(frozen=True)
class Spread:
    count: int  # everyone who answered, including N/A and don't know
    distribution: tuple[int, ...]  # participants at each level 0..L
    na: int
    unknown: int
    median: float | None
    spread: int | None
    no_consensus: bool


def spread_of(values: list[str], max_level: int) -> Spread:
    levels = [int(v) for v in values if v.isdigit() and 0 <= int(v) <= max_level]
    distribution = [0] * (max_level + 1)
    for level in levels:
        distribution[level] += 1
    spread = (max(levels) - min(levels)) if levels else None
    return Spread(
        count=len(values),
        distribution=tuple(distribution),
        na=sum(1 for v in values if v == "na"),
        unknown=sum(1 for v in values if v == "unknown"),
        median=float(statistics.median(levels)) if levels else None,
        spread=spread,
        no_consensus=spread is not None and spread >= NO_CONSENSUS_SPREAD,
    )


class RateLimiter:
    """At most `limit` failures per `window` seconds per key (a client's address).

    Only failures count: a whole room behind one venue address joins freely, while someone
    trying codes one after another is stopped after a few wrong ones."""

    def __init__(self, limit: int = 10, window: float = 60.0, clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._failures: dict[str, deque] = {}

    def _recent(self, key: str) -> deque:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= self.clock() - self.window:
            failures.popleft()
        return failures

    def blocked(self, key: str) -> bool:
        return len(self._recent(key)) >= self.limit

    def failed(self, key: str) -> None:
        self._recent(key).append(self.clock())
