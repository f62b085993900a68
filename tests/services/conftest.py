"""Service tests run against a fresh, migrated database on SQLite and on PostgreSQL, as the
database tests do (the fixtures live in tests/db/conftest.py)."""

from tests.db.conftest import db_url, migrated  # noqa: F401
