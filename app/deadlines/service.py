"""Use cases of courts and deadlines: the district table, closure days, one FRCP 6 deadline.

Public law only, no case content. Computing a deadline is not audited; recording a
closure day is (a platform admin changes what every room's computations count). Bad
input is a 422 whose message echoes only the caller's own arguments.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from app.audit.service import record
from app.context import Principal
from app.deadlines import courts
from app.deadlines import holiday_calendar as calendar
from app.deadlines import repository as repo
from app.deadlines.rules import (
    DEFAULT_TIMEZONE,
    DeadlineInputError,
    Direction,
    ServiceMethod,
    compute_deadline,
)
from app.deadlines.schemas import (
    ClosureCreate,
    ClosureRead,
    CourtList,
    CourtRead,
    DeadlineRead,
    DivisionRead,
    ReadingsRead,
)
from app.errors import Conflict, Invalid
from app.models.courts import CourtClosure

_RULES = {"inaccessible": "FRCP 6(a)(3)", "declared_holiday": "FRCP 6(a)(6)(B)",
          "executive_order": "FRCP 6(a)(6)(B)"}


@dataclass(frozen=True)
class CourtDays:
    """Recorded closure days of one district, as the FRCP 6 engine takes them."""

    extra_holidays: frozenset[date] = frozenset()
    inaccessible_days: frozenset[date] = frozenset()


def _district(district: str) -> courts.District:
    try:
        return courts.find_district(district)
    except courts.CourtInputError as exc:
        raise Invalid(str(exc), code=exc.code) from None


def list_courts() -> CourtList:
    return CourtList(
        calendar_version=calendar.version(), calendar_sha256=calendar.data_sha256(),
        courts=[CourtRead(id=d.id, name=d.name, state=d.state, state_name=d.state_name,
                          timezones=list(d.timezones),
                          divisions=[DivisionRead(name=v.name, timezone=v.timezone)
                                     for v in d.divisions],
                          state_holidays_covered=calendar.covers_state(d.state))
                for d in courts.districts()])


def list_closures(session: Session, *, district: str) -> list[ClosureRead]:
    """Recorded closure days of the district and the executive-order closures that
    apply to every district, by date."""
    found = _district(district)
    rows = [ClosureRead(id=r.id, district=found.id, date=r.day, kind=r.kind,  # type: ignore[arg-type]
                        rule=_RULES[r.kind], reason=r.reason, source=r.source,
                        created_at=r.created_at)
            for r in repo.closures(session, found.id)]
    rows += [ClosureRead(id=None, district=found.id, date=c.date, kind="executive_order",
                         rule=_RULES["executive_order"], reason=c.reason, source=c.citation)
             for c in calendar.closures().values()]
    return sorted(rows, key=lambda r: r.date)


def record_closure(session: Session, ctx: Principal, *, district: str,
                   data: ClosureCreate) -> ClosureRead:
    """A platform admin records a day the district's clerk's office was closed, with its
    source; from then on every computation for the district counts it."""
    found = _district(district)
    if repo.find(session, found.id, data.date) is not None:
        raise Conflict("A closure is already recorded for this district and day.",
                       code="closure_exists")
    row = CourtClosure(district=found.id, day=data.date, kind=data.kind, reason=data.reason,
                       source=data.source, created_by=ctx.user_id)
    repo.add(session, row)
    record(session, ctx, "court.closure.record", "court_closure", row.id,
           {"district": found.id, "closure_date": data.date.isoformat(), "kind": data.kind})
    return ClosureRead(id=row.id, district=found.id, date=row.day, kind=data.kind,
                       rule=_RULES[data.kind], reason=row.reason, source=row.source,
                       created_at=row.created_at)


def court_days(session: Session, district: str | None) -> CourtDays:
    """What Rule 68, ENE and the calculator pass to the engine for a case in `district`."""
    if district is None:
        return CourtDays()
    rows = repo.closures(session, district)
    return CourtDays(
        extra_holidays=frozenset(r.day for r in rows if r.kind == "declared_holiday"),
        inaccessible_days=frozenset(r.day for r in rows if r.kind == "inaccessible"))


def _zone(district: courts.District | None, division: str | None, state: str | None,
          court_timezone: str | None) -> str:
    """The zone the last day ends in: the court's; a zone given too must agree."""
    try:
        if district is not None:
            zone = courts.district_timezone(district, division)
            if court_timezone is not None and court_timezone != zone:
                raise Invalid(f"court_timezone {court_timezone} does not match {district.name}, "
                              f"which keeps {zone} time.", code="court_timezone_mismatch")
            return zone
        if court_timezone is not None:
            return courts.check_timezone(court_timezone)
    except courts.CourtInputError as exc:
        # The calculator's time-zone refusal keeps the code its clients already know.
        code = "invalid_deadline_input" if exc.code == "invalid_timezone" else exc.code
        raise Invalid(str(exc), code=code) from None
    zones = courts.state_timezones(state.upper()) if state else frozenset()
    return next(iter(zones)) if len(zones) == 1 else DEFAULT_TIMEZONE


def compute(session: Session, *, trigger: date, days: int, direction: Direction,
            state: str | None, service_method: ServiceMethod, court_timezone: str | None,
            district: str | None = None, division: str | None = None,
            extra_holidays: Collection[date] = (),
            inaccessible_days: Collection[date] = ()) -> DeadlineRead:
    found = _district(district) if district is not None else None
    zone = _zone(found, division, state, court_timezone)
    recorded = court_days(session, found.id if found else None)
    try:
        result = compute_deadline(
            trigger, days, direction, court_state=state, service_method=service_method,
            extra_holidays={*extra_holidays, *recorded.extra_holidays},
            inaccessible_days={*inaccessible_days, *recorded.inaccessible_days},
            court_timezone=zone, district=found.id if found else None)
    except DeadlineInputError as exc:
        raise Invalid(str(exc), code="invalid_deadline_input") from None
    readings = None if result.readings is None else ReadingsRead(
        earliest=result.readings.earliest, latest=result.readings.latest,
        why=result.readings.why)
    return DeadlineRead(deadline=result.date, ends_at=result.ends_at,
                        counted_date=result.counted_date, explanation=result.explanation,
                        rules=result.rules, readings=readings,
                        calendar_version=result.calendar_version,
                        district=found.id if found else None, court_timezone=zone)
