from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.kernel.schemas import Day, Strict

ClosureKind = Literal["inaccessible", "declared_holiday"]


class ReadingsRead(BaseModel):
    """Two readings of an unsettled law; `deadline` is `earliest`."""

    earliest: date
    latest: date
    why: list[str]


class DeadlineRead(BaseModel):
    deadline: date
    ends_at: datetime
    counted_date: date | None
    explanation: list[str]
    rules: list[str]
    readings: ReadingsRead | None = None
    calendar_version: str = ""
    district: str | None = None
    court_timezone: str = ""


class DivisionRead(BaseModel):
    name: str
    timezone: str


class CourtRead(BaseModel):
    id: str
    name: str
    state: str
    state_name: str
    timezones: list[str]
    divisions: list[DivisionRead]
    state_holidays_covered: bool
    """Whether the curated calendar has this state's legal holidays (FRCP 6(a)(6)(C))."""


class CourtList(BaseModel):
    calendar_version: str
    calendar_sha256: str
    courts: list[CourtRead]


class ClosureCreate(Strict):
    date: Day
    reason: str = Field(min_length=1, max_length=500)
    source: str = Field(min_length=1, max_length=1000)
    kind: ClosureKind = "inaccessible"


class ClosureRead(BaseModel):
    id: uuid.UUID | None
    district: str
    date: date
    kind: ClosureKind | Literal["executive_order"]
    rule: str
    reason: str
    source: str
    created_at: datetime | None = None
