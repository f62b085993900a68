"""The `nlc` command as a user runs it: exit codes and one-line messages, never a traceback."""

import json
import subprocess
import sys

import pytest

from tests.helpers import ROOT, readme_example_text

CSV = """respondent,question,answer
mayor_office,returnees_present,no
mayor_office,mandate.formal_mandate,2
mayor_office,mandate.lead_office,1
ministry,mandate.formal_mandate,3
ministry,mandate.lead_office,unknown
"""


def nlc(*args, env=None):
    return subprocess.run([sys.executable, "-m", "nlc_toolkit", *args], capture_output=True, text=True, cwd=ROOT, env=env)


@pytest.fixture
def example(tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_text(readme_example_text(), "utf-8")
    return path


def test_validate_ok(example):
    result = nlc("validate", str(example))
    assert result.returncode == 0, result.stderr
    assert "OK (example-mini 1.0.0, 2 domains, 3 questions)" in result.stdout


def test_validate_bad_file_exits_1_with_path(tmp_path, example):
    bad = tmp_path / "bad.yaml"
    bad.write_text(readme_example_text().replace("weight: 2\n    title", "weight: 0\n    title"), "utf-8")
    result = nlc("validate", str(example), str(bad))
    assert result.returncode == 1
    assert f"error: {bad}: domains[0].weight: must be > 0" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_missing_file(tmp_path):
    result = nlc("validate", str(tmp_path / "nope.yaml"))
    assert result.returncode == 1 and "cannot read the file" in result.stderr and "Traceback" not in result.stderr


def test_score_json_follows_the_contract(tmp_path, example):
    answers = tmp_path / "answers.csv"
    answers.write_text(CSV, "utf-8")
    result = nlc("score", str(example), str(answers), "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert set(doc) == {"overall", "band", "completeness", "domains", "questions", "recommendations"}
    # mandate: formal median(2,3)=2.5 (w1), lead 1 (w2): 100*(2.5/3 + 2*1/3)/3 = 50
    assert doc["domains"] == {"mandate": 50.0, "reintegration": None}
    assert doc["overall"] == 50.0 and doc["band"] == "Established" and doc["completeness"] == 1.0
    assert doc["questions"]["reintegration.plan"]["status"] == "not_applicable"
    assert doc["questions"]["mandate.formal_mandate"] == {"level": 2.5, "status": "level", "spread": 1.0}
    assert [r["question"] for r in doc["recommendations"]] == ["mandate.lead_office", "mandate.formal_mandate"]
    assert doc["recommendations"][0]["priority"] == pytest.approx(2 * 2 * (3 - 1) / 3)
    assert doc["recommendations"][0]["text"] == "Name a lead office."


def test_score_reports_bad_rows_with_line_numbers(tmp_path, example):
    answers = tmp_path / "answers.csv"
    answers.write_text(
        "respondent,question,answer\nok,mandate.lead_office,1\nx,foo.bar,1\n,mandate.lead_office,2\n"
        "y,mandate.lead_office,7\nz,returnees_present,maybe\n",
        "utf-8",
    )
    result = nlc("score", str(example), str(answers), "--json")
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 4
    assert "line 3: unknown question 'foo.bar'" in lines[0]
    assert "line 4: respondent '' has an unknown format" in lines[1]
    assert "line 5: answer '7' to mandate.lead_office is out of range" in lines[2]
    assert "line 6: 'maybe' is not an option of returnees_present" in lines[3]


def test_score_missing_columns(tmp_path, example):
    answers = tmp_path / "answers.csv"
    answers.write_text("who,what\na,b\n", "utf-8")
    result = nlc("score", str(example), str(answers))
    assert result.returncode == 1 and "missing column(s) respondent, question, answer" in result.stderr


def test_schema_prints_json():
    result = nlc("schema")
    assert result.returncode == 0
    assert json.loads(result.stdout)["title"] == "NLC toolkit questionnaire"
