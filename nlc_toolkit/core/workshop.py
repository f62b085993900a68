"""Live workshop rules: join codes, device ids, the spread of a room's answers, and a rate limiter
for code look-ups."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import statistics
import time
from collections import deque
from dataclasses import dataclass

# No 0/O, 1/I/L: a code read off a projector must not be ambiguous.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
NO_CONSENSUS_SPREAD = 2
DEVICE_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
DEFAULT_MAX_PARTICIPANTS = 1000


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


def device_key(device) -> str:
    """The stored form of a browser's device id: its sha256 (hex), so a leaked database does not
    let anyone pass for that phone. Anything but 16-64 of [A-Za-z0-9_-] counts as no device: ""."""
    if not isinstance(device, str) or not DEVICE_PATTERN.fullmatch(device):
        return ""
    return hashlib.sha256(device.encode("ascii")).hexdigest()


def max_participants(environ=None) -> int:
    """The most participants a room takes: NLC_MAX_PARTICIPANTS, else 1000 (also when unreadable)."""
    raw = (os.environ if environ is None else environ).get("NLC_MAX_PARTICIPANTS", "")
    try:
        value = int(raw)
    except ValueError:
        return DEFAULT_MAX_PARTICIPANTS
    return value if value > 0 else DEFAULT_MAX_PARTICIPANTS


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
    trying codes one after another is stopped after a few wrong ones. Memory stays bounded: a key
    keeps at most `limit` times, and keys with no recent failure are dropped."""

    SWEEP_AT = 10_000  # keys held before stale ones are swept out

    def __init__(self, limit: int = 10, window: float = 60.0, clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._failures: dict[str, deque] = {}

    def _recent(self, key: str) -> deque:
        failures = self._failures.get(key)
        if failures is None:
            return deque()
        while failures and failures[0] <= self.clock() - self.window:
            failures.popleft()
        if not failures:
            del self._failures[key]
        return failures

    def blocked(self, key: str) -> bool:
        return len(self._recent(key)) >= self.limit

    def failed(self, key: str) -> None:
        if key not in self._failures and len(self._failures) >= self.SWEEP_AT:
            for stale in list(self._failures):
                self._recent(stale)
        self._recent(key)
        # maxlen: only the newest `limit` failures matter to `blocked`
        self._failures.setdefault(key, deque(maxlen=self.limit)).append(self.clock())


# One limiter for every route that looks a code up (joining, the presenter screen), so a client
# cannot try codes on one route after being stopped on another.
# NLC_CODE_LOOKUP_WINDOW (seconds, default 60): the browser tests shorten it so that the test that
# gets itself stopped can wait for the stop to lift instead of blocking the tests after it.
code_lookups = RateLimiter(limit=10, window=float(os.environ.get("NLC_CODE_LOOKUP_WINDOW", "") or 60))
