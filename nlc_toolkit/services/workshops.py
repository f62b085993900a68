"""Live workshops: the trainer's controls, participants joining with a code, their answers, and
the agreed result written into the city's assessment at the end.

Facilitators work only for the cities an admin assigned them to; every trainer write is audited
with its actor. A browser joins a room once (its device id), and a room takes a bounded number."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from nlc_toolkit.core import policy as perm
from nlc_toolkit.core.errors import Invalid, NotFound, Refused
from nlc_toolkit.core.exports.pdf import workshop_summary_pdf
from nlc_toolkit.core.exports.spreadsheets import workshop_workbook
from nlc_toolkit.core.policy import Actor
from nlc_toolkit.core.questionnaire import Questionnaire
from nlc_toolkit.core.workshop import (
    device_key,
    looks_like_code,
    max_participants,
    new_code,
    normalize_code,
    spread_of,
)
from nlc_toolkit.db import repo
from nlc_toolkit.db.models import (
    RESPONDENT_GROUPS,
    Answer,
    Assessment,
    City,
    FacilitatorCity,
    Participant,
    QuestionnaireVersion,
    User,
    Vote,
    Workshop,
    utcnow,
)
from nlc_toolkit.services.assessments import EDITABLE

CONSENSUS_LABEL = "Workshop consensus"
MAX_NOTE = 2000
MAX_PARTICIPANTS = max_participants()  # per room; env NLC_MAX_PARTICIPANTS


def _facilitator(actor: Actor) -> None:
    if not perm.can_facilitate(actor):
        raise Refused("error.forbidden")


def _as_id(value) -> int | None:
    """A client's id as an int (an int or a string of digits), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _flag(value) -> bool:
    """A client's on/off value: "false", "0" and "" are off, as False is."""
    return value.strip().lower() not in ("", "0", "false", "off") if isinstance(value, str) else bool(value)


# --------------------------------------------------------------------------- facilitators' cities


def _city_scope(s: Session, actor: Actor) -> set[int] | None:
    """The city ids this actor may run workshops for; None: any (admins)."""
    _facilitator(actor)
    if perm.has(actor.role, "manage_any"):
        return None
    return set(s.scalars(select(FacilitatorCity.city_id).where(FacilitatorCity.user_id == actor.user_id)))


def assign_cities(s: Session, actor: Actor, user_id: int, city_ids: list[int]) -> list[int]:
    """Set the cities a facilitator works for (admins only); returns them, sorted."""
    if not perm.can_administer(actor):
        raise Refused("error.forbidden")
    uid = _as_id(user_id)
    user = s.get(User, uid) if uid is not None else None
    if user is None or user.role != "facilitator":
        raise Invalid("workshop.error.not_facilitator")
    wanted = {_as_id(c) for c in city_ids} if isinstance(city_ids, (list, tuple, set)) else {None}
    if None in wanted:
        raise Invalid("workshop.error.setup")
    if wanted and len(s.scalars(select(City.id).where(City.id.in_(wanted))).all()) != len(wanted):
        raise Invalid("workshop.error.setup")
    old = set(s.scalars(select(FacilitatorCity.city_id).where(FacilitatorCity.user_id == user.id)))
    for city_id in old - wanted:
        s.delete(s.get(FacilitatorCity, (user.id, city_id)))
    for city_id in wanted - old:
        s.add(FacilitatorCity(user_id=user.id, city_id=city_id))
    s.flush()
    repo.audit(s, "assign_cities", "user", user.id, user_id=actor.user_id, old=sorted(old), new=sorted(wanted))
    return sorted(wanted)


def assigned_cities(s: Session, actor: Actor, user_id: int | None = None) -> list[int]:
    """The city ids assigned to a facilitator (default: the actor). Admins may ask about anyone,
    a facilitator only about themself. An admin needs no assignment: any city is theirs."""
    user_id = actor.user_id if user_id is None else _as_id(user_id)
    if not (perm.can_administer(actor) or (perm.can_facilitate(actor) and user_id == actor.user_id)):
        raise Refused("error.forbidden")
    return sorted(s.scalars(select(FacilitatorCity.city_id).where(FacilitatorCity.user_id == user_id)))


