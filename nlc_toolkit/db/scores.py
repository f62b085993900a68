"""The one path from answers to a score, and the only writer of stored scores.

- `answer_frames`: the answers and context of many assessments as the frames core.scoring takes
  (plain SQL through pandas, in chunks: several hundred thousand rows without ORM objects).
- `score_assessments`: fresh scores of assessments of one questionnaire version.
- `stored_or_fresh`: the scores of many assessments for the network view: the stored row where it
  is still current, else scored in memory. It never writes.
- `store_scores`: score and store (assessment_score); the only writer. Called when an assessment
  is approved (services/assessments.review) and by the demo seed.

A stored score is current while its `source_updated_at` equals the assessment's `updated_at`
(every answer moves it)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from nlc_toolkit.core.questionnaire import Questionnaire
from nlc_toolkit.core.scoring import Scores, score
from nlc_toolkit.db import repo
from nlc_toolkit.db.models import (
    Answer,
    Assessment,
    AssessmentScore,
    ContextAnswer,
    QuestionnaireVersion,
    Respondent,
    utcnow,
)

ANSWER_COLUMNS = ["assessment", "respondent", "group", "question", "answer"]
CONTEXT_COLUMNS = ["assessment", "question", "answer"]
LEVEL_COLUMNS = ["assessment", "question", "level"]
CHUNK = 900  # ids per query: under SQLite's bound-parameter limit


def _chunks(ids: list[int]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def answer_frames(s: Session, assessment_ids: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(answers, context) of these assessments: answers with columns assessment, respondent,
    group, question, answer; context with assessment, question, answer."""
    s.flush()  # pandas reads through the connection: what this session changed must be there
    ids = [int(x) for x in assessment_ids]
    answers, context = [], []
    for chunk in _chunks(ids):
        answers.append(pd.read_sql(
            select(Respondent.assessment_id.label("assessment"), Respondent.id.label("respondent"),
                   Respondent.group.label("group"), Answer.question_id.label("question"),
                   Answer.value.label("answer"))
            .join(Answer, Answer.respondent_id == Respondent.id).where(Respondent.assessment_id.in_(chunk)),
            s.connection()))
        context.append(pd.read_sql(
            select(ContextAnswer.assessment_id.label("assessment"), ContextAnswer.question_id.label("question"),
                   ContextAnswer.value.label("answer")).where(ContextAnswer.assessment_id.in_(chunk)),
            s.connection()))
    return (pd.concat(answers, ignore_index=True) if answers else pd.DataFrame(columns=ANSWER_COLUMNS),
            pd.concat(context, ignore_index=True) if context else pd.DataFrame(columns=CONTEXT_COLUMNS))


def score_assessments(s: Session, q: Questionnaire, assessment_ids: list[int]) -> Scores:
    """Fresh scores of these assessments, all of questionnaire version `q`, from their answers.
    `Scores.answers` keeps each answer's respondent group."""
    ids = [int(x) for x in assessment_ids]
    answers, context = answer_frames(s, ids)
    return score(q, answers, context, assessments=ids)


# --------------------------------------------------------------------------- stored scores


@dataclass
class ScoreRows:
    """Scores of many assessments as plain rows: `scores` one row per assessment (assessment,
    overall, completeness, one column per domain of its version); `levels` the consolidated
    level per assessment and question."""

    scores: pd.DataFrame
    levels: pd.DataFrame


def _versions(s: Session, version_ids) -> dict[int, QuestionnaireVersion]:
    wanted = sorted({int(x) for x in version_ids})
    return {v.id: v for v in s.scalars(select(QuestionnaireVersion).where(QuestionnaireVersion.id.in_(wanted)))}


def _score_rows(s: Session, meta: pd.DataFrame) -> list[dict]:
    """Score the assessments of `meta` (assessment, updated_at, version_id), vectorised per
    questionnaire version, as assessment_score rows (not stored)."""
    versions = _versions(s, meta["version_id"])
    rows = []
    for version_id, group in meta.groupby("version_id"):
        ids = [int(x) for x in group["assessment"]]
        scores = score_assessments(s, repo.questionnaire_model(versions[int(version_id)]), ids)
        levels = scores.questions["level"].dropna().reset_index()
        levels_of = {int(a): dict(zip(g["question"], g["level"].astype(float))) for a, g in levels.groupby("assessment")}
        domains = scores.domains.astype(object).where(scores.domains.notna(), None).to_dict("index")
        updated = dict(zip(group["assessment"], group["updated_at"]))
        for a in ids:
            overall, completeness = scores.overall.get(a), scores.completeness.get(a)
            rows.append({
                "assessment_id": a, "computed_at": utcnow(),
                "source_updated_at": pd.Timestamp(updated[a]).to_pydatetime(),
                "overall": None if pd.isna(overall) else float(overall),
                "completeness": None if pd.isna(completeness) else float(completeness),
                "domains": {k: (None if v is None else float(v)) for k, v in domains.get(a, {}).items()},
                "levels": levels_of.get(a, {}),
            })
    return rows


def _meta(s: Session, assessment_ids: list[int]) -> pd.DataFrame:
    return pd.concat([pd.read_sql(
        select(Assessment.id.label("assessment"), Assessment.updated_at,
               Assessment.questionnaire_version_id.label("version_id")).where(Assessment.id.in_(chunk)),
        s.connection()) for chunk in _chunks(assessment_ids)], ignore_index=True)


def store_scores(s: Session, assessment_ids: list[int]) -> None:
    """Score these assessments now and store the result (replacing what was stored): on
    approval, and for a freshly seeded network. The only writer of assessment_score."""
    ids = [int(x) for x in assessment_ids]
    if not ids:
        return
    s.flush()
    rows = _score_rows(s, _meta(s, ids))
    for chunk in _chunks(ids):
        s.execute(delete(AssessmentScore).where(AssessmentScore.assessment_id.in_(chunk)))
    if rows:
        s.execute(insert(AssessmentScore), rows)


def stored_or_fresh(s: Session, meta: pd.DataFrame) -> ScoreRows:
    """Scores of the assessments of `meta` (columns assessment, updated_at, version_id): each
    stored row still current is read back, the others (never stored, or changed since) are scored
    in memory and NOT stored: a read never writes."""
    ids = [int(x) for x in meta["assessment"]]
    stored = {row.assessment_id: row for chunk in _chunks(ids)
              for row in s.scalars(select(AssessmentScore).where(AssessmentScore.assessment_id.in_(chunk)))}
    updated = dict(zip(meta["assessment"], meta["updated_at"]))
    records = {a: {"overall": row.overall, "completeness": row.completeness, "domains": row.domains,
                   "levels": row.levels}
               for a, row in stored.items()
               if row.source_updated_at == pd.Timestamp(updated[a]).to_pydatetime()}
    stale = meta[[int(a) not in records for a in meta["assessment"]]]
    if len(stale):
        for row in _score_rows(s, stale):
            records[row["assessment_id"]] = row
    scores, level_rows = [], []
    for a in ids:
        row = records[a]
        scores.append({"assessment": a, "overall": row["overall"], "completeness": row["completeness"],
                       **row["domains"]})
        level_rows.extend((a, question, level) for question, level in row["levels"].items())
    return ScoreRows(pd.DataFrame.from_records(scores, columns=None if scores else ["assessment", "overall",
                                                                                     "completeness"]),
                     pd.DataFrame(level_rows, columns=LEVEL_COLUMNS))
