"""FRCP 6 deadline engine for periods stated in days.

Pure: no clock, no database, no web framework. Dates and the court's calendar are
parameters; the only data read is the curated, cited calendar in `calendar.py` (a data
file versioned with the code, never a package that an upgrade could change), the
district table in `courts.py` and the IANA time-zone database.

Invariants of `compute_deadline`:
- the trigger day is never counted and every calendar day after (or before) it is
  (FRCP 6(a)(1)(A)-(B));
- the returned date is never a Saturday, Sunday or legal holiday for the period's
  direction, and never a listed inaccessible day of the clerk's office;
- a weekend or holiday at the end of the period moves it forward for a period
  measured after an event and backward for one measured before an event
  (FRCP 6(a)(5)); inaccessibility of the clerk's office always moves it forward
  (FRCP 6(a)(3), 2009 Advisory Committee note);
- state holidays count only for periods measured after an event (FRCP 6(a)(6)(C));
  days declared by statute (5 U.S.C. 6103, Inauguration Day where 6103(c) covers the
  whole district) or by executive order count in both directions (FRCP 6(a)(6)(A)-(B));
- where the law is unsettled (a state holiday its courts do not observe, a county-only
  holiday, Inauguration Day in a district 6103(c) covers in part), the period is
  computed both ways; `date` is the earlier reading and `readings` shows both, so
  relying on `date` is never late;
- a state with no curated calendar counts federal days only, and the explanation says
  so instead of pretending to know its holidays;
- the 3 days of FRCP 6(d) are added after the period has fully expired under
  FRCP 6(a), and the result is adjusted under FRCP 6(a) again;
- `explanation` names every rule applied and every day skipped, in order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal
from zoneinfo import ZoneInfo

from app.deadlines import courts
from app.deadlines import holiday_calendar as calendar

Direction = Literal["after", "before"]
ServiceMethod = Literal["electronic", "personal", "mail", "clerk", "other"]

DEFAULT_TIMEZONE: Final = "America/New_York"
MAX_DAYS: Final = 3660
"""Longest period accepted (about ten years); longer ones are input mistakes."""
MIN_YEAR: Final = 1971
"""The Monday-holiday calendar of 5 U.S.C. 6103 starts in 1971; earlier dates are refused."""
MAX_YEAR: Final = 2199

SERVICE_METHODS: Final[frozenset[str]] = frozenset(
    {"electronic", "personal", "mail", "clerk", "other"}
)
# Rule 5(b)(2) methods after which FRCP 6(d) adds 3 days; "electronic" lost it in 2016.
_THREE_DAY_SERVICE: Final[Mapping[str, str]] = {
    "mail": "service by mail",
    "clerk": "service by leaving with the clerk",
    "other": "service by other means consented to",
}
_ONE_DAY: Final = dt.timedelta(days=1)


class DeadlineInputError(ValueError):
    """An argument the engine cannot compute with; the message says which and why."""


@dataclass(frozen=True)
class Readings:
    """Two readings of an unsettled law: the deadline is `earliest`, the safe one."""

    earliest: dt.date
    latest: dt.date
    why: list[str]


@dataclass(frozen=True)
class Deadline:
    """The last day to act and why.

    `ends_at` is the first instant AFTER the deadline: midnight at the end of `date` in
    the court's time zone (FRCP 6(a)(4)(A)), expressed in UTC. An act at instant `t`
    is timely iff `t < ends_at`. Filing by non-electronic means ends when the clerk's
    office closes (FRCP 6(a)(4)(B)); that hour is local and not modelled here.
    """

    date: dt.date
    ends_at: dt.datetime
    explanation: list[str]
    rules: list[str] = field(default_factory=list)
    counted_date: dt.date | None = None
    """The day the bare count lands on, before any FRCP 6(a)(1)(C) adjustment."""
    readings: Readings | None = None
    calendar_version: str = ""


@dataclass
class _Court:
    state: str | None
    forward: bool
    extra_holidays: frozenset[dt.date]
    inaccessible_days: frozenset[dt.date]
    district: str | None = None
    unsettled_counts: bool = False
    """Whether an unsettled day counts as a holiday in this reading."""
    unsettled_seen: list[str] = field(default_factory=list)


class _Trace:
    """Collects explanation lines, each ending with the rule it applies."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.rules: list[str] = []

    def add(self, text: str, rule: str) -> None:
        self.lines.append(f"{text}: {rule}")
        if rule not in self.rules:
            self.rules.append(rule)


