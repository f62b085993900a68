"""Administration of cities and users; admin only, every change in the audit log."""

from __future__ import annotations

import secrets

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from nlc_toolkit.core import policy as perm
from nlc_toolkit.core.errors import Invalid, Refused
from nlc_toolkit.core.policy import Actor
from nlc_toolkit.core.vocabulary import CITY_ROLES
from nlc_toolkit.db import repo
from nlc_toolkit.db.models import (
    ROLES,
    Assessment,
    AuditEvent,
    City,
    FacilitatorCity,
    Respondent,
    User,
)
from nlc_toolkit.services.accounts import clear_throttle, end_sessions_of, set_password

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


def _audit_rows(rows) -> list[dict]:
    return [
        {"at": e.at.strftime("%Y-%m-%d %H:%M:%S"), "who": email or "", "action": e.action, "entity": e.entity,
         "entity_id": e.entity_id,
         "detail": ", ".join(f"{k}={v}" for k, v in (e.detail or {}).items() if k not in ("password",))}
        for e, email in rows
    ]


def audit_log(s: Session, actor: Actor, limit: int = 200) -> list[dict]:
    """The newest events (the first page of audit_page)."""
    return audit_page(s, actor, page=1, per_page=limit)[0]


MAX_PER_PAGE = 500


def audit_page(s: Session, actor: Actor, page: int = 1, per_page: int = 50, action: str = "", who: str = "",
               entity: str = "") -> tuple[list[dict], int]:
    """One page of the audit log, newest first, and how many events match. `action` and `entity`
    match exactly; `who` is part of the actor's email."""
    _admin(actor)
    page = min(max(1, int(page)), 1_000_000)
    per_page = min(max(1, int(per_page)), MAX_PER_PAGE)
    query = select(AuditEvent, User.email).outerjoin(User, User.id == AuditEvent.user_id)
    if action.strip():
        query = query.where(AuditEvent.action == action.strip())
    if entity.strip():
        query = query.where(AuditEvent.entity == entity.strip())
    if who.strip():
        pattern = "%" + who.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(User.email.like(pattern, escape="\\"))
    total = s.scalar(select(func.count()).select_from(query.subquery()))
    rows = s.execute(query.order_by(AuditEvent.id.desc()).offset((page - 1) * per_page).limit(per_page)).all()
    return _audit_rows(rows), total


def create_city(s: Session, actor: Actor, name: str, country: str, region: str, population_band: str) -> City:
    _admin(actor)
    if population_band not in POPULATION_BANDS:
        raise Invalid("admin.error.population_band")
    try:
        city = repo.create_city(s, str(name), str(country), str(region).strip() or "other", population_band,
                                by_user_id=actor.user_id)
    except repo.RepoError as e:
        raise Invalid("admin.error.city", reason=str(e)) from e
    return city


def _one_time_password() -> str:
    return secrets.token_urlsafe(12)


def create_user(s: Session, actor: Actor, email: str, name: str, role: str, city_id: int | None) -> tuple[User, str]:
    """A new account with a one-time password for the admin to pass on: it expires after
    auth.ONE_TIME_VALIDITY and must be changed at the first sign-in."""
    _admin(actor)
    city = s.get(City, city_id) if city_id else None
    password = _one_time_password()
    try:
        user = repo.create_user(s, email, password, role, city, display_name=name, by_user_id=actor.user_id,
                                one_time=True)
    except repo.RepoError as e:
        raise Invalid("admin.error.user", reason=str(e)) from e
    return user, password


def update_user(s: Session, actor: Actor, user_id: int, role: str, city_id: int | None) -> None:
    """Change an account's role or city. Access that came with the old ones ends at once: the
    user's sessions, the respondent rows they hold in their old city's assessments (their answers
    stay, the rows stop granting access) and, for a former facilitator, their city assignments."""
    _admin(actor)
    user = s.get(User, user_id)
    if user is None:
        raise Invalid("admin.error.user", reason="no such user")
    if role not in ROLES:
        raise Invalid("admin.error.user", reason=f"unknown role {role}")
    if role in CITY_ROLES and not city_id:
        raise Invalid("admin.error.user", reason="this role needs a city")
    city_id = city_id or None
    if city_id is not None and s.get(City, city_id) is None:
        raise Invalid("admin.error.user", reason="no such city")
    if user.id == actor.user_id and role != "admin":
        raise Invalid("admin.error.self")  # an admin cannot demote themself
    old = {"role": user.role, "city_id": user.city_id}
    if old == {"role": role, "city_id": city_id}:
        return
    grants_ended = 0
    if old["city_id"] is not None:
        rows = s.scalars(select(Respondent).join(Assessment, Assessment.id == Respondent.assessment_id).where(
            Respondent.user_id == user.id, Respondent.invited.is_(True), Assessment.city_id == old["city_id"])).all()
        for row in rows:
            row.invited = False
        grants_ended = len(rows)
    if old["role"] != role and role != "facilitator":
        s.execute(delete(FacilitatorCity).where(FacilitatorCity.user_id == user.id))
    user.role, user.city_id = role, city_id
    # An admin changing their own city keeps their session: admin access does not come from a city.
    sessions_ended = 0 if user.id == actor.user_id else end_sessions_of(s, user.id)
    repo.audit(s, "update", "user", user.id, user_id=actor.user_id, old=old, new={"role": role, "city_id": city_id},
               sessions_ended=sessions_ended, grants_ended=grants_ended)


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
    """A new one-time password for the admin to pass on; the user's sessions and sign-in delays end."""
    _admin(actor)
    user = s.get(User, user_id)
    if user is None:
        raise Invalid("admin.error.user", reason="no such user")
    password = _one_time_password()
    set_password(s, user, password, one_time=True)
    clear_throttle(s, user.email)
    end_sessions_of(s, user.id)
    repo.audit(s, "reset_password", "user", user.id, user_id=actor.user_id)
    return password
