"""Where a sign-in may send the browser next: only a path on this site."""

from __future__ import annotations

import re

_SAFE_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9/_\-.~%?=&+,]*")


def safe_next(wanted, default: str) -> str:
    """`wanted` when it is a same-origin relative path (starts with one `/`, no `\\`, no scheme,
    no `//`, no spaces or control characters, not the sign-in page itself), else `default`."""
    if not isinstance(wanted, str) or len(wanted) > 500 or not _SAFE_PATH.fullmatch(wanted):
        return default
    if "\\" in wanted or "//" in wanted or wanted.split("?")[0].rstrip("/") in ("/login", ""):
        return default
    return wanted
