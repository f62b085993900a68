"""A deterministic demo network: cities in several regions, users, rounds of assessments with
several respondents who plausibly disagree. Bulk inserts, so 1,000 cities take seconds."""

from __future__ import annotations

import random

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from nlc_toolkit.core import settings
from nlc_toolkit.core.security import DEMO_PASSWORD, hash_password
from nlc_toolkit.core.vocabulary import CITY_ROLES
from nlc_toolkit.db import repo
from nlc_toolkit.db.models import (
    Answer,
    Assessment,
    City,
    ContextAnswer,
    FacilitatorCity,
    Respondent,
    User,
)
from nlc_toolkit.db.scores import store_scores

__all__ = ["DEMO_PASSWORD", "SeedRefused", "demo_users", "demo_emails", "seed_demo"]
# (name, country, region) of real member-like cities first; then generated names.
NAMED_CITIES = [
    ("Tangier", "Morocco", "mena"), ("Fes", "Morocco", "mena"), ("Marrakech", "Morocco", "mena"),
    ("Rabat", "Morocco", "mena"), ("Casablanca", "Morocco", "mena"), ("Agadir", "Morocco", "mena"),
    ("Oujda", "Morocco", "mena"), ("Tetouan", "Morocco", "mena"), ("Tunis", "Tunisia", "mena"),
    ("Amman", "Jordan", "mena"), ("Beirut", "Lebanon", "mena"), ("Mombasa", "Kenya", "east_africa"),
    ("Kisumu", "Kenya", "east_africa"), ("Kampala", "Uganda", "east_africa"), ("Dar es Salaam", "Tanzania", "east_africa"),
    ("Dakar", "Senegal", "west_africa"), ("Abidjan", "Côte d'Ivoire", "west_africa"), ("Accra", "Ghana", "west_africa"),
    ("Kano", "Nigeria", "west_africa"), ("Aarhus", "Denmark", "europe"), ("Mechelen", "Belgium", "europe"),
    ("Strasbourg", "France", "europe"), ("Malmö", "Sweden", "europe"), ("Sarajevo", "Bosnia and Herzegovina", "europe"),
    ("Dhaka", "Bangladesh", "south_asia"), ("Colombo", "Sri Lanka", "south_asia"), ("Lahore", "Pakistan", "south_asia"),
    ("Kathmandu", "Nepal", "south_asia"), ("Mombasa North", "Kenya", "east_africa"), ("Nouakchott", "Mauritania", "west_africa"),
]
REGIONS = ["mena", "east_africa", "west_africa", "europe", "south_asia", "southeast_asia", "central_asia", "americas"]
BANDS = ["under_100k", "100k_500k", "500k_1m", "over_1m"]
YEARS = [2024, 2025, 2026]
GROUPS = [("municipality", "Municipality"), ("national", "Ministry focal point"), ("civil_society", "Civil society forum")]


def _city_rows(n: int, rng: random.Random) -> list[dict]:
    rows = []
    for i in range(n):
        if i < len(NAMED_CITIES):
            name, country, region = NAMED_CITIES[i]
        else:
            region = REGIONS[i % len(REGIONS)]
            name, country = f"Demo City {i + 1:04d}", f"Demo Country {region.replace('_', ' ').title()}"
        rows.append({"name": name, "country": country, "region": region, "population_band": rng.choice(BANDS)})
    return rows


class SeedRefused(RuntimeError):
    """Demo data is never seeded in production mode."""


def demo_users(city_ids: dict[str, int] | None = None) -> list[dict]:
    """The demo accounts: network roles, then an editor and a viewer for each of the first five
    named cities (every demo network starts with them)."""
    users = [
        {"email": "admin@example.org", "role": "admin", "city_id": None, "display_name": "Admin"},
        {"email": "staff@example.org", "role": "network_staff", "city_id": None, "display_name": "Network staff"},
        {"email": "trainer@example.org", "role": "facilitator", "city_id": None, "display_name": "Trainer"},
    ]
    for name, _country, _region in NAMED_CITIES[:5]:
        slug = name.lower().replace(" ", "-")
        city_id = (city_ids or {}).get(name)
        users.append({"email": f"editor@{slug}.example.org", "role": "city_editor", "city_id": city_id, "display_name": f"{name} editor"})
        users.append({"email": f"viewer@{slug}.example.org", "role": "city_viewer", "city_id": city_id, "display_name": f"{name} viewer"})
    return users


def demo_emails() -> list[str]:
    return [u["email"] for u in demo_users()]


