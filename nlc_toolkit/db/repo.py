"""Unchecked building blocks: create cities, users, assessments and respondents, store answers and
register questionnaires. They check values, never who asks: the services (which check the actor
first), the seed and the CLI call them; a page never does."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from nlc_toolkit.core import questionnaire as qn
from nlc_toolkit.core.errors import RepoError
from nlc_toolkit.core.security import (
    DEMO_PASSWORD,
    EMAIL_RE,
    ONE_TIME_VALIDITY,
    hash_password,
    normalize_email,
    password_problem,
)
from nlc_toolkit.core.vocabulary import CITY_ROLES
from nlc_toolkit.db.models import (
    RESPONDENT_GROUPS,
    ROLES,
    Answer,
    Assessment,
    AuditEvent,
    City,
    ContextAnswer,
    QuestionnaireVersion,
    Respondent,
    User,
    utcnow,
)

QUESTIONNAIRES_DIR = Path(__file__).resolve().parents[2] / "questionnaires"


def audit(session: Session, action: str, entity: str, entity_id, user_id: int | None = None, **detail) -> None:
    session.add(AuditEvent(action=action, entity=entity, entity_id=str(entity_id), user_id=user_id, detail=detail))


# --------------------------------------------------------------------------- users and cities


def create_city(session: Session, name: str, country: str, region: str, population_band: str,
                by_user_id: int | None = None) -> City:
    if not name.strip() or not country.strip():
        raise RepoError("a city needs a name and a country")
    existing = session.scalar(select(City).where(City.name == name.strip(), City.country == country.strip()))
    if existing:
        raise RepoError(f"the city '{name}' ({country}) already exists")
    city = City(name=name.strip(), country=country.strip(), region=region, population_band=population_band)
    session.add(city)
    session.flush()
    audit(session, "create", "city", city.id, user_id=by_user_id, name=city.name)
    return city


def find_city(session: Session, name_or_id: str) -> City | None:
    if str(name_or_id).isdigit():
        return session.get(City, int(name_or_id))
    return session.scalar(select(City).where(City.name == name_or_id))


def create_user(
    session: Session,
    email: str,
    password: str,
    role: str,
    city: City | None = None,
    display_name: str = "",
    by_user_id: int | None = None,
    *,
    one_time: bool = False,
    demo: bool = False,
) -> User:
    """A new account. `one_time`: a password made up for the person (invitation, admin), which
    expires after ONE_TIME_VALIDITY and must be changed at the first sign-in. `demo`: the demo
    password of a seeded account, which production refuses."""
    email = normalize_email(email)
    if not EMAIL_RE.match(email):
        raise RepoError(f"'{email}' is not an email address")
    if role not in ROLES:
        raise RepoError(f"unknown role '{role}' (roles: {', '.join(ROLES)})")
    if role in CITY_ROLES and city is None:
        raise RepoError(f"a {role} needs a city")
    if not (demo and password == DEMO_PASSWORD) and (problem := password_problem(password, email)):
        raise RepoError(problem)
    if session.scalar(select(User).where(User.email == email)):
        raise RepoError(f"a user with the email {email} already exists")
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role,
        city_id=city.id if city else None,
        display_name=display_name or email.split("@")[0],
        must_change_password=one_time,
        password_expires_at=utcnow() + ONE_TIME_VALIDITY if one_time else None,
        password_is_demo=demo,
    )
    session.add(user)
    session.flush()
    audit(session, "create", "user", user.id, user_id=by_user_id, email=email, role=role, one_time=one_time)
    return user


# --------------------------------------------------------------------------- questionnaires


def register_questionnaire(session: Session, text: str, source: str = "<text>",
                           by_user_id: int | None = None) -> QuestionnaireVersion:
    """Store a questionnaire version (idempotent). A changed file under an existing version is refused."""
    model = qn.parse_questionnaire(text, source)
    digest = qn.checksum(text)
    row = session.scalar(
        select(QuestionnaireVersion).where(
            QuestionnaireVersion.questionnaire_id == model.id, QuestionnaireVersion.version == model.version
        )
    )
    if row is not None:
        if row.checksum != digest:
            raise RepoError(
                f"{source}: {model.id} version {model.version} is already stored with other content; "
                "give the changed file a new version"
            )
        return row
    row = QuestionnaireVersion(questionnaire_id=model.id, version=model.version, checksum=digest, content=text)
    session.add(row)
    session.flush()
    audit(session, "register", "questionnaire", model.key, user_id=by_user_id, checksum=digest, source=Path(source).name)
    return row


def sync_questionnaires(session: Session, folder: Path = QUESTIONNAIRES_DIR) -> list[QuestionnaireVersion]:
    return [register_questionnaire(session, p.read_text("utf-8"), str(p)) for p in sorted(folder.glob("*.yaml"))]


_model_cache: dict[str, qn.Questionnaire] = {}


def questionnaire_model(row: QuestionnaireVersion) -> qn.Questionnaire:
    """The parsed questionnaire of a stored version (cached by checksum)."""
    if row.checksum not in _model_cache:
        _model_cache[row.checksum] = qn.parse_questionnaire(row.content, row.questionnaire_id)
    _checksum_of_version[row.id] = row.checksum
    return _model_cache[row.checksum]


_checksum_of_version: dict[int, str] = {}


def questionnaire_by_version_id(session: Session, version_id: int) -> qn.Questionnaire:
    """Like questionnaire_model, without a database round trip once this process has seen the
    version (a stored version never changes: a changed file needs a new version)."""
    checksum = _checksum_of_version.get(version_id)
    if checksum in _model_cache:
        return _model_cache[checksum]
    return questionnaire_model(session.get(QuestionnaireVersion, version_id))


# --------------------------------------------------------------------------- assessments and answers


def create_assessment(session: Session, city: City, version: QuestionnaireVersion, year: int, round: int = 1,
                      by_user_id: int | None = None) -> Assessment:
    assessment = Assessment(city_id=city.id, questionnaire_version_id=version.id, year=year, round=round)
    session.add(assessment)
    session.flush()
    audit(session, "create", "assessment", assessment.id, user_id=by_user_id, city_id=city.id,
          questionnaire=version.questionnaire_id, year=year, round=round)
    return assessment


def add_respondent(
    session: Session, assessment: Assessment, label: str, group: str = "municipality", user: User | None = None,
    invited: bool = True,
) -> Respondent:
    """A respondent of an assessment. With a user, the row is an invitation (it grants that user
    the assessment) unless `invited=False`: an editor answering their own city's assessment."""
    if group not in RESPONDENT_GROUPS:
        raise RepoError(f"unknown respondent group '{group}' (groups: {', '.join(RESPONDENT_GROUPS)})")
    respondent = Respondent(assessment_id=assessment.id, label=label, group=group, user_id=user.id if user else None,
                            invited=user is not None and invited)
    session.add(respondent)
    session.flush()
    return respondent


