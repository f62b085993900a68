"""`/_health`: what a load balancer or an operator asks of each worker. 200 with the database,
Redis and the schema revision when all is well; 503 naming what is wrong otherwise (the database
or Redis unreachable, the schema behind or ahead of this release). It says nothing a stranger could
use: no addresses, no versions of libraries, no data.

The checks run in a worker thread with short timeouts, so a database that hangs never holds the
event loop, and a probe every few seconds costs a query or two."""

from __future__ import annotations

import os
from functools import lru_cache

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from nlc_toolkit.db.migrate import head_revision

HEALTH_ROUTE = "/_health"
_head = lru_cache(maxsize=1)(head_revision)  # the release's newest revision never changes while it runs
TIMEOUT_S = 3.0


def _database() -> tuple[bool, str, str]:
    """(reachable, its schema revision, a reason when not healthy)."""
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import text

    from nlc_toolkit.db.session import get_engine

    try:
        with get_engine().connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text(f"SET LOCAL statement_timeout = {int(TIMEOUT_S * 1000)}"))
            conn.execute(text("SELECT 1"))
            revision = MigrationContext.configure(conn).get_current_revision() or ""
    except Exception as e:  # noqa: BLE001 - any failure is "down", with its kind as the reason
        return False, "", f"database unreachable ({type(e).__name__})"
    return True, revision, ""


def _redis() -> tuple[bool | None, str]:
    """(reachable, or None when this install runs without Redis; a reason when not)."""
    url = os.environ.get("REFLEX_REDIS_URL")
    if not url:
        return None, ""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as e:  # noqa: BLE001
        return False, f"redis unreachable ({type(e).__name__})"
    return True, ""


def health() -> tuple[int, dict]:
    """The status code and body of `/_health`."""
    db_ok, revision, db_reason = _database()
    redis_ok, redis_reason = _redis()
    expected = _head()
    reasons = [r for r in (db_reason, redis_reason) if r]
    if db_ok and revision != expected:
        reasons.append(f"schema at revision {revision or 'none'}, this release needs {expected}: run `nlc migrate`")
    body = {
        "status": "ok" if not reasons else "unavailable",
        "database": "ok" if db_ok else "down",
        "redis": "ok" if redis_ok else "not used" if redis_ok is None else "down",
        "revision": revision,
        "expected_revision": expected,
    }
    if reasons:
        body["reasons"] = reasons
    return (200 if not reasons else 503), body


def health_route(app):
    """Answers GET/HEAD `/_health` before Reflex sees the request."""

    async def routed(scope, receive, send):
        if scope.get("type") == "http" and scope.get("path") == HEALTH_ROUTE:
            if scope.get("method") not in ("GET", "HEAD"):
                status, body = 405, {"status": "method not allowed"}
            else:
                status, body = await run_in_threadpool(health)
            response = JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})
            return await response(scope, receive, send)
        await app(scope, receive, send)

    return routed
