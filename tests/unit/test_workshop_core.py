"""Join codes, device ids, the room limit, the spread of a room's answers, and the rate limiter."""

import hashlib

from nlc_toolkit.core.workshop import (
    CODE_ALPHABET,
    DEFAULT_MAX_PARTICIPANTS,
    RateLimiter,
    device_key,
    looks_like_code,
    max_participants,
    new_code,
    normalize_code,
    spread_of,
)


def test_codes_are_unambiguous():
    for ch in "0O1IL":
        assert ch not in CODE_ALPHABET
    codes = {new_code() for _ in range(500)}
    assert len(codes) > 490 and all(looks_like_code(c) for c in codes)
    assert normalize_code(" ab-c 23d ") == "ABC23D"
    assert not looks_like_code("ABC0EF") and not looks_like_code("ABCDE")


def test_device_ids_are_checked_and_stored_hashed():
    good = "Ab3_-" + "x" * 11  # 16 characters
    assert device_key(good) == hashlib.sha256(good.encode()).hexdigest()
    assert device_key("y" * 64) and len(device_key("y" * 64)) == 64
    for bad in ("", "x" * 15, "x" * 65, "x" * 16 + " ", "x" * 16 + "\n", "é" * 16, "../" * 8, None, 12345678901234567,
                ["x" * 16]):
        assert device_key(bad) == ""


def test_room_limit_from_the_environment():
    assert max_participants({}) == DEFAULT_MAX_PARTICIPANTS == 1000
    assert max_participants({"NLC_MAX_PARTICIPANTS": "250"}) == 250
    for bad in ("", "many", "0", "-5", "1.5"):
        assert max_participants({"NLC_MAX_PARTICIPANTS": bad}) == 1000


def test_spread_of_answers():
    s = spread_of(["0", "3", "3", "2", "na", "unknown"], 3)
    assert s.count == 6 and s.distribution == (1, 0, 1, 2)
    assert s.na == 1 and s.unknown == 1
    assert s.median == 2.5 and s.spread == 3 and s.no_consensus
    calm = spread_of(["2", "2", "1"], 3)
    assert calm.median == 2.0 and calm.spread == 1 and not calm.no_consensus
    empty = spread_of([], 5)
    assert empty.count == 0 and empty.median is None and empty.spread is None and not empty.no_consensus


def test_rate_limiter_counts_failures_per_client_within_the_window():
    now = [0.0]
    limiter = RateLimiter(limit=3, window=60, clock=lambda: now[0])
    blocked = []
    for _ in range(4):
        blocked.append(limiter.blocked("a"))
        limiter.failed("a")
    assert blocked == [False, False, False, True]
    assert not limiter.blocked("b")
    now[0] = 61
    assert not limiter.blocked("a")


def test_rate_limiter_memory_stays_bounded():
    now = [0.0]
    limiter = RateLimiter(limit=3, window=60, clock=lambda: now[0])
    for _ in range(1000):
        limiter.failed("a")  # one client failing on and on keeps only `limit` times
    assert len(limiter._failures["a"]) == 3 and limiter.blocked("a")
    for i in range(50):
        assert not limiter.blocked(f"nobody-{i}")  # asking adds no key
    assert set(limiter._failures) == {"a"}
    limiter.SWEEP_AT = 10
    for i in range(10):
        limiter.failed(f"client-{i}")
    now[0] = 100  # every failure so far is stale
    limiter.failed("late")
    assert set(limiter._failures) == {"late"}


def test_workshop_summary_workbook():
    import io

    from openpyxl import load_workbook

    from nlc_toolkit.core.exports.spreadsheets import workshop_workbook

    rows = [{"question": "mandate.formal_mandate", "text": {"en": "Formal basis?", "ar": "سند رسمي؟"}, "count": 5,
             "distribution": [1, 2, 1, 1], "median": 1.0, "spread": 3, "agreed": 1, "note": "=HYPERLINK(\"x\")"},
            {"question": "trust.local", "text": {"en": "Trust?"}, "count": 0, "distribution": [0, 0, 0, 0],
             "median": None, "spread": None, "agreed": None, "note": ""}]
    ws = load_workbook(io.BytesIO(workshop_workbook(rows, "ar")))["summary"]
    assert [c.value for c in ws[1]] == ["question_id", "question", "answers", "level 0", "level 1", "level 2",
                                        "level 3", "median", "spread", "agreed", "note"]
    assert [c.value for c in ws[2]] == ["mandate.formal_mandate", "سند رسمي؟", 5, 1, 2, 1, 1, 1, 3, 1,
                                        "'=HYPERLINK(\"x\")"]  # a note is never run as a formula
    assert ws[3][1].value == "Trust?"  # no Arabic text: English
    assert ws.sheet_view.rightToLeft
