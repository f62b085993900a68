"""Production mode: it refuses demo accounts, demo data and an install without an admin; the first
admin comes from the environment."""

import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from nlc_toolkit.core import settings
from nlc_toolkit.core.security import DEMO_PASSWORD, hash_password
from nlc_toolkit.db import repo
from nlc_toolkit.db.models import AuditEvent, City, User
from nlc_toolkit.db.seed import SeedRefused, demo_emails, seed_demo
from nlc_toolkit.db.session import session_scope
from nlc_toolkit.services import accounts as auth
from nlc_toolkit.services.production import (
    UnsafeProduction,
    bootstrap_admin,
    production_problems,
    refuse_unsafe_start,
)
from tests.helpers import ROOT

ADMIN_PW = "a real admin passphrase"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("NLC_ENV", "NLC_SECURE_COOKIES", "NLC_PUBLIC_URL", "NLC_ADMIN_EMAIL", "NLC_ADMIN_PASSWORD"):
        monkeypatch.delenv(name, raising=False)


def nlc(*args, **env):
    return subprocess.run([sys.executable, "-m", "nlc_toolkit", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **env})


def problems():
    with session_scope() as s:
        return production_problems(s)


def test_settings(monkeypatch):
    assert not settings.production() and not settings.secure_cookies()
    monkeypatch.setenv("NLC_ENV", "production")
    assert settings.production() and settings.secure_cookies()  # Secure by default in production
    monkeypatch.setenv("NLC_SECURE_COOKIES", "0")
    assert not settings.secure_cookies()
    monkeypatch.setenv("NLC_ENV", "development")
    monkeypatch.setenv("NLC_SECURE_COOKIES", "true")
    assert settings.secure_cookies()


def test_a_seeded_demo_database_is_refused_and_a_clean_one_passes(migrated):
    with session_scope() as s:
        seed_demo(s, cities=2, seed=1)
        flagged = s.scalars(select(User.email).where(User.password_is_demo.is_(True))).all()
        assert flagged and sorted(flagged) == sorted(s.scalars(select(User.email)).all())
    found = problems()
    assert len(found) == 1 and "demo password" in found[0] and "admin@example.org" in found[0]

    with session_scope() as s:
        repo.create_user(s, "root@city.gov", ADMIN_PW, "admin")
        for user in s.scalars(select(User).where(User.password_is_demo.is_(True))):
            user.active = False
    # inactive but still holding the demo password: could be switched back on
    assert any("still accept the demo password" in p for p in problems())
    with session_scope() as s:
        for user in s.scalars(select(User).where(User.password_is_demo.is_(True))):
            user.password_is_demo = False  # e.g. an old backup without the flag
    assert any("admin@example.org" in p for p in problems())
    with session_scope() as s:
        for user in s.scalars(select(User).where(User.email.in_(demo_emails()))):
            auth.set_password(s, user, "changed by its owner")
    assert problems() == []


def test_no_active_admin_is_a_problem(migrated):
    assert problems() == ["there is no active admin: create one with `nlc bootstrap-admin` (NLC_ADMIN_EMAIL, "
                          "NLC_ADMIN_PASSWORD) or `nlc create-user --role admin`"]


def test_https_needs_secure_cookies(migrated, monkeypatch):
    with session_scope() as s:
        repo.create_user(s, "root@city.gov", ADMIN_PW, "admin")
    monkeypatch.setenv("NLC_PUBLIC_URL", "https://nlc.city.gov")
    monkeypatch.setenv("NLC_SECURE_COOKIES", "0")
    assert len(problems()) == 1 and "Secure" in problems()[0]
    monkeypatch.delenv("NLC_SECURE_COOKIES")
    monkeypatch.setenv("NLC_ENV", "production")
    assert problems() == []


def test_refuse_unsafe_start_only_in_production(migrated, monkeypatch):
    with session_scope() as s:
        refuse_unsafe_start(s)  # demo mode: starts anyway
    monkeypatch.setenv("NLC_ENV", "production")
    with session_scope() as s, pytest.raises(UnsafeProduction, match="no active admin"):
        refuse_unsafe_start(s)


