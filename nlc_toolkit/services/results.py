"""What a city gets back: the full report of an assessment (scores, group levels, perception gap,
recommendations, actions, previous round) as a typed core.views.Report, the action plan, and
answers in/out as spreadsheets. Every call checks the user through services.assessments.load."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from nlc_toolkit.core import policy as perm
from nlc_toolkit.core.analysis import (
    group_recommendations,
    levels_by_group,
    num_or_none,
    perception_gap,
)
from nlc_toolkit.core.errors import Invalid, Refused
from nlc_toolkit.core.exports.spreadsheets import read_template
from nlc_toolkit.core.policy import Actor
from nlc_toolkit.core.recommend import recommendations
from nlc_toolkit.core.views import (
    ActionRow,
    AnswerRow,
    DomainResult,
    FacetResult,
    Gap,
    GroupLevels,
    PreviousRound,
    QuestionResult,
    Recommendation,
    Report,
)
from nlc_toolkit.db import repo
from nlc_toolkit.db.models import (
    ACTION_STATUSES,
    Action,
    Answer,
    Assessment,
    QuestionnaireVersion,
    Respondent,
    utcnow,
)
from nlc_toolkit.db.scores import score_assessments
from nlc_toolkit.services.assessments import (
    EDITABLE,
    load,
    my_respondent,
    questionnaire_of,
)
from nlc_toolkit.services.network import peer_medians

MAX_ACTION_TEXT = 2000


def _previous(s: Session, a: Assessment) -> Assessment | None:
    """The round before this one: same city and questionnaire (any version), earlier year/round."""
    candidates = s.scalars(
        select(Assessment).join(QuestionnaireVersion)
        .where(Assessment.city_id == a.city_id, Assessment.id != a.id,
               QuestionnaireVersion.questionnaire_id == a.questionnaire_version.questionnaire_id)
        .order_by(Assessment.year.desc(), Assessment.round.desc())
    ).all()
    return next((c for c in candidates if (c.year, c.round) < (a.year, a.round)), None)


def _domain_scores(s: Session, a: Assessment) -> tuple[dict, float | None]:
    q = questionnaire_of(a)
    scores = score_assessments(s, q, [a.id])
    domains = scores.domains.loc[a.id].to_dict()
    return {d.id: num_or_none(domains.get(d.id)) for d in q.domains}, num_or_none(scores.overall.get(a.id))


def report(s: Session, actor: Actor, assessment_id: int) -> Report:
    """Everything a city gets back about one assessment. Reads only: the peer medians come from
    stored scores, or scores computed in memory where none is current."""
    a = load(s, actor, assessment_id)
    q = questionnaire_of(a)
    scores = score_assessments(s, q, [a.id])
    # Plain dicts per question (a pandas .at lookup per cell cost more than the scoring itself).
    table = scores.questions.loc[a.id][["applicable", "level", "status", "spread", "disagreement"]].to_dict("index")
    applicable = {qid for qid, row in table.items() if bool(row["applicable"])}
    domain_score, facet_score = scores.domains.loc[a.id].to_dict(), scores.facets.loc[a.id].to_dict()
    band = scores.band_of(a.id)

    previous = _previous(s, a)
    prev_domains, prev_overall = _domain_scores(s, previous) if previous else ({}, None)
    peers = peer_medians(s, q.id, a.city_id, a.city.region, a.city.population_band)

    rec_rows = []
    for row in recommendations(scores).itertuples(index=False):
        question = q.question_by_id[row.question]
        rec = question.recommendations[row.rec]
        rec_rows.append(Recommendation(
            question=row.question, question_text=dict(question.text), rec=int(row.rec),
            priority=round(float(row.priority), 4), level=float(row.level), text=dict(rec.text),
            effort=rec.effort, horizon=rec.horizon, actors=list(rec.actors)))

    respondents = {r.id: r for r in a.respondents}
    notes = s.execute(
        select(Answer.respondent_id, Answer.question_id, Answer.value, Answer.note)
        .join(Respondent).where(Respondent.assessment_id == a.id).order_by(Answer.respondent_id, Answer.id)
    ).all()
    answer_rows = [AnswerRow(respondent=respondents[respondent_id].label, group=respondents[respondent_id].group,
                             question=question_id, answer=value, note=note)
                   for respondent_id, question_id, value, note in notes]

    group_rows = levels_by_group(q, scores.answers[scores.answers["answer"] != ""], applicable)
    level_of = {qid: num_or_none(row["level"]) for qid, row in table.items()}
    actions = s.scalars(
        select(Action).where(Action.city_id == a.city_id, Action.questionnaire_id == q.id).order_by(Action.id)
    ).all()
    return Report(
        id=a.id,
        city=a.city.name,
        questionnaire_id=q.id,
        version=q.version,
        title=dict(q.title),
        year=a.year,
        round=a.round,
        status=a.status,
        max_level=q.max_level,
        overall=num_or_none(scores.overall.get(a.id)),
        band=dict(band.label) if band else {},
        completeness=num_or_none(scores.completeness.get(a.id)),
        previous=PreviousRound(year=previous.year, round=previous.round, overall=prev_overall) if previous else None,
        peer_count=peers["n"],
        domains=[
            DomainResult(id=d.id, title=dict(d.title), score=num_or_none(domain_score.get(d.id)),
                         previous=prev_domains.get(d.id), peers=peers["domains"].get(d.id))
            for d in q.domains
        ],
        questions=[
            QuestionResult(id=x.id, domain=q.domain_of[x.id].id, text=dict(x.text), level=level_of[x.id],
                           status=str(table[x.id]["status"]), spread=num_or_none(table[x.id]["spread"]),
                           disagreement=bool(table[x.id]["disagreement"]))
            for x in q.questions
        ],
        facets=[FacetResult(id=f.id, title=dict(f.title), score=num_or_none(facet_score.get(f.id)),
                            questions=len(f.questions)) for f in q.facets],
        by_group=[GroupLevels(**row) for row in group_rows],
        gaps=[Gap(**g) for g in perception_gap(group_rows)],
        recommendations=rec_rows,
        groups={k: [r.key for r in v] for k, v in group_recommendations(rec_rows).items()},
        answers=answer_rows,
        actions=[
            ActionRow(id=x.id, title=x.title, owner=x.owner, due=x.due, status=x.status, note=x.note,
                      question=x.question_id, current_level=level_of.get(x.question_id),
                      from_this_round=x.origin_assessment_id == a.id)
            for x in actions
        ],
        can_manage=perm.can_manage_assessment(actor, a.city_id),
    )


# --------------------------------------------------------------------------- the action plan


def _check_action(title: str, owner: str, due: str, status: str, note: str) -> None:
    if not title.strip():
        raise Invalid("actions.error.title")
    if status not in ACTION_STATUSES:
        raise Invalid("actions.error.status")
    if due:
        try:
            date.fromisoformat(due)
        except ValueError:
            raise Invalid("actions.error.due") from None
    if max(len(title), len(note)) > MAX_ACTION_TEXT or len(owner) > 200:
        raise Invalid("assessment.error.note_too_long", max=MAX_ACTION_TEXT)


def add_action(s: Session, actor: Actor, assessment_id: int, question_id: str, title: str, owner: str = "",
               due: str = "", status: str = "planned", note: str = "") -> Action:
    a = load(s, actor, assessment_id)
    if not perm.can_manage_assessment(actor, a.city_id):
        raise Refused("error.forbidden")
    _check_action(title, owner, due, status, note)
    q = questionnaire_of(a)
    if question_id and question_id not in q.question_by_id:
        raise Invalid("assessment.error.bad_answer")
    action = Action(city_id=a.city_id, questionnaire_id=q.id, origin_assessment_id=a.id, question_id=question_id,
                    title=title.strip(), owner=owner.strip(), due=due, status=status, note=note, created_by=actor.user_id)
    s.add(action)
    s.flush()
    repo.audit(s, "create", "action", action.id, user_id=actor.user_id, title=action.title)
    return action


def update_action(s: Session, actor: Actor, assessment_id: int, action_id: int, **fields) -> None:
    a = load(s, actor, assessment_id)
    action = s.get(Action, action_id)
    if action is None or action.city_id != a.city_id:
        raise Invalid("actions.error.not_found")
    if not perm.can_manage_assessment(actor, a.city_id):
        raise Refused("error.forbidden")
    merged = {k: fields.get(k, getattr(action, k)) for k in ("title", "owner", "due", "status", "note")}
    _check_action(**merged)
    old = {k: getattr(action, k) for k in merged}
    for k, v in merged.items():
        setattr(action, k, v.strip() if k in ("title", "owner") else v)
    action.updated_at = utcnow()
    repo.audit(s, "update", "action", action.id, user_id=actor.user_id, old=old, new=merged)


# --------------------------------------------------------------------------- spreadsheets in


def import_template(s: Session, actor: Actor, assessment_id: int, data: bytes, label: str = "",
                    group: str = "municipality") -> tuple[list[dict], int]:
    """Import a filled offline template. Returns (problems, answers written); nothing is written
    unless the whole file is valid. With a label, the answers go to a respondent of that name
    (e.g. a paper questionnaire from a partner); without, to the uploading user. Each problem is
    a catalog message as data (core/exports/spreadsheets.py), for i18n.translate_message."""
    a = load(s, actor, assessment_id)
    if a.status not in EDITABLE:
        raise Refused("assessment.error.locked")
    q = questionnaire_of(a)
    parsed = read_template(q, data)
    if parsed.problems:
        return parsed.problems, 0
    if label.strip():
        if not perm.can_manage_assessment(actor, a.city_id):
            raise Refused("error.forbidden")
        respondent = s.scalar(select(Respondent).where(Respondent.assessment_id == a.id, Respondent.label == label.strip(),
                                                       Respondent.user_id.is_(None)))
        respondent = respondent or repo.add_respondent(s, a, label.strip(), group)
    else:
        respondent = my_respondent(s, actor, a, create=True)
        # The same rule as one answer: a row got as the city's editor counts only while they are one.
        if respondent is None or not perm.can_answer(actor, a.city_id, respondent.invited):
            raise Refused("error.forbidden")
    if parsed.context and not perm.can_manage_assessment(actor, a.city_id):
        raise Refused("error.forbidden")
    for cid, value in parsed.context:
        repo.set_context(s, a, cid, value)
    for qid, value, note in parsed.answers:
        if value:
            repo.set_answer(s, respondent, qid, value, note=note or None, by_user_id=actor.user_id)
        elif note:
            row = s.scalar(select(Answer).where(Answer.respondent_id == respondent.id, Answer.question_id == qid))
            if row is None:
                s.add(Answer(respondent_id=respondent.id, question_id=qid, value="", note=note))
            else:
                row.note = note
    repo.audit(s, "import", "assessment", a.id, user_id=actor.user_id, answers=len(parsed.answers),
               respondent=respondent.label)
    a.updated_at = utcnow()
    return [], len(parsed.answers)


def questionnaire_for(s: Session, actor: Actor, assessment_id: int):
    return questionnaire_of(load(s, actor, assessment_id))


DOWNLOAD_KINDS = ("pdf", "xlsx", "csv", "template")


def record_download(s: Session, actor: Actor, assessment_id: int, kind: str) -> None:
    """Note in the audit log who took which copy of an assessment out of the app."""
    a = load(s, actor, assessment_id)
    repo.audit(s, "download", "assessment", a.id, user_id=actor.user_id,
               kind=kind if kind in DOWNLOAD_KINDS else "other")
