"""GET /deadlines: the FRCP 6 engine over HTTP. Pure computation on public law (no case
content), so any authenticated user may call it; invalid input is 422, never 500."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from app.authz.guard import PrincipalDep
from app.errors import Invalid
from app.rule68.deadlines import DEFAULT_TIMEZONE, DeadlineInputError, compute_deadline
from app.rule68.schemas import DeadlineRead

router = APIRouter(tags=["deadlines"])
MAX_DATES = 100


@router.get("/deadlines")
def deadline(
    _: PrincipalDep,
    trigger: date,
    days: Annotated[int, Query(ge=1, le=3660)],
    direction: Literal["after", "before"] = "after",
    state: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
    service_method: Literal["electronic", "personal", "mail", "clerk", "other"] = "electronic",
    court_timezone: Annotated[str, Query(max_length=64)] = DEFAULT_TIMEZONE,
    extra_holidays: Annotated[list[date] | None, Query(max_length=MAX_DATES)] = None,
    inaccessible_days: Annotated[list[date] | None, Query(max_length=MAX_DATES)] = None,
) -> DeadlineRead:
    try:
        result = compute_deadline(
            trigger, days, direction, court_state=state, service_method=service_method,
            extra_holidays=extra_holidays or (), inaccessible_days=inaccessible_days or (),
            court_timezone=court_timezone)
    except DeadlineInputError as exc:
        # The engine's messages name the argument and echo only the caller's own input.
        raise Invalid(str(exc), code="invalid_deadline_input") from None
    return DeadlineRead(deadline=result.date, ends_at=result.ends_at,
                        counted_date=result.counted_date, explanation=result.explanation,
                        rules=result.rules)