def setup_options(s: Session, actor: Actor) -> dict:
    """What the new-session form offers this actor: their cities, the latest questionnaires (the
    quick scan first) and the editable assessments of their cities. Ids are strings (form values)."""
    scope = _city_scope(s, actor)
    cities = select(City).order_by(City.name)
    if scope is not None:
        cities = cities.where(City.id.in_(scope))
    versions = sorted(repo.latest_questionnaires(s), key=lambda v: v.questionnaire_id != "nlc-quick-scan")
    questionnaires = []
    for v in versions:
        q = repo.questionnaire_model(v)
        questionnaires.append({"id": str(v.id), "title": dict(q.title), "qid": v.questionnaire_id,
                               "domains": [{"id": d.id, "title": dict(d.title), "count": len(d.questions)}
                                           for d in q.domains]})
    editable = (select(Assessment).join(City).where(Assessment.status.in_(EDITABLE))
                .order_by(City.name, Assessment.year.desc(), Assessment.round.desc()))
    if scope is not None:
        editable = editable.where(Assessment.city_id.in_(scope))
    return {
        "cities": [{"id": str(c.id), "name": c.name} for c in s.scalars(cities)],
        "questionnaires": questionnaires,
        "assessments": [{"id": str(a.id), "city_id": str(a.city_id), "version_id": str(a.questionnaire_version_id),
                         "label": f"{a.city.name} {a.year} · {a.round} ({a.status})"} for a in s.scalars(editable)],
    }


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
    scope = _city_scope(s, actor)
    if assessment_id:
        # The assessment to feed decides the city and the questionnaire version. One of a city
        # outside the facilitator's is refused as if it did not exist: a foreign id leaks nothing.
        a = s.get(Assessment, assessment_id)
        if a is None or a.status not in EDITABLE or (scope is not None and a.city_id not in scope):
            raise Invalid("workshop.error.assessment")
        city_id, version_id = a.city_id, a.questionnaire_version_id
    city, version = s.get(City, city_id), s.get(QuestionnaireVersion, version_id)
    if city is None or version is None:
        raise Invalid("workshop.error.setup")
    if scope is not None and city.id not in scope:
        raise Refused("workshop.error.city")
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
    repo.audit(s, "create", "workshop", w.id, user_id=actor.user_id, code=code, city=city_id,
               assessment=assessment_id or None)
    return w


def mine(s: Session, actor: Actor) -> list[Workshop]:
    """The sessions a trainer runs (an admin: all of them), newest first."""
    _facilitator(actor)
    query = select(Workshop).order_by(Workshop.id.desc())
    if not perm.has(actor.role, "manage_any"):
        query = query.where(Workshop.facilitator_id == actor.user_id)
    return list(s.scalars(query))


def sessions(s: Session, actor: Actor) -> list[dict]:
    """`mine` as the workshops page lists them."""
    return [{"code": w.code, "city": w.city.name, "status": w.status, "created": w.created_at.strftime("%Y-%m-%d %H:%M")}
            for w in mine(s, actor)]


def for_trainer(s: Session, actor: Actor, code: str) -> Workshop:
    _facilitator(actor)
    w = s.scalar(select(Workshop).where(Workshop.code == normalize_code(code)))
    if w is None or (not perm.has(actor.role, "manage_any") and w.facilitator_id != actor.user_id):
        raise NotFound(code)
    return w


