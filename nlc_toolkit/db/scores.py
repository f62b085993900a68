"""The one path from answers to a score, and the only writer of stored scores.

- `answer_frames`: the answers and context of many assessments as the frames core.scoring takes
  (plain SQL through pandas, in chunks: several hundred thousand rows without ORM objects).
- `score_assessments`: fresh scores of assessments of one questionnaire version.
- `stored_or_fresh`: the scores of many assessments for the network view: the stored row where it
  is still current, else scored in memory. It never writes.
- `store_scores`: score and store (assessment_score); the only writer. Called when an assessment
  is approved (services/assessments.review) and by the demo seed.

A stored score is current while its `source_updated_at` equals the assessment's `updated_at`
(every answer moves it). Besides its JSON (domains, levels), a stored score keeps the same numbers
packed (`packed`, in the order of a shared `score_layout`): the network view reads thousands at
once, and decoding their JSON was most of a fresh process's time."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
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
    ScoreLayout,
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
    overall, completeness, one column per domain of its version), in the order asked; `levels`
    the consolidated level per assessment and question (rows with a level only, `question` a
    categorical over the sorted question ids)."""

    scores: pd.DataFrame
    levels: pd.DataFrame


def layout_key(domains: list[str], questions: list[str]) -> str:
    """The name of a layout: a digest of its ids, so the same ids always share one row."""
    return hashlib.sha1(json.dumps([domains, questions], separators=(",", ":")).encode()).hexdigest()


def _pack(values: list) -> str:
    array = np.array([np.nan if v is None else float(v) for v in values], dtype="<f8")
    return base64.b64encode(array.tobytes()).decode("ascii")


