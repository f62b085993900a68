"""The assessment journey as service functions: every read and write checks who is asking.

States call these and never touch the database or the rules themselves. An assessment a user may
not see raises NotFound (the same as one that does not exist), so a foreign id leaks nothing."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlparse

from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session, joinedload

from nlc_toolkit.core import policy as perm
from nlc_toolkit.core import progress
from nlc_toolkit.core.errors import Invalid, NotFound, Refused
from nlc_toolkit.core.policy import Actor, actor_of
from nlc_toolkit.core.questionnaire import (
    Questionnaire,
    applicable_questions,
    carry_plan,
    merged_answer,
)
from nlc_toolkit.core.vocabulary import EDITABLE
from nlc_toolkit.db import files, repo
from nlc_toolkit.db.models import (
    RESPONDENT_GROUPS,
    Answer,
    Assessment,
    City,
    ContextAnswer,
    QuestionnaireVersion,
    Respondent,
    StatusChange,
    User,
    utcnow,
)
from nlc_toolkit.db.scores import score_assessments, store_scores

MAX_NOTE = 2000
MAX_EVIDENCE = 10
MAX_COMMENT = 2000


def _is_respondent(s: Session, actor: Actor, assessment_id: int) -> bool:
    """Invited to this assessment. A respondent row someone got by answering as a city editor
    grants nothing by itself: that access came with the role and ends with it."""
    return s.scalar(
        select(Respondent.id).where(Respondent.assessment_id == assessment_id, Respondent.user_id == actor.user_id,
                                    Respondent.invited.is_(True))
    ) is not None


def _plausible(assessment_id) -> bool:
    # Any id from the client: only a plausible integer is looked up (a huge one overflows the driver).
    return isinstance(assessment_id, int) and not isinstance(assessment_id, bool) and 0 < assessment_id < 2**62


_WITH_CITY_AND_VERSION = (joinedload(Assessment.city), joinedload(Assessment.questionnaire_version))


def _assessment(s: Session, assessment_id: int) -> Assessment | None:
    """The assessment with its city and questionnaire version, in one statement; none at all
    when this unit of work already read it."""
    return _keep(s, s.get(Assessment, assessment_id, options=_WITH_CITY_AND_VERSION)) if _plausible(assessment_id) else None


def _keep(s: Session, a: Assessment | None) -> Assessment | None:
    """Hold the assessment for the rest of the unit of work. The session's identity map holds its
    objects weakly: without this, the action, the re-read and load() of one page event would
    each read it again."""
    if a is not None:
        s.info.setdefault("nlc.assessments", {})[a.id] = a
    return a


def load(s: Session, actor: Actor, assessment_id: int) -> Assessment:
    a = _assessment(s, assessment_id)
    # The invitations are looked up only when the role alone does not let the actor see it.
    if a is None or not (perm.can_see_assessment(actor, a.city_id)
                         or perm.can_see_assessment(actor, a.city_id, _is_respondent(s, actor, a.id))):
        raise NotFound(assessment_id)
    return a


# The statements every answer and note runs, built once: building a statement costs about as much
# CPU as running it on SQLite (bench/answer_bench.py).
_ACCESS = (select(Assessment, Respondent)
           .outerjoin(Respondent, (Respondent.assessment_id == Assessment.id) & (Respondent.user_id == bindparam("user_id")))
           .options(*_WITH_CITY_AND_VERSION).where(Assessment.id == bindparam("assessment_id")).order_by(Respondent.id))
_ANSWERS_OF = select(Answer).where(Answer.respondent_id == bindparam("respondent_id"),
                                   Answer.question_id.in_(bindparam("question_ids", expanding=True)))


def _access(s: Session, actor: Actor, assessment_id: int) -> tuple[Assessment, Respondent | None]:
    """What load() and my_respondent() give, in one statement: the assessment (with its city
    and questionnaire version) and the actor's respondent row on it, if any. NotFound unless the
    actor may see it."""
    if not _plausible(assessment_id):
        raise NotFound(assessment_id)
    rows = s.execute(_ACCESS, {"assessment_id": assessment_id, "user_id": actor.user_id}).all()
    if not rows:
        raise NotFound(assessment_id)
    a = _keep(s, rows[0][0])
    respondents = [r for _, r in rows if r is not None]
    if not perm.can_see_assessment(actor, a.city_id, any(r.invited for r in respondents)):
        raise NotFound(assessment_id)
    return a, (respondents[0] if respondents else None)


def _editable(a: Assessment) -> None:
    if a.status not in EDITABLE:
        raise Refused("assessment.error.locked")


def questionnaire_of(a: Assessment) -> Questionnaire:
    """The parsed questionnaire of an assessment (parsed once per process; its version row is
    read with the assessment by load(), view() and the answering functions)."""
    return repo.questionnaire_model(a.questionnaire_version)


# --------------------------------------------------------------------------- lists


def visible_assessments(s: Session, actor: Actor) -> list[dict]:
    """The assessments a user may see, newest first, with score and completeness."""
    query = select(Assessment).join(City).order_by(Assessment.year.desc(), Assessment.round.desc(), City.name)
    if not perm.sees_all_cities(actor.role):
        mine = select(Respondent.assessment_id).where(Respondent.user_id == actor.user_id, Respondent.invited.is_(True))
        query = query.where((Assessment.city_id == actor.city_id) | Assessment.id.in_(mine))
    rows = s.scalars(query).all()
    by_version: dict[int, list[Assessment]] = {}
    for a in rows:
        by_version.setdefault(a.questionnaire_version_id, []).append(a)
    results: dict[int, tuple] = {}
    for group in by_version.values():
        q = questionnaire_of(group[0])
        scores = score_assessments(s, q, [a.id for a in group])
        for a in group:
            results[a.id] = (scores.overall.get(a.id), scores.completeness.get(a.id), q)
    out = []
    for a in rows:
        overall, completeness, q = results[a.id]
        out.append({
            "id": a.id,
            "city": a.city.name,
            "city_id": a.city_id,
            "questionnaire": dict(q.title),
            "year": a.year,
            "round": a.round,
            "status": a.status,
            "overall": None if overall != overall or overall is None else round(float(overall)),
            "completeness": 0 if completeness != completeness or completeness is None else round(100 * float(completeness)),
            "updated": a.updated_at.strftime("%Y-%m-%d"),
        })
    return out


def creatable_cities(s: Session, actor: Actor) -> list[City]:
    if perm.has(actor.role, "manage_any"):
        return list(s.scalars(select(City).where(City.active).order_by(City.name)))
    if perm.has(actor.role, "manage_own_city") and actor.city_id:
        return [s.get(City, actor.city_id)]
    return []


# --------------------------------------------------------------------------- writes


def create(s: Session, actor: Actor, city_id: int, version_id: int, year: int, round: int) -> Assessment:
    if not perm.can_manage_assessment(actor, city_id):
        raise Refused("error.forbidden")
    version = s.get(QuestionnaireVersion, version_id)
    city = s.get(City, city_id)
    if version is None or city is None:
        raise Invalid("assessment.error.choose_questionnaire")
    if not 2000 <= year <= 2100 or not 1 <= round <= 20:
        raise Invalid("assessment.error.year_round")
    a = repo.create_assessment(s, city, version, year, round, by_user_id=actor.user_id)
    s.add(StatusChange(assessment_id=a.id, from_status="", to_status="draft", user_id=actor.user_id))
    my_respondent(s, actor, a, create=True)
    return a


def my_respondent(s: Session, actor: Actor, a: Assessment, create: bool = False) -> Respondent | None:
    """The respondent a user answers as. Managers get one with their first answer; others must be
    invited. Only looking never adds anybody to the respondents."""
    r = s.scalar(select(Respondent).where(Respondent.assessment_id == a.id, Respondent.user_id == actor.user_id)
                 .order_by(Respondent.id))
    return r if r is not None or not create else _new_respondent(s, actor, a)


def _new_respondent(s: Session, actor: Actor, a: Assessment) -> Respondent | None:
    """A manager's respondent row, added with their first answer (None for anybody else)."""
    if not perm.can_manage_assessment(actor, a.city_id):
        return None
    user = s.get(User, actor.user_id)
    group = "municipality" if actor.role == "city_editor" else "other"
    r = repo.add_respondent(s, a, user.display_name or user.email, group, user, invited=False)
    repo.audit(s, "respondent", "assessment", a.id, user_id=actor.user_id, respondent=r.id, group=group)
    return r


