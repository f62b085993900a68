"""`nlc backup` and `nlc restore`: a whole network (demo seed, a workshop, evidence files) made on
SQLite comes back identical on SQLite and on PostgreSQL; refusals change nothing."""

import json
import os
import re
import struct
import subprocess
import sys
import zipfile

import pytest
from sqlalchemy import func, select

from nlc_toolkit.db.backup import BackupError, backup, restore
from nlc_toolkit.db.models import Answer, Base, City
from nlc_toolkit.db.session import engine_for, session_scope
from tests import factories
from tests.helpers import ROOT


def rows_of(url: str, audit_of_backups: bool = False) -> dict[str, list[tuple]]:
    """Every row of every table, in key order, as comparable tuples; without the audit rows that
    record a backup or a restore (each database has its own), unless `audit_of_backups`."""
    engine = engine_for(url)
    with engine.connect() as conn:
        out = {}
        for table in Base.metadata.sorted_tables:
            order = list(table.primary_key.columns)
            query = select(table).order_by(*order)
            if table.name == "audit_event" and not audit_of_backups:
                query = query.where(table.c.action.not_in(("backup", "restore")))
            out[table.name] = [tuple(r) for r in conn.execute(query)]
        return out


@pytest.fixture
def source(tmp_path, monkeypatch):
    """A network on its own SQLite file, with uploaded evidence."""
    url = factories.demo_network(tmp_path / "source.db", monkeypatch, cities=4, seed=2)
    uploads = tmp_path / "uploads-source"
    (uploads / "evidence" / "1").mkdir(parents=True)
    (uploads / "evidence" / "1" / "charter.pdf").write_bytes(b"%PDF-1.4 charter")
    monkeypatch.delenv("REFLEX_DB_URL")
    yield url, uploads
    engine_for(url).dispose()


@pytest.fixture
def made(source, tmp_path, monkeypatch):
    url, uploads = source
    monkeypatch.setenv("REFLEX_DB_URL", url)
    with session_scope() as s:
        manifest = backup(s, tmp_path / "network.zip", uploads)
    return tmp_path / "network.zip", manifest, url


def test_round_trip_is_identical_and_the_database_keeps_working(made, migrated, monkeypatch, tmp_path):
    path, manifest, source_url = made
    assert manifest["tables"]["city"] == 4 and manifest["uploads"] == 1 and manifest["tables"]["answer"] > 100
    monkeypatch.setenv("REFLEX_DB_URL", migrated)
    uploads = tmp_path / "uploads-target"
    with session_scope() as s:
        restore(s, path, uploads)
    assert rows_of(migrated) == rows_of(source_url)
    assert (uploads / "evidence" / "1" / "charter.pdf").read_bytes() == b"%PDF-1.4 charter"
    # Each side's log records its own act: the source its backup, the target the restore (after
    # the restored log, which did not have it).
    assert [r[3] for r in rows_of(source_url, True)["audit_event"]][-1] == "backup"
    assert [r[3] for r in rows_of(migrated, True)["audit_event"]][-1] == "restore"
    with session_scope() as s:  # new rows get new ids after the restored ones
        city = factories.city(s, "Oujda", population_band="100k_500k")
        assert city.id == 5


def test_a_database_with_data_is_refused_unless_replaced(made, migrated, monkeypatch):
    path, _, source_url = made
    monkeypatch.setenv("REFLEX_DB_URL", migrated)
    with session_scope() as s:
        factories.city(s, "Fes", population_band="1m_plus")
    with pytest.raises(BackupError, match="already holds data: city"), session_scope() as s:
        restore(s, path)
    with session_scope() as s:
        assert [c.name for c in s.scalars(select(City))] == ["Fes"]
        restore(s, path, replace=True)
    assert rows_of(migrated) == rows_of(source_url)


def test_broken_backups_change_nothing(made, migrated, monkeypatch, tmp_path):
    path, manifest, _ = made
    monkeypatch.setenv("REFLEX_DB_URL", migrated)

    def variant(name, edit):
        out = tmp_path / name
        with zipfile.ZipFile(path) as z, zipfile.ZipFile(out, "w") as w:
            for item in z.namelist():
                data = z.read(item)
                w.writestr(item, edit(item, data))
        return out

    not_zip = tmp_path / "notes.zip"
    not_zip.write_text("not a backup")
    other_revision = variant("old.zip", lambda n, d: json.dumps({**manifest, "revision": "0001"}).encode()
                             if n == "manifest.json" else d)
    bad_line = variant("bad.zip", lambda n, d: d.replace(b'"name": ', b'"nom": ', 1) if n == "tables/city.jsonl" else d)
    short = variant("short.zip", lambda n, d: b"" if n == "tables/answer.jsonl" else d)
    escape = variant("escape.zip", lambda n, d: d)
    with zipfile.ZipFile(escape, "a") as z:
        z.writestr("uploads/../../outside.txt", "x")
    for broken, reason in [(not_zip, "cannot open"), (other_revision, "schema revision 0001"),
                           (bad_line, "unknown columns nom"), (short, "the manifest says"), (escape, "unsafe file name")]:
        with pytest.raises(BackupError, match=reason), session_scope() as s:
            restore(s, broken, tmp_path / "uploads")
        with session_scope() as s:
            assert s.scalar(select(func.count(Answer.id))) == 0 and s.scalar(select(func.count(City.id))) == 0
    assert not (tmp_path / "outside.txt").exists()


