"""Data of the network view: every approved assessment of a questionnaire, scored at once
(vectorised over all of them). The result is kept per process under a fingerprint of the
assessments and their last update, so filtering and sorting do not score again, and any change
to an answer (which moves updated_at) scores afresh."""

from __future__ import annotations

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


def network_frame(s: Session, actor: Actor, questionnaire_id: str, include_unapproved: bool = False
                  ) -> tuple[pd.DataFrame, pd.DataFrame, Questionnaire | None]:
    """(cities, levels, questionnaire): one row per assessment with city facts, overall,
    completeness and one column per domain; levels: assessment, question, level."""
    _check(actor)
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
        scored, levels = [], []
        for version_id, group in meta.groupby("version_id"):
            q = repo.questionnaire_model(version_rows[int(version_id)])
            ids = group["assessment"].tolist()
            answers, context = _answer_frames(s, ids)
            scores = score(q, answers, context, assessments=ids)
            scored.append(scores.domains.assign(overall=scores.overall, completeness=scores.completeness))
            level = scores.questions["level"].dropna().reset_index()
            levels.append(level[["assessment", "question", "level"]])
        frame = meta.drop(columns=["updated_at", "version_id"]).merge(
            pd.concat(scored), left_on="assessment", right_index=True, how="left")
        for d in q_latest.domains:
            if d.id not in frame:
                frame[d.id] = float("nan")
        if len(_cache) >= 8:  # a few questionnaires and filters; never unbounded
            _cache.pop(next(iter(_cache)))
        _cache[fingerprint] = (frame, pd.concat(levels, ignore_index=True))
    frame, levels = _cache[fingerprint]
    return frame.copy(), levels, q_latest
