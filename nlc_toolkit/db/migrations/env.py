from alembic import context

from nlc_toolkit.db.models import Base
from nlc_toolkit.db.session import make_engine

config = context.config
url = config.get_main_option("sqlalchemy.url")


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


TMP_PREFIX = "_alembic_tmp_"


def _prepare_sqlite(connection) -> None:
    """Foreign keys unenforced while migrating SQLite. Batch mode alters a SQLite table by copying
    it (create _alembic_tmp_<name>, copy the rows, drop <name>, rename the copy). With foreign keys
    enforced, as make_engine sets them, dropping <name> deletes every row that refers to it with ON
    DELETE CASCADE or fails on any other reference: 0006 re-creates app_user (which respondents
    and audit events refer to: the upgrade stopped at 0005) and respondent (whose answers cascade:
    when no respondent or audit event named a user, every answer was silently deleted). The
    migrations themselves are unchanged; the pragma can only change outside a transaction, hence
    before they begin one."""
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    if connection.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("SQLite kept foreign keys enforced: migrating now could delete rows")
    # An upgrade that failed so left its copy behind, which stops the same re-creation next time.
    # While the table it copies is still there, the copy is only unfinished: dropped.
    names = set(connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").scalars())
    for name in sorted(names):
        if name.startswith(TMP_PREFIX) and name[len(TMP_PREFIX):] in names:
            connection.exec_driver_sql(f'DROP TABLE "{name}"')
    connection.commit()


def run_migrations_online() -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            _prepare_sqlite(connection)
        # Batch mode lets later migrations alter SQLite tables.
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
