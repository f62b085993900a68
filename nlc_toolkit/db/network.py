"""Data of the network view: every approved assessment of a questionnaire, scored at once.

Approved assessments are locked, so their scores cannot change: they are scored once per process
and kept (keyed by assessment id and last update), which keeps the comparison page fast for a
network of a thousand cities."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import permissions as perm
from ..core.permissions import Actor
from ..core.questionnaire import Questionnaire
from ..core.scoring import score
from . import repo
from .assessments import Refused
from .models import Answer, Assessment, City, ContextAnswer, QuestionnaireVersion, Respondent

META = ["assessment", "city_id", "city", "country", "region", "population_band", "year", "round", "version", "status"]
_cache: dict[tuple[int, datetime], tuple[dict, list[tuple]]] = {}


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


def network_frame(s: Session, actor: Actor, questionnaire_id: str, include_unapproved: bool = False
                  ) -> tuple[pd.DataFrame, pd.DataFrame, Questionnaire | None]:
    """(cities, levels, questionnaire): one row per assessment with city facts, overall,
    completeness and one column per domain; levels: assessment, question, level."""
    _check(actor)
    query = (select(Assessment, City, QuestionnaireVersion)
             .join(City, City.id == Assessment.city_id)
             .join(QuestionnaireVersion, QuestionnaireVersion.id == Assessment.questionnaire_version_id)
             .where(QuestionnaireVersion.questionnaire_id == questionnaire_id))
    if not include_unapproved:
        query = query.where(Assessment.status == "approved")
    rows = s.execute(query).all()
    if not rows:
        return pd.DataFrame(columns=META), pd.DataFrame(columns=["assessment", "question", "level"]), None
    versions = {v.id: v for _, _, v in rows}
    latest_version = max(versions.values(), key=lambda v: v.id)
    q_latest = repo.questionnaire_model(latest_version)

    missing = [a.id for a, _, _ in rows if a.status != "approved" or (a.id, a.updated_at) not in _cache]
    by_version: dict[int, list[int]] = {}
    for a, _, v in rows:
        if a.id in missing:
            by_version.setdefault(v.id, []).append(a.id)
    for version_id, ids in by_version.items():
        q = repo.questionnaire_model(versions[version_id])
        answers, context = _answer_frames(s, ids)
        scores = score(q, answers, context, assessments=ids)
        domain_records = scores.domains.to_dict("index")
        level_table = scores.questions["level"].dropna()
        levels_by_assessment: dict[int, list[tuple]] = {}
        for (assessment, question), level in level_table.items():
            levels_by_assessment.setdefault(assessment, []).append((question, float(level)))
        updated = {a.id: a.updated_at for a, _, _ in rows}
        for assessment in ids:
            record = dict(domain_records.get(assessment, {}))
            record["overall"] = scores.overall.get(assessment)
            record["completeness"] = scores.completeness.get(assessment)
            _cache[(assessment, updated[assessment])] = (record, levels_by_assessment.get(assessment, []))

    records, level_rows = [], []
    for a, city, v in rows:
        scored, levels = _cache[(a.id, a.updated_at)]
        records.append({"assessment": a.id, "city_id": city.id, "city": city.name, "country": city.country,
                        "region": city.region, "population_band": city.population_band, "year": a.year,
                        "round": a.round, "version": v.version, "status": a.status, **scored})
        level_rows.extend((a.id, question, level) for question, level in levels)
    frame = pd.DataFrame(records)
    for d in q_latest.domains:
        if d.id not in frame:
            frame[d.id] = float("nan")
    return frame, pd.DataFrame(level_rows, columns=["assessment", "question", "level"]), q_latest
