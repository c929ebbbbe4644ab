"""Early Neutral Evaluation: sessions, channels, written statements, the evaluation,
releases by consent and attendance.

Confidential content (message bodies, statements, the evaluation) lives only in the
``*_sealed`` columns, sealed under the case key and bound to (case id, object type, row id,
version): a blob copied to another row, session, case or version fails to open. Everything
else in these tables is metadata that the audit log and the content-free report may name.
"""

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.models.base import METADATA, TYPE_ANNOTATION_MAP, CreatedMixin, IdMixin
from app.sealing import SealedColumn, register_sealed

MESSAGE_OBJECT = "ene_message"
STATEMENT_OBJECT = "ene_statement"
EVALUATION_OBJECT = "ene_evaluation"



class EneBase(DeclarativeBase):
    """The registry of this aggregate's mappers (``app.models.base.Base`` says why)."""

    metadata = METADATA
    type_annotation_map = TYPE_ANNOTATION_MAP


class EneSession(IdMixin, CreatedMixin, EneBase):
    __tablename__ = "ene_sessions"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    evaluator_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    scheduled_at: Mapped[datetime]
    court_timezone: Mapped[str] = mapped_column(String(64))
    statement_due_date: Mapped[date]
    # The first instant after the due date (midnight, court time zone), in UTC.
    statement_due_at: Mapped[datetime]
    statement_due_days_before: Mapped[int | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(20), default="scheduled")  # scheduled | closed
    outcome: Mapped[str | None] = mapped_column(String(20), default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class EneParticipant(EneBase):
    __tablename__ = "ene_participants"

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ene_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    party_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"), primary_key=True)


class EneMessage(IdMixin, CreatedMixin, EneBase):
    """One message; ``channel_party_id`` is None in the joint channel, else the caucus party."""

    __tablename__ = "ene_messages"

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ene_sessions.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    channel_party_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("parties.id"), default=None
    )
    author_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    author_role: Mapped[str] = mapped_column(String(20))
    author_party_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("parties.id"), default=None
    )
    body_sealed: Mapped[bytes] = mapped_column(LargeBinary)


class EneStatement(IdMixin, CreatedMixin, EneBase):
    """One version of a party's written statement; a replacement is a new row, version + 1."""

    __tablename__ = "ene_statements"
    __table_args__ = (UniqueConstraint("session_id", "party_id", "version"),)

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ene_sessions.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    party_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"))
    version: Mapped[int]
    shared_with_parties: Mapped[bool] = mapped_column(default=False)
    late: Mapped[bool] = mapped_column(default=False)
    submitted_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    superseded_at: Mapped[datetime | None] = mapped_column(default=None)
    body_sealed: Mapped[bytes] = mapped_column(LargeBinary)


class EneEvaluation(IdMixin, CreatedMixin, EneBase):
    """The evaluator's evaluation, one per session; a rewrite bumps ``version``."""

    __tablename__ = "ene_evaluations"

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ene_sessions.id", ondelete="CASCADE"), unique=True
    )
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(default=1)
    written_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    written_at: Mapped[datetime]
    body_sealed: Mapped[bytes] = mapped_column(LargeBinary)


class EneEvaluationShare(EneBase):
    """The evaluation was shared with a party: recorded once, never withdrawn."""

    __tablename__ = "ene_evaluation_shares"

    evaluation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ene_evaluations.id", ondelete="CASCADE"), primary_key=True
    )
    party_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"), primary_key=True)
    shared_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    shared_at: Mapped[datetime]


class EneRelease(IdMixin, CreatedMixin, EneBase):
    """Consent of the disclosing party to show one item to one other party; never undone."""

    __tablename__ = "ene_releases"
    __table_args__ = (UniqueConstraint("item_type", "item_id", "to_party_id"),)

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ene_sessions.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    item_type: Mapped[str] = mapped_column(String(20))  # message | statement
    item_id: Mapped[uuid.UUID]
    from_party_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"))
    to_party_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"))
    released_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))


class EneAttendance(IdMixin, EneBase):
    """One check-in of one user in one role (and party) for a session."""

    __tablename__ = "ene_attendance"
    __table_args__ = (UniqueConstraint("session_id", "user_id", "role", "party_key"),)

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ene_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(20))
    party_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("parties.id"), default=None)
    party_key: Mapped[str] = mapped_column(String(36))
    checked_in_at: Mapped[datetime]


class EneEvaluatorDecision(EneBase):
    """A participating party's answer to the session's evaluator: ``confirm`` or ``object``.

    One row per (session, evaluator, party): naming another evaluator starts its
    confirmations afresh, and a party may change its answer while the session is open (the
    row is updated; each answer is an audit event). ``decided_by`` is None only for the
    sessions the migration found (they were confirmed as they stood).
    """

    __tablename__ = "ene_evaluator_decisions"

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ene_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    evaluator_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"),
                                                         primary_key=True)
    party_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"), primary_key=True)
    decision: Mapped[str] = mapped_column(String(8))  # confirm | object
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    decided_at: Mapped[datetime]


register_sealed(SealedColumn(
    model=EneMessage, column="body_sealed", object_type=MESSAGE_OBJECT,
    case_id=lambda r: r.case_id, object_id=lambda r: r.id, version=lambda r: 1,
))
register_sealed(SealedColumn(
    model=EneStatement, column="body_sealed", object_type=STATEMENT_OBJECT,
    case_id=lambda r: r.case_id, object_id=lambda r: r.id, version=lambda r: r.version,
))
register_sealed(SealedColumn(
    model=EneEvaluation, column="body_sealed", object_type=EVALUATION_OBJECT,
    case_id=lambda r: r.case_id, object_id=lambda r: r.id, version=lambda r: r.version,
))
