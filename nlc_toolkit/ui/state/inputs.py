"""Client input coerced before use: event arguments and form fields can be of any type and size
(a raw Socket.IO client sends what it likes). Services validate meaning; these only make sure a
handler gets the type it expects, so bad input ends in a clear refusal, never an exception."""

from __future__ import annotations

MAX_ID_DIGITS = 12


def text(value, limit: int = 2000) -> str:
    """A string of at most `limit` characters; anything that is not a string is ''."""
    return value[:limit] if isinstance(value, str) else ""


def db_id(value) -> int:
    """A positive database id from an int or a string of digits; 0 for anything else."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value if 0 < value < 10**MAX_ID_DIGITS else 0
    digits = value if isinstance(value, str) else ""
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= MAX_ID_DIGITS else 0


def form(value) -> dict:
    """A submitted form: a dict, or an empty one."""
    return value if isinstance(value, dict) else {}