# --- validation -------------------------------------------------------------


def _check_date(value: object, name: str) -> dt.date:
    # datetime is a subclass of date; a timestamp here is a caller mistake.
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise DeadlineInputError(f"{name} must be a calendar date (YYYY-MM-DD), got {value!r}")
    return value


def _check_trigger(value: object) -> dt.date:
    trigger = _check_date(value, "trigger")
    if not MIN_YEAR <= trigger.year <= MAX_YEAR:
        raise DeadlineInputError(
            f"trigger must be between {MIN_YEAR} and {MAX_YEAR}, got {trigger.isoformat()}"
        )
    return trigger


def _check_dates(values: Collection[dt.date], name: str) -> frozenset[dt.date]:
    if isinstance(values, str | bytes):
        raise DeadlineInputError(f"{name} must be a collection of dates, got {values!r}")
    return frozenset(_check_date(v, f"each of {name}") for v in values)


def normalize_state(court_state: str | None) -> str | None:
    """Return the upper-case code of a state or territory with a district court, or None.

    The 50 states, DC, PR, GU, VI and MP are accepted.
    """
    if court_state is None:
        return None
    if not isinstance(court_state, str):
        raise DeadlineInputError(f"court_state must be a string, got {court_state!r}")
    code = court_state.strip().upper()
    if code not in courts.states():
        raise DeadlineInputError(
            f"unknown court_state {court_state!r}: expected a US state or territory code "
            "such as 'CA' or 'NY'"
        )
    return code


def normalize_district(district: str | None, state: str | None) -> str | None:
    """The district id, checked against the table and against `state` when both are given.

    A state with a single district (DC, MD, ...) implies that district, so that a
    district-specific day (Inauguration Day) is not lost when only the state is known.
    """
    if district is None:
        if state is not None and len(only := courts.state_districts(state)) == 1:
            return only[0].id
        return None
    try:
        found = courts.find_district(district)
    except courts.CourtInputError as exc:
        raise DeadlineInputError(str(exc)) from None
    if state is not None and found.state != state:
        raise DeadlineInputError(
            f"district {found.id!r} ({found.name}) is in {found.state}, not {state}")
    return found.id


def _check_days(days: object) -> int:
    if not isinstance(days, int) or isinstance(days, bool):
        raise DeadlineInputError(f"days must be an integer, got {days!r}")
    if days < 0:
        raise DeadlineInputError(f"days must not be negative, got {days}")
    if days == 0 or days > MAX_DAYS:
        raise DeadlineInputError(f"days must be between 1 and {MAX_DAYS}, got {days}")
    return days


def _check_direction(direction: object) -> Direction:
    if direction == "after":
        return "after"
    if direction == "before":
        return "before"
    raise DeadlineInputError(f"direction must be 'after' or 'before', got {direction!r}")


def _check_service_method(method: object) -> str:
    if not isinstance(method, str) or method not in SERVICE_METHODS:
        known = ", ".join(sorted(SERVICE_METHODS))
        raise DeadlineInputError(f"unknown service_method {method!r}: expected one of {known}")
    return method


def court_zone(court_timezone: str) -> ZoneInfo:
    """Resolve an IANA zone name such as 'America/Chicago' or raise DeadlineInputError.

    Only names in the IANA database are accepted: free text such as 'Pacific' (a
    directory of the database) or a path is refused, never looked up on disk.
    """
    try:
        return ZoneInfo(courts.check_timezone(court_timezone))
    except courts.CourtInputError:
        raise DeadlineInputError(
            f"unknown court_timezone {court_timezone!r}: expected an IANA name such as "
            "'America/New_York'"
        ) from None


