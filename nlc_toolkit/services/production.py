"""Production mode: what must hold before the app may serve real data, and the first admin."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nlc_toolkit.core import settings
from nlc_toolkit.core.security import DEMO_PASSWORD, normalize_email, verify_password
from nlc_toolkit.db import repo
from nlc_toolkit.db.models import User


class UnsafeProduction(RuntimeError):
    """Production mode found problems; the message lists them, one a line."""


def production_problems(session: Session) -> list[str]:
    """Why this database and environment are not safe to serve real data (empty: safe)."""
    from nlc_toolkit.db.seed import demo_emails

    problems = []
    demo = session.scalars(select(User.email).where(User.password_is_demo.is_(True), User.active.is_(True))
                           .order_by(User.email)).all()
    if demo:
        problems.append(f"{len(demo)} active account(s) still have the demo password: {', '.join(demo[:10])}"
                        + (", ..." if len(demo) > 10 else "") + " (deactivate them or change their password)")
    # Seeded accounts that are inactive (could be reactivated) or lost their flag (an old backup):
    # the flag or the hash itself tells.
    unchanged = [u.email for u in session.scalars(select(User).where(User.email.in_(demo_emails()),
                                                                      User.email.not_in(demo)).order_by(User.email))
                 if u.password_is_demo or verify_password(u.password_hash, DEMO_PASSWORD)]
    if unchanged:
        problems.append(f"demo account(s) still accept the demo password: {', '.join(unchanged)}")
    if not session.scalar(select(func.count(User.id)).where(User.role == "admin", User.active.is_(True))):
        problems.append("there is no active admin: create one with `nlc bootstrap-admin` (NLC_ADMIN_EMAIL, "
                        "NLC_ADMIN_PASSWORD) or `nlc create-user --role admin`")
    if settings.public_url().lower().startswith("https://") and not settings.secure_cookies():
        problems.append("NLC_PUBLIC_URL is https but the session cookie is not Secure: unset NLC_SECURE_COOKIES "
                        "or set it to 1")
    return problems


def refuse_unsafe_start(session: Session) -> None:
    """At start-up: in production mode, raise UnsafeProduction while any problem remains."""
    if settings.production() and (problems := production_problems(session)):
        raise UnsafeProduction("\n".join(problems))


def bootstrap_admin(session: Session, email: str, password: str) -> str:
    """Create the first admin when there is no active admin (idempotent); returns what happened.
    The password was chosen by the operator, so it is a real one, but it sat in the environment:
    it must be changed at the first sign-in. Raises repo.RepoError for bad input."""
    if session.scalar(select(func.count(User.id)).where(User.role == "admin", User.active.is_(True))):
        return "an active admin exists; nothing to do"
    if not email.strip() or not password:
        raise repo.RepoError("set NLC_ADMIN_EMAIL and NLC_ADMIN_PASSWORD to create the first admin")
    if session.scalar(select(User.id).where(User.email == normalize_email(email))):
        raise repo.RepoError(f"an account {normalize_email(email)} exists but is not an active admin; "
                             "reactivate it or choose another email")
    user = repo.create_user(session, email, password, "admin", display_name="Admin")
    user.must_change_password = True
    repo.audit(session, "bootstrap_admin", "user", user.id, email=user.email)
    return f"created admin {user.email}"
