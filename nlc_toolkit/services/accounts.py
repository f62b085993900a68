"""Sign-in, throttling, passwords and sessions.

Failed sign-ins are counted per account key (`account:` + SHA-256 of the normalised email, the
same for emails that have no account) and per address (`address:<ip>`). From its FREE_FAILURES-th
failure on, the n-th failure of a key blocks it for 2**(n - FREE_FAILURES) seconds, up to
60 s for an account (so nobody can keep its owner out for long) and 15 minutes for an address
(which is what slows a guesser). While a key is blocked no password is checked. Unknown and known
emails get the same answers and cost the same argon2 work.

A session lasts at most 12 hours and ends after 2 hours without activity. Browsers hold a random
token; the database holds its SHA-256.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload

from nlc_toolkit.core.security import (
    MAX_PASSWORD_LENGTH,
    ONE_TIME_VALIDITY,
    dummy_hash,
    hash_password,
    needs_rehash,
    normalize_email,
    password_problem,
    verify_password,
)
from nlc_toolkit.db.models import LoginThrottle, User, UserSession, utcnow
from nlc_toolkit.db.repo import audit

SESSION_MAX_AGE = timedelta(hours=12)
SESSION_IDLE = timedelta(hours=2)

FREE_FAILURES = 5
ACCOUNT_MAX_WAIT = timedelta(seconds=60)
ADDRESS_MAX_WAIT = timedelta(minutes=15)
# A key left alone this long starts again from zero failures.
THROTTLE_FORGET = timedelta(hours=24)


@dataclass
class LoginResult:
    user: User | None = None
    token: str = ""
    # An i18n key: auth.error.invalid | auth.error.throttled | auth.error.expired | auth.error.inactive
    error: str = ""
    # Seconds before the next attempt is heard (set with "throttled", and with "invalid" when
    # this failure started a delay).
    wait_seconds: int = 0
    # Signed in with a one-time password: send the user to the change-password form.
    must_change_password: bool = False

    @property
    def locked_minutes(self) -> int:
        """wait_seconds in whole minutes, for pages written before throttling."""
        return math.ceil(self.wait_seconds / 60)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def account_key(email: str) -> str:
    return "account:" + hashlib.sha256(normalize_email(email).encode()).hexdigest()


def address_key(address: str) -> str:
    return "address:" + address.strip()[:90]


def _keys(email: str, address: str) -> list[tuple[str, timedelta]]:
    keys = [(account_key(email), ACCOUNT_MAX_WAIT)]
    if address.strip():
        keys.append((address_key(address), ADDRESS_MAX_WAIT))
    return keys


def _wait(session: Session, keys: list[str], now: datetime) -> int:
    """Seconds until every key may try again (0: none is blocked)."""
    rows = session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys))).all()
    return max([math.ceil((r.blocked_until - now).total_seconds()) for r in rows
                if r.blocked_until and r.blocked_until > now] + [0])


def _insert_ignore(session: Session):
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(LoginThrottle)


def _record_failure(session: Session, key: str, cap: timedelta, now: datetime) -> int:
    """Count a failure of a key; returns the seconds it is now blocked for (0: not blocked)."""
    # Insert-or-keep then lock the row, so concurrent failures neither collide nor get lost.
    session.execute(_insert_ignore(session).values(key=key, failures=0, updated_at=now)
                    .on_conflict_do_nothing(index_elements=["key"]))
    row = session.scalars(select(LoginThrottle).where(LoginThrottle.key == key)
                          .with_for_update().execution_options(populate_existing=True)).one()
    if row.updated_at + THROTTLE_FORGET < now:
        row.failures = 0
    row.failures += 1
    row.updated_at = now
    if row.failures < FREE_FAILURES:
        return 0
    delay = min(cap, timedelta(seconds=2 ** min(row.failures - FREE_FAILURES, 20)))
    row.blocked_until = now + delay
    return math.ceil(delay.total_seconds())


def _clear(session: Session, keys: list[str]) -> None:
    # Lock in key order, as _record_failure does, so concurrent sign-ins cannot deadlock.
    locked = session.scalars(select(LoginThrottle.key).where(LoginThrottle.key.in_(keys))
                             .order_by(LoginThrottle.key).with_for_update()).all()
    if locked:
        session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(locked)))


def _forget_stale(session: Session, now: datetime) -> None:
    """Drop keys idle for THROTTLE_FORGET (a few at a time; rows others hold are skipped)."""
    stale = session.scalars(select(LoginThrottle.key).where(
        LoginThrottle.updated_at < now - THROTTLE_FORGET,
        LoginThrottle.blocked_until.is_(None) | (LoginThrottle.blocked_until < now),
    ).limit(100).with_for_update(skip_locked=True)).all()
    if stale:
        session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(stale)))


def clear_throttle(session: Session, email: str) -> None:
    """Lift the account key's delay (an admin reset the password)."""
    _clear(session, [account_key(email)])


