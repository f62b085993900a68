"""Steps the attacker's tests share: a signed-in tab on a page, an evidence upload through Reflex's
upload endpoint, and what the database holds about an answer's evidence."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

from sqlalchemy import select

from tests.security.client import Tab, handler, upload, var_key

PASSWORD = "security-probe-password-7"  # every probe account's

# What an attacker could change: the rows that hold answers, people, access and history.
TABLES = ("city", "app_user", "assessment", "respondent", "answer", "context_answer", "status_change", "action",
          "facilitator_city", "audit_event", "workshop", "participant", "vote")
PDF = b"%PDF-1.4\n% evidence\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def signed_in_tab(app_server, states, path: str, token: str = "", **more_vars) -> Tab:
    """A hydrated tab on `path` whose session cookie var holds `token` (empty: signed out)."""
    values = {var_key(states.Auth, "session_token"): token} if token else {}
    values.update(more_vars)
    return Tab(app_server.url, path, values).connect()


def assessment_tab(app_server, states, assessment_id, token: str = "") -> Tab:
    tab = signed_in_tab(app_server, states, f"/assessments/{assessment_id}", token)
    tab.wait_value(states.Assessment, "loading", False)
    return tab


def choose_upload(tab: Tab, states, question: str) -> None:
    tab.send(handler(states.Assessment, "choose_upload"), question_id=question)
    tab.wait_value(states.Assessment, "upload_question", question)


def upload_evidence(app_server, states, client_token: str, session: str, files, **kw):
    """POST `files` to the evidence handler for the tab `client_token`, with the cookie `session`;
    returns the reply and the deltas it streamed (the handler has finished when it is complete)."""
    reply = upload(app_server.port, handler(states.Assessment, "upload"), client_token, files, session=session, **kw)
    deltas = [json.loads(line) for line in reply.body.decode().splitlines() if line.startswith("{")]
    return reply, deltas


def evidence_of(app_server, assessment_id: int) -> list[dict]:
    """Every evidence item attached to any answer of the assessment."""
    from nlc_toolkit.db.models import Answer, Respondent

    with app_server.db() as s:
        rows = s.scalars(select(Answer.evidence).join(Respondent).where(Respondent.assessment_id == assessment_id))
        return [item for evidence in rows for item in (evidence or [])]


def message_of(deltas: list[dict], states) -> str:
    """The page message the upload handler left (e.g. evidence.error.file_type)."""
    name = states.Assessment.get_full_name()
    out = ""
    for d in deltas:
        out = (d.get("delta") or {}).get(name, {}).get("message_rx_state_", out)
    return out


# ---------------------------------------------------------------------- snapshots


def folder_digest(folder: Path) -> dict[str, tuple]:
    """Every file and folder under `folder`: relative path -> (size, sha256) or ("dir",)."""
    out: dict[str, tuple] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        out[rel] = ("dir",) if path.is_dir() else (path.stat().st_size, hashlib.sha256(path.read_bytes()).hexdigest())
    return out


def table_digest(app_server, tables=TABLES) -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every row, per table."""
    from nlc_toolkit.db.models import Base

    out = {}
    with app_server.db() as s:
        for name in tables:
            table = Base.metadata.tables[name]
            rows = s.execute(select(table).order_by(*table.primary_key.columns)).all()
            out[name] = (len(rows), hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest())
    return out


class Unchanged:
    """`with Unchanged(app_server): ...` fails unless the database tables and the upload folder are
    exactly as they were before the block."""

    def __init__(self, app_server, tables=TABLES):
        self.server, self.tables = app_server, tables

    def __enter__(self):
        self.db, self.files = table_digest(self.server, self.tables), folder_digest(self.server.uploads)
        return self

    def __exit__(self, exc_type, *_):
        if exc_type is None:
            self.check()
        return False

    def check(self) -> None:
        db, files = table_digest(self.server, self.tables), folder_digest(self.server.uploads)
        changed = [name for name in self.tables if db[name] != self.db[name]]
        counts = [(self.db[n][0], db[n][0]) for n in changed]
        assert not changed, f"tables changed: {changed} (rows before/after: {counts})"
        assert files == self.files, f"upload folder changed: {sorted(set(files.items()) ^ set(self.files.items()))}"


def filled_template(app_server, assessment_id: int, value: str = "3") -> bytes:
    """The assessment's offline template (XLSX) with every answer filled in."""
    from openpyxl import load_workbook

    from nlc_toolkit.core.exports.spreadsheets import ANSWER_SHEET, answer_template
    from nlc_toolkit.db import repo
    from nlc_toolkit.db.models import Assessment

    with app_server.db() as s:
        q = repo.questionnaire_model(s.get(Assessment, assessment_id).questionnaire_version)
    wb = load_workbook(io.BytesIO(answer_template(q, "en")))
    sheet = wb[ANSWER_SHEET]
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row, 5).value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