# --- legal holidays (FRCP 6(a)(6)) -------------------------------------------


def is_legal_holiday(
    day: dt.date,
    *,
    court_state: str | None = None,
    forward: bool = True,
    extra_holidays: Collection[dt.date] = (),
    district: str | None = None,
) -> str | None:
    """The FRCP 6(a)(6) reason `day` is a settled legal holiday, or None if it is not one.

    (A) federal statutory holidays on the day set aside for observing them
    (5 U.S.C. 6103(a)-(b)) and Inauguration Day where 6103(c) covers the district;
    (B) executive-order closures from the curated list and `extra_holidays`, days the
    President or Congress declared that the list lacks; (C) only when `forward` (a
    period measured after an event), the curated legal holidays of `court_state`.
    Unsettled days are not reported. Weekends are not reported here.
    """
    state = normalize_state(court_state)
    court = _Court(
        state=state,
        forward=forward,
        extra_holidays=_check_dates(extra_holidays, "extra_holidays"),
        inaccessible_days=frozenset(),
        district=normalize_district(district, state),
    )
    reason = _holiday_reason(_check_date(day, "day"), court)
    return None if reason is None else f"{reason[0]}: {reason[1]}"


def is_closed_day(
    day: dt.date,
    *,
    court_state: str | None = None,
    district: str | None = None,
    extra_holidays: Collection[dt.date] = (),
) -> str | None:
    """Why `day` is a Saturday, Sunday or settled legal holiday for a period measured
    after an event (FRCP 6(a)(1)(C), 6(a)(6)), e.g. "a Sunday", or None."""
    state = normalize_state(court_state)
    court = _Court(state=state, forward=True,
                   extra_holidays=_check_dates(extra_holidays, "extra_holidays"),
                   inaccessible_days=frozenset(),
                   district=normalize_district(district, state))
    reason = _closed_reason(_check_date(day, "day"), court)
    return None if reason is None else reason[0]


def end_of_day(day: dt.date, court_timezone: str) -> dt.datetime:
    """The first instant after `day` in the court's zone, in UTC (FRCP 6(a)(4)(A))."""
    return _end_instant(day, court_zone(court_timezone))


_Reason = tuple[str, str]
"""(what the day is, the rule that makes it count), e.g. ("a Sunday", "FRCP 6(a)(1)(C)")."""


def _unsettled(day: dt.date, holiday: calendar.Holiday, where: str, court: _Court) -> bool:
    """Whether an unsettled day counts in this reading; remembers why it is unsettled."""
    note = f"{day.isoformat()} ({holiday.name}{where}; {holiday.citation}): {holiday.unsettled}"
    if note not in court.unsettled_seen:
        court.unsettled_seen.append(note)
    return court.unsettled_counts


def _holiday_reason(day: dt.date, court: _Court) -> _Reason | None:
    federal = calendar.federal_holidays(day.year).get(day)
    if federal is not None:
        return f"a legal holiday ({federal.name})", "FRCP 6(a)(6)(A)"
    inauguration = calendar.inauguration_day(day.year, court.district)
    if inauguration is not None and inauguration[0] == day:
        holiday = inauguration[1]
        if holiday.unsettled is None or _unsettled(day, holiday, "", court):
            return f"a legal holiday ({holiday.name}, {holiday.citation})", "FRCP 6(a)(6)(A)"
    closure = calendar.closures().get(day)
    if closure is not None and (closure.unsettled is None or _unsettled(
            day, calendar.Holiday(closure.reason, closure.citation, closure.unsettled), "",
            court)):
        return (
            f"a day the President closed federal offices ({closure.reason}; {closure.citation})",
            "FRCP 6(a)(6)(B)",
        )
    if day in court.extra_holidays:
        return "a day declared a holiday by the President or Congress", "FRCP 6(a)(6)(B)"
    if court.forward and court.state is not None:
        local = calendar.state_holidays(court.state, day.year).get(day)
        if local is not None and (
            local.unsettled is None or _unsettled(day, local, f" in {court.state}", court)
        ):
            return (
                f"a legal holiday in {court.state} ({local.name}; {local.citation})",
                "FRCP 6(a)(6)(C)",
            )
    return None


