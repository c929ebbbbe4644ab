"""GET /deadlines, the FRCP 6 engine over HTTP, and the courts table with closure days.

Pure computation on public law (no case content), so any authenticated user may read;
only a platform admin records a closure day. Invalid input is 422, never 500."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from app.context import Principal
from app.deadlines import service
from app.deadlines.schemas import ClosureCreate, ClosureRead, CourtList, DeadlineRead
from app.deps import PrincipalDep, SessionDep, UnitRoute, require_platform_admin

router = APIRouter(route_class=UnitRoute, tags=["deadlines"])
MAX_DATES = 100
PlatformAdmin = Annotated[Principal, Depends(require_platform_admin)]
DistrictPath = Annotated[str, Path(min_length=2, max_length=8)]


@router.get("/deadlines")
def deadline(
    _: PrincipalDep,
    session: SessionDep,
    trigger: date,
    days: Annotated[int, Query(ge=1, le=3660)],
    direction: Literal["after", "before"] = "after",
    state: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
    district: Annotated[str | None, Query(min_length=2, max_length=8)] = None,
    division: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
    service_method: Literal["electronic", "personal", "mail", "clerk", "other"] = "electronic",
    court_timezone: Annotated[str | None, Query(max_length=64)] = None,
    extra_holidays: Annotated[list[date] | None, Query(max_length=MAX_DATES)] = None,
    inaccessible_days: Annotated[list[date] | None, Query(max_length=MAX_DATES)] = None,
) -> DeadlineRead:
    return service.compute(
        session, trigger=trigger, days=days, direction=direction, state=state,
        district=district, division=division, service_method=service_method,
        court_timezone=court_timezone, extra_holidays=extra_holidays or (),
        inaccessible_days=inaccessible_days or ())


@router.get("/courts")
def list_courts(_: PrincipalDep) -> CourtList:
    return service.list_courts()


@router.get("/courts/{district}/closures")
def list_closures(_: PrincipalDep, session: SessionDep,
                  district: DistrictPath) -> list[ClosureRead]:
    return service.list_closures(session, district=district)


@router.post("/courts/{district}/closures", status_code=201)
def record_closure(admin: PlatformAdmin, session: SessionDep, district: DistrictPath,
                   data: ClosureCreate) -> ClosureRead:
    return service.record_closure(session, admin, district=district, data=data)
