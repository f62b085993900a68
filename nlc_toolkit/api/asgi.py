"""What the app's own routes read off a raw ASGI request, the same way everywhere."""

from __future__ import annotations

from starlette.requests import cookie_parser


def header(scope, name: bytes) -> str:
    """The request's first `name` header (lower case), or ""."""
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def cookie(scope, name: str) -> str:
    """The request's `name` cookie, or "". Read as browsers write the header, leniently: another
    site's malformed cookie on the same host must not hide ours (Python's SimpleCookie drops
    the whole header at the first one)."""
    return cookie_parser(header(scope, b"cookie")).get(name, "")