def set_context(s: Session, actor: Actor, assessment_id: int, question_id: str, value: str) -> None:
    a = load(s, actor, assessment_id)
    if not perm.can_manage_assessment(actor, a.city_id):
        raise Refused("error.forbidden")
    _editable(a)
    try:
        repo.set_context(s, a, question_id, value)
    except repo.RepoError as e:
        raise Invalid("assessment.error.bad_answer") from e
    repo.audit(s, "context", "assessment", a.id, user_id=actor.user_id, question=question_id, new=value)
    a.updated_at = utcnow()


def _answerer(s: Session, actor: Actor, assessment_id: int, question_id: str) -> tuple[Assessment, Respondent, Questionnaire]:
    """The assessment, the respondent this actor answers as and the questionnaire, once the
    actor may answer `question_id` now (one statement, two more for a manager's first answer)."""
    a, respondent = _access(s, actor, assessment_id)
    if respondent is None:
        respondent = _new_respondent(s, actor, a)
    # A row the user got as the city's editor answers only while they still are; an invitation
    # answers by itself.
    if respondent is None or not perm.can_answer(actor, a.city_id, respondent.invited):
        raise Refused("error.forbidden")
    _editable(a)
    q = questionnaire_of(a)
    if question_id not in q.question_by_id:
        raise Invalid("assessment.error.bad_answer")
    return a, respondent, q