def test_crafted_and_damaged_backups_are_refused_in_one_line_and_change_nothing(made, migrated, monkeypatch,
                                                                                  tmp_path):
    """What issue 16's sweep found restore raising (a bare KeyError, AttributeError, IntegrityError,
    BadZipFile, zlib.error, RuntimeError) or doing (expanding a zip bomb; writing uploaded files before
    a later name was refused; storing text in an integer column on SQLite)."""
    path, manifest, _ = made
    monkeypatch.setenv("REFLEX_DB_URL", migrated)
    with zipfile.ZipFile(path) as z:
        members = {name: z.read(name) for name in z.namelist()}

    def variant(name, changes, compression=zipfile.ZIP_DEFLATED):
        out = tmp_path / name
        with zipfile.ZipFile(out, "w", compression) as z:
            for item, data in {**members, **changes}.items():
                if data is not None:
                    z.writestr(item, data)
        return out

    def table(name, edit):
        return {f"tables/{name}.jsonl": edit(members[f"tables/{name}.jsonl"].decode()).encode()}

    def first_city(edit):
        return table("city", lambda t: "\n".join([json.dumps(edit(json.loads(t.splitlines()[0])))] + t.splitlines()[1:]))

    encrypted = bytearray(variant("plain.zip", {}).read_bytes())
    for signature, flags in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = encrypted.find(signature)
        while at >= 0:
            encrypted[at + flags] |= 1
            at = encrypted.find(signature, at + 4)
    (tmp_path / "encrypted.zip").write_bytes(encrypted)
    long_header = bytearray(variant("header.zip", {}, zipfile.ZIP_STORED).read_bytes())
    at = long_header.find(b"tables/city.jsonl") - 30  # its local header (the first mention of its name)
    assert long_header[at:at + 4] == b"PK\x03\x04"
    struct.pack_into("<H", long_header, at + 26, 3000)  # the header's name now runs 3,000 bytes into the data
    (tmp_path / "header.zip").write_bytes(long_header)
    cases = [
        (variant("bomb.zip", {"tables/answer.jsonl": b"\0" * (8 * 1024 * 1024)}), "would expand to 8,388,608 bytes"),
        (variant("list.zip", {"manifest.json": b"[1]"}), "manifest.json holds no JSON object"),
        (variant("counts.zip", {"manifest.json": json.dumps({**manifest, "tables": None}).encode()}),
         "`tables` must give each table's number of rows"),
        (variant("line.zip", table("city", lambda t: "[1, 2]\n" + t)), "table city, line 1: each line must be a JSON object"),
        (variant("type.zip", first_city(lambda r: {**r, "id": "one"})), "column id: 'one' does not fit its type (Integer)"),
        (variant("column.zip", first_city(lambda r: {**r, "a\nb": 1})), "table city: unknown columns a\\nb"),
        (variant("date.zip", first_city(lambda r: {**r, "created_at": 5})), "column created_at: 5 is not an ISO 8601 date"),
        (variant("twice.zip", {**table("city", lambda t: t + t), "manifest.json": json.dumps(
            {**manifest, "tables": {**manifest["tables"], "city": 2 * manifest["tables"]["city"]}}).encode()}),
         "table city: the rows do not fit the database"),
        (variant("stored.zip", {}, zipfile.ZIP_STORED), None),  # control: the same backup, uncompressed, restores
        (tmp_path / "encrypted.zip", "manifest.json cannot be read from the backup (File 'manifest.json' is encrypted"),
        (tmp_path / "header.zip", "tables/city.jsonl cannot be read from the backup (File name in directory"),
        (variant("clash.zip", {"uploads/evidence": b"a file where a folder is"}), "a file and a folder of the same name"),
        (variant("late.zip", {"uploads/zz/../../outside.txt": b"x"}), "unsafe file name in the backup"),
    ]
    for broken, reason in cases:
        uploads = tmp_path / f"uploads-{broken.stem}"
        if reason is None:
            with session_scope() as s:
                restore(s, broken, uploads, replace=True)
                s.rollback()
            continue
        with pytest.raises(BackupError, match=re.escape(reason)) as refused, session_scope() as s:
            restore(s, broken, uploads, replace=True)
        assert "\n" not in str(refused.value) and len(str(refused.value)) < 500
        with session_scope() as s:
            assert s.scalar(select(func.count(Answer.id))) == 0 and s.scalar(select(func.count(City.id))) == 0
        assert not uploads.exists() or not any(uploads.rglob("*")), broken.name  # not one file written
    assert not (tmp_path / "outside.txt").exists()


def nlc(*args, url):
    env = {**os.environ, "REFLEX_DB_URL": url}
    return subprocess.run([sys.executable, "-m", "nlc_toolkit", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env)


def test_cli_backup_then_restore(source, migrated, tmp_path):
    url, _ = source
    out = tmp_path / "cli.zip"
    made = nlc("backup", str(out), url=url)
    assert made.returncode == 0, made.stderr
    assert "4 city" in made.stdout
    done = nlc("restore", str(out), url=migrated)
    assert done.returncode == 0, done.stderr
    assert rows_of(migrated)["city"] == rows_of(url)["city"]
    again = nlc("restore", str(out), url=migrated)
    assert again.returncode == 1 and again.stderr.startswith("error: the database already holds data")
    assert "Traceback" not in again.stderr
