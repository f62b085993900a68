"""Backup and restore of the whole database (and the uploaded evidence) as one portable file.

A backup is a zip: `manifest.json` (format, schema revision, row counts), one JSON Lines file per
table, and the uploaded files under `uploads/`. It is made from SQLite or PostgreSQL and restores
into either, so a city can move from the default SQLite file to a server and back. A restore runs
in one transaction: a bad file, a schema from another version or a database that already holds
data is refused, and nothing is changed."""

from __future__ import annotations

import json
import zipfile
from datetime import date, datetime, timezone
from pathlib import Path, PurePosixPath

from sqlalchemy import Date, DateTime, Table, delete, func, select, text
from sqlalchemy.orm import Session

from nlc_toolkit.db.migrate import head_revision
from nlc_toolkit.db.models import Base
from nlc_toolkit.db.repo import audit

FORMAT = "nlc-backup"
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup that cannot be restored here; the message says why, in one line."""


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)  # parents before children


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _revision(s: Session) -> str:
    return s.execute(text("SELECT version_num FROM alembic_version")).scalar() or ""


def backup(s: Session, out: Path, uploads: Path | None = None) -> dict:
    """Write the backup file; return its manifest."""
    counts = {}
    files = sorted(p for p in uploads.rglob("*") if p.is_file()) if uploads and uploads.is_dir() else []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for table in _tables():
            order = list(table.primary_key.columns) or list(table.columns)
            rows = s.execute(select(table).order_by(*order)).mappings()
            lines = [json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False) for row in rows]
            counts[table.name] = len(lines)
            z.writestr(f"tables/{table.name}.jsonl", "\n".join(lines) + ("\n" if lines else ""))
        for path in files:
            z.write(path, f"uploads/{path.relative_to(uploads).as_posix()}")
        manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "revision": _revision(s),
                    "created": datetime.now(timezone.utc).isoformat(timespec="seconds"), "tables": counts,
                    "uploads": len(files)}
        z.writestr("manifest.json", json.dumps(manifest, indent=2))
    # Recorded after the copy was taken: the backup holds everything up to itself.
    audit(s, "backup", "database", manifest["created"], file=out.name, rows=sum(counts.values()), files=len(files))
    return manifest


def _coerce(table: Table, row: dict) -> dict:
    known = {c.name: c for c in table.columns}
    unknown = set(row) - set(known)
    if unknown:
        raise BackupError(f"table {table.name}: unknown columns {', '.join(sorted(unknown))}")
    out = {}
    for name, value in row.items():
        kind = known[name].type
        if value is not None and isinstance(kind, DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(kind, Date):
            value = date.fromisoformat(value)
        out[name] = value
    return out


def read_manifest(z: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(z.read("manifest.json"))
    except (KeyError, ValueError) as e:
        raise BackupError(f"not an NLC backup (no readable manifest.json: {e})") from e
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"not an NLC backup of format {FORMAT_VERSION} "
                          f"(found {manifest.get('format')!r} {manifest.get('format_version')!r})")
    return manifest


def restore(s: Session, source: Path, uploads: Path | None = None, replace: bool = False) -> dict:
    """Load a backup into this (migrated) database, in the caller's transaction. Refuses a
    database that holds data unless `replace`; uploaded files are written last, once every row
    went in."""
    try:
        z = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile) as e:
        raise BackupError(f"{source}: cannot open the backup ({e})") from e
    with z:
        manifest = read_manifest(z)
        here = _revision(s)
        if manifest.get("revision") != here or here != head_revision():
            raise BackupError(f"the backup is at schema revision {manifest.get('revision')}, this database at {here or 'none'} "
                              f"(the app's latest is {head_revision()}); run `nlc migrate`, or restore with the "
                              "version of the app that made the backup")
        tables = _tables()
        held = {t.name: s.scalar(select(func.count()).select_from(t)) for t in tables}
        if any(held.values()) and not replace:
            busy = ", ".join(f"{name} ({n})" for name, n in held.items() if n)
            raise BackupError(f"the database already holds data: {busy}; use --replace to overwrite it")
        for table in reversed(tables):
            s.execute(delete(table))
        for table in tables:
            try:
                lines = z.read(f"tables/{table.name}.jsonl").decode("utf-8").splitlines()
            except KeyError as e:
                raise BackupError(f"the backup has no table {table.name}") from e
            rows = []
            for number, line in enumerate(lines, start=1):
                try:
                    rows.append(_coerce(table, json.loads(line)))
                except (ValueError, TypeError) as e:
                    raise BackupError(f"table {table.name}, line {number}: {e}") from e
            if len(rows) != manifest["tables"].get(table.name, 0):
                raise BackupError(f"table {table.name}: {len(rows)} rows, the manifest says {manifest['tables'].get(table.name)}")
            if rows:
                s.execute(table.insert(), rows)
        s.flush()
        if s.get_bind().dialect.name == "postgresql":
            _reset_sequences(s, tables)
        if uploads is not None:
            _restore_uploads(z, uploads)
        # The restored log ends with the restore itself (the old log was replaced by the backup's).
        audit(s, "restore", "database", manifest.get("created", ""), file=Path(source).name,
              rows=sum(manifest["tables"].values()), replaced=bool(replace))
    return manifest


def _reset_sequences(s: Session, tables: list[Table]) -> None:
    """Rows came in with their ids: move each id sequence past the highest one."""
    for table in tables:
        pk = list(table.primary_key.columns)
        # A key copied from a parent, or a text key (login_throttle), has no sequence.
        if len(pk) == 1 and not pk[0].foreign_keys and pk[0].type.python_type is int:
            s.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                           f"COALESCE(MAX({pk[0].name}), 1), MAX({pk[0].name}) IS NOT NULL) FROM {table.name}"))


def _restore_uploads(z: zipfile.ZipFile, uploads: Path) -> None:
    for name in z.namelist():
        if not name.startswith("uploads/") or name.endswith("/"):
            continue
        relative = PurePosixPath(name).relative_to("uploads")
        if ".." in relative.parts or relative.is_absolute():
            raise BackupError(f"unsafe file name in the backup: {name}")
        target = uploads.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(z.read(name))