def _answer_row(s: Session, actor: Actor, assessment_id: int, question_id: str) -> tuple[Assessment, Respondent, Answer | None]:
    a, respondent, _ = _answerer(s, actor, assessment_id, question_id)
    row = s.scalar(_ANSWERS_OF, {"respondent_id": respondent.id, "question_ids": [question_id]})
    return a, respondent, row


@dataclass(frozen=True)
class AnswerResult:
    """What the page needs after a click on a level, without re-reading the assessment: the
    stored value and the progress of the question's domain for the one who answered (the same
    numbers as that domain's entry in view()["domains"])."""

    question_id: str
    value: str  # as stored: "0".."L", "na" or "unknown"
    domain_id: str
    answered: int
    total: int
    ids: tuple[str, ...]  # the domain's applicable questions, in order
    unanswered: tuple[str, ...]


def answer(s: Session, actor: Actor, assessment_id: int, question_id: str, value: str) -> AnswerResult:
    """Store the actor's answer to one question (audited when it changes)."""
    a, respondent, q = _answerer(s, actor, assessment_id, question_id)
    try:
        value = repo.check_answer(q, question_id, value)
    except repo.RepoError as e:
        raise Invalid("assessment.error.bad_answer") from e
    domain = q.domain_of[question_id]
    rows = {r.question_id: r for r in s.scalars(_ANSWERS_OF, {"respondent_id": respondent.id,
                                                              "question_ids": [x.id for x in domain.questions]})}
    row = rows.get(question_id)
    old = row.value if row is not None else None
    if row is None:
        row = rows[question_id] = Answer(respondent_id=respondent.id, question_id=question_id, value=value, note="",
                                         evidence=[])
        s.add(row)
        s.flush()  # its id, for the audit trail
    else:
        row.value = value
    if old != value:
        repo.audit(s, "answer", "answer", row.id, user_id=actor.user_id, respondent_id=respondent.id,
                   question=question_id, old=old, new=value)
    a.updated_at = utcnow()
    # The profile decides which questions apply: read only when this domain has a condition.
    context = _context(s, a.id) if any(x.show_if for x in domain.questions) else {}
    shown = progress.domain_progress(domain, applicable_questions(q, context), {k: r.value for k, r in rows.items()})
    return AnswerResult(question_id=question_id, value=value, domain_id=domain.id, answered=shown["answered"],
                        total=shown["total"], ids=tuple(shown["ids"]), unanswered=tuple(shown["unanswered"]))