def test_production_never_seeds_demo_data(migrated, monkeypatch):
    result = nlc("seed-demo", "--cities", "2", "--if-empty", NLC_ENV="production")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == "error: production mode (NLC_ENV=production) never seeds demo data"
    monkeypatch.setenv("NLC_ENV", "production")
    with session_scope() as s:
        with pytest.raises(SeedRefused):
            seed_demo(s, cities=2)
        assert s.scalar(select(func.count(City.id))) == 0 and s.scalar(select(func.count(User.id))) == 0


def test_check_production_command(migrated):
    with session_scope() as s:
        seed_demo(s, cities=2, seed=1)
    unsafe = nlc("check-production")
    assert unsafe.returncode == 1 and "Traceback" not in unsafe.stderr
    assert unsafe.stderr.startswith("error: ") and "demo password" in unsafe.stderr
    with session_scope() as s:
        for user in s.scalars(select(User)):
            user.active = user.password_is_demo = False
            user.password_hash = hash_password("changed by its owner")
        repo.create_user(s, "root@city.gov", ADMIN_PW, "admin")
    safe = nlc("check-production", NLC_ENV="production")
    assert safe.returncode == 0 and safe.stderr == "" and "no problems found" in safe.stdout
    insecure = nlc("check-production", NLC_PUBLIC_URL="https://nlc.city.gov", NLC_SECURE_COOKIES="no")
    assert insecure.returncode == 1 and "Secure" in insecure.stderr


def test_bootstrap_admin_from_the_environment(migrated):
    missing = nlc("bootstrap-admin")
    assert missing.returncode == 1 and "NLC_ADMIN_EMAIL" in missing.stderr
    weak = nlc("bootstrap-admin", NLC_ADMIN_EMAIL="root@city.gov", NLC_ADMIN_PASSWORD=DEMO_PASSWORD)
    assert weak.returncode == 1 and "demo password" in weak.stderr and DEMO_PASSWORD not in weak.stdout
    made = nlc("bootstrap-admin", NLC_ADMIN_EMAIL="Root@City.gov", NLC_ADMIN_PASSWORD=ADMIN_PW)
    assert made.returncode == 0 and made.stdout.strip() == "created admin root@city.gov"
    assert ADMIN_PW not in made.stdout + made.stderr
    again = nlc("bootstrap-admin", NLC_ADMIN_EMAIL="other@city.gov", NLC_ADMIN_PASSWORD="another passphrase")
    assert again.returncode == 0 and "nothing to do" in again.stdout
    with session_scope() as s:
        assert s.scalars(select(User.email)).all() == ["root@city.gov"]
        result = auth.sign_in(s, "root@city.gov", ADMIN_PW)
        # the password sat in the environment: it is changed at the first sign-in, but never expires
        assert result.token and result.must_change_password and result.user.password_expires_at is None
        assert s.scalar(select(AuditEvent.action).where(AuditEvent.action == "bootstrap_admin"))
    assert problems() == []


def test_bootstrap_admin_refuses_to_take_over_an_account(migrated):
    with session_scope() as s:
        repo.create_user(s, "root@city.gov", ADMIN_PW, "network_staff")
        with pytest.raises(repo.RepoError, match="not an active admin"):
            bootstrap_admin(s, "root@city.gov", "another passphrase")


def test_create_user_command_sets_a_real_password(migrated):
    made = nlc("create-user", "--email", "root@city.gov", "--password", ADMIN_PW, "--role", "admin")
    assert made.returncode == 0, made.stderr
    with session_scope() as s:
        user = s.scalar(select(User))
        assert not user.must_change_password and user.password_expires_at is None and not user.password_is_demo
    demo = nlc("create-user", "--email", "x@city.gov", "--password", DEMO_PASSWORD, "--role", "admin")
    assert demo.returncode == 1 and demo.stderr.strip() == "error: the demo password cannot be used"