def _closed_reason(day: dt.date, court: _Court) -> _Reason | None:
    weekday = day.weekday()
    if weekday == 5:
        return "a Saturday", "FRCP 6(a)(1)(C)"
    if weekday == 6:
        return "a Sunday", "FRCP 6(a)(1)(C)"
    return _holiday_reason(day, court)


# --- computation ---------------------------------------------------------------


def _skip_closed(day: dt.date, step: dt.timedelta, court: _Court, trace: _Trace) -> dt.date:
    """Move past Saturdays, Sundays and legal holidays in the direction of `step`."""
    start = day
    while (reason := _closed_reason(day, court)) is not None:
        trace.add(f"{day.isoformat()} is {reason[0]}", reason[1])
        day += step
    if day != start:
        way = "forward" if step > dt.timedelta(0) else "backward"
        trace.add(
            f"The period runs to {day.isoformat()} ({day:%A}), the next day counting {way} "
            "that is not a Saturday, Sunday or legal holiday",
            "FRCP 6(a)(5)",
        )
    return day


def _skip_inaccessible(day: dt.date, court: _Court, trace: _Trace) -> dt.date:
    """FRCP 6(a)(3)(A): from an inaccessible last day, go forward in every case."""
    if day not in court.inaccessible_days:
        return day
    while True:
        if day in court.inaccessible_days:
            trace.add(f"The clerk's office is inaccessible on {day.isoformat()}", "FRCP 6(a)(3)(A)")
        elif (reason := _closed_reason(day, court)) is not None:
            trace.add(f"{day.isoformat()} is {reason[0]}", reason[1])
        else:
            break
        day += _ONE_DAY
    trace.add(
        f"Time is extended to {day.isoformat()} ({day:%A}), the first accessible day that is "
        "not a Saturday, Sunday or legal holiday",
        "FRCP 6(a)(3)(A)",
    )
    return day


def _expire_under_6a(day: dt.date, step: dt.timedelta, court: _Court, trace: _Trace) -> dt.date:
    return _skip_inaccessible(_skip_closed(day, step, court, trace), court, trace)


def _add_service_days(
    end: dt.date, direction: Direction, service_method: str, court: _Court, trace: _Trace
) -> dt.date:
    label = _THREE_DAY_SERVICE.get(service_method)
    if label is None:
        return end
    if direction == "before":
        trace.add(
            f"No days added for {label}: the period is measured before an event, not after "
            "being served",
            "FRCP 6(d)",
        )
        return end
    trace.add(f"The period would otherwise expire on {end.isoformat()}", "FRCP 6(a)")
    end += 3 * _ONE_DAY
    trace.add(f"+3 days for {label}", "FRCP 6(d)")
    trace.add(f"Counting 3 more days lands on {end.isoformat()} ({end:%A})", "FRCP 6(d)")
    return _expire_under_6a(end, _ONE_DAY, court, trace)


