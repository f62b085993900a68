"""The unit of work and the current user: what every event of a page goes through.

A page event opens one unit of work (one transaction), asks `signed_in` who the session token
belongs to, runs its service call and re-reads what it shows, all in that transaction; the
commit happens once at the end, or nothing is kept. Pages import this module, never db/."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session

from nlc_toolkit.core.errors import Unreachable
from nlc_toolkit.core.policy import Actor, actor_of
from nlc_toolkit.db.session import is_unreachable, session_scope
from nlc_toolkit.services import accounts

MAX_TOKEN = 200


@dataclass(frozen=True)
class SignedIn:
    """Who a session token belongs to, as the page header shows them."""

    actor: Actor
    email: str
    name: str
    must_change_password: bool

    def acting(self, for_password_change: bool = False) -> Actor | None:
        """Whom this session may act as: someone who still has a one-time password may act only
        to change it (the one place this rule lives)."""
        return None if self.must_change_password and not for_password_change else self.actor


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back on any error. A failure to
    reach the database becomes `Unreachable` (nothing was kept; a retry may succeed)."""
    try:
        with session_scope() as s:
            yield s
    except Exception as e:
        if is_unreachable(e):
            raise Unreachable(str(e)) from e
        raise


def signed_in(s: Session, token) -> SignedIn | None:
    """The user of a session token (any client value: only a short string is looked up), or None
    for no, an expired or a revoked session."""
    token = token if isinstance(token, str) and len(token) < MAX_TOKEN else ""
    user = accounts.user_for_token(s, token)
    if user is None:
        return None
    return SignedIn(actor=actor_of(user), email=user.email, name=user.display_name or user.email,
                    must_change_password=user.must_change_password)
