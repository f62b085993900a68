"""Data of the network view: every approved assessment of a questionnaire.

Scores are stored per assessment (assessment_score) the first time they are needed, scoring all
missing ones at once, vectorised; a stored score whose assessment changed since (updated_at moves
with every answer) is scored again. On top, the assembled frames are kept per process under a
fingerprint of the assessments and their last update, so filtering and sorting cost nothing."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from nlc_toolkit.core import network as net
from nlc_toolkit.core import policy as perm
from nlc_toolkit.core.errors import Refused
from nlc_toolkit.core.policy import Actor
from nlc_toolkit.core.questionnaire import Questionnaire
from nlc_toolkit.core.scoring import score
from nlc_toolkit.db import repo
from nlc_toolkit.db.models import (
    Answer,
    Assessment,
    AssessmentScore,
    City,
    ContextAnswer,
    QuestionnaireVersion,
    Respondent,
    utcnow,
)

META = ["assessment", "city_id", "city", "country", "region", "population_band", "year", "round", "version", "status"]
_cache: dict[tuple, tuple[pd.DataFrame, pd.DataFrame]] = {}


def _check(actor: Actor) -> None:
    if not perm.can_compare_cities(actor):
        raise Refused("error.forbidden")


def questionnaire_ids(s: Session, actor: Actor) -> list[str]:
    _check(actor)
    return sorted(set(s.scalars(select(QuestionnaireVersion.questionnaire_id))))


def _answer_frames(s: Session, ids: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Plain SQL through pandas: several hundred thousand rows without building ORM objects."""
    answers, context = [], []
    for start in range(0, len(ids), 900):  # stay under SQLite's bound-parameter limit
        chunk = ids[start:start + 900]
        answers.append(pd.read_sql(
            select(Respondent.assessment_id.label("assessment"), Respondent.id.label("respondent"),
                   Answer.question_id.label("question"), Answer.value.label("answer"))
            .join(Answer, Answer.respondent_id == Respondent.id).where(Respondent.assessment_id.in_(chunk)),
            s.connection()))
        context.append(pd.read_sql(
            select(ContextAnswer.assessment_id.label("assessment"), ContextAnswer.question_id.label("question"),
                   ContextAnswer.value.label("answer")).where(ContextAnswer.assessment_id.in_(chunk)),
            s.connection()))
    return (pd.concat(answers, ignore_index=True) if answers else pd.DataFrame(columns=["assessment", "respondent", "question", "answer"]),
            pd.concat(context, ignore_index=True) if context else pd.DataFrame(columns=["assessment", "question", "answer"]))


def _store_scores(s: Session, meta: pd.DataFrame, version_rows: dict) -> dict[int, AssessmentScore]:
    """Score assessments (vectorised, per questionnaire version) and store the result in bulk."""
    stored: dict[int, AssessmentScore] = {}
    for version_id, group in meta.groupby("version_id"):
        q = repo.questionnaire_model(version_rows[int(version_id)])
        ids = [int(x) for x in group["assessment"]]
        answers, context = _answer_frames(s, ids)
        scores = score(q, answers, context, assessments=ids)
        levels = scores.questions["level"].dropna().reset_index()
        levels_of = {int(a): dict(zip(g["question"], g["level"].astype(float))) for a, g in levels.groupby("assessment")}
        domains = scores.domains.astype(object).where(scores.domains.notna(), None).to_dict("index")
        updated = dict(zip(group["assessment"], group["updated_at"]))
        rows = []
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
        for start in range(0, len(ids), 900):
            s.execute(delete(AssessmentScore).where(AssessmentScore.assessment_id.in_(ids[start:start + 900])))
        s.execute(insert(AssessmentScore), rows)
        stored.update({r["assessment_id"]: AssessmentScore(**r) for r in rows})
    return stored


def store_scores(s: Session, assessment_ids: list[int]) -> None:
    """Score and store these assessments now (on approval, and for a freshly seeded network)."""
    if not assessment_ids:
        return
    meta = pd.read_sql(select(Assessment.id.label("assessment"), Assessment.updated_at,
                              Assessment.questionnaire_version_id.label("version_id"))
                       .where(Assessment.id.in_(assessment_ids)), s.connection())
    version_rows = {v.id: v for v in s.scalars(select(QuestionnaireVersion).where(
        QuestionnaireVersion.id.in_([int(x) for x in meta["version_id"].unique()])))}
    _store_scores(s, meta, version_rows)