def _packed_length(width: int) -> int:
    return 4 * ((8 * width + 2) // 3)  # base64 of `width` float64


def _versions(s: Session, version_ids) -> dict[int, QuestionnaireVersion]:
    wanted = sorted({int(x) for x in version_ids})
    return {v.id: v for v in s.scalars(select(QuestionnaireVersion).where(QuestionnaireVersion.id.in_(wanted)))}


def _score_rows(s: Session, meta: pd.DataFrame) -> tuple[list[dict], dict[str, tuple[list, list]]]:
    """Score the assessments of `meta` (assessment, updated_at, version_id), vectorised per
    questionnaire version, as assessment_score rows (not stored), with the layouts they use
    (key -> (domain ids, question ids))."""
    versions = _versions(s, meta["version_id"])
    rows, layouts = [], {}
    for version_id, group in meta.groupby("version_id"):
        ids = [int(x) for x in group["assessment"]]
        q = repo.questionnaire_model(versions[int(version_id)])
        scores = score_assessments(s, q, ids)
        levels = scores.questions["level"].dropna().reset_index()
        levels_of = {int(a): dict(zip(g["question"], g["level"].astype(float))) for a, g in levels.groupby("assessment")}
        domain_ids = [str(d) for d in scores.domains.columns]
        question_ids = list(dict.fromkeys([x.id for x in q.questions] + [str(x) for x in levels["question"]]))
        key = layout_key(domain_ids, question_ids)
        layouts[key] = (domain_ids, question_ids)
        domains = scores.domains.astype(object).where(scores.domains.notna(), None).to_dict("index")
        updated = dict(zip(group["assessment"], group["updated_at"]))
        for a in ids:
            overall, completeness = scores.overall.get(a), scores.completeness.get(a)
            domain_scores = {k: (None if v is None else float(v)) for k, v in domains.get(a, {}).items()}
            question_levels = levels_of.get(a, {})
            rows.append({
                "assessment_id": a, "computed_at": utcnow(),
                "source_updated_at": pd.Timestamp(updated[a]).to_pydatetime(),
                "overall": None if pd.isna(overall) else float(overall),
                "completeness": None if pd.isna(completeness) else float(completeness),
                "domains": domain_scores,
                "levels": question_levels,
                "layout": key,
                "packed": _pack([domain_scores.get(d) for d in domain_ids]
                                + [question_levels.get(x) for x in question_ids]),
            })
    return rows, layouts


def _meta(s: Session, assessment_ids: list[int]) -> pd.DataFrame:
    return pd.concat([pd.read_sql(
        select(Assessment.id.label("assessment"), Assessment.updated_at,
               Assessment.questionnaire_version_id.label("version_id")).where(Assessment.id.in_(chunk)),
        s.connection()) for chunk in _chunks(assessment_ids)], ignore_index=True)


def _store_layouts(s: Session, layouts: dict[str, tuple[list, list]]) -> None:
    """Add the layouts not stored yet (two approvals at once may add the same one: no conflict)."""
    held = set(s.scalars(select(ScoreLayout.key).where(ScoreLayout.key.in_(list(layouts)))))
    new = [{"key": k, "domains": d, "questions": q} for k, (d, q) in layouts.items() if k not in held]
    if not new:
        return
    dialect = s.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        statement = (sqlite if dialect == "sqlite" else postgresql).insert(ScoreLayout).on_conflict_do_nothing(
            index_elements=["key"])
    else:
        statement = insert(ScoreLayout)
    s.execute(statement, new)


def store_scores(s: Session, assessment_ids: list[int]) -> None:
    """Score these assessments now and store the result (replacing what was stored): on
    approval, and for a freshly seeded network. The only writer of assessment_score."""
    ids = [int(x) for x in assessment_ids]
    if not ids:
        return
    s.flush()
    rows, layouts = _score_rows(s, _meta(s, ids))
    _store_layouts(s, layouts)
    for chunk in _chunks(ids):
        s.execute(delete(AssessmentScore).where(AssessmentScore.assessment_id.in_(chunk)))
    if rows:
        s.execute(insert(AssessmentScore), rows)


def stored_or_fresh(s: Session, meta: pd.DataFrame) -> ScoreRows:
    """Scores of the assessments of `meta` (columns assessment, updated_at, version_id): each
    stored row still current (its source_updated_at is the assessment's updated_at) is read back,
    packed, in one query per 900 assessments plus one for the layouts; the others (never stored,
    or changed since) are scored in memory from their answers and NOT stored: a read never
    writes."""
    s.flush()
    ids = [int(x) for x in meta["assessment"]]
    current = []
    for chunk in _chunks(ids):
        current.extend(s.execute(
            select(AssessmentScore.assessment_id, AssessmentScore.overall, AssessmentScore.completeness,
                   AssessmentScore.layout, AssessmentScore.packed)
            .join(Assessment, Assessment.id == AssessmentScore.assessment_id)
            .where(AssessmentScore.assessment_id.in_(chunk), AssessmentScore.packed.is_not(None),
                   AssessmentScore.source_updated_at == Assessment.updated_at)).all())
    wanted = sorted({row.layout for row in current})
    layouts = {row.key: (list(row.domains), list(row.questions)) for chunk in _chunks(wanted)
               for row in s.execute(select(ScoreLayout.key, ScoreLayout.domains, ScoreLayout.questions)
                                    .where(ScoreLayout.key.in_(chunk)))}
    records = {row.assessment_id: tuple(row) for row in current if row.layout in layouts
               and len(row.packed) == _packed_length(sum(map(len, layouts[row.layout])))}
    stale = meta[[int(a) not in records for a in meta["assessment"]]]
    if len(stale):
        fresh, fresh_layouts = _score_rows(s, stale)
        layouts.update(fresh_layouts)
        for row in fresh:
            records[row["assessment_id"]] = (row["assessment_id"], row["overall"], row["completeness"],
                                             row["layout"], row["packed"])
    return _unpack([records[a] for a in ids], layouts)


def _unpack(records: list[tuple], layouts: dict[str, tuple[list, list]]) -> ScoreRows:
    """(assessment, overall, completeness, layout, packed) rows -> ScoreRows, vectorised per layout."""
    by_layout: dict[str, list[tuple]] = {}
    for record in records:
        by_layout.setdefault(record[3], []).append(record)
    categories = sorted({x for key in by_layout for x in layouts[key][1]})
    code_of = {x: i for i, x in enumerate(categories)}
    frames, assessments, codes, values = [], [], [], []
    for key, group in by_layout.items():
        domains, questions = layouts[key]
        ids = np.array([r[0] for r in group], dtype="int64")
        matrix = np.frombuffer(b"".join(base64.b64decode(r[4]) for r in group), dtype="<f8").reshape(len(group), -1)
        frame = pd.DataFrame(matrix[:, :len(domains)], columns=domains)
        frame.insert(0, "assessment", ids)
        frame.insert(1, "overall", np.array([r[1] for r in group], dtype=float))
        frame.insert(2, "completeness", np.array([r[2] for r in group], dtype=float))
        frames.append(frame)
        levels = matrix[:, len(domains):]
        row, column = np.nonzero(~np.isnan(levels))
        assessments.append(ids[row])
        codes.append(np.array([code_of[x] for x in questions], dtype="int64")[column])
        values.append(levels[row, column])
    if not frames:
        return ScoreRows(pd.DataFrame(columns=["assessment", "overall", "completeness"]),
                         pd.DataFrame(columns=LEVEL_COLUMNS))
    scores = frames[0]
    if len(frames) > 1:  # several layouts (questionnaire versions): back to the order asked
        scores = pd.concat(frames, ignore_index=True)
        order = {a: i for i, a in enumerate(r[0] for r in records)}
        scores = scores.iloc[np.argsort([order[a] for a in scores["assessment"]], kind="stable")].reset_index(drop=True)
    return ScoreRows(scores, pd.DataFrame({
        "assessment": np.concatenate(assessments),
        "question": pd.Categorical.from_codes(np.concatenate(codes), categories=categories),
        "level": np.concatenate(values),
    }))
