"""`nlc export` and `nlc import` as an administrator runs them on the demo network."""

import csv
import io
import json
import os
import subprocess
import sys

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from nlc_toolkit.db.models import Answer, Assessment, Respondent, User
from nlc_toolkit.db.session import engine_for, session_scope
from nlc_toolkit.services.assessments import questionnaire_of
from tests import factories
from tests.helpers import ROOT, fill_template


@pytest.fixture
def network(tmp_path, monkeypatch):
    url = factories.demo_network(tmp_path / "network.db", monkeypatch, cities=3, seed=4)
    with session_scope() as s:
        approved = s.scalars(select(Assessment).where(Assessment.status == "approved").order_by(Assessment.id)).first()
        editor = s.scalar(select(User).where(User.role == "city_editor", User.city_id == approved.city_id))
        draft = factories.assessment(s, editor, approved.city_id, approved.questionnaire_version_id, 2030)
        info = {"url": url, "draft": draft.id, "approved": approved.id, "city": approved.city.name,
                "editor": editor.email, "q": questionnaire_of(draft)}
    yield info
    engine_for(url).dispose()


def nlc(network, *args):
    return subprocess.run([sys.executable, "-m", "nlc_toolkit", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "REFLEX_DB_URL": network["url"]})


def test_export_in_every_format(network, tmp_path):
    for ext in ("xlsx", "csv", "json", "pdf"):
        out = tmp_path / f"report.{ext}"
        done = nlc(network, "export", str(network["approved"]), "--out", str(out), "--lang", "fr")
        assert done.returncode == 0, done.stderr
        assert f"wrote {out} ({ext}, {network['city']}" in done.stdout
    assert load_workbook(tmp_path / "report.xlsx").sheetnames[:4] == ["scores", "consolidated", "answers", "recommendations"]
    rows = list(csv.DictReader(io.StringIO((tmp_path / "report.csv").read_text("utf-8-sig"))))
    assert rows and "question" in rows[0]
    doc = json.loads((tmp_path / "report.json").read_text("utf-8"))
    assert doc["city"] == network["city"] and doc["overall"] is not None
    assert network["city"] in PdfReader(tmp_path / "report.pdf").pages[0].extract_text()


def test_export_refusals(network, tmp_path):
    missing = nlc(network, "export", "9999", "--out", str(tmp_path / "x.xlsx"))
    assert missing.returncode == 1 and missing.stderr.strip() == "error: no assessment 9999 visible to that account"
    odd = nlc(network, "export", str(network["approved"]), "--out", str(tmp_path / "x.docx"))
    assert odd.returncode == 1 and "unknown format 'docx'" in odd.stderr
    assert not (tmp_path / "x.xlsx").exists() and not (tmp_path / "x.docx").exists()


def test_import_a_filled_template_and_refuse_a_bad_one(network, tmp_path):
    q = network["q"]
    first, second = q.questions[0].id, q.questions[1].id
    good = tmp_path / "paper.xlsx"
    good.write_bytes(fill_template(q, "ar", {first: ("1", "Council minutes, 2025"), second: ("2", None)}))
    done = nlc(network, "import", str(network["draft"]), str(good), "--as", network["editor"], "--label",
               "Paper: youth council", "--group", "civil_society")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"imported 2 answers into assessment {network['draft']}"
    with session_scope() as s:
        r = s.scalar(select(Respondent).where(Respondent.label == "Paper: youth council"))
        assert r.group == "civil_society"
        assert {(a.question_id, a.value, a.note) for a in r.answers} == {(first, "1", "Council minutes, 2025"),
                                                                          (second, "2", "")}
        before = s.scalar(select(func.count(Answer.id)))

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(fill_template(q, "en", {first: ("9", None)}))
    refused = nlc(network, "import", str(network["draft"]), str(bad), "--as", network["editor"])
    assert refused.returncode == 1
    # the problem in English, from the catalog
    assert f"error: {bad}: Sheet 'answers', row 2: '9' is not an answer to {first} (allowed: 0, 1, " in refused.stderr
    assert refused.stderr.strip().endswith("nothing was imported")
    locked = nlc(network, "import", str(network["approved"]), str(good))
    assert locked.returncode == 1 and "Traceback" not in locked.stderr
    with session_scope() as s:
        assert s.scalar(select(func.count(Answer.id))) == before
