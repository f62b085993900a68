"""Live workshops: the trainer's controls, participants joining with a code, their answers, and
the agreed result written into the city's assessment at the end."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..core import permissions as perm
from ..core.permissions import Actor
from ..core.questionnaire import Questionnaire
from ..core.workshop import looks_like_code, new_code, normalize_code, spread_of
from . import repo
from .assessments import EDITABLE, Invalid, NotFound, Refused
from .models import (
    RESPONDENT_GROUPS, Answer, Assessment, City, Participant, QuestionnaireVersion, Vote, Workshop,
    utcnow,
)

CONSENSUS_LABEL = "Workshop consensus"
MAX_NOTE = 2000


def _facilitator(actor: Actor) -> None:
    if not perm.can_facilitate(actor):
        raise Refused("error.forbidden")


def questionnaire(w: Workshop) -> Questionnaire:
    # By id: every vote and every presenter refresh needs it, without a query each time.
    return repo.questionnaire_by_version_id(Session.object_session(w), w.questionnaire_version_id)


def question_ids(w: Workshop) -> list[str]:
    q = questionnaire(w)
    return [x.id for d in q.domains if not w.domains or d.id in w.domains for x in d.questions]


def current_question(w: Workshop) -> str:
    ids = question_ids(w)
    return ids[min(w.position, len(ids) - 1)] if ids else ""


# --------------------------------------------------------------------------- trainer


def create(s: Session, actor: Actor, city_id: int, version_id: int, domains: list[str],
           assessment_id: int | None = None) -> Workshop:
    _facilitator(actor)
    if assessment_id:
        # The assessment to feed decides the city and the questionnaire version.
        a = s.get(Assessment, assessment_id)
        if a is None or a.status not in EDITABLE:
            raise Invalid("workshop.error.assessment")
        city_id, version_id = a.city_id, a.questionnaire_version_id
    city, version = s.get(City, city_id), s.get(QuestionnaireVersion, version_id)
    if city is None or version is None:
        raise Invalid("workshop.error.setup")
    q = repo.questionnaire_model(version)
    domains = [d for d in domains if d in {x.id for x in q.domains}]
    for _ in range(20):  # a clash among 887 million codes is rare; retry rather than fail
        code = new_code()
        if s.scalar(select(Workshop.id).where(Workshop.code == code)) is None:
            break
    w = Workshop(code=code, facilitator_id=actor.user_id, city_id=city_id, questionnaire_version_id=version_id,
                 domains=domains, assessment_id=assessment_id or None)
    s.add(w)
    s.flush()
    repo.audit(s, "create", "workshop", w.id, user_id=actor.user_id, code=code)
    return w


def mine(s: Session, actor: Actor) -> list[Workshop]:
    _facilitator(actor)
    query = select(Workshop).order_by(Workshop.id.desc())
    if actor.role != "admin":
        query = query.where(Workshop.facilitator_id == actor.user_id)
    return list(s.scalars(query))


def for_trainer(s: Session, actor: Actor, code: str) -> Workshop:
    _facilitator(actor)
    w = s.scalar(select(Workshop).where(Workshop.code == normalize_code(code)))
    if w is None or (actor.role != "admin" and w.facilitator_id != actor.user_id):
        raise NotFound(code)
    return w


def control(s: Session, actor: Actor, code: str, action: str, value=None) -> Workshop:
    """One console action: goto, next, previous, domain, reveal, lock, note, agree, pause, resume."""
    w = for_trainer(s, actor, code)
    if w.status == "ended":
        raise Refused("workshop.error.ended")
    ids = question_ids(w)
    qid = current_question(w)
    if action == "next":
        w.position, w.revealed = min(len(ids) - 1, w.position + 1), False
    elif action == "previous":
        w.position, w.revealed = max(0, w.position - 1), False
    elif action == "goto":
        w.position, w.revealed = max(0, min(len(ids) - 1, int(value))), False
    elif action == "domain":
        first = next((i for i, x in enumerate(ids) if questionnaire(w).domain_of[x].id == value), None)
        if first is None:
            raise Invalid("workshop.error.setup")
        w.position, w.revealed = first, False
    elif action == "reveal":
        w.revealed = bool(value)
    elif action == "lock":
        w.locked = sorted(set(w.locked) | {qid}) if value else [x for x in w.locked if x != qid]
    elif action == "note":
        if len(str(value)) > MAX_NOTE:
            raise Invalid("assessment.error.note_too_long")
        w.notes = {**w.notes, qid: str(value)}
    elif action == "agree":
        q = questionnaire(w)
        if value in ("", None):
            w.agreed = {k: v for k, v in w.agreed.items() if k != qid}
        elif str(value).isdigit() and 0 <= int(value) <= q.max_level:
            w.agreed = {**w.agreed, qid: int(value)}
        else:
            raise Invalid("assessment.error.bad_answer")
    elif action in ("pause", "resume"):
        w.status = "paused" if action == "pause" else "open"
    else:
        raise Invalid("workshop.error.setup")
    return w


def end(s: Session, actor: Actor, code: str, group: str = "municipality", keep_participants: bool = False) -> Workshop:
    """End the session; with an assessment, write the agreed levels (and notes) as one respondent,
    and optionally every participant's answers as anonymous respondents of their group."""
    w = for_trainer(s, actor, code)
    if w.status == "ended":
        raise Refused("workshop.error.ended")
    if group not in RESPONDENT_GROUPS:
        raise Invalid("invite.error.group")
    if w.assessment_id:
        a = s.get(Assessment, w.assessment_id)
        if a is None or a.status not in EDITABLE:
            raise Refused("assessment.error.locked")
        consensus = repo.add_respondent(s, a, f"{CONSENSUS_LABEL} {w.code}", group)
        for qid, level in w.agreed.items():
            repo.set_answer(s, consensus, qid, str(level), note=w.notes.get(qid) or None, by_user_id=actor.user_id)
        for qid, note in w.notes.items():
            if qid not in w.agreed and note:
                s.add(Answer(respondent_id=consensus.id, question_id=qid, value="", note=note))
        if keep_participants:
            participants = s.scalars(select(Participant).where(Participant.workshop_id == w.id).order_by(Participant.id))
            for number, p in enumerate(participants, start=1):
                votes = s.scalars(select(Vote).where(Vote.participant_id == p.id)).all()
                if not votes:
                    continue
                r = repo.add_respondent(s, a, f"Workshop {w.code} participant {number}", p.group)
                for v in votes:
                    repo.set_answer(s, r, v.question_id, v.value, by_user_id=actor.user_id)
        a.updated_at = utcnow()
    w.status, w.ended_at = "ended", utcnow()
    repo.audit(s, "end", "workshop", w.id, user_id=actor.user_id, agreed=len(w.agreed), assessment=w.assessment_id)
    return w