def seed_demo(session: Session, cities: int = 30, seed: int = 1, only_if_empty: bool = False,
              questionnaire: str | None = None, all_rounds: bool = False) -> str:
    """Seed a demo network. `questionnaire` forces one questionnaire for every city; `all_rounds`
    gives every city all three rounds, approved (the benchmark's network)."""
    if settings.production():
        raise SeedRefused("production mode (NLC_ENV=production) never seeds demo data")
    if only_if_empty and session.scalar(select(func.count(City.id))):
        return "database already holds data; demo seed skipped"
    rng = random.Random(seed)
    versions = repo.sync_questionnaires(session)
    models = {v.questionnaire_id: (v, repo.questionnaire_model(v)) for v in versions}
    # One questionnaire per city: the quick scan for most, the detailed one for every fourth city.
    primary = models.get(questionnaire or "nlc-quick-scan") or next(iter(models.values()), None)
    detailed = primary if questionnaire else (models.get("nlc-detailed") or primary)

    city_rows = _city_rows(cities, rng)
    session.execute(insert(City), city_rows)
    city_ids = dict(session.execute(select(City.name, City.id).where(City.name.in_([r["name"] for r in city_rows]))).all())

    password_hash = hash_password(DEMO_PASSWORD)  # hashed once: argon2 is slow on purpose
    users = [u for u in demo_users(city_ids) if u["role"] not in CITY_ROLES or u["city_id"]]
    existing = set(session.scalars(select(User.email)).all())
    users = [dict(u, password_hash=password_hash, password_is_demo=True) for u in users if u["email"] not in existing]
    if users:
        session.execute(insert(User), users)

    # The demo trainer runs workshops for every demo city (facilitators work only where assigned).
    trainer = session.scalar(select(User.id).where(User.email == "trainer@example.org", User.role == "facilitator"))
    if trainer is not None:
        session.execute(insert(FacilitatorCity), [{"user_id": trainer, "city_id": c} for c in city_ids.values()])

    # The municipal respondent of a city's demo assessments is its editor, so signing in shows them.
    editors = dict(session.execute(select(User.city_id, User.id).where(User.role == "city_editor")).all())

    n_assessments = n_answers = 0
    if primary is not None:
        for index, row in enumerate(city_rows):
            version, q = detailed if index % 4 == 3 else primary
            city_id = city_ids[row["name"]]
            profile = _profile(q, row, rng)
            maturity = rng.uniform(0.15, 0.75)  # the city's underlying maturity, 0..1
            rounds = len(YEARS) if all_rounds else rng.randint(1, len(YEARS))
            for r, year in enumerate(YEARS[-rounds:], start=1):
                status = "approved" if r < rounds or all_rounds else rng.choice(["approved", "submitted", "draft"])
                a = Assessment(city_id=city_id, questionnaire_version_id=version.id, year=year, round=r, status=status)
                session.add(a)
                session.flush()
                n_assessments += 1
                session.execute(insert(ContextAnswer), [
                    {"assessment_id": a.id, "question_id": k, "value": v} for k, v in profile.items()
                ])
                maturity = min(0.95, maturity + rng.uniform(0.0, 0.12))  # cities improve between rounds
                n_answers += _answers(session, a, q, maturity, rng, editors.get(city_id))
    store_scores(session, list(session.scalars(select(Assessment.id).where(Assessment.status == "approved"))))
    return f"seeded {len(city_rows)} cities, {len(users)} users, {n_assessments} assessments, {n_answers} answers"


def _profile(q, row: dict, rng: random.Random) -> dict[str, str]:
    profile = {}
    for c in q.context:
        if c.id == "population_band" and row["population_band"] in c.options:
            profile[c.id] = row["population_band"]
        elif c.id == "region" and row["region"] in c.options:
            profile[c.id] = row["region"]
        else:
            profile[c.id] = rng.choice(c.options)
    return profile


def _answers(session: Session, a: Assessment, q, maturity: float, rng: random.Random, editor_id: int | None) -> int:
    L = q.max_level
    respondents = []
    for group, label in GROUPS:
        user_id = editor_id if group == "municipality" else None
        respondents.append(Respondent(assessment_id=a.id, label=label, group=group, user_id=user_id))
    session.add_all(respondents)
    session.flush()
    rows = []
    domain_bias = {d.id: rng.uniform(-0.25, 0.25) for d in q.domains}
    for question in q.questions:
        base = maturity + domain_bias[q.domain_of[question.id].id]
        for respondent in respondents:
            roll = rng.random()
            if roll < 0.04:
                value = "unknown"
            elif roll < 0.06:
                value = "na"
            elif roll < 0.10:
                continue  # missing
            else:
                # National respondents tend to see cooperation more favourably: the NLC perception gap.
                offset = 0.12 if respondent.group == "national" else 0.0
                level = round((base + offset + rng.gauss(0, 0.18)) * L)
                value = str(max(0, min(L, level)))
            rows.append({"respondent_id": respondent.id, "question_id": question.id, "value": value, "note": "", "evidence": []})
    if rows:
        session.execute(insert(Answer), rows)
    return len(rows)