def control(s: Session, actor: Actor, code: str, action: str, value=None) -> Workshop:
    """One console action: goto, next, previous, domain, reveal, lock, note, agree, pause, resume.
    Audited with its actor (a note or agreed level only when it changes)."""
    w = for_trainer(s, actor, code)
    if w.status == "ended":
        raise Refused("workshop.error.ended")
    ids = question_ids(w)
    qid = current_question(w)
    detail: dict = {"question": qid}
    if action == "next":
        w.position, w.revealed = min(len(ids) - 1, w.position + 1), False
    elif action == "previous":
        w.position, w.revealed = max(0, w.position - 1), False
    elif action == "goto":
        try:
            target = int(value)
        except (TypeError, ValueError) as e:
            raise Invalid("workshop.error.setup") from e
        w.position, w.revealed = max(0, min(len(ids) - 1, target)), False
    elif action == "domain":
        first = next((i for i, x in enumerate(ids) if questionnaire(w).domain_of[x].id == value), None)
        if first is None:
            raise Invalid("workshop.error.setup")
        w.position, w.revealed = first, False
    elif action == "reveal":
        w.revealed = detail["value"] = _flag(value)
    elif action == "lock":
        on = detail["value"] = _flag(value)
        w.locked = sorted(set(w.locked) | {qid}) if on else [x for x in w.locked if x != qid]
    elif action == "note":
        note = "" if value is None else str(value)
        if len(note) > MAX_NOTE:
            raise Invalid("assessment.error.note_too_long", max=MAX_NOTE)
        old = w.notes.get(qid, "")
        if note == old:
            return w
        w.notes = {**w.notes, qid: note}
        detail.update(old=old, new=note)
    elif action == "agree":
        q = questionnaire(w)
        old = w.agreed.get(qid)
        if value in ("", None):
            w.agreed = {k: v for k, v in w.agreed.items() if k != qid}
        elif str(value).isdigit() and 0 <= int(value) <= q.max_level:
            w.agreed = {**w.agreed, qid: int(value)}
        else:
            raise Invalid("assessment.error.bad_answer")
        if w.agreed.get(qid) == old:
            return w
        detail.update(old=old, new=w.agreed.get(qid))
    elif action in ("pause", "resume"):
        w.status = "paused" if action == "pause" else "open"
    else:
        raise Invalid("workshop.error.setup")
    if action in ("next", "previous", "goto", "domain"):
        detail["to"] = current_question(w)
    repo.audit(s, action, "workshop", w.id, user_id=actor.user_id, **detail)
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
            # Who is still in the room: a removed participant's answers left with them.
            people = s.scalars(select(Participant).where(Participant.workshop_id == w.id).order_by(Participant.id))
            for number, p in enumerate(people, start=1):
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


@dataclass
class JoinBatch:
    """What the joins written in one transaction share (services/ballot_box.py, the join desk):
    each room is read once, locked once and counted once, not once per join."""

    rooms: dict[str, Workshop] = field(default_factory=dict)  # by code
    counts: dict[int, int] = field(default_factory=dict)  # the rooms locked so far, with their participants


def join(s: Session, code: str, token: str, name: str, group: str, device: str = "",
         batch: JoinBatch | None = None) -> Participant:
    """Join a room, or resume: the room's token (kept by the browser for this room) or the
    browser's device id (kept for good, any room) finds the participant it joined as before, with
    its answers. Only a new participant counts towards MAX_PARTICIPANTS. `batch`: the other
    joins of this transaction, if any."""
    code = normalize_code(code)
    w = batch.rooms.get(code) if batch is not None else None
    if w is None:
        w = by_code(s, code)
        if batch is not None:
            batch.rooms[code] = w
    if w.status == "ended":
        raise Refused("workshop.error.ended")
    if group not in RESPONDENT_GROUPS:
        raise Invalid("invite.error.group")
    key = device_key(device)  # "" for no (or a malformed) device id
    locked = batch is not None and w.id in batch.counts
    p = _by_token(s, w, token) or _by_device(s, w, key)
    if p is None and not locked:
        # New joins of a room go one at a time, so neither the limit nor one device per room can
        # be raced past: a no-op write holds the room's row (PostgreSQL) or the database's write
        # lock (SQLite, where a SELECT ... FOR UPDATE locks nothing) until commit. Then look again.
        # The lock lasts until the transaction ends: a batch's later joins of the room have it.
        room = Workshop.__table__
        s.execute(room.update().where(room.c.id == w.id).values(position=room.c.position))
        p = _by_device(s, w, key)
        if batch is not None:
            batch.counts[w.id] = participant_count(s, w)
            locked = True
    if p is not None:
        if key and p.device is None and _by_device(s, w, key) is None:
            p.device = key  # joined before it sent a device id: the device finds it from now on
        repo.audit(s, "join", "workshop", w.id, participant=p.id, resumed=True)
        return p
    count = batch.counts[w.id] if locked else participant_count(s, w)
    if count >= MAX_PARTICIPANTS:
        raise Refused("workshop.error.full")
    # A removed participant's device has no row any more: it may join again, as a new participant.
    p = Participant(workshop_id=w.id, token=secrets.token_urlsafe(24), display_name=(name or "").strip()[:100],
                    group=group, device=key or None)
    s.add(p)
    s.flush()
    if batch is not None:
        batch.counts[w.id] = count + 1
    repo.audit(s, "join", "workshop", w.id, participant=p.id, resumed=False)
    return p


