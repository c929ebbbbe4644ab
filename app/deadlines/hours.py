"""FRCP 6(a)(2) and 6(a)(3)(B): periods stated in hours.

Pure: no clock, no database. Shares the legal-holiday reasoning of `rules` (one source of
what a Saturday, Sunday or legal holiday is) and the court's time zone.

Invariants of `compute_hour_deadline`:
- counting begins at the triggering instant itself, not rounded to the hour
  (6(a)(2)(A)), and every elapsed hour counts, weekends and holidays included
  (6(a)(2)(B)). Hours are elapsed time: across a change to or from daylight saving time
  the end's wall-clock time shifts by the hour the clock skipped or repeated;
- "would end on" a day means the court-local calendar date of the instant the count
  reaches (6(a)(4) measures days in the court's time zone); if that date is a Saturday,
  Sunday or legal holiday the end moves to the same local time on the next day that is
  none of them (6(a)(2)(C));
- an hour period runs after its event, so state holidays count (6(a)(6)(C)); unsettled
  days are computed both ways and the earlier reading is the one returned;
- if the clerk's office is inaccessible on a day the last hour touches, the end moves to
  the same local time on the first later day that is accessible and not a Saturday,
  Sunday or legal holiday (6(a)(3)(B)).
- the trigger is an aware instant: a naive one, or a string that is not RFC 3339, is a
  DeadlineInputError, never a guess at the zone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo

from app.deadlines import holiday_calendar as calendar
from app.deadlines.rules import (
    DEFAULT_TIMEZONE,
    MAX_YEAR,
    MIN_YEAR,
    DeadlineInputError,
    Readings,
    _check_dates,
    _closed_reason,
    _Court,
    _Trace,
    _uncovered_note,
    court_state_of,
    court_zone,
    normalize_district,
)

MAX_HOURS: Final = 8784
"""Longest hour period accepted (a leap year of hours); longer ones are input mistakes."""
_ONE_DAY: Final = dt.timedelta(days=1)
_ONE_HOUR: Final = dt.timedelta(hours=1)
_RFC3339: Final = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt](?P<time>\d{2}:\d{2}:\d{2})(?P<frac>\.\d{1,9})?"
    r"(?P<offset>[Zz]|[+-]\d{2}:\d{2})",
    re.ASCII,  # only ASCII digits: "２０２６" is not a year
)


class TriggerInstantError(DeadlineInputError):
    """The trigger instant is not an RFC 3339 date-time with an offset."""


@dataclass(frozen=True)
class HourDeadline:
    """The instant an hour period ends and why.

    `ends_at` is the end in UTC; an act at instant `t` is timely iff `t <= ends_at`
    (6(a)(2) ends "at the same time", the period includes its last instant).
    `local_end` is the same instant in the court's zone; `counted_at` is where the bare
    count lands, before any 6(a)(2)(C) or 6(a)(3)(B) move.
    """

    ends_at: dt.datetime
    local_end: dt.datetime
    counted_at: dt.datetime
    explanation: list[str]
    rules: list[str]
    readings: Readings | None = None
    calendar_version: str = ""


def parse_rfc3339(value: object) -> dt.datetime:
    """An aware datetime from an RFC 3339 `date-time` (section 5.6), strictly.

    Seconds and an offset (`Z` or `+hh:mm`) are required; a leap second (`:60`), a bare
    date, a space instead of `T` or an offset-less time is refused: the zone of a
    deadline's trigger is never guessed. Fractions beyond microseconds are truncated.
    """
    if not isinstance(value, str):
        raise TriggerInstantError("trigger_at must be an RFC 3339 date-time string")
    match = _RFC3339.fullmatch(value.strip())
    if match is None:
        raise TriggerInstantError(
            "trigger_at must be an RFC 3339 date-time with seconds and an offset, such as "
            "2026-03-06T17:00:00-08:00 or 2026-03-07T01:00:00Z")
    offset = match["offset"].upper().replace("Z", "+00:00")
    if offset[1:] > "23:59" or int(offset[4:6]) > 59:
        raise TriggerInstantError("trigger_at has an offset out of range")
    frac = (match["frac"] or "")[:7]
    text = f"{match['date']}T{match['time']}{frac}{offset}"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise TriggerInstantError(
            "trigger_at names a date or time that does not exist (RFC 3339 section 5.7)"
        ) from None
    return parsed


def _check_instant(value: object) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise TriggerInstantError("trigger_at must be a date-time with an offset")
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise TriggerInstantError(f"trigger_at must be between {MIN_YEAR} and {MAX_YEAR}")
    return value


def _check_hours(hours: object) -> int:
    if not isinstance(hours, int) or isinstance(hours, bool):
        raise DeadlineInputError(f"hours must be an integer, got {hours!r}")
    if not 1 <= hours <= MAX_HOURS:
        raise DeadlineInputError(f"hours must be between 1 and {MAX_HOURS}, got {hours}")
    return hours


def _same_time_on(day: dt.date, local: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """`local`'s wall-clock time on `day`, as a real instant in `zone`.

    A wall time the clock skipped that day (spring forward) is read as the instant after
    the gap; a repeated one (fall back) as its first occurrence. US changes fall on
    Sundays, which never end a moved period, so this is a guard rather than a reading.
    """
    naive = dt.datetime.combine(day, local.timetz().replace(tzinfo=None))
    candidate = naive.replace(tzinfo=zone, fold=0)
    return candidate.astimezone(dt.UTC).astimezone(zone)


def _closed(day: dt.date, court: _Court) -> tuple[str, str] | None:
    """Why `day` ends no hour period; a weekend is cited under 6(a)(2)(C), not 6(a)(1)(C)."""
    reason = _closed_reason(day, court)
    if reason is not None and reason[1] == "FRCP 6(a)(1)(C)":
        return reason[0], "FRCP 6(a)(2)(C)"
    return reason


def _fmt(moment: dt.datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S %Z} ({moment:%A})"


def _move_closed(end: dt.datetime, court: _Court, zone: ZoneInfo, trace: _Trace) -> dt.datetime:
    day = end.date()
    if _closed(day, court) is None:
        return end
    while (reason := _closed(day, court)) is not None:
        trace.add(f"{day.isoformat()} is {reason[0]}", reason[1])
        day += _ONE_DAY
    moved = _same_time_on(day, end, zone)
    trace.add(
        f"The period continues to the same time on the next day that is not a Saturday, "
        f"Sunday or legal holiday: {_fmt(moved)}",
        "FRCP 6(a)(2)(C)",
    )
    return moved


def _last_hour_days(end: dt.datetime, zone: ZoneInfo) -> set[dt.date]:
    """The court-local dates the last hour [end - 1 h, end) touches."""
    first = (end - _ONE_HOUR).astimezone(zone)
    last = (end - dt.timedelta(microseconds=1)).astimezone(zone)
    return {first.date(), last.date()}


def _move_inaccessible(end: dt.datetime, court: _Court, zone: ZoneInfo,
                       trace: _Trace) -> dt.datetime:
    touched = sorted(_last_hour_days(end, zone) & court.inaccessible_days)
    if not touched:
        return end
    for day in touched:
        trace.add(f"The clerk's office is inaccessible on {day.isoformat()}, during the last "
                  "hour of the period", "FRCP 6(a)(3)(B)")
    day = end.date() + _ONE_DAY
    while True:
        if day in court.inaccessible_days:
            trace.add(f"The clerk's office is inaccessible on {day.isoformat()}",
                      "FRCP 6(a)(3)(B)")
        elif (reason := _closed(day, court)) is not None:
            trace.add(f"{day.isoformat()} is {reason[0]}", reason[1])
        else:
            break
        day += _ONE_DAY
    moved = _same_time_on(day, end, zone)
    trace.add(f"Time is extended to the same time on the first accessible day that is not a "
              f"Saturday, Sunday or legal holiday: {_fmt(moved)}", "FRCP 6(a)(3)(B)")
    return moved


def _one_reading(start: dt.datetime, hours: int, court: _Court,
                 zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime, _Trace]:
    trace = _Trace()
    local_start = start.astimezone(zone)
    trace.add(f"Counting begins immediately at the triggering event, {_fmt(local_start)}",
              "FRCP 6(a)(2)(A)")
    counted = (start.astimezone(dt.UTC) + hours * _ONE_HOUR).astimezone(zone)
    trace.add(f"Counting {hours} hours, every hour included (weekends and holidays too), "
              f"reaches {_fmt(counted)}", "FRCP 6(a)(2)(B)")
    if counted.utcoffset() != local_start.utcoffset():
        trace.add(f"The count crosses a change of {zone.key} time: every elapsed hour counts, "
                  "so the clock time of the end differs from the start's", "FRCP 6(a)(2)(B)")
    _uncovered_note(court, trace)
    end = _move_closed(counted, court, zone, trace)
    end = _move_inaccessible(end, court, zone, trace)
    return end, counted, trace


def compute_hour_deadline(
    trigger_at: dt.datetime,
    hours: int,
    *,
    court_state: str | None = None,
    district: str | None = None,
    extra_holidays: Collection[dt.date] = (),
    inaccessible_days: Collection[dt.date] = (),
    court_timezone: str = DEFAULT_TIMEZONE,
) -> HourDeadline:
    """The instant a period of `hours` hours from `trigger_at` ends (FRCP 6(a)(2)).

    Raises DeadlineInputError on any invalid argument.
    """
    start = _check_instant(trigger_at)
    hours = _check_hours(hours)
    zone = court_zone(court_timezone)
    state = court_state_of(court_state, district)
    results = []
    for unsettled_counts in (False, True):
        court = _Court(
            state=state, forward=True,
            extra_holidays=_check_dates(extra_holidays, "extra_holidays"),
            inaccessible_days=_check_dates(inaccessible_days, "inaccessible_days"),
            district=normalize_district(district, state),
            unsettled_counts=unsettled_counts)
        end, counted, trace = _one_reading(start, hours, court, zone)
        results.append((end, trace, court.unsettled_seen))
    (plain_end, plain_trace, _), (strict_end, strict_trace, why) = results
    end, trace, readings = plain_end, plain_trace, None
    if plain_end != strict_end:
        if strict_end < plain_end:
            end, trace = strict_end, strict_trace
        early, late = min(plain_end, strict_end), max(plain_end, strict_end)
        readings = Readings(earliest=early.date(), latest=late.date(), why=list(why))
        trace.add(f"The law is unsettled ({'; '.join(why)}): read one way the period ends "
                  f"{_fmt(early)}, the other way {_fmt(late)}; the earlier is the one to "
                  "rely on", "FRCP 6(a)(6)")
    ends_at = end.astimezone(dt.UTC)
    trace.add(f"The period ends at {_fmt(end)} ({ends_at:%Y-%m-%dT%H:%M:%SZ})",
              "FRCP 6(a)(2)")
    return HourDeadline(ends_at=ends_at, local_end=end, counted_at=counted,
                        explanation=trace.lines, rules=trace.rules, readings=readings,
                        calendar_version=calendar.version())
