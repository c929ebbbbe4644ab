"""GET /deadlines: the FRCP 6 engine over HTTP. Pure computation on public law (no case
content), so any authenticated user may call it; invalid input is 422, never 500."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from app.deadlines import service
from app.deadlines.rules import DEFAULT_TIMEZONE
from app.deadlines.schemas import DeadlineRead
from app.deps import PrincipalDep, UnitRoute

router = APIRouter(route_class=UnitRoute, tags=["deadlines"])
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
    return service.compute(
        trigger=trigger, days=days, direction=direction, state=state,
        service_method=service_method, court_timezone=court_timezone,
        extra_holidays=extra_holidays or (), inaccessible_days=inaccessible_days or ())
