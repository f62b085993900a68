"""Read an ANSWERS.csv (respondent,question,answer) for one assessment, with line-numbered problems."""

from __future__ import annotations

import csv
import io
import re

import pandas as pd

from nlc_toolkit.core.questionnaire import Questionnaire

REQUIRED_COLUMNS = ("respondent", "question", "answer")
RESPONDENT_RE = re.compile(r"^[\w.@:+\- ]{1,100}$")


class AnswersFileError(ValueError):
    def __init__(self, source: str, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(f"{source}: {p}" for p in problems))


def read_answers_csv(text: str, q: Questionnaire, source: str = "ANSWERS.csv", assessment="csv"):
    """Return (answers, context) frames for core.scoring, or raise AnswersFileError listing bad rows."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = [c.strip().lower() for c in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise AnswersFileError(source, [f"line 1: missing column(s) {', '.join(missing)} (need respondent,question,answer)"])
    reader.fieldnames = columns
    answers, context, problems = [], [], []
    for row in reader:
        line = reader.line_num
        respondent = (row.get("respondent") or "").strip()
        question = (row.get("question") or "").strip()
        value = (row.get("answer") or "").strip()
        if not RESPONDENT_RE.match(respondent):
            problems.append(f"line {line}: respondent '{respondent}' has an unknown format (letters, digits, _ . @ : + - and spaces)")
            continue
        if question in q.context_by_id:
            options = q.context_by_id[question].options
            if value not in options:
                problems.append(f"line {line}: '{value}' is not an option of {question} ({', '.join(options)})")
            else:
                context.append((assessment, question, value))
            continue
        if question not in q.question_by_id:
            problems.append(f"line {line}: unknown question '{question}'")
            continue
        lowered = value.lower()
        if lowered == "na" and q.scale.allow_na or lowered == "unknown" and q.scale.allow_unknown:
            answers.append((assessment, respondent, question, lowered))
        elif lowered.isdigit() and int(lowered) <= q.max_level:
            answers.append((assessment, respondent, question, str(int(lowered))))
        else:
            problems.append(f"line {line}: answer '{value}' to {question} is out of range (0..{q.max_level}, na, unknown)")
    if problems:
        raise AnswersFileError(source, problems)
    return (
        pd.DataFrame(answers, columns=["assessment", "respondent", "question", "answer"]),
        pd.DataFrame(context, columns=["assessment", "question", "answer"]),
    )
