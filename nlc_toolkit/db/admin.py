"""Administration of cities and users; admin only, every change in the audit log."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import permissions as perm
from ..core.permissions import Actor
from ..core.security import hash_password
from . import repo
from .assessments import Invalid, Refused
from .auth import end_sessions_of
from .models import ROLES, AuditEvent, City, User

POPULATION_BANDS = ("under_100k", "100k_500k", "500k_1m", "over_1m")


def _admin(actor: Actor) -> None:
    if not perm.can_administer(actor):
        raise Refused("error.forbidden")


def users(s: Session, actor: Actor) -> list[dict]:
    _admin(actor)
    return [
        {"id": u.id, "email": u.email, "name": u.display_name, "role": u.role, "city": u.city.name if u.city else "",
         "city_id": str(u.city_id or ""), "active": u.active}
        for u in s.scalars(select(User).order_by(User.email))
    ]


def cities(s: Session, actor: Actor) -> list[dict]:
    _admin(actor)
    return [
        {"id": c.id, "name": c.name, "country": c.country, "region": c.region, "population_band": c.population_band,
         "active": c.active}
        for c in s.scalars(select(City).order_by(City.name))
    ]


def audit_log(s: Session, actor: Actor, limit: int = 200) -> list[dict]:
    _admin(actor)
    rows = s.execute(
        select(AuditEvent, User.email).outerjoin(User, User.id == AuditEvent.user_id).order_by(AuditEvent.id.desc()).limit(limit)
    ).all()
    return [
        {"at": e.at.strftime("%Y-%m-%d %H:%M:%S"), "who": email or "", "action": e.action, "entity": e.entity,
         "entity_id": e.entity_id,
         "detail": ", ".join(f"{k}={v}" for k, v in (e.detail or {}).items() if k not in ("password",))}
        for e, email in rows
    ]


def create_city(s: Session, actor: Actor, name: str, country: str, region: str, population_band: str) -> City:
    _admin(actor)
    if population_band not in POPULATION_BANDS:
        raise Invalid("admin.error.population_band")
    try:
        city = repo.create_city(s, name, country, region.strip() or "other", population_band)
    except repo.RepoError as e:
        raise Invalid("admin.error.city", reason=str(e)) from e
    return city


def create_user(s: Session, actor: Actor, email: str, name: str, role: str, city_id: int | None) -> tuple[User, str]:
    """A new account with a one-time password for the admin to pass on."""
    _admin(actor)
    city = s.get(City, city_id) if city_id else None
    password = secrets.token_urlsafe(9)
    try:
        user = repo.create_user(s, email, password, role, city, display_name=name, by_user_id=actor.user_id)
    except repo.RepoError as e:
        raise Invalid("admin.error.user", reason=str(e)) from e
    return user, password


def update_user(s: Session, actor: Actor, user_id: int, role: str, city_id: int | None) -> None:
    _admin(actor)
    user = s.get(User, user_id)
    if user is None:
        raise Invalid("admin.error.user", reason="no such user")
    if role not in ROLES:
        raise Invalid("admin.error.user", reason=f"unknown role {role}")
    if role in ("city_editor", "city_viewer") and not city_id:
        raise Invalid("admin.error.user", reason="this role needs a city")
    old = {"role": user.role, "city_id": user.city_id}
    user.role, user.city_id = role, city_id or None
    repo.audit(s, "update", "user", user.id, user_id=actor.user_id, old=old, new={"role": role, "city_id": city_id})


def set_active(s: Session, actor: Actor, user_id: int, active: bool) -> None:
    _admin(actor)
    user = s.get(User, user_id)
    if user is None or user.id == actor.user_id:
        raise Invalid("admin.error.self")  # an admin cannot lock themself out
    user.active = active
    if not active:
        end_sessions_of(s, user.id)
    repo.audit(s, "activate" if active else "deactivate", "user", user.id, user_id=actor.user_id)


def reset_password(s: Session, actor: Actor, user_id: int) -> str:
    _admin(actor)
    user = s.get(User, user_id)
    if user is None:
        raise Invalid("admin.error.user", reason="no such user")
    password = secrets.token_urlsafe(9)
    user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    end_sessions_of(s, user.id)
    repo.audit(s, "reset_password", "user", user.id, user_id=actor.user_id)
    return password