# --------------------------------------------------------------------------- participants


def by_code(s: Session, code: str) -> Workshop:
    """The session behind a code, for anyone; a wrong or unknown code is NotFound."""
    code = normalize_code(code)
    w = s.scalar(select(Workshop).where(Workshop.code == code)) if looks_like_code(code) else None
    if w is None:
        raise NotFound(code)
    return w


def join(s: Session, code: str, token: str, name: str, group: str) -> Participant:
    w = by_code(s, code)
    if w.status == "ended":
        raise Refused("workshop.error.ended")
    if group not in RESPONDENT_GROUPS:
        raise Invalid("invite.error.group")
    p = s.scalar(select(Participant).where(Participant.token == token, Participant.workshop_id == w.id)) if token else None
    if p is None:
        p = Participant(workshop_id=w.id, token=secrets.token_urlsafe(24), display_name=name.strip()[:100], group=group)
        s.add(p)
        s.flush()
    return p


def participant(s: Session, code: str, token: str) -> tuple[Workshop, Participant]:
    code = normalize_code(code)
    row = s.execute(select(Workshop, Participant).join(Participant, Participant.workshop_id == Workshop.id)
                    .where(Workshop.code == code, Participant.token == token)).first() \
        if token and looks_like_code(code) else None
    if row is None:
        raise NotFound(code)
    return row[0], row[1]


def vote(s: Session, code: str, token: str, question_id: str, value: str) -> None:
    """Record (or change) a participant's answer: one read and one upsert, as a room of 200
    answers within seconds."""
    w, p = participant(s, code, token)
    if w.status != "open":
        raise Refused("workshop.error.ended" if w.status == "ended" else "workshop.error.paused")
    if question_id != current_question(w) or question_id in w.locked:
        raise Refused("workshop.error.locked")
    value = str(value)
    if not (value in ("na", "unknown") or (value.isdigit() and 0 <= int(value) <= questionnaire(w).max_level)):
        raise Invalid("assessment.error.bad_answer")
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    now = utcnow()
    s.execute(insert(Vote).values(participant_id=p.id, workshop_id=w.id, question_id=question_id, value=value,
                                  updated_at=now)
              .on_conflict_do_update(index_elements=["participant_id", "question_id"],
                                     set_={"value": value, "updated_at": now}))


def my_vote(s: Session, w: Workshop, p: Participant, question_id: str) -> str:
    return s.scalar(select(Vote.value).where(Vote.participant_id == p.id, Vote.question_id == question_id)) or ""


def spread(s: Session, w: Workshop, question_id: str):
    counts = s.execute(select(Vote.value, func.count()).where(Vote.workshop_id == w.id, Vote.question_id == question_id)
                       .group_by(Vote.value)).all()
    return spread_of([value for value, n in counts for _ in range(n)], questionnaire(w).max_level)


def participant_count(s: Session, w: Workshop) -> int:
    return s.scalar(select(func.count(Participant.id)).where(Participant.workshop_id == w.id)) or 0


def summary(s: Session, actor: Actor, code: str) -> list[dict]:
    w = for_trainer(s, actor, code)
    q = questionnaire(w)
    rows = []
    for qid in question_ids(w):
        sp = spread(s, w, qid)
        rows.append({"question": qid, "text": dict(q.question_by_id[qid].text), "count": sp.count,
                     "distribution": list(sp.distribution), "median": sp.median, "spread": sp.spread,
                     "agreed": w.agreed.get(qid), "note": w.notes.get(qid, "")})
    return rows

