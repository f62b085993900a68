"""Uploaded evidence is served only to those who may see its assessment.

Reflex serves every uploaded file under `/_upload/` to anyone with the address. Evidence files
(`/_upload/evidence/<assessment id>/<name>`) can hold sensitive documents, so this guard sits in
front of the backend (an `api_transformer`) and answers 404 unless the request carries the session
cookie of someone who may see that assessment and the file is still attached to one of its answers.
Other uploads pass through untouched."""

from __future__ import annotations

from http.cookies import SimpleCookie

from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse

from ..db import auth
from ..db.assessments import actor_of, evidence_file_visible
from ..db.session import session_scope

PREFIX = "/_upload/"
SESSION_COOKIE = "nlc_session"  # AuthState.session_token


def _may_see(token: str, path: str) -> bool:
    with session_scope() as s:
        user = auth.user_for_token(s, token)
        return evidence_file_visible(s, actor_of(user) if user else None, path)


def _session_token(scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            cookie = SimpleCookie()
            try:
                cookie.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001 - a malformed cookie header is no session
                return ""
            if SESSION_COOKIE in cookie:
                return cookie[SESSION_COOKIE].value
    return ""


def evidence_guard(app):
    async def guarded(scope, receive, send):
        path = scope.get("path", "") if scope.get("type") == "http" else ""
        if path.startswith(PREFIX + "evidence/") or path.rstrip("/") == PREFIX + "evidence":
            relative = path[len(PREFIX):]
            if ".." in relative.split("/") or not await run_in_threadpool(_may_see, _session_token(scope), relative):
                await PlainTextResponse("Not found", status_code=404)(scope, receive, send)
                return
        await app(scope, receive, send)

    return guarded