def check_answer(q: qn.Questionnaire, question_id: str, value: str) -> str:
    """The canonical stored form of an answer, or RepoError."""
    if question_id not in q.question_by_id:
        raise RepoError(f"unknown question '{question_id}'")
    value = str(value).strip().lower()
    if value == "na" and q.scale.allow_na or value == "unknown" and q.scale.allow_unknown:
        return value
    if value.isdigit() and 0 <= int(value) <= q.max_level:
        return str(int(value))
    raise RepoError(f"'{value}' is not an answer to {question_id} (0..{q.max_level}, na or unknown)")


def set_answer(
    session: Session,
    respondent: Respondent,
    question_id: str,
    value: str,
    note: str | None = None,
    by_user_id: int | None = None,
) -> Answer:
    q = questionnaire_model(respondent.assessment.questionnaire_version)
    value = check_answer(q, question_id, value)
    answer = session.scalar(
        select(Answer).where(Answer.respondent_id == respondent.id, Answer.question_id == question_id)
    )
    old = answer.value if answer else None
    if answer is None:
        answer = Answer(respondent_id=respondent.id, question_id=question_id, value=value, note=note or "")
        session.add(answer)
    else:
        answer.value = value
        if note is not None:
            answer.note = note
    session.flush()
    if old != value:
        audit(session, "answer", "answer", answer.id, user_id=by_user_id, respondent_id=respondent.id,
              question=question_id, old=old, new=value)
    return answer


def set_context(session: Session, assessment: Assessment, question_id: str, value: str) -> ContextAnswer:
    q = questionnaire_model(assessment.questionnaire_version)
    context = q.context_by_id.get(question_id)
    if context is None:
        raise RepoError(f"unknown context question '{question_id}'")
    if value not in context.options:
        raise RepoError(f"'{value}' is not an option of {question_id}")
    row = session.scalar(
        select(ContextAnswer).where(ContextAnswer.assessment_id == assessment.id, ContextAnswer.question_id == question_id)
    )
    if row is None:
        row = ContextAnswer(assessment_id=assessment.id, question_id=question_id, value=value)
        session.add(row)
    else:
        row.value = value
    session.flush()
    return row


def latest_questionnaires(session: Session) -> list[QuestionnaireVersion]:
    """The newest stored version of every questionnaire, by questionnaire id: the highest version
    number (1.10.0 after 1.9.0), whatever order they were registered in."""
    rows = session.scalars(select(QuestionnaireVersion).order_by(QuestionnaireVersion.id)).all()
    latest: dict[str, QuestionnaireVersion] = {}
    for row in sorted(rows, key=lambda r: qn.version_key(r.version)):
        latest[row.questionnaire_id] = row
    return sorted(latest.values(), key=lambda r: r.questionnaire_id)
