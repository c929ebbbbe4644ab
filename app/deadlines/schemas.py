import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field, StrictInt

from app.deadlines.orders import OrderKind
from app.kernel.schemas import Day, Schema, Strict

ClosureKind = Literal["inaccessible", "declared_holiday"]


class ReadingsRead(Schema):
    """Two readings of an unsettled law; `deadline` is `earliest`."""

    earliest: date
    latest: date
    why: list[str]


class DeadlineRead(Schema):
    deadline: date
    ends_at: datetime
    counted_date: date | None
    explanation: list[str]
    rules: list[str]
    readings: ReadingsRead | None = None
    calendar_version: str = ""
    district: str | None = None
    court_timezone: str = ""
    hours: int | None = None
    """Set for a period stated in hours (FRCP 6(a)(2)); `deadline_at` is then its end."""
    deadline_at: datetime | None = None
    """The end of an hour period in the court's time zone (with its offset)."""
    counted_at: datetime | None = None
    """Where the bare hour count lands, before 6(a)(2)(C) or 6(a)(3)(B) move it."""


class DivisionRead(Schema):
    name: str
    timezone: str


class CourtRead(Schema):
    id: str
    name: str
    state: str
    state_name: str
    timezones: list[str]
    divisions: list[DivisionRead]
    state_holidays_covered: bool
    """Whether the curated calendar has this state's legal holidays (FRCP 6(a)(6)(C))."""


class CourtList(Schema):
    calendar_version: str
    calendar_sha256: str
    courts: list[CourtRead]


class ClosureCreate(Strict):
    date: Day
    reason: str = Field(min_length=1, max_length=500)
    source: str = Field(min_length=1, max_length=1000)
    kind: ClosureKind = "inaccessible"


class ClosureRead(Schema):
    id: uuid.UUID | None
    district: str
    date: date
    kind: ClosureKind | Literal["executive_order"]
    rule: str
    reason: str
    source: str
    created_at: datetime | None = None


class DeadlineOrderCreate(Strict):
    """An order to record. `applies_to` is `rule68:<offer id>` or the deadline's name;
    exactly one of `new_deadline` and `extra_days`. A named deadline extended by
    `extra_days` needs `base_deadline` (the last day being extended)."""

    kind: OrderKind
    applies_to: str = Field(min_length=1, max_length=200)
    rule: str | None = Field(default=None, min_length=1, max_length=40)
    new_deadline: Day | None = None
    extra_days: StrictInt | None = Field(default=None, ge=1, le=365)
    base_deadline: Day | None = None
    order_date: Day
    source: str = Field(min_length=1, max_length=200)


class DeadlineOrderRead(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    kind: OrderKind
    applies_to: str
    rule: str | None
    base_deadline: date | None
    new_deadline: date | None
    extra_days: int | None
    effective_deadline: date
    effective_ends_at: datetime
    order_date: date
    source: str
    explanation: list[str]
    created_by: uuid.UUID
    created_at: datetime
