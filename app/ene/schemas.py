"""Input and output shapes of ENE. Inputs subclass ``Strict`` (unknown fields are a 422)."""

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field, StrictInt, field_validator

from app.authz.permissions import Role
from app.kernel.schemas import Day, Instant, Schema, Strict, check_timezone

Outcome = Literal["settled", "partially_settled", "not_settled"]
ItemType = Literal["message", "statement"]
MAX_BODY = 100_000
MAX_PARTIES = 50


class StatementDueDays(Strict):
    days_before: StrictInt = Field(ge=1, le=365)


class SessionCreate(Strict):
    evaluator_user_id: uuid.UUID
    scheduled_at: Instant
    # The case's court zone is taken when left out; one given must be it (422
    # court_timezone_mismatch): statements are due by the court's midnight.
    court_timezone: str | None = Field(default=None, max_length=64)
    participating_party_ids: list[uuid.UUID] | None = Field(
        default=None, min_length=2, max_length=MAX_PARTIES)
    # A date, or {"days_before": N} computed with the FRCP 6 engine; default 7 days before.
    statement_due: Day | StatementDueDays | None = None

    _tz = field_validator("court_timezone")(check_timezone)


class SessionRead(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    evaluator_user_id: uuid.UUID
    participating_party_ids: list[uuid.UUID]
    scheduled_at: datetime
    court_timezone: str
    statement_due_date: date
    statement_due_at: datetime
    statement_due_days_before: int | None
    status: str
    outcome: Outcome | None
    closed_at: datetime | None
    created_at: datetime


class MessageCreate(Strict):
    channel: str = Field(min_length=1, max_length=64)
    body: str = Field(min_length=1, max_length=MAX_BODY)


class MessageRead(Schema):
    id: uuid.UUID
    session_id: uuid.UUID
    channel: str
    author_user_id: uuid.UUID
    author_role: Role
    author_party_id: uuid.UUID | None
    body: str
    created_at: datetime
    released_to_party_ids: list[uuid.UUID]


class StatementCreate(Strict):
    party_id: uuid.UUID
    body: str = Field(min_length=1, max_length=MAX_BODY)
    share_with_parties: bool = False


class StatementRead(Schema):
    id: uuid.UUID
    session_id: uuid.UUID
    party_id: uuid.UUID
    version: int
    current: bool
    shared_with_parties: bool
    late: bool
    submitted_by: uuid.UUID
    submitted_at: datetime
    superseded_at: datetime | None
    body: str
    released_to_party_ids: list[uuid.UUID]


class ReleaseCreate(Strict):
    to_party_id: uuid.UUID


class ReleaseRead(Schema):
    id: uuid.UUID
    session_id: uuid.UUID
    item_type: ItemType
    item_id: uuid.UUID
    from_party_id: uuid.UUID
    to_party_id: uuid.UUID
    released_by: uuid.UUID
    released_at: datetime


class EvaluationWrite(Strict):
    body: str = Field(min_length=1, max_length=MAX_BODY)
    share_with_party_ids: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_PARTIES)


class EvaluationShare(Strict):
    party_ids: list[uuid.UUID] = Field(min_length=1, max_length=MAX_PARTIES)


class EvaluationRead(Schema):
    id: uuid.UUID
    session_id: uuid.UUID
    version: int
    written_at: datetime
    body: str
    shared_with_party_ids: list[uuid.UUID]


# What a viewer may be told of the evaluation without reading it (``reads.evaluation_view``).
EvaluationState = Literal["readable", "not_written", "not_shared_with_you", "not_shared_yet",
                          "not_for_you"]


class ChangesRead(Schema):
    """The change feed of one session for one viewer: a cursor over what *this viewer* may
    see, and counts of it. Never a body, a name or another party's activity."""

    cursor: str
    changed: bool
    status: str
    messages: int
    statements: int
    releases: int
    attendance: int
    evaluation: EvaluationState


class CloseRequest(Strict):
    outcome: Outcome


class AttendanceRead(Schema):
    user_id: uuid.UUID
    role: Role
    party_id: uuid.UUID | None
    checked_in_at: datetime


class ReportRead(Schema):
    """Dates, attendance and outcome only: every member, the auditor included, reads it."""

    session_id: uuid.UUID
    case_id: uuid.UUID
    evaluator_user_id: uuid.UUID
    participating_party_ids: list[uuid.UUID]
    scheduled_at: datetime
    court_timezone: str
    statement_due_date: date
    status: str
    outcome: Outcome | None
    closed_at: datetime | None
    attendance: list[AttendanceRead]


EvaluatorAnswer = Literal["confirm", "object"]


class EvaluatorDecisionCreate(Strict):
    """A participating party's answer to the session's evaluator; ``party_id`` may be left
    out by whoever speaks for one participating party only (else every party it speaks
    for answers alike)."""

    decision: EvaluatorAnswer
    party_id: uuid.UUID | None = None


class EvaluatorDecisionRead(Schema):
    party_id: uuid.UUID
    decision: EvaluatorAnswer | None  # None: not answered yet
    decided_by: uuid.UUID | None
    decided_at: datetime | None


class EvaluatorConfirmationRead(Schema):
    """Content-free: every member reads it (the evaluator too: whether it may act)."""

    session_id: uuid.UUID
    evaluator_user_id: uuid.UUID
    status: Literal["awaiting", "confirmed", "objected"]
    parties: list[EvaluatorDecisionRead]


class EvaluatorName(Strict):
    evaluator_user_id: uuid.UUID


class SessionMove(Strict):
    """A new time for the session and/or a new due date for its written statements (a date
    or {"days_before": N}); what is left out keeps its rule (N days before the session is
    counted again from the new day; a fixed date stays)."""

    scheduled_at: Instant | None = None
    statement_due: Day | StatementDueDays | None = None