def _context(s: Session, assessment_id: int) -> dict[str, str]:
    return dict(s.execute(select(ContextAnswer.question_id, ContextAnswer.value)
                          .where(ContextAnswer.assessment_id == assessment_id).order_by(ContextAnswer.id)).all())


def set_note(s: Session, actor: Actor, assessment_id: int, question_id: str, note: str) -> None:
    if len(note) > MAX_NOTE:
        raise Invalid("assessment.error.note_too_long", max=MAX_NOTE)
    a, respondent, row = _answer_row(s, actor, assessment_id, question_id)
    if row is None:  # a note before a level: kept on an answer row without a value (= missing)
        row = Answer(respondent_id=respondent.id, question_id=question_id, value="", note="")
        s.add(row)
    old = row.note
    row.note = note
    s.flush()
    if old != note:
        repo.audit(s, "note", "answer", row.id, user_id=actor.user_id, question=question_id, old=old, new=note)
    a.updated_at = utcnow()


def check_attach(s: Session, actor: Actor, assessment_id: int, question_id: str, count: int = 1) -> None:
    """Raise unless this person may attach `count` more items to their answer now: called before
    a single uploaded byte is stored."""
    _, _, row = _answer_row(s, actor, assessment_id, question_id)
    if len((row.evidence if row else None) or []) + count > MAX_EVIDENCE:
        raise Invalid("evidence.error.too_many", max=MAX_EVIDENCE)


def add_evidence(s: Session, actor: Actor, assessment_id: int, question_id: str, item: dict) -> list[dict]:
    if not isinstance(item, dict):
        raise Invalid("evidence.error.bad_link")
    if item.get("kind") == "link":
        url = item.get("url", "")
        parsed = urlparse(url.strip() if isinstance(url, str) else "")
        if parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > 2000:
            raise Invalid("evidence.error.bad_link")
        item = {"kind": "link", "url": url.strip()}
    elif item.get("kind") == "file":
        # Only a path this app made for this very assessment (see db/files.py).
        path, name = str(item.get("path", "")), str(item.get("name", ""))[:200]
        if files.resolve(path) is None or path.split("/")[1] != str(assessment_id):
            raise Invalid("evidence.error.not_found")
        item = {"kind": "file", "name": name, "path": path}
    else:
        raise Invalid("evidence.error.bad_link")
    a, respondent, row = _answer_row(s, actor, assessment_id, question_id)
    if row is None:
        row = Answer(respondent_id=respondent.id, question_id=question_id, value="", note="", evidence=[])
        s.add(row)
    if len(row.evidence or []) >= MAX_EVIDENCE:
        raise Invalid("evidence.error.too_many", max=MAX_EVIDENCE)
    row.evidence = [*(row.evidence or []), item]  # a new list so SQLAlchemy sees the change
    s.flush()
    repo.audit(s, "evidence", "answer", row.id, user_id=actor.user_id, question=question_id, added=item)
    return row.evidence


def remove_evidence(s: Session, actor: Actor, assessment_id: int, question_id: str, index: int) -> None:
    _, _, row = _answer_row(s, actor, assessment_id, question_id)
    if row is None or not 0 <= index < len(row.evidence or []):
        raise Invalid("evidence.error.not_found")
    removed = row.evidence[index]
    row.evidence = [e for i, e in enumerate(row.evidence) if i != index]
    repo.audit(s, "evidence_removed", "answer", row.id, user_id=actor.user_id, question=question_id, removed=removed)
    if removed.get("kind") == "file":
        s.flush()
        if not files.referenced(s, removed["path"]):  # a copied round may still list it
            # Deleted once the removal is committed: a failed transaction keeps row and file.
            event.listen(s, "after_commit", lambda _s: files.delete_if_unreferenced_path(removed["path"]), once=True)


def evidence_file(s: Session, actor: Actor | None, path: str) -> dict | None:
    """The evidence item (kind, name, path) of an uploaded file if it may be served to this
    person: it must be attached to an answer of an assessment they may see (a copied round may
    list a file of an earlier one). A file taken off every answer is no longer served."""
    if actor is None or files.resolve(path) is None:
        return None
    for answer_id in files.referenced(s, path):
        row = s.get(Answer, answer_id)
        try:
            load(s, actor, row.respondent.assessment_id)
        except NotFound:
            continue
        return next(item for item in row.evidence if item.get("path") == path)
    return None


