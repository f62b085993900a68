"""What each screen of a live workshop room sees, as plain values: the trainer's console, the
projector and a phone each get only their share (`audience`). Read by the room's pages in their
unit of work; nothing here writes."""

from __future__ import annotations

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from nlc_toolkit.db.models import Participant, Vote, Workshop
from nlc_toolkit.services import workshops as svc

AUDIENCES = ("trainer", "presenter", "phone")
STATS_AUDIENCES = ("trainer", "presenter")  # a phone never sees how the room answered
# What an ended room shows the projector and the phones: that it has ended, nothing more. The
# other keys stay, empty, so the pages render without errors.
ENDED_ROOM = {"city": "", "status": "ended", "question": "", "position": 0, "total": 0, "domain": {}, "text": {},
              "levels": [], "locked": False, "revealed": False, "agreed": "", "note": "", "domains": []}
EMPTY_STATS = {"count": 0, "participants": 0, "distribution": [], "na": 0, "unknown": 0, "median": None,
               "spread": "–", "no_consensus": False}


def _audience(audience: str, known: tuple[str, ...] = AUDIENCES) -> str:
    if audience not in known:
        raise ValueError(f"unknown audience {audience!r}")
    return audience


def room_snapshot(s: Session, w: Workshop, audience: str) -> dict:
    """The room's open question and controls, as plain values (all languages), holding only what
    the `audience` screen shows: the trainer everything; the presenter and a phone no trainer
    note, no agreed level and no list of domains. An ended room shows the presenter and
    the phones only that it has ended. Changes only when the trainer acts."""
    if _audience(audience) != "trainer" and w.status == "ended":
        return {**ENDED_ROOM, "code": w.code}
    q = svc.questionnaire(w)
    qid = svc.current_question(w)
    ids = svc.question_ids(w)
    question = q.question_by_id.get(qid)
    trainer = audience == "trainer"
    return {
        "code": w.code,
        "city": w.city.name,
        "status": w.status,
        "question": qid,
        "position": w.position + 1,
        "total": len(ids),
        "domain": dict(q.domain_of[qid].title) if qid else {},
        "text": dict(question.text) if question else {},
        "levels": [{"value": str(level.value), "label": dict(level.label),
                    "descriptor": dict(question.levels[level.value])} for level in q.scale.levels] if question else [],
        "locked": qid in w.locked,
        "revealed": w.revealed,
        "agreed": "" if not trainer or qid not in w.agreed else str(w.agreed[qid]),
        "note": w.notes.get(qid, "") if trainer else "",
        "domains": [{"id": d.id, "title": dict(d.title)} for d in q.domains if not w.domains or d.id in w.domains]
        if trainer else [],  # the console's "jump to a domain"; no other screen shows it
    }


def stats_snapshot(s: Session, w: Workshop, audience: str) -> dict:
    """The live numbers of the open question: small, sent on every answer. The trainer gets them
    all; the presenter how many answered, and the rest only once revealed (nothing once ended).
    There are none for a phone: its page does not follow answers."""
    if _audience(audience, STATS_AUDIENCES) == "presenter" and w.status == "ended":
        return dict(EMPTY_STATS)
    qid = svc.current_question(w)
    sp = svc.spread(s, w, qid) if qid else None
    counts = {"count": sp.count if sp else 0, "participants": svc.participant_count(s, w)}
    if audience == "presenter" and not w.revealed:
        return {**EMPTY_STATS, **counts}
    total = max(1, sp.count if sp else 1)
    return {
        **counts,
        "distribution": [{"level": str(i), "n": n, "pct": round(100 * n / total)} for i, n in
                         enumerate(sp.distribution)] if sp else [],
        "na": sp.na if sp else 0,
        "unknown": sp.unknown if sp else 0,
        "median": sp.median if sp else None,  # a number: the page writes it for its language (2.5 / 2,5)
        "spread": "–" if not sp or sp.spread is None else str(sp.spread),
        "no_consensus": bool(sp and sp.no_consensus),
    }


def answers_by_token(s: Session, w: Workshop) -> dict[str, str]:
    """Every participant of the room, by token, with their answer to the open question ("" for
    none yet): what each phone shows as its own, read once for the whole room."""
    qid = svc.current_question(w)
    rows = s.execute(select(Participant.token, Vote.value)
                     .outerjoin(Vote, and_(Vote.participant_id == Participant.id, Vote.question_id == qid))
                     .where(Participant.workshop_id == w.id)).all()
    return {token: value or "" for token, value in rows}
