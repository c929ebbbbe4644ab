"""Use case: compute one FRCP 6 deadline for a caller (API route and calculator page).

Public law only, no case content: nothing is audited. Bad input is a 422
``invalid_deadline_input`` whose message echoes only the caller's own arguments.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from app.deadlines.rules import DeadlineInputError, Direction, ServiceMethod, compute_deadline
from app.deadlines.schemas import DeadlineRead
from app.errors import Invalid


def compute(*, trigger: date, days: int, direction: Direction, state: str | None,
            service_method: ServiceMethod, court_timezone: str,
            extra_holidays: Collection[date] = (),
            inaccessible_days: Collection[date] = ()) -> DeadlineRead:
    try:
        result = compute_deadline(
            trigger, days, direction, court_state=state, service_method=service_method,
            extra_holidays=extra_holidays, inaccessible_days=inaccessible_days,
            court_timezone=court_timezone)
    except DeadlineInputError as exc:
        raise Invalid(str(exc), code="invalid_deadline_input") from None
    return DeadlineRead(deadline=result.date, ends_at=result.ends_at,
                        counted_date=result.counted_date, explanation=result.explanation,
                        rules=result.rules)