def evidence_file_visible(s: Session, actor: Actor | None, path: str) -> bool:
    return evidence_file(s, actor, path) is not None


def invite(s: Session, actor: Actor, assessment_id: int, email: str, name: str, group: str) -> tuple[User, str]:
    """Add a respondent. A new person gets an account with a one-time password the editor passes
    on (there is no e-mail delivery in an offline deployment); returns (user, password or "")."""
    a = load(s, actor, assessment_id)
    if not perm.can_manage_assessment(actor, a.city_id):
        raise Refused("error.forbidden")
    if group not in RESPONDENT_GROUPS:
        raise Invalid("invite.error.group")
    user = s.scalar(select(User).where(User.email == email.strip().lower()))
    password = ""
    if user is None:
        password = secrets.token_urlsafe(9)
        # Municipal colleagues join the city's team as viewers; a ministry or CSO respondent gets
        # an account that sees only the assessments it is invited to.
        role, city = ("city_viewer", a.city) if group == "municipality" else ("respondent", None)
        try:
            user = repo.create_user(s, email, password, role, city, display_name=name.strip(), by_user_id=actor.user_id,
                                    one_time=True)
        except repo.RepoError as e:
            raise Invalid("invite.error.email", reason=str(e)) from e
    if s.scalar(select(Respondent).where(Respondent.assessment_id == a.id, Respondent.user_id == user.id)):
        raise Invalid("invite.error.already")
    repo.add_respondent(s, a, name.strip() or user.display_name, group, user)  # an invitation: grants access
    repo.audit(s, "invite", "assessment", a.id, user_id=actor.user_id, invited=user.email, group=group)
    return user, password


def _change_status(s: Session, actor: Actor, a: Assessment, to: str, comment: str = "") -> None:
    s.add(StatusChange(assessment_id=a.id, from_status=a.status, to_status=to, user_id=actor.user_id, comment=comment))
    repo.audit(s, "status", "assessment", a.id, user_id=actor.user_id, old=a.status, new=to, comment=comment)
    a.status = to
    a.updated_at = utcnow()


def submit(s: Session, actor: Actor, assessment_id: int) -> None:
    a = load(s, actor, assessment_id)
    if not perm.can_manage_assessment(actor, a.city_id):
        raise Refused("error.forbidden")
    _editable(a)
    _change_status(s, actor, a, "submitted")


def review(s: Session, actor: Actor, assessment_id: int, approve: bool, comment: str) -> None:
    a = load(s, actor, assessment_id)
    if not perm.can_review(actor):
        raise Refused("error.forbidden")
    if a.status != "submitted":
        raise Invalid("review.error.not_submitted")
    comment = comment.strip()
    if not approve and not comment:
        raise Invalid("review.error.comment_required")
    if len(comment) > MAX_COMMENT:
        raise Invalid("assessment.error.note_too_long", max=MAX_COMMENT)
    _change_status(s, actor, a, "approved" if approve else "returned", comment)
    if approve:
        store_scores(s, [a.id])  # approved means locked: its scores are final


def _still_belongs(r: Respondent, a: Assessment) -> bool:
    """Whether a respondent goes into the next round: named guests (a workshop consensus, a
    paper questionnaire) do; people only while their account is active and may still answer
    here, as the city's editor (role and city) or by an invitation."""
    if r.user_id is None:
        return True
    user = r.user
    if user is None or not user.active:
        return False
    return r.invited or perm.can_manage_assessment(actor_of(user), a.city_id)