def sign_in(session: Session, email: str, password: str, address: str = "", now: datetime | None = None) -> LoginResult:
    """Check the password and open a session. `address` is the client's IP address as the app
    can trust it (behind a proxy: the one the proxy reports); "" throttles the account key only."""
    now = now or utcnow()
    address = address.strip()[:90]
    password = password[: MAX_PASSWORD_LENGTH + 1]  # longer ones are never set, so never right
    dummy = dummy_hash()  # made on the first sign-in of any kind, so it times no unknown email
    keys = _keys(email, address)
    wait = _wait(session, [k for k, _ in keys], now)
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    if wait:
        audit(session, "sign_in_failed", "user", user.id if user else "", user_id=user.id if user else None,
              address=address, reason="throttled")
        return LoginResult(error="auth.error.throttled", wait_seconds=wait)
    # One argon2 verification whether or not the account exists.
    if not verify_password(user.password_hash if user else dummy, password) or user is None:
        wait = max(_record_failure(session, key, cap, now) for key, cap in sorted(keys))
        _forget_stale(session, now)
        audit(session, "sign_in_failed", "user", user.id if user else "", user_id=user.id if user else None,
              address=address, reason="invalid")
        return LoginResult(error="auth.error.invalid", wait_seconds=wait)
    # The password is right: what follows no longer needs to look the same for unknown emails.
    if user.password_expires_at and user.password_expires_at <= now:
        audit(session, "sign_in_failed", "user", user.id, user_id=user.id, address=address, reason="expired")
        return LoginResult(error="auth.error.expired")
    if not user.active:
        audit(session, "sign_in_failed", "user", user.id, user_id=user.id, address=address, reason="inactive")
        return LoginResult(error="auth.error.inactive")
    _clear(session, [k for k, _ in keys])
    user.failed_logins, user.locked_until = 0, None
    if needs_rehash(user.password_hash):  # made with older parameters (security.py)
        user.password_hash = hash_password(password)
    token = _open_session(session, user.id, now)
    audit(session, "sign_in", "user", user.id, user_id=user.id, address=address)
    return LoginResult(user=user, token=token, must_change_password=user.must_change_password)


def _open_session(session: Session, user_id: int, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token_hash=_hash(token), user_id=user_id, created_at=now, last_seen=now,
                            expires_at=now + SESSION_MAX_AGE))
    return token


def change_password(session: Session, user_id: int, current: str, new: str, keep_token: str = "",
                    now: datetime | None = None) -> None:
    """Replace the user's password. Wrong current passwords count against the account's throttle
    (a stolen session must not become a guessing machine). Every other session of the user ends;
    the one holding `keep_token` stays signed in."""
    from nlc_toolkit.core.errors import Invalid

    now = now or utcnow()
    current = current[: MAX_PASSWORD_LENGTH + 1]
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise Invalid("account.error.current")
    key = account_key(user.email)
    if wait := _wait(session, [key], now):
        raise Invalid("auth.error.throttled", wait_seconds=wait)
    if not verify_password(user.password_hash, current):
        _record_failure(session, key, ACCOUNT_MAX_WAIT, now)
        audit(session, "change_password_failed", "user", user.id, user_id=user.id, reason="current")
        raise Invalid("account.error.current")
    if user.password_expires_at and user.password_expires_at <= now:
        raise Invalid("auth.error.expired")
    if new == current:
        raise Invalid("account.error.same")
    if problem := password_problem(new, user.email):
        raise Invalid("account.error.weak", reason=problem)
    set_password(session, user, new)
    others = delete(UserSession).where(UserSession.user_id == user.id)
    if keep_token:
        others = others.where(UserSession.token_hash != _hash(keep_token))
    session.execute(others)
    _clear(session, [key])
    audit(session, "change_password", "user", user.id, user_id=user.id)


def set_password(session: Session, user: User, password: str, one_time: bool = False,
                 now: datetime | None = None) -> None:
    """Store a new password hash; a one-time password expires and must be changed."""
    user.password_hash = hash_password(password)
    user.must_change_password = one_time
    user.password_expires_at = (now or utcnow()) + ONE_TIME_VALIDITY if one_time else None
    user.password_is_demo = False
    user.failed_logins, user.locked_until = 0, None


# Built once: every event of a signed-in page runs it, and building it cost as much as running it.
_SESSION_AND_USER = (select(UserSession).options(joinedload(UserSession.user))
                     .where(UserSession.token_hash == bindparam("token_hash")))


def user_for_token(session: Session, token: str, now: datetime | None = None) -> User | None:
    """The signed-in user of a token, or None when unknown, expired, idle too long or deactivated.

    A user who must change their password (one-time password) is still returned: the page checks
    `user.must_change_password` and sends them to the change form."""
    if not token:
        return None
    now = now or utcnow()
    # One query for the session and its user: every event of a signed-in page asks this.
    row = session.scalar(_SESSION_AND_USER, {"token_hash": _hash(token)})
    if row is None:
        return None
    if row.expires_at <= now or row.last_seen + SESSION_IDLE <= now or not row.user.active:
        session.delete(row)
        return None
    if now - row.last_seen > timedelta(minutes=1):  # write at most once a minute per session
        row.last_seen = now
    return row.user


def sign_out(session: Session, token, address: str = "") -> None:
    """End the session of this token. The token is whatever the client's cookie holds: anything
    but a plausible string ends nothing (and raises nothing)."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return
    address = address.strip()[:90]
    row = session.scalar(select(UserSession).where(UserSession.token_hash == _hash(token)))
    if row is None:
        return
    session.delete(row)
    audit(session, "sign_out", "user", row.user_id, user_id=row.user_id, address=address)


def end_sessions_of(session: Session, user_id: int) -> int:
    """End every session of a user (deactivation, password reset, role or city change); returns
    how many ended."""
    return session.execute(delete(UserSession).where(UserSession.user_id == user_id)).rowcount or 0
