"""Sign-in, lockout and sessions.

Five failed attempts lock an account for 15 minutes. A session lasts at most 12 hours and ends
after 2 hours without activity. Browsers hold a random token; the database holds its SHA-256.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..core.security import normalize_email, verify_password
from .models import User, UserSession, utcnow
from .repo import audit

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
SESSION_MAX_AGE = timedelta(hours=12)
SESSION_IDLE = timedelta(hours=2)


@dataclass
class LoginResult:
    user: User | None = None
    token: str = ""
    error: str = ""  # an i18n key: auth.error.invalid | auth.error.locked | auth.error.inactive
    locked_minutes: int = 0


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(session: Session, email: str, password: str, now: datetime | None = None) -> LoginResult:
    now = now or utcnow()
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        verify_password("$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$0000000000000000000000", password)  # same cost
        return LoginResult(error="auth.error.invalid")
    if user.locked_until and user.locked_until > now:
        minutes = max(1, math.ceil((user.locked_until - now).total_seconds() / 60))
        return LoginResult(error="auth.error.locked", locked_minutes=minutes)
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
            audit(session, "locked", "user", user.id, user_id=user.id)
            return LoginResult(error="auth.error.locked", locked_minutes=int(LOCKOUT.total_seconds() // 60))
        return LoginResult(error="auth.error.invalid")
    if not user.active:
        return LoginResult(error="auth.error.inactive")
    user.failed_logins = 0
    user.locked_until = None
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token_hash=_hash(token), user_id=user.id, created_at=now, last_seen=now,
                            expires_at=now + SESSION_MAX_AGE))
    audit(session, "sign_in", "user", user.id, user_id=user.id)
    return LoginResult(user=user, token=token)


def user_for_token(session: Session, token: str, now: datetime | None = None) -> User | None:
    """The signed-in user of a token, or None when unknown, expired, idle too long or deactivated."""
    if not token:
        return None
    now = now or utcnow()
    row = session.scalar(select(UserSession).where(UserSession.token_hash == _hash(token)))
    if row is None:
        return None
    if row.expires_at <= now or row.last_seen + SESSION_IDLE <= now or not row.user.active:
        session.delete(row)
        return None
    if now - row.last_seen > timedelta(minutes=1):  # write at most once a minute per session
        row.last_seen = now
    return row.user


def sign_out(session: Session, token: str) -> None:
    session.execute(delete(UserSession).where(UserSession.token_hash == _hash(token)))


def end_sessions_of(session: Session, user_id: int) -> None:
    """Used when an account is deactivated or its password reset."""
    session.execute(delete(UserSession).where(UserSession.user_id == user_id))