def _by_token(s: Session, w: Workshop, token: str) -> Participant | None:
    if not token or not isinstance(token, str):
        return None
    return s.scalar(select(Participant).where(Participant.token == token, Participant.workshop_id == w.id))


def _by_device(s: Session, w: Workshop, key: str) -> Participant | None:
    if not key:
        return None
    return s.scalar(select(Participant).where(Participant.device == key, Participant.workshop_id == w.id))


def participant(s: Session, code: str, token: str) -> tuple[Workshop, Participant]:
    """The room and the participant a browser's token stands for; NotFound once removed."""
    code = normalize_code(code)
    row = s.execute(select(Workshop, Participant).join(Participant, Participant.workshop_id == Workshop.id)
                    .where(Workshop.code == code, Participant.token == token)).first() \
        if token and isinstance(token, str) and looks_like_code(code) else None
    if row is None:
        raise NotFound(code)
    return row[0], row[1]


def _check_vote(w: Workshop, question_id: str, value: str) -> str:
    """The value to store, or the refusal: the room must be open on that question, unlocked."""
    if w.status != "open":
        raise Refused("workshop.error.ended" if w.status == "ended" else "workshop.error.paused")
    if question_id != current_question(w) or question_id in w.locked:
        raise Refused("workshop.error.locked")
    value = str(value)
    if not (value in ("na", "unknown") or (value.isdigit() and 0 <= int(value) <= questionnaire(w).max_level)):
        raise Invalid("assessment.error.bad_answer")
    return value


def _upsert_votes(s: Session, rows: list[dict]) -> None:
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(Vote)
    s.execute(statement.on_conflict_do_update(index_elements=["participant_id", "question_id"],
                                              set_={"value": statement.excluded.value,
                                                    "updated_at": statement.excluded.updated_at}), rows)


def vote(s: Session, code: str, token: str, question_id: str, value: str) -> None:
    """Record (or change) one participant's answer: `vote_many` with one ballot, its refusal raised."""
    refusal = vote_many(s, [(code, token, question_id, value)])[0]
    if refusal is not None:
        raise refusal


def vote_many(s: Session, ballots: list[tuple[str, str, str, str]]) -> list[Exception | None]:
    """Many participants' answers at once, (code, token, question, value) each, as a room answers
    within seconds: one read for all the participants and one upsert for all the accepted answers.
    Each ballot is checked as `vote` checks it; returns, in order, None for an accepted one or
    its refusal (NotFound, Refused, Invalid). Of two ballots of one participant on one question
    the later wins."""
    tokens = {token for _, token, _, _ in ballots if isinstance(token, str) and token}
    found = {p.token: (w, p) for w, p in s.execute(
        select(Workshop, Participant).join(Participant, Participant.workshop_id == Workshop.id)
        .where(Participant.token.in_(tokens))).all()} if tokens else {}
    outcomes: list[Exception | None] = []
    rows: dict[tuple[int, str], dict] = {}
    now = utcnow()
    for code, token, question_id, value in ballots:
        try:
            w, p = found.get(token, (None, None)) if isinstance(token, str) else (None, None)
            if w is None or not looks_like_code(normalize_code(code)) or w.code != normalize_code(code):
                raise NotFound(code)
            value = _check_vote(w, question_id, value)
        except (NotFound, Refused, Invalid) as refusal:
            outcomes.append(refusal)
            continue
        rows.pop((p.id, question_id), None)  # a later ballot of the same person replaces it
        rows[(p.id, question_id)] = {"participant_id": p.id, "workshop_id": w.id, "question_id": question_id,
                                     "value": value, "updated_at": now}
        outcomes.append(None)
    if rows:
        _upsert_votes(s, list(rows.values()))
    return outcomes