def network_frame(s: Session, actor: Actor, questionnaire_id: str, include_unapproved: bool = False
                  ) -> tuple[pd.DataFrame, pd.DataFrame, Questionnaire | None]:
    """(cities, levels, questionnaire): one row per assessment with city facts, overall,
    completeness and one column per domain; levels: assessment, question, level."""
    _check(actor)
    return _frame(s, questionnaire_id, include_unapproved)


def peer_medians(s: Session, questionnaire_id: str, city_id: int, region: str, population_band: str) -> dict:
    """Median domain scores of a city's peers (same region and population band, latest approved
    round, the city itself excluded). Aggregates only, so any user of the city may see them."""
    frame, _, q = _frame(s, questionnaire_id, False)
    if q is None:
        return {"n": 0, "domains": {}}
    return net.peer_medians(net.latest_per_city(frame), [d.id for d in q.domains], city_id, region, population_band)


def _frame(s: Session, questionnaire_id: str, include_unapproved: bool):
    query = (select(Assessment.id.label("assessment"), City.id.label("city_id"), City.name.label("city"),
                    City.country, City.region, City.population_band, Assessment.year, Assessment.round,
                    QuestionnaireVersion.version, Assessment.status, Assessment.updated_at,
                    QuestionnaireVersion.id.label("version_id"))
             .join(City, City.id == Assessment.city_id)
             .join(QuestionnaireVersion, QuestionnaireVersion.id == Assessment.questionnaire_version_id)
             .where(QuestionnaireVersion.questionnaire_id == questionnaire_id))
    if not include_unapproved:
        query = query.where(Assessment.status == "approved")
    meta = pd.read_sql(query, s.connection())
    if meta.empty:
        return pd.DataFrame(columns=META), pd.DataFrame(columns=["assessment", "question", "level"]), None
    version_rows = {v.id: v for v in s.scalars(select(QuestionnaireVersion).where(
        QuestionnaireVersion.id.in_([int(x) for x in meta["version_id"].unique()])))}
    q_latest = repo.questionnaire_model(version_rows[max(version_rows)])

    # Any answer change moves an assessment's updated_at, so this fingerprint names the data exactly.
    fingerprint = (questionnaire_id, include_unapproved,
                   hash(tuple(zip(meta["assessment"].tolist(), meta["updated_at"].astype(str).tolist()))))
    if fingerprint not in _cache:
        ids = [int(x) for x in meta["assessment"]]
        stored = {row.assessment_id: row for start in range(0, len(ids), 900)
                  for row in s.scalars(select(AssessmentScore).where(AssessmentScore.assessment_id.in_(ids[start:start + 900])))}
        updated = dict(zip(meta["assessment"], meta["updated_at"]))
        stale = meta[[a not in stored or stored[a].source_updated_at != pd.Timestamp(updated[a]).to_pydatetime()
                      for a in meta["assessment"]]]
        if len(stale):
            stored.update(_store_scores(s, stale, version_rows))
        records, level_rows = [], []
        for a in ids:
            row = stored[a]
            records.append({"assessment": a, "overall": row.overall, "completeness": row.completeness, **row.domains})
            level_rows.extend((a, question, level) for question, level in row.levels.items())
        scored = pd.DataFrame.from_records(records)
        frame = meta.drop(columns=["updated_at", "version_id"]).merge(scored, on="assessment", how="left")
        for d in q_latest.domains:
            frame[d.id] = pd.to_numeric(frame[d.id], errors="coerce") if d.id in frame else float("nan")
        for column in ("overall", "completeness"):
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
        if len(_cache) >= 8:  # a few questionnaires and filters; never unbounded
            _cache.pop(next(iter(_cache)))
        _cache[fingerprint] = (frame, pd.DataFrame(level_rows, columns=["assessment", "question", "level"]))
    frame, levels = _cache[fingerprint]
    return frame.copy(), levels, q_latest


def record_export(s: Session, actor: Actor, questionnaire_id: str, kind: str, anonymised: bool) -> None:
    """Note in the audit log who exported the network view."""
    _check(actor)
    repo.audit(s, "export", "network", str(questionnaire_id)[:100], user_id=actor.user_id,
               kind=kind if kind in ("csv", "xlsx") else "other", anonymised=bool(anonymised))
