from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class DeadlineRead(BaseModel):
    deadline: date
    ends_at: datetime
    counted_date: date | None
    explanation: list[str]
    rules: list[str]
