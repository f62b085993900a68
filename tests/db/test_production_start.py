"""Production cannot start unsafe: importing the app (what `reflex run` and every worker do) in
production mode refuses a database with demo passwords or no admin, and starts on a clean one."""

import os
import subprocess
import sys

from nlc_toolkit.db import repo
from nlc_toolkit.db.seed import seed_demo
from nlc_toolkit.db.session import session_scope
from tests.helpers import ROOT


def _start(db_url: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "import nlc_toolkit.nlc_toolkit"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120,
                          env={**os.environ, "REFLEX_DB_URL": db_url, "NLC_ENV": "production", **env})


def test_production_refuses_demo_accounts(migrated):
    with session_scope() as s:
        seed_demo(s, cities=2, seed=1)
    started = _start(migrated)
    assert started.returncode != 0
    assert "refusing to start" in started.stderr and "demo password" in started.stderr
    assert "Traceback" not in started.stderr


def test_production_refuses_an_empty_install_without_admin(migrated):
    started = _start(migrated)
    assert started.returncode != 0 and "no active admin" in started.stderr


def test_production_starts_with_a_real_admin_and_no_demo_data(migrated):
    with session_scope() as s:
        repo.create_user(s, "chief@interior.gov.ma", "a long real passphrase", "admin")
    assert _start(migrated).returncode == 0
    assert _start(migrated, NLC_PUBLIC_URL="https://nlc.example.org", NLC_SECURE_COOKIES="0").returncode != 0
