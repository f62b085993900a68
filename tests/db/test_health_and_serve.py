"""`/_health` (what a load balancer asks each worker) and `nlc serve --production` (issue 16): the
health answer names the database, Redis and the schema revision, and says 503 with the reason when
one is wrong; a production start refuses what is missing or unsafe, before anything is served."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from nlc_toolkit.api.health import health
from nlc_toolkit.db.migrate import downgrade, head_revision, upgrade
from nlc_toolkit.db.seed import seed_demo
from nlc_toolkit.db.session import session_scope

REDIS = os.environ.get("NLC_TEST_REDIS", "redis://127.0.0.1:6379")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_healthy_with_the_database_at_head(migrated, monkeypatch):
    monkeypatch.delenv("REFLEX_REDIS_URL", raising=False)
    status, body = health()
    assert status == 200
    assert body == {"status": "ok", "database": "ok", "redis": "not used", "revision": head_revision(),
                    "expected_revision": head_revision()}


def test_redis_is_checked_when_the_install_uses_it(migrated, monkeypatch):
    monkeypatch.setenv("REFLEX_REDIS_URL", REDIS)
    assert health()[1]["redis"] == "ok"
    monkeypatch.setenv("REFLEX_REDIS_URL", f"redis://127.0.0.1:{_closed_port()}")
    status, body = health()
    assert status == 503 and body["redis"] == "down" and body["database"] == "ok"
    assert body["reasons"] == ["redis unreachable (ConnectionError)"]


def test_a_schema_behind_the_release_is_unavailable_with_the_fix(migrated, monkeypatch):
    monkeypatch.delenv("REFLEX_REDIS_URL", raising=False)
    downgrade(migrated, "0007")
    status, body = health()
    assert status == 503 and body["revision"] == "0007"
    assert body["reasons"] == [f"schema at revision 0007, this release needs {head_revision()}: run `nlc migrate`"]
    upgrade(migrated)
    assert health()[0] == 200


def test_a_database_away_is_unavailable_and_names_no_address(monkeypatch):
    port = _closed_port()
    monkeypatch.setenv("REFLEX_DB_URL", f"postgresql+psycopg://nlc:secret@127.0.0.1:{port}/nlc?connect_timeout=2")
    monkeypatch.delenv("REFLEX_REDIS_URL", raising=False)
    status, body = health()
    assert status == 503 and body["database"] == "down" and body["reasons"][0].startswith("database unreachable")
    assert "secret" not in str(body) and str(port) not in str(body)


def _serve(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("REFLEX_DB_URL", "REFLEX_REDIS_URL", "NLC_"))}
    return subprocess.run([str(Path(sys.executable).with_name("nlc")), "serve", "--production", *args],
                          env={**clean, **env}, capture_output=True, text=True, timeout=300)


def test_production_refuses_to_start_without_postgresql_redis_and_its_address():
    result = _serve()
    assert result.returncode == 1
    assert "REFLEX_DB_URL is not set" in result.stderr and "REFLEX_REDIS_URL is not set" in result.stderr
    assert "NLC_PUBLIC_URL is not set" in result.stderr
    sqlite = _serve(REFLEX_DB_URL="sqlite:////tmp/x.db", REFLEX_REDIS_URL=REDIS, NLC_PUBLIC_URL="https://nlc.example.org")
    assert sqlite.returncode == 1 and "must name a PostgreSQL database" in sqlite.stderr


@pytest.mark.postgres
def test_production_migrates_but_refuses_demo_data_and_never_seeds(db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("production runs on PostgreSQL")
    env = {"REFLEX_DB_URL": db_url, "REFLEX_REDIS_URL": REDIS, "NLC_PUBLIC_URL": "https://nlc.example.org"}
    # --no-migrate on an empty database: refused, nothing created
    behind = _serve("--no-migrate", **env)
    assert behind.returncode == 1 and "run `nlc migrate` first" in behind.stderr
    # Without --no-migrate: migrated and questionnaires registered, then refused for want of an admin.
    fresh = _serve(**env)
    assert fresh.returncode == 1 and "there is no active admin" in fresh.stderr
    with session_scope() as s:
        from sqlalchemy import func, select

        from nlc_toolkit.db.models import City, QuestionnaireVersion
        assert s.scalar(select(func.count(City.id))) == 0  # never seeded
        assert s.scalar(select(func.count(QuestionnaireVersion.id))) == 4
    # Demo accounts and their known password: refused.
    with session_scope() as s:
        seed_demo(s, cities=2, seed=1)
    demo = _serve(**env)
    assert demo.returncode == 1 and "demo password" in demo.stderr