def new_round(s: Session, actor: Actor, assessment_id: int) -> Assessment:
    """A next round that starts from a copy of this one: profile, respondents, answers, notes and
    evidence, on the newest version of the questionnaire. Between versions, an answer carries to
    the question with its id or to the one whose `renamed_from` names it (several merged answers
    give the lowest level); `carried_over` records what was carried, what is new and what was
    dropped, for the editor to see."""
    a = load(s, actor, assessment_id)
    if not perm.can_manage_assessment(actor, a.city_id):
        raise Refused("error.forbidden")
    old_q = questionnaire_of(a)
    target = next(v for v in repo.latest_questionnaires(s) if v.questionnaire_id == a.questionnaire_version.questionnaire_id)
    new_q = repo.questionnaire_model(target)
    plan = carry_plan(old_q, new_q)
    latest = s.scalar(select(Assessment).join(QuestionnaireVersion)
                      .where(Assessment.city_id == a.city_id,
                             QuestionnaireVersion.questionnaire_id == a.questionnaire_version.questionnaire_id)
                      .order_by(Assessment.year.desc(), Assessment.round.desc()))
    copy = Assessment(city_id=a.city_id, questionnaire_version_id=target.id,
                      year=max(latest.year, datetime.now().year), round=latest.round + 1)
    s.add(copy)
    s.flush()
    for c in a.context_answers:
        if c.question_id in new_q.context_by_id:
            s.add(ContextAnswer(assessment_id=copy.id, question_id=c.question_id, value=c.value))
    carried = 0
    for r in a.respondents:
        if not _still_belongs(r, a):
            continue
        nr = Respondent(assessment_id=copy.id, user_id=r.user_id, label=r.label, group=r.group, invited=r.invited)
        s.add(nr)
        s.flush()
        given = {ans.question_id: ans for ans in r.answers}
        for new_id, old_ids in plan.sources.items():
            parts = [given[i] for i in old_ids if i in given]
            if not parts:
                continue
            s.add(Answer(respondent_id=nr.id, question_id=new_id, value=merged_answer([p.value for p in parts], new_q),
                         note="\n\n".join(p.note for p in parts if p.note),
                         evidence=[e for p in parts for e in (p.evidence or [])][:MAX_EVIDENCE]))
            carried += 1
    copy.carried_over = {
        "from_id": a.id, "from_year": a.year, "from_round": a.round, "from_version": old_q.version,
        "version": new_q.version, "answers": carried, "carried": len(plan.sources),
        "renamed": {k: list(v) for k, v in plan.renamed.items()}, "new": list(plan.new),
        "dropped": [{"id": i, "text": dict(old_q.question_by_id[i].text)} for i in plan.dropped],
    }
    s.add(StatusChange(assessment_id=copy.id, from_status="", to_status="draft", user_id=actor.user_id,
                       comment=f"copy of #{a.id}"))
    repo.audit(s, "new_round", "assessment", copy.id, user_id=actor.user_id, copied_from=a.id,
               from_version=old_q.version, version=new_q.version)
    return copy


# --------------------------------------------------------------------------- the answering page


