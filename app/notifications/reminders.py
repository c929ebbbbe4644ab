"""When deadline reminders fire: 7, 3 and 1 days before the last day at 9 am, and on the
morning of the last day at 8 am, court time. Pure.

The last day is the court-local date of the window's last instant (windows end exclusively,
at midnight for Rule 68 and ENE statements, or at the moment an offer's maker chose). Times
are built in the court's zone and converted to UTC, so a reminder across a change to or
from daylight saving time still comes at 9 am local.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS_BEFORE = (7, 3, 1)
REMIND_AT = time(9, 0)
LAST_DAY_AT = time(8, 0)
_INSTANT = timedelta(microseconds=1)


def last_day(due_at: datetime, court_timezone: str) -> date:
    return (due_at - _INSTANT).astimezone(ZoneInfo(court_timezone)).date()


def fire_times(due_at: datetime, court_timezone: str) -> list[datetime]:
    """The reminders' times (UTC) for a window ending at ``due_at``, earliest first; a time
    at or after the end is dropped (a window that ends before 8 am on its last day)."""
    zone = ZoneInfo(court_timezone)
    day = last_day(due_at, court_timezone)
    local = [datetime.combine(day - timedelta(days=n), REMIND_AT, zone) for n in DAYS_BEFORE]
    local.append(datetime.combine(day, LAST_DAY_AT, zone))
    return [t.astimezone(UTC) for t in local if t < due_at]