def _end_instant(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    local_midnight = dt.datetime.combine(day + _ONE_DAY, dt.time(0), tzinfo=zone)
    return local_midnight.astimezone(dt.UTC)


def _uncovered_note(court: _Court, trace: _Trace) -> None:
    if court.forward and court.state is not None and not calendar.covers_state(court.state):
        trace.add(
            f"No curated holiday calendar for {court.state} yet: only federal holidays, "
            "executive-order closures and recorded closure days are counted here; check "
            f"{court.state}'s own legal holidays",
            "FRCP 6(a)(6)(C)",
        )


def _one_reading(
    trigger: dt.date, days: int, direction: Direction, service_method: str,
    court: _Court, zone: ZoneInfo,
) -> tuple[dt.date, _Trace, dt.date]:
    step = _ONE_DAY if direction == "after" else -_ONE_DAY
    trace = _Trace()
    counted = trigger + days * step
    trace.add(
        f"The day of the triggering event, {trigger.isoformat()}, is excluded",
        "FRCP 6(a)(1)(A)",
    )
    trace.add(
        f"Counting {days} days {direction} it, every day included, lands on "
        f"{counted.isoformat()} ({counted:%A})",
        "FRCP 6(a)(1)(B)",
    )
    _uncovered_note(court, trace)
    end = _expire_under_6a(counted, step, court, trace)
    end = _add_service_days(end, direction, service_method, court, trace)
    return end, trace, counted


def court_state_of(court_state: str | None, district: str | None) -> str | None:
    """The court's state: as given, else the district's (a district implies its state)."""
    state = normalize_state(court_state)
    if district is not None and state is None:
        state = courts.find_district(district).state if _known(district) else None
    return state


def compute_deadline(
    trigger: dt.date,
    days: int,
    direction: Direction,
    *,
    court_state: str | None = None,
    service_method: str = "electronic",
    extra_holidays: Collection[dt.date] = (),
    inaccessible_days: Collection[dt.date] = (),
    court_timezone: str = DEFAULT_TIMEZONE,
    district: str | None = None,
) -> Deadline:
    """The last day of a period of `days` days after or before `trigger` (FRCP 6(a), 6(d)).

    `service_method` matters only for a period running after service: "mail", "clerk"
    and "other" (Rule 5(b)(2)(C), (D), (F)) add 3 days; "electronic" and "personal" add
    none. `inaccessible_days` are days the clerk's office was inaccessible; pass none
    when the act is not a filing. `district` (a CM/ECF court id) implies its state.
    Raises DeadlineInputError on any invalid argument.
    """
    trigger = _check_trigger(trigger)
    days = _check_days(days)
    direction = _check_direction(direction)
    service_method = _check_service_method(service_method)
    zone = court_zone(court_timezone)
    state = court_state_of(court_state, district)
    results = []
    for unsettled_counts in (False, True):
        court = _Court(
            state=state,
            forward=direction == "after",
            extra_holidays=_check_dates(extra_holidays, "extra_holidays"),
            inaccessible_days=_check_dates(inaccessible_days, "inaccessible_days"),
            district=normalize_district(district, state),
            unsettled_counts=unsettled_counts,
        )
        end, trace, counted = _one_reading(trigger, days, direction, service_method, court, zone)
        results.append((end, trace, court.unsettled_seen))
    (plain_end, plain_trace, _), (strict_end, strict_trace, why) = results
    readings = None
    end, trace = plain_end, plain_trace
    if plain_end != strict_end:
        if strict_end < plain_end:
            end, trace = strict_end, strict_trace
        readings = Readings(earliest=min(plain_end, strict_end),
                            latest=max(plain_end, strict_end), why=list(why))
        trace.add(
            f"The law is unsettled ({'; '.join(why)}): read one way the last day is "
            f"{readings.earliest.isoformat()}, the other way {readings.latest.isoformat()}; "
            f"the earlier, {readings.earliest.isoformat()}, is the deadline to rely on",
            "FRCP 6(a)(6)",
        )
    ends_at = _end_instant(end, zone)
    trace.add(
        f"The last day is {end.isoformat()} ({end:%A}) and ends at midnight "
        f"{zone.key} ({ends_at:%Y-%m-%dT%H:%M:%SZ})",
        "FRCP 6(a)(4)(A)",
    )
    return Deadline(
        date=end, ends_at=ends_at, explanation=trace.lines, rules=trace.rules,
        counted_date=counted, readings=readings, calendar_version=calendar.version(),
    )


def _known(district: str) -> bool:
    try:
        courts.find_district(district)
    except courts.CourtInputError as exc:
        raise DeadlineInputError(str(exc)) from None
    return True
