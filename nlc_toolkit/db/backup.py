"""Backup and restore of the whole database (and the uploaded evidence) as one portable file.

A backup is a zip: `manifest.json` (format, schema revision, row counts), one JSON Lines file per
table, and the uploaded files under `uploads/`. It is made from SQLite or PostgreSQL and restores
into either, so a city can move from the default SQLite file to a server and back. A restore runs
in one transaction: a bad file, a schema from another version or a database that already holds
data is refused, and nothing is changed."""

from __future__ import annotations

import json
import zipfile
import zlib
from datetime import date, datetime, timezone
from pathlib import Path, PurePosixPath

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    String,
    Table,
    delete,
    func,
    select,
    text,
)
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from nlc_toolkit.db.migrate import head_revision
from nlc_toolkit.db.models import Base
from nlc_toolkit.db.repo import audit

FORMAT = "nlc-backup"
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup that cannot be restored here; the message says why, in one line."""


# A backup is read member by member into memory, so the sizes its zip directory declares are
# checked before anything is expanded (zipfile never expands a member past its declared size).
# Tables deflate 3 to 20 times; a zip bomb about 1,000 times.
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024  # smaller members may deflate to nearly nothing (an empty table)
# What reading a damaged member raises: a bad CRC, broken deflate data, an encrypted member, a
# compression method zipfile lacks, a directory that points past the end of the file.
_UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, ValueError)
_INTEGER_LIMIT = {False: 2**31, True: 2**63}  # Integer is 32 bits in PostgreSQL, BigInteger 64


def _clip(text: str, most: int = 200) -> str:
    """Text from the backup quoted in a refusal: on one line (escaped) and short enough to read."""
    text = text if text.isprintable() else repr(text)[1:-1]
    return text if len(text) <= most else text[:most] + "…"


def _shown(value) -> str:
    return _clip(repr(value), 60)


def _read(z: zipfile.ZipFile, name: str) -> bytes:
    """A member's bytes (KeyError when there is none); a member that cannot be read is refused."""
    try:
        return z.read(name)
    except KeyError:
        raise
    except _UNREADABLE as e:
        # zipfile's message can quote kilobytes of the member's header as bytes
        raise BackupError(f"{name} cannot be read from the backup ({_clip(str(e))})") from None


def _check_sizes(z: zipfile.ZipFile) -> None:
    for info in z.infolist():
        if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise BackupError(f"{_clip(info.filename)} would expand to {info.file_size:,} bytes, more than {MAX_RATIO} times "
                              "its size in the file: not a backup made by this app")


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
        raise BackupError(f"table {table.name}: unknown columns {_clip(', '.join(sorted(unknown)))}")
    out = {}
    for name, value in row.items():
        out[name] = None if value is None else _value(known[name].type, name, value)
    return out


def _value(kind, name: str, value):
    """A row's value as its column takes it. SQLite would store text in an integer column and
    PostgreSQL refuse it with a driver's message: both get the same sentence here."""
    if isinstance(kind, (DateTime, Date)):
        try:
            return (datetime if isinstance(kind, DateTime) else date).fromisoformat(value)
        except (TypeError, ValueError):
            raise ValueError(f"column {name}: {_shown(value)} is not an ISO 8601 date") from None
    if isinstance(kind, Boolean):
        ok = isinstance(value, bool)
    elif isinstance(kind, Integer):
        limit = _INTEGER_LIMIT[isinstance(kind, BigInteger)]
        ok = isinstance(value, int) and not isinstance(value, bool) and -limit <= value < limit
    elif isinstance(kind, Float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif isinstance(kind, String):
        ok = isinstance(value, str) and _encodes(value)
    else:  # JSON: any value
        ok = True
    if not ok:
        raise ValueError(f"column {name}: {_shown(value)} does not fit its type ({type(kind).__name__})")
    return value


def _encodes(value: str) -> bool:
    try:
        value.encode("utf-8")  # a JSON escape "\ud800" decodes to a lone surrogate, which no database stores
        return True
    except UnicodeEncodeError:
        return False


def read_manifest(z: zipfile.ZipFile) -> dict:
    try:
        if z.getinfo("manifest.json").file_size > MAX_MANIFEST_BYTES:
            raise BackupError(f"not an NLC backup (its manifest.json is larger than {MAX_MANIFEST_BYTES:,} bytes)")
        manifest = json.loads(_read(z, "manifest.json"))
    except (KeyError, ValueError, RecursionError) as e:
        raise BackupError(f"not an NLC backup (no readable manifest.json: {e})") from e
    if not isinstance(manifest, dict):
        raise BackupError("not an NLC backup (manifest.json holds no JSON object)")
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"not an NLC backup of format {FORMAT_VERSION} "
                          f"(found {_shown(manifest.get('format'))} {_shown(manifest.get('format_version'))})")
    tables = manifest.get("tables")
    if not isinstance(tables, dict) or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0
                                               for n in tables.values()):
        raise BackupError("manifest.json: `tables` must give each table's number of rows")
    if not isinstance(manifest.get("created"), str):
        raise BackupError("manifest.json: `created` must be the date the backup was made")
    return manifest


