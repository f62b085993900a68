"""SQLAlchemy 2 models. Answers are stored per respondent and never overwritten by another one."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from nlc_toolkit.core.vocabulary import (  # noqa: F401 - the schema's allowed values
    ACTION_STATUSES,
    ASSESSMENT_STATUSES,
    RESPONDENT_GROUPS,
    ROLES,
    WORKSHOP_STATUSES,
)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class City(Base):
    __tablename__ = "city"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(100))
    region: Mapped[str] = mapped_column(String(50))
    population_band: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (UniqueConstraint("name", "country", name="uq_city_name_country"),)


class User(Base):
    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    city_id: Mapped[int | None] = mapped_column(ForeignKey("city.id"))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(5), default="en")
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
    # A one-time password (invitation, reset) expires and must be replaced at the first sign-in.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    password_expires_at: Mapped[datetime | None] = mapped_column()
    # Set by `nlc seed-demo`; production refuses to start while any account still has it.
    password_is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    city: Mapped[City | None] = relationship()


class LoginThrottle(Base):
    """Failed sign-ins per key ("account:<sha256 of the email>" or "address:<ip>"), so repeated
    failures meet growing delays, for unknown emails exactly as for known ones."""

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    blocked_until: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class FacilitatorCity(Base):
    """The cities an admin has assigned a facilitator to; workshops only for those."""

    __tablename__ = "facilitator_city"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"), primary_key=True)


class QuestionnaireVersion(Base):
    """The full text of every questionnaire version seen, so old assessments stay scorable."""

    __tablename__ = "questionnaire_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(50))
    checksum: Mapped[str] = mapped_column(String(64))
    # Deferred: the text (hundreds of KB) is read only when a process first parses this version;
    # after that, repo.questionnaire_model serves it from memory by checksum.
    content: Mapped[str] = mapped_column(Text, deferred=True)
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (UniqueConstraint("questionnaire_id", "version", name="uq_questionnaire_version"),)


class Assessment(Base):
    __tablename__ = "assessment"
    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id"), index=True)
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"))
    year: Mapped[int] = mapped_column()
    round: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # A next round's record of what it took over from the round it copies (services/assessments.new_round).
    carried_over: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    city: Mapped[City] = relationship()
    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()
    respondents: Mapped[list[Respondent]] = relationship(back_populates="assessment", cascade="all, delete-orphan")
    context_answers: Mapped[list[ContextAnswer]] = relationship(cascade="all, delete-orphan")


class ContextAnswer(Base):
    """City-profile answer of an assessment (unscored; drives show_if)."""

    __tablename__ = "context_answer"
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    __table_args__ = (UniqueConstraint("assessment_id", "question_id", name="uq_context_answer"),)


class Respondent(Base):
    __tablename__ = "respondent"
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    label: Mapped[str] = mapped_column(String(200))  # a guest label when there is no user
    group: Mapped[str] = mapped_column(String(20), default="municipality")
    # Where this respondent left off (a domain id or "profile"), so any device resumes there.
    last_section: Mapped[str] = mapped_column(String(100), default="")
    # Invited by the city's team: the only respondent rows that grant access on their own. A row
    # an editor got by answering grants nothing once their role or city changes.
    invited: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    assessment: Mapped[Assessment] = relationship(back_populates="respondents")
    user: Mapped[User | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(back_populates="respondent", cascade="all, delete-orphan")


class Answer(Base):
    __tablename__ = "answer"
    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondent.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(String(20))  # "0".."L", "na" or "unknown"
    note: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    respondent: Mapped[Respondent] = relationship(back_populates="answers")
    __table_args__ = (UniqueConstraint("respondent_id", "question_id", name="uq_answer_respondent_question"),)


class AuditEvent(Base):
    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    action: Mapped[str] = mapped_column(String(50))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)


class UserSession(Base):
    """A signed-in browser. Only the token's hash is stored; the browser keeps the token."""

    __tablename__ = "user_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    user: Mapped[User] = relationship()


class StatusChange(Base):
    """Review history of an assessment: submitted, returned (with a required comment), approved."""

    __tablename__ = "status_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user: Mapped[User | None] = relationship()


class Action(Base):
    """A step of the city's action plan, usually made from a recommendation. It belongs to the
    city and questionnaire, not to one round, so it carries over and is shown beside new scores."""

    __tablename__ = "action"
    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id"), index=True)
    questionnaire_id: Mapped[str] = mapped_column(String(100))
    origin_assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id", ondelete="SET NULL"))
    question_id: Mapped[str] = mapped_column(String(100), default="")
    title: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200), default="")
    due: Mapped[str] = mapped_column(String(10), default="")  # ISO date or empty
    status: Mapped[str] = mapped_column(String(20), default="planned")
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AssessmentScore(Base):
    """Scores of an approved (hence locked) assessment, computed once with its own questionnaire
    version, so the network view reads a few thousand small rows instead of every answer."""

    __tablename__ = "assessment_score"
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    source_updated_at: Mapped[datetime] = mapped_column()  # the assessment's updated_at when scored
    overall: Mapped[float | None] = mapped_column()
    completeness: Mapped[float | None] = mapped_column()
    domains: Mapped[dict] = mapped_column(JSON, default=dict)  # domain id -> score or null
    levels: Mapped[dict] = mapped_column(JSON, default=dict)  # question id -> consolidated level
    # The same numbers packed for the network view (thousands of rows read at once: decoding JSON
    # was most of the time): little-endian float64, the domains then the questions in the order of
    # `layout`, NaN for null, as base64 text (a backup writes every column as JSON).
    layout: Mapped[str | None] = mapped_column(ForeignKey("score_layout.key"))
    packed: Mapped[str | None] = mapped_column(Text)


class ScoreLayout(Base):
    """The order of the domain and question ids in a packed stored score: one row per
    questionnaire version's ids (named by their digest), written by db/scores.store_scores."""

    __tablename__ = "score_layout"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    domains: Mapped[list] = mapped_column(JSON, default=list)
    questions: Mapped[list] = mapped_column(JSON, default=list)


class Workshop(Base):
    """A live session run by a trainer: the room answers one question at a time."""

    __tablename__ = "workshop"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id"))
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"))
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id", ondelete="SET NULL"))
    domains: Mapped[list] = mapped_column(JSON, default=list)  # domain ids in play; empty = all
    status: Mapped[str] = mapped_column(String(10), default="open")
    position: Mapped[int] = mapped_column(default=0)  # index of the open question
    revealed: Mapped[bool] = mapped_column(default=False)
    locked: Mapped[list] = mapped_column(JSON, default=list)  # question ids closed to answers
    agreed: Mapped[dict] = mapped_column(JSON, default=dict)  # question id -> agreed level
    notes: Mapped[dict] = mapped_column(JSON, default=dict)  # question id -> discussion note
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column()
    city: Mapped[City] = relationship()
    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()


class Participant(Base):
    """Someone in the room, without an account: known by a random token kept in their browser."""

    __tablename__ = "participant"
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    group: Mapped[str] = mapped_column(String(20), default="municipality")
    # A random id the browser keeps for good: the same device joining again resumes, not adds.
    device: Mapped[str | None] = mapped_column(String(64))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (UniqueConstraint("workshop_id", "device", name="uq_participant_workshop_device"),)


class Vote(Base):
    __tablename__ = "vote"
    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    __table_args__ = (
        UniqueConstraint("participant_id", "question_id", name="uq_vote_participant_question"),
        Index("ix_vote_workshop_question", "workshop_id", "question_id"),
    )
