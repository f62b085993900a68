"""The deployment files agree with the app (issue 16): the image installs exactly the lock file and
starts production mode; compose runs PostgreSQL, Redis and the app with 2 workers and gives it every
setting a production start requires; the lock files pin every package with hashes."""

import re

import yaml

from nlc_toolkit.cli import production_start_problems
from tests.helpers import ROOT


def test_the_image_installs_the_lock_file_with_hashes_and_serves_production():
    text = (ROOT / "Containerfile").read_text("utf-8")
    assert "--require-hashes --no-deps -r requirements.lock" in text
    assert 'CMD ["nlc", "serve", "--production"]' in text
    assert "/_health" in text  # the container's health check is the app's


def test_compose_runs_postgres_redis_and_the_app_with_what_production_needs():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text("utf-8"))
    services = compose["services"]
    assert set(services) == {"db", "redis", "app"}
    app = services["app"]
    assert app["build"]["dockerfile"] == "Containerfile" and app["environment"]["NLC_WORKERS"] == "2"
    env = {k: str(v) for k, v in app["environment"].items()}
    assert production_start_problems(env) == []  # every setting the start checks is given
    assert env["REFLEX_DB_URL"].startswith("postgresql+psycopg://") and "@db:5432/" in env["REFLEX_DB_URL"]
    assert env["REFLEX_REDIS_URL"] == "redis://redis:6379"


def test_the_lock_files_pin_every_package_with_a_hash():
    for name in ("requirements.lock", "requirements-test.lock"):
        text = (ROOT / name).read_text("utf-8")
        pins = re.findall(r"^([A-Za-z0-9_.\-\[\]]+)==\S+ \\$", text, re.M)
        assert len(pins) > 50, name
        blocks = re.split(r"^(?=[A-Za-z0-9])", text, flags=re.M)[1:]
        assert all("--hash=sha256:" in block for block in blocks), name
    runtime = (ROOT / "requirements.lock").read_text("utf-8")
    for package in ("reflex==", "sqlalchemy==", "psycopg==", "redis==", "weasyprint=="):
        assert package in runtime.lower()