def restore(s: Session, source: Path, uploads: Path | None = None, replace: bool = False) -> dict:
    """Load a backup into this (migrated) database, in the caller's transaction. Refuses a
    database that holds data unless `replace`; uploaded files are written last, once every row
    went in."""
    try:
        z = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile, NotImplementedError) as e:  # NotImplementedError: "zip file version 18.5"
        raise BackupError(f"{source}: cannot open the backup ({_clip(str(e))})") from e
    with z:
        _check_sizes(z)
        manifest = read_manifest(z)
        here = _revision(s)
        if manifest.get("revision") != here or here != head_revision():
            raise BackupError(f"the backup is at schema revision {_clip(str(manifest.get('revision')))}, this database at {here or 'none'} "
                              f"(the app's latest is {head_revision()}); run `nlc migrate`, or restore with the "
                              "version of the app that made the backup")
        tables = _tables()
        held = {t.name: s.scalar(select(func.count()).select_from(t)) for t in tables}
        if any(held.values()) and not replace:
            busy = ", ".join(f"{name} ({n})" for name, n in held.items() if n)
            raise BackupError(f"the database already holds data: {busy}; use --replace to overwrite it")
        files = _upload_files(z, uploads) if uploads is not None else []  # every name checked before a row changes
        for table in reversed(tables):
            s.execute(delete(table))
        restored = 0
        for table in tables:
            try:
                data = _read(z, f"tables/{table.name}.jsonl")
            except KeyError as e:
                raise BackupError(f"the backup has no table {table.name}") from e
            try:
                lines = data.decode("utf-8").splitlines()
            except UnicodeDecodeError as e:
                raise BackupError(f"table {table.name}: not UTF-8 text (byte {e.start})") from None
            rows = []
            for number, line in enumerate(lines, start=1):
                try:
                    row = json.loads(line)
                    if not isinstance(row, dict):
                        raise ValueError("each line must be a JSON object")
                    rows.append(_coerce(table, row))
                except (ValueError, TypeError, RecursionError) as e:
                    raise BackupError(f"table {table.name}, line {number}: {e}") from e
            if len(rows) != manifest["tables"].get(table.name, 0):
                raise BackupError(f"table {table.name}: {len(rows)} rows, the manifest says {manifest['tables'].get(table.name)}")
            if rows:
                try:
                    s.execute(table.insert(), rows)
                except StatementError as e:  # a duplicate key, a missing parent row, a NULL where a value must be
                    reason = str(e.orig or e).splitlines()[0]
                    raise BackupError(f"table {table.name}: the rows do not fit the database ({reason})") from None
            restored += len(rows)
        s.flush()
        if s.get_bind().dialect.name == "postgresql":
            _reset_sequences(s, tables)
        for name, target in files:
            _write_upload(z, name, target)
        # The restored log ends with the restore itself (the old log was replaced by the backup's).
        audit(s, "restore", "database", manifest["created"], file=Path(source).name, rows=restored,
              replaced=bool(replace))
    return manifest


def _reset_sequences(s: Session, tables: list[Table]) -> None:
    """Rows came in with their ids: move each id sequence past the highest one."""
    for table in tables:
        pk = list(table.primary_key.columns)
        # A key copied from a parent, or a text key (login_throttle), has no sequence.
        if len(pk) == 1 and not pk[0].foreign_keys and pk[0].type.python_type is int:
            s.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                           f"COALESCE(MAX({pk[0].name}), 1), MAX({pk[0].name}) IS NOT NULL) FROM {table.name}"))


def _upload_files(z: zipfile.ZipFile, uploads: Path) -> list[tuple[str, Path]]:
    """Each uploaded file of the backup and where it goes; refused, before anything is written,
    when a name leads outside `uploads` or cannot be written there (a file where a folder is)."""
    out: list[tuple[str, Path]] = []
    for name in z.namelist():
        if not name.startswith("uploads/") or name.endswith("/"):
            continue
        relative = PurePosixPath(name).relative_to("uploads")
        if ".." in relative.parts or relative.is_absolute() or not relative.parts:
            raise BackupError(f"unsafe file name in the backup: {_clip(name)}")
        if any(len(part.encode("utf-8", "surrogateescape")) > 255 for part in relative.parts):
            raise BackupError(f"a file name in the backup is too long: {_clip(name)}")
        out.append((name, uploads.joinpath(*relative.parts)))
    targets = {target for _, target in out}
    for name, target in out:
        if target.is_dir() or any(p in targets or p.is_file() for p in target.parents if uploads in p.parents):
            raise BackupError(f"{_clip(name)} cannot be written: a file and a folder of the same name")
    return out


def _write_upload(z: zipfile.ZipFile, name: str, target: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with z.open(name) as member, open(target, "wb") as out:
            while chunk := member.read(1024 * 1024):
                out.write(chunk)
    except _UNREADABLE as e:
        raise BackupError(f"{_clip(name)} cannot be restored ({_clip(str(e))})") from None
