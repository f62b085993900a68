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


def _shown(value: str, most: int = 60) -> str:
    """A value quoted in a problem: a cell can be 100,000 characters, the message stays readable."""
    return value if len(value) <= most else value[:most] + "…"


def _rows(reader: csv.DictReader, problems: list[str]):
    """The reader's rows until the end, or until a line the csv module cannot read (a field
    over its size limit), which becomes a problem."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            problems.append(f"line {reader.reader.line_num}: not readable as CSV ({e})")  # the DictReader's lags
            return


def read_answers_csv(text: str, q: Questionnaire, source: str = "ANSWERS.csv", assessment="csv"):
    """Return (answers, context) frames for core.scoring, or raise AnswersFileError listing bad rows."""
    # newline="": line ends as the csv module wants them (a file saved with CR alone, a quoted newline).
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        fieldnames = reader.fieldnames
    except csv.Error as e:
        raise AnswersFileError(source, [f"line 1: not readable as CSV ({e})"]) from None
    columns = [c.strip().lower() for c in (fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise AnswersFileError(source, [f"line 1: missing column(s) {', '.join(missing)} (need respondent,question,answer)"])
    reader.fieldnames = columns
    answers, context, problems = [], [], []
    for row in _rows(reader, problems):
        line = reader.line_num
        respondent = (row.get("respondent") or "").strip()
        question = (row.get("question") or "").strip()
        value = (row.get("answer") or "").strip()
        if not RESPONDENT_RE.match(respondent):
            problems.append(f"line {line}: respondent '{_shown(respondent)}' has an unknown format (letters, digits, _ . @ : + - and spaces)")
            continue
        if question in q.context_by_id:
            options = q.context_by_id[question].options
            if value not in options:
                problems.append(f"line {line}: '{_shown(value)}' is not an option of {question} ({', '.join(options)})")
            else:
                context.append((assessment, question, value))
            continue
        if question not in q.question_by_id:
            problems.append(f"line {line}: unknown question '{_shown(question)}'")
            continue
        lowered = value.lower()
        # isdecimal, not isdigit: "²" is a digit that int() refuses; int() also refuses 5,000 digits.
        digits = lowered.lstrip("0") or "0"
        if lowered == "na" and q.scale.allow_na or lowered == "unknown" and q.scale.allow_unknown:
            answers.append((assessment, respondent, question, lowered))
        elif lowered.isdecimal() and len(digits) <= 6 and int(digits) <= q.max_level:
            answers.append((assessment, respondent, question, str(int(digits))))
        else:
            problems.append(f"line {line}: answer '{_shown(value)}' to {question} is out of range (0..{q.max_level}, na, unknown)")
    if problems:
        raise AnswersFileError(source, problems)
    return (
        pd.DataFrame(answers, columns=["assessment", "respondent", "question", "answer"]),
        pd.DataFrame(context, columns=["assessment", "question", "answer"]),
    )
