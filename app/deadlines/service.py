"""Use cases of courts and deadlines: the district table, closure days, one FRCP 6 deadline.

Public law only, no case content. Computing a deadline is not audited; recording a
closure day is (a platform admin changes what every room's computations count). Bad
input is a 422 whose message echoes only the caller's own arguments.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz.permissions import Role
from app.ccp998 import rules as state_rules
from app.context import CaseContext, Principal
from app.deadlines import courts, orders
from app.deadlines import holiday_calendar as calendar
from app.deadlines import repository as repo
from app.deadlines.hours import TriggerInstantError, compute_hour_deadline, parse_rfc3339
from app.deadlines.rules import (
    DEFAULT_TIMEZONE,
    DeadlineInputError,
    Direction,
    ServiceMethod,
    compute_deadline,
    end_of_day,
    is_closed_day,
)
from app.deadlines.schemas import (
    ClosureCreate,
    ClosureRead,
    CourtList,
    CourtRead,
    DeadlineOrderCreate,
    DeadlineOrderRead,
    DeadlineRead,
    DivisionRead,
    ReadingsRead,
)
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.models.courts import CourtClosure, DeadlineOrder
from app.models.rule68 import RULE68_OBJECT_TYPE
from app.notifications import service as notifications

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
    """The zone the last day ends in: the court's, never a guess (FRCP 6(a)(4)(A)).

    Invariants: a district (with its division where it spans two zones) or a single-zone
    state gives the zone; a zone the caller gives too must be one that court keeps
    (`court_timezone_mismatch`); a state whose courts keep several zones and no zone or
    district is refused (`court_timezone_required`), because Eastern time there would
    close a Mountain or Central court's day hours early. Only a call naming no court at all
    (federal holidays only) keeps Eastern time, as the contract has always answered it.
    """
    try:
        zone = None if court_timezone is None else courts.check_timezone(court_timezone)
        if district is not None:
            return _district_zone(district, division, zone)
    except courts.CourtInputError as exc:
        # The calculator's time-zone refusal keeps the code its clients already know.
        code = "invalid_deadline_input" if exc.code == "invalid_timezone" else exc.code
        raise Invalid(str(exc), code=code) from None
    code = state.strip().upper() if state else None
    if code is None or code not in courts.states():
        # No court, or a code the engine refuses with its own message.
        return zone if zone is not None else DEFAULT_TIMEZONE
    kept = courts.state_timezones(code)
    if zone is not None:
        if zone not in kept:
            raise Invalid(f"court_timezone {zone} is not kept by any federal court in "
                          f"{code} ({', '.join(sorted(kept))}).", code="court_timezone_mismatch")
        return zone
    if len(kept) == 1:
        return next(iter(kept))
    raise Invalid(f"The federal courts in {code} keep more than one time zone "
                  f"({', '.join(sorted(kept))}): give district (GET /courts lists them) or "
                  "court_timezone.", code="court_timezone_required")


def _district_zone(district: courts.District, division: str | None, zone: str | None) -> str:
    """The district's zone; a zone given beside it must agree. In a two-zone district a
    zone it keeps stands in for the division."""
    if zone is not None and division is None and district.needs_division:
        if zone not in district.timezones:
            raise Invalid(f"court_timezone {zone} does not match {district.name}, which keeps "
                          f"{', '.join(district.timezones)} time.",
                          code="court_timezone_mismatch")
        return zone
    kept = courts.district_timezone(district, division)
    if zone is not None and zone != kept:
        raise Invalid(f"court_timezone {zone} does not match {district.name}, which keeps "
                      f"{kept} time.", code="court_timezone_mismatch")
    return kept


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


STATE_METHODS = frozenset(state_rules.METHODS)


def compute_california(*, trigger: date, days: int, direction: Direction,
                       service_method: str, extra_holidays: Collection[date] = ()
                       ) -> DeadlineRead:
    """A period in a California superior court case: the Code of Civil Procedure's counting
    (CCP 12, 12a, 12c) on the CCP 135 judicial calendar, service time under CCP 1013 and
    1010.6, in Pacific time."""
    try:
        period = state_rules.state_period(trigger, days, direction, service_method,
                                          extra_holidays)
    except state_rules.Ccp998InputError as exc:
        raise Invalid(str(exc), code="invalid_deadline_input") from None
    readings = None if period.readings is None else ReadingsRead(
        earliest=period.readings[0], latest=period.readings[1], why=period.readings[2])
    return DeadlineRead(
        deadline=period.last_day, ends_at=period.ends_at, counted_date=period.counted,
        explanation=period.explanation, rules=["Cal. Code Civ. Proc. 12, 12a, 12c, 135"],
        readings=readings, court_timezone=state_rules.TIMEZONE)


def compute_hours(session: Session, *, trigger_at: str, hours: int, state: str | None,
                  court_timezone: str | None, district: str | None = None,
                  division: str | None = None, extra_holidays: Collection[date] = (),
                  inaccessible_days: Collection[date] = ()) -> DeadlineRead:
    """A period stated in hours (FRCP 6(a)(2)) from the RFC 3339 instant `trigger_at`,
    in the court's time zone, with the district's recorded closure days."""
    found = _district(district) if district is not None else None
    zone = _zone(found, division, state, court_timezone)
    recorded = court_days(session, found.id if found else None)
    try:
        start = parse_rfc3339(trigger_at)
        result = compute_hour_deadline(
            start, hours, court_state=state,
            extra_holidays={*extra_holidays, *recorded.extra_holidays},
            inaccessible_days={*inaccessible_days, *recorded.inaccessible_days},
            court_timezone=zone, district=found.id if found else None)
    except TriggerInstantError as exc:
        raise Invalid(str(exc), code="invalid_trigger_at") from None
    except DeadlineInputError as exc:
        raise Invalid(str(exc), code="invalid_deadline_input") from None
    readings = None if result.readings is None else ReadingsRead(
        earliest=result.readings.earliest, latest=result.readings.latest,
        why=result.readings.why)
    return DeadlineRead(deadline=result.local_end.date(), ends_at=result.ends_at,
                        counted_date=result.counted_at.date(), explanation=result.explanation,
                        rules=result.rules, readings=readings,
                        calendar_version=result.calendar_version,
                        district=found.id if found else None, court_timezone=zone,
                        hours=hours, deadline_at=result.local_end,
                        counted_at=result.counted_at)


# --- court-ordered and stipulated deadlines, FRCP 6(b) extensions ----------------------

_RECORDERS = frozenset({Role.ROOM_ADMIN, Role.COUNSEL, Role.PRO_SE})


def _order_read(row: DeadlineOrder) -> DeadlineOrderRead:
    return DeadlineOrderRead(
        id=row.id, case_id=row.case_id, kind=row.kind,  # type: ignore[arg-type]
        applies_to=row.applies_to, rule=row.rule, base_deadline=row.base_deadline,
        new_deadline=row.new_deadline, extra_days=row.extra_days,
        effective_deadline=row.effective_deadline, effective_ends_at=row.effective_ends_at,
        order_date=row.order_date, source=row.source, explanation=list(row.explanation),
        created_by=row.created_by, created_at=row.created_at)


def _rule68_target(applies_to: str) -> uuid.UUID | None:
    if not applies_to.startswith(orders.RULE68_PREFIX):
        return None
    try:
        return uuid.UUID(applies_to.removeprefix(orders.RULE68_PREFIX))
    except ValueError:
        raise Invalid("applies_to must be rule68:<offer id> or the name of a deadline.",
                      code="invalid_applies_to") from None


def list_orders(session: Session, ctx: CaseContext) -> list[DeadlineOrderRead]:
    """Every order of the case the member may see: an order on a Rule 68 offer only to
    the members of its offeror's and offerees' parties (who alone see the offer)."""
    rows = repo.orders(session, ctx.case_id)
    offers = repo.rule68_offer_parties(session, ctx.case_id) if any(
        r.applies_to.startswith(orders.RULE68_PREFIX) for r in rows) else {}
    mine = ctx.parties_as(Role.COUNSEL, Role.PRO_SE, Role.CLIENT)
    shown = []
    for row in rows:
        offer_id = _rule68_target(row.applies_to)
        if offer_id is not None and not offers.get(offer_id, frozenset()) & mine:
            continue
        shown.append(_order_read(row))
    return shown


def record_order(session: Session, ctx: CaseContext, *, data: DeadlineOrderCreate,
                 now: datetime) -> DeadlineOrderRead:
    """Record an order that sets or extends one of the case's deadlines.

    Who: the room admin (named deadlines) or counsel or a pro se party; an order on a Rule
    68 offer only by counsel or pro se of the offeror or an offeree (the others cannot see
    the offer, and 404 keeps it that way). The offer's time to accept moves to the order's
    last day in the same transaction, so its status, reminders and pages follow the order.
    Refused: FRCP 6(b)(2) times (`time_not_extendable`), an order dated after today, a
    deadline moved earlier, a Rule 68 offer already accepted. Audited with kind, dates and
    target only: never the name or source text."""
    if not ctx.roles & _RECORDERS:
        raise Forbidden("Only the room admin, counsel or a party acting pro se records an "
                        "order on the case's deadlines.", code="deadline_order_not_allowed")
    if (data.new_deadline is None) == (data.extra_days is None):
        raise Invalid("Give exactly one of new_deadline and extra_days.",
                      code="deadline_order_incomplete")
    state, district, zone = repo.case_court(session, ctx.case_id)
    # An order entered today in the court's zone is not "in the future".
    if data.order_date > now.astimezone(ZoneInfo(zone)).date():
        raise Invalid("order_date is after today: record an order once it is entered.",
                      code="order_date_in_future")
    try:
        orders.check_extendable(data.kind, data.applies_to, data.rule)
    except orders.OrderRefused as exc:
        raise Invalid(str(exc), code=exc.code) from None
    offer_id = _rule68_target(data.applies_to)
    offer = None
    base = data.base_deadline
    if offer_id is not None:
        offer = repo.rule68_offer(session, ctx.case_id, offer_id)
        if offer is None or not repo.rule68_parties(session, offer) & ctx.parties_as(
                Role.COUNSEL, Role.PRO_SE):
            raise NotFound("No such Rule 68 offer in this case.", code="rule68_offer_not_found")
        if offer.status == "accepted":
            raise Conflict("The offer was accepted: there is no time to extend.",
                           code="offer_already_accepted")
        base = offer.acceptance_deadline
    elif data.extra_days is not None and base is None:
        raise Invalid("Adding days to a named deadline needs base_deadline, the last day "
                      "being extended.", code="deadline_order_incomplete")
    recorded = court_days(session, district)
    computed = None
    holiday = None
    try:
        if data.extra_days is not None:
            assert base is not None
            computed = compute_deadline(
                base, data.extra_days, "after", court_state=state, court_timezone=zone,
                district=district, extra_holidays=recorded.extra_holidays,
                inaccessible_days=recorded.inaccessible_days)
            last = computed.date
        else:
            assert data.new_deadline is not None
            last = data.new_deadline
            holiday = is_closed_day(last, court_state=state, district=district,
                                    extra_holidays=recorded.extra_holidays)
    except DeadlineInputError as exc:
        raise Invalid(str(exc), code="invalid_deadline_input") from None
    if base is not None and last <= base:
        raise Invalid(f"The order's last day {last.isoformat()} is not after the deadline it "
                      f"extends, {base.isoformat()}.", code="deadline_not_extended")
    ends_at = end_of_day(last, zone)
    result = orders.effect(data.kind, order_date=data.order_date, source=data.source,
                           base=base, computed=computed, new_deadline=data.new_deadline,
                           weekend_or_holiday=holiday, ends_at=ends_at,
                           is_rule68=offer is not None)
    row = DeadlineOrder(
        case_id=ctx.case_id, kind=data.kind, applies_to=data.applies_to, rule=data.rule,
        base_deadline=base, new_deadline=data.new_deadline, extra_days=data.extra_days,
        effective_deadline=result.deadline, effective_ends_at=result.ends_at,
        order_date=data.order_date, source=data.source, explanation=result.explanation,
        created_by=ctx.user_id)
    repo.add_order(session, row)
    if offer is not None:
        offer.acceptance_deadline = result.deadline
        offer.acceptance_ends_at = result.ends_at
        offer.deadline_explanation = [*offer.deadline_explanation, *result.explanation]
        # The window moved: its reminders and its lapse notice move with it, in this
        # transaction, so nobody is told the offer lapsed while the order keeps it open.
        notifications.drop_pending_reminders(session, object_type=RULE68_OBJECT_TYPE,
                                             object_id=offer.id)
        notifications.schedule_reminders(
            session, case_id=ctx.case_id, object_type=RULE68_OBJECT_TYPE, object_id=offer.id,
            due_at=result.ends_at, court_timezone=zone, now=now)
        notifications.schedule_end_notice(
            session, case_id=ctx.case_id, object_type=RULE68_OBJECT_TYPE, object_id=offer.id,
            due_at=result.ends_at, now=now)
    record(session, ctx, "deadline.order.record", "deadline_order", row.id,
           {"kind": data.kind, "item_type": "rule68_offer" if offer is not None else "named",
            "offer_id": str(offer_id) if offer_id else None,
            "entered_on": data.order_date.isoformat(), "due_on": result.deadline.isoformat()})
    return _order_read(row)
