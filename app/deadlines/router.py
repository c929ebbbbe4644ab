"""GET /deadlines, the FRCP 6 engine over HTTP, the courts table with closure days, and a
case's deadline orders.

Pure computation on public law (no case content), so any authenticated user may read;
only a platform admin records a closure day. A case's orders are read by its members and
recorded by its room admin, counsel or pro se parties (the service decides per order).
Invalid input is 422, never 500."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import Depends, Path, Query

from app.authz.permissions import Permission
from app.context import CaseContext, Principal
from app.deadlines import service
from app.deadlines.hours import MAX_HOURS
from app.deadlines.rules import MAX_DAYS
from app.deadlines.schemas import (
    ClosureCreate,
    ClosureRead,
    CourtList,
    DeadlineOrderCreate,
    DeadlineOrderRead,
    DeadlineRead,
)
from app.deps import (
    PrincipalDep,
    ServicesDep,
    SessionDep,
    api_router,
    case_guard,
    require_platform_admin,
)
from app.errors import Invalid

router = api_router(tags=["deadlines"])
MAX_DATES = 100
PlatformAdmin = Annotated[Principal, Depends(require_platform_admin)]
DistrictPath = Annotated[str, Path(min_length=2, max_length=8)]
CaseMember = Annotated[CaseContext, Depends(case_guard(Permission.CASE_READ))]


@router.get("/deadlines")
def deadline(
    _: PrincipalDep,
    session: SessionDep,
    trigger: date | None = None,
    days: Annotated[int | None, Query(ge=1, le=MAX_DAYS)] = None,
    hours: Annotated[int | None, Query(ge=1, le=MAX_HOURS)] = None,
    trigger_at: Annotated[str | None, Query(max_length=40)] = None,
    direction: Literal["after", "before"] = "after",
    state: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
    district: Annotated[str | None, Query(min_length=2, max_length=8)] = None,
    division: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
    service_method: Literal["electronic", "personal", "mail", "clerk", "other", "overnight",
                            "mail_outside_california", "mail_outside_us"] = "electronic",
    court_system: Literal["federal", "ca_superior"] = "federal",
    court_timezone: Annotated[str | None, Query(max_length=64)] = None,
    extra_holidays: Annotated[list[date] | None, Query(max_length=MAX_DATES)] = None,
    inaccessible_days: Annotated[list[date] | None, Query(max_length=MAX_DATES)] = None,
) -> DeadlineRead:
    """A period in days (`trigger`, `days`) or in hours (`trigger_at`, `hours`), not both;
    in a federal court (FRCP 6) or, with ``court_system=ca_superior``, in a California
    superior court (CCP 12, 12a, 12c on the CCP 135 calendar)."""
    if court_system == "ca_superior":
        return _california(trigger, days, hours, trigger_at, direction, state, district,
                           division, service_method, extra_holidays)
    if service_method in _STATE_ONLY:
        raise Invalid("That manner of service is one of California's (CCP 1013); a federal "
                      "period takes electronic, personal, mail, clerk or other.",
                      code="invalid_deadline_input")
    if hours is not None or trigger_at is not None:
        if hours is None or trigger_at is None or trigger is not None or days is not None:
            raise Invalid("A period in hours takes hours and trigger_at (RFC 3339) and "
                          "neither trigger nor days.", code="deadline_period_mismatch")
        if direction != "after" or service_method != "electronic":
            raise Invalid("A period in hours runs after its event (FRCP 6(a)(2)) and FRCP "
                          "6(d) adds days, not hours: leave direction and service_method out.",
                          code="deadline_period_mismatch")
        return service.compute_hours(
            session, trigger_at=trigger_at, hours=hours, state=state, district=district,
            division=division, court_timezone=court_timezone,
            extra_holidays=extra_holidays or (), inaccessible_days=inaccessible_days or ())
    if trigger is None or days is None:
        raise Invalid("Give trigger and days (a period in days) or trigger_at and hours (a "
                      "period in hours).", code="deadline_period_required")
    return service.compute(
        session, trigger=trigger, days=days, direction=direction, state=state,
        district=district, division=division, service_method=service_method,
        court_timezone=court_timezone, extra_holidays=extra_holidays or (),
        inaccessible_days=inaccessible_days or ())


_STATE_ONLY = frozenset({"overnight", "mail_outside_california", "mail_outside_us"})


def _california(trigger: date | None, days: int | None, hours: int | None,
                trigger_at: str | None, direction: Literal["after", "before"],
                state: str | None, district: str | None, division: str | None,
                service_method: str, extra_holidays: list[date] | None) -> DeadlineRead:
    if hours is not None or trigger_at is not None:
        raise Invalid("California superior court periods are counted in days here.",
                      code="deadline_period_mismatch")
    if district is not None or division is not None or state not in (None, "CA"):
        raise Invalid("A California superior court has no district; leave district, "
                      "division and state out.", code="invalid_deadline_input")
    if trigger is None or days is None:
        raise Invalid("Give trigger and days.", code="deadline_period_required")
    if service_method not in service.STATE_METHODS:
        raise Invalid("Service in a California court is electronic, personal, mail, "
                      "mail_outside_california, mail_outside_us or overnight.",
                      code="invalid_deadline_input")
    return service.compute_california(trigger=trigger, days=days, direction=direction,
                                      service_method=service_method,
                                      extra_holidays=extra_holidays or ())


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


@router.get("/cases/{case_id}/deadline-orders")
def list_deadline_orders(ctx: CaseMember, session: SessionDep) -> list[DeadlineOrderRead]:
    return service.list_orders(session, ctx)


@router.post("/cases/{case_id}/deadline-orders", status_code=201)
def record_deadline_order(ctx: CaseMember, session: SessionDep, svc: ServicesDep,
                          data: DeadlineOrderCreate) -> DeadlineOrderRead:
    return service.record_order(session, ctx, data=data, now=svc.now())