def view(s: Session, actor: Actor, assessment_id: int) -> dict:
    """Everything the assessment page shows, as plain values (no ORM objects leave this module).

    Four statements at most (none for the assessment when this unit of work already read it):
    the assessment, its respondents with their answers, the profile and the history. Which
    questions apply and how complete it is come from core without scoring it."""
    a = _assessment(s, assessment_id)
    if a is None:
        raise NotFound(assessment_id)
    # Plain rows, no ORM objects: one per answer, or per respondent without any.
    rows = s.execute(select(Respondent.id, Respondent.user_id, Respondent.label, Respondent.group, Respondent.invited,
                            Answer.question_id, Answer.value, Answer.note, Answer.evidence)
                     .outerjoin(Answer, Answer.respondent_id == Respondent.id)
                     .where(Respondent.assessment_id == a.id).order_by(Respondent.id, Answer.id)).all()
    if not perm.can_see_assessment(actor, a.city_id, any(r.user_id == actor.user_id and r.invited for r in rows)):
        raise NotFound(assessment_id)
    me = next((r.id for r in rows if r.user_id == actor.user_id), None)
    respondents: dict[int, dict] = {}
    mine: dict[str, dict] = {}
    given: dict[str, list[str]] = {}
    for r in rows:
        respondents.setdefault(r.id, {"label": r.label, "group": r.group, "answered": 0})
        if r.question_id is None:
            continue
        respondents[r.id]["answered"] += r.value != ""
        given.setdefault(r.question_id, []).append(r.value)
        if r.id == me:
            mine[r.question_id] = {"value": r.value, "note": r.note, "evidence": list(r.evidence or [])}
    my_group = next((r.group for r in rows if r.id == me), "")
    q = questionnaire_of(a)
    context = _context(s, a.id)
    applicable = applicable_questions(q, context)
    is_manager = perm.can_manage_assessment(actor, a.city_id)
    history = s.execute(select(StatusChange, User.display_name, User.email)
                        .outerjoin(User, User.id == StatusChange.user_id)
                        .where(StatusChange.assessment_id == a.id).order_by(StatusChange.id)).all()
    return {
        "id": a.id,
        "city": a.city.name,
        "title": dict(q.title),
        "year": a.year,
        "round": a.round,
        "status": a.status,
        "can_manage": is_manager,
        "can_answer": (me is not None or is_manager) and a.status in EDITABLE,
        "can_review": perm.can_review(actor) and a.status == "submitted",
        "my_group": my_group,
        "context": context,
        "domains": [progress.domain_progress(d, applicable, {k: v["value"] for k, v in mine.items()}) for d in q.domains],
        "answers": mine,
        "respondents": list(respondents.values()),
        "history": [
            {"at": h.at.strftime("%Y-%m-%d %H:%M"), "from": h.from_status, "to": h.to_status,
             "by": (name or email) if email is not None else "", "comment": h.comment}
            for h, name, email in history
        ],
        "completeness": progress.completeness([x.id for x in q.questions if x.id in applicable], given),
        "carried_over": _carried_view(a.carried_over, q),
    }


def _carried_view(record: dict | None, q: Questionnaire) -> dict:
    """What a next round took over from the round it copies (new_round), ready for the page: the
    new and renamed questions with their text and domain (empty for a first round)."""
    if not record:
        return {}
    known = q.question_by_id
    return {
        **{k: record.get(k) for k in ("from_id", "from_year", "from_round", "from_version", "version", "answers", "carried")},
        "new": [{"id": i, "domain": q.domain_of[i].id, "text": dict(known[i].text)}
                for i in record.get("new", []) if i in known],
        "renamed": [{"id": i, "domain": q.domain_of[i].id, "text": dict(known[i].text), "from": ", ".join(old)}
                    for i, old in record.get("renamed", {}).items() if i in known],
        "dropped": list(record.get("dropped", [])),
    }


def question_cards(q: Questionnaire, domain_id: str, group: str, applicable_ids: set[str]) -> list[dict]:
    """The questions of one domain as the page renders them, in every language of the file."""
    domain = next(d for d in q.domains if d.id == domain_id)
    cards = []
    for x in domain.questions:
        if x.id not in applicable_ids:
            continue
        text = (x.perspective or {}).get(group) or x.text
        cards.append({
            "id": x.id,
            "text": dict(text),
            "help": dict(x.help or {}),
            "evidence_hint": dict(x.evidence or {}),
            "levels": [
                {"value": str(level.value), "label": dict(level.label), "descriptor": dict(x.levels[level.value])}
                for level in q.scale.levels
            ],
        })
    return cards


def context_cards(q: Questionnaire) -> list[dict]:
    return [
        {"id": c.id, "text": dict(c.text),
         "options": [{"value": o, "label": dict((c.option_labels or {}).get(o) or {lang: o for lang in q.languages})}
                     for o in c.options]}
        for c in q.context
    ]


def remember_section(s: Session, actor: Actor, assessment_id: int, section: str) -> None:
    a, me = _access(s, actor, assessment_id)
    if section not in ("profile", "overview") and not any(d.id == section for d in questionnaire_of(a).domains):
        raise Invalid("assessment.error.bad_answer")  # only a section of this questionnaire is kept
    if me is None and a.status in EDITABLE:
        me = _new_respondent(s, actor, a)
    if me is not None and me.last_section != section:
        me.last_section = section


def last_section(s: Session, actor: Actor, assessment_id: int) -> str:
    _, me = _access(s, actor, assessment_id)
    return me.last_section if me else ""
