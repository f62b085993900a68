"""Alembic, configured in code (no alembic.ini at the project root: Reflex would take it as its own)."""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config

from nlc_toolkit.db.session import database_url

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


@functools.cache  # alembic compiles every revision file to answer: 10 ms, the half of a small restore
def head_revision() -> str:
    """The newest schema revision this version of the app knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or ""


def current_revision(url: str | None = None) -> str:
    """The schema revision the database is at ("" for a database never migrated)."""
    from alembic.runtime.migration import MigrationContext

    from nlc_toolkit.db.session import engine_for

    with engine_for(url or database_url()).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() or ""