def votes_of(s: Session, w: Workshop, participant_ids: list[int], question_id: str) -> dict[int, str]:
    """These participants' answers to a question of the room, by participant id (none: absent)."""
    if not participant_ids:
        return {}
    return dict(s.execute(select(Vote.participant_id, Vote.value).where(
        Vote.workshop_id == w.id, Vote.question_id == question_id, Vote.participant_id.in_(participant_ids))).all())


def spread(s: Session, w: Workshop, question_id: str):
    counts = s.execute(select(Vote.value, func.count()).where(Vote.workshop_id == w.id, Vote.question_id == question_id)
                       .group_by(Vote.value)).all()
    return spread_of([value for value, n in counts for _ in range(n)], questionnaire(w).max_level)


def participant_count(s: Session, w: Workshop) -> int:
    return s.scalar(select(func.count(Participant.id)).where(Participant.workshop_id == w.id)) or 0


def participants(s: Session, actor: Actor, code: str) -> list[dict]:
    """The room's participants for its trainer (or an admin), in order of joining."""
    w = for_trainer(s, actor, code)
    answers = (select(Vote.participant_id, func.count(Vote.id).label("n")).where(Vote.workshop_id == w.id)
               .group_by(Vote.participant_id).subquery())
    rows = s.execute(select(Participant, func.coalesce(answers.c.n, 0))
                     .outerjoin(answers, answers.c.participant_id == Participant.id)
                     .where(Participant.workshop_id == w.id).order_by(Participant.id)).all()
    return [{"id": p.id, "name": p.display_name, "group": p.group, "answers": int(n),
             "joined": p.joined_at.strftime("%Y-%m-%d %H:%M")} for p, n in rows]


def remove_participant(s: Session, actor: Actor, code: str, participant_id: int) -> None:
    """Take someone out of the room with all their answers: gone from the spread and from what
    the end writes. Their browser's token finds nothing any more; their device may join again,
    but only as a new participant with no answers."""
    w = for_trainer(s, actor, code)
    if w.status == "ended":
        raise Refused("workshop.error.ended")  # what the end wrote stays as it was
    pid = _as_id(participant_id)
    p = s.get(Participant, pid) if pid is not None else None
    if p is None or p.workshop_id != w.id:
        raise NotFound(participant_id)
    # Votes deleted explicitly (not left to ON DELETE CASCADE): the audit records how many.
    removed = s.execute(delete(Vote).where(Vote.participant_id == p.id)).rowcount
    s.delete(p)
    s.flush()
    repo.audit(s, "remove_participant", "workshop", w.id, user_id=actor.user_id, participant=pid, votes=removed)


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



def record_export(s: Session, actor: Actor, w: Workshop, kind: str) -> None:
    """Note in the audit log who took the session's record out of the app."""
    repo.audit(s, "export", "workshop", w.id, user_id=actor.user_id, kind=kind if kind in ("pdf", "xlsx") else "other")


def summary_file(s: Session, actor: Actor, code: str, kind: str, lang: str) -> bytes:
    """The session's record (`summary`) as a PDF or XLSX file, noted in the audit log."""
    if kind not in ("pdf", "xlsx"):
        raise Invalid("workshop.error.setup")
    rows = summary(s, actor, code)
    w = for_trainer(s, actor, code)
    record_export(s, actor, w, kind)
    if kind == "pdf":
        return workshop_summary_pdf(dict(questionnaire(w).title), w.city.name, w.code, rows, lang)
    return workshop_workbook(rows, lang)
