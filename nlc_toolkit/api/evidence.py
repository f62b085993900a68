"""What the backend's HTTP side lets through: uploads and evidence files.

An ASGI wrapper (`api_transformer`) in front of the Reflex backend:
- Nothing under the upload folder is served by Reflex's `/_upload/` static route: every request
  whose path, decoded and normalised (`//`, `/./`, `..`, `\\`, `%2e`, `%2f`), lands in that tree
  gets 404, except the upload POST itself.
- The upload POST must name one of our upload handlers, carry the session cookie of a signed-in
  user, and declare a body no larger than that handler takes; otherwise it is refused before
  Reflex reads a byte (Reflex parses the whole form before any handler runs). The handler then
  checks the permission and the files themselves before storing anything.
- Evidence is served only by `/_evidence/<assessment id>/<file>`: the path is resolved first,
  then the session, the permission and that the file is still attached are checked; every
  download is in the audit log."""

from __future__ import annotations

import posixpath
from urllib.parse import unquote

from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, PlainTextResponse, Response

from nlc_toolkit.api.asgi import cookie, header
from nlc_toolkit.core.policy import Actor
from nlc_toolkit.db import files, repo
from nlc_toolkit.db.session import session_scope
from nlc_toolkit.services import accounts as auth
from nlc_toolkit.services.assessments import actor_of, evidence_file

UPLOAD_ROOT = "/_upload"
EVIDENCE_ROUTE = "/_evidence/"
SESSION_COOKIE = "nlc_session"  # AuthState.session_token
MULTIPART_OVERHEAD = 256 * 1024  # form boundaries and part headers around the files


def _normalised(path: str) -> str:
    """A request path as a file server would see it: decoded, backslashes as slashes, dot
    segments and repeated slashes removed, lower case (to compare prefixes only)."""
    path = unquote(unquote(path)).replace("\\", "/")
    return ("/" + posixpath.normpath("/" + path).lstrip("/")).lower()


def _in_upload_tree(scope) -> bool:
    paths = [scope.get("path", "")]
    raw = scope.get("raw_path")
    if raw:
        paths.append(raw.decode("latin-1").split("?")[0])
    return any(p == UPLOAD_ROOT or p.startswith(UPLOAD_ROOT + "/") for p in map(_normalised, paths))


def _actor(token: str) -> Actor | None:
    with session_scope() as s:
        user = auth.user_for_token(s, token)
        return actor_of(user) if user is not None else None


def upload_limits() -> dict[str, int]:
    """Every upload handler of the app (full Reflex names) and the largest body each accepts:
    what the page states declare in UPLOAD_LIMITS, plus the multipart envelope."""
    import reflex as rx

    limits, pending = {}, [rx.State]
    while pending:
        state = pending.pop()
        pending.extend(state.get_substates())
        for name, most in (state.__dict__.get("UPLOAD_LIMITS") or {}).items():
            limits[f"{state.get_full_name()}.{name}"] = most + MULTIPART_OVERHEAD
    return limits


async def _refuse(scope, receive, send, status: int, reason: str) -> None:
    await PlainTextResponse(reason, status_code=status)(scope, receive, send)


async def _guard_upload(app, scope, receive, send) -> None:
    limit = upload_limits().get(header(scope, b"reflex-event-handler"))
    if scope.get("method") != "POST" or _normalised(scope.get("path", "")) != UPLOAD_ROOT or limit is None:
        return await _refuse(scope, receive, send, 404, "Not found")
    length = header(scope, b"content-length")
    if not length.isdigit():
        return await _refuse(scope, receive, send, 411, "Length required")
    if int(length) > limit:
        return await _refuse(scope, receive, send, 413, "Too large")
    if await run_in_threadpool(_actor, cookie(scope, SESSION_COOKIE)) is None:
        return await _refuse(scope, receive, send, 403, "Sign in first")
    received = 0

    async def counted_receive():
        # The server should hold a body to its Content-Length; do not rely on it.
        nonlocal received
        message = await receive()
        received += len(message.get("body", b""))
        if received > int(length):
            raise ValueError("upload body longer than declared")
        return message

    await app(scope, counted_receive, send)


def _evidence_response(token: str, relative: str) -> Response:
    path = files.resolve(relative)
    if path is None or not path.is_file():
        return PlainTextResponse("Not found", status_code=404)
    with session_scope() as s:
        user = auth.user_for_token(s, token)
        actor = actor_of(user) if user is not None else None
        item = evidence_file(s, actor, relative)
        if item is None:
            return PlainTextResponse("Not found", status_code=404)
        repo.audit(s, "download", "evidence", relative, user_id=actor.user_id)
    name = files.safe_name(item.get("name") or path.name)
    return FileResponse(path, filename=name, content_disposition_type="attachment",
                        media_type="application/octet-stream",
                        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store",
                                 "Content-Security-Policy": "default-src 'none'; sandbox"})


def evidence_guard(app):
    async def guarded(scope, receive, send):
        if scope.get("type") == "http":
            if _in_upload_tree(scope):
                return await _guard_upload(app, scope, receive, send)
            path = scope.get("path", "")
            if path.startswith(EVIDENCE_ROUTE):
                if scope.get("method") not in ("GET", "HEAD"):
                    return await _refuse(scope, receive, send, 405, "Method not allowed")
                relative = "evidence/" + path[len(EVIDENCE_ROUTE):]
                response = await run_in_threadpool(_evidence_response, cookie(scope, SESSION_COOKIE), relative)
                return await response(scope, receive, send)
        await app(scope, receive, send)

    return guarded
