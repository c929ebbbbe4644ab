"""Pure rules of ENE sessions: channel names and the written-statement due date.

No database, no clock: ``now`` and the court's calendar are parameters.

Invariants:
- a channel is ``joint`` or ``caucus:<party uuid>``; anything else is refused;
- "N days before the session" is a backward period under FRCP 6(a): the session's local
  day (court time zone) is excluded, and a weekend or legal holiday at the end moves the
  due date *earlier* (FRCP 6(a)(5)); the statement is due by the end of that day, court
  time (FRCP 6(a)(4)(A));
- a statement is late iff it arrives at or after that instant.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo

from app.deadlines.rules import MIN_YEAR, DeadlineInputError, compute_deadline

JOINT: Final = "joint"
CAUCUS_PREFIX: Final = "caucus:"
DEFAULT_DAYS_BEFORE: Final = 7  # N.D. Cal. ADR L.R. 5-8: statements 7 days before the ENE


class EneRuleError(ValueError):
    """Input the ENE rules cannot work with; ``code`` is the stable problem code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def parse_channel(channel: str) -> uuid.UUID | None:
    """``joint`` -> None; ``caucus:<party_id>`` -> the party id."""
    if channel == JOINT:
        return None
    if channel.startswith(CAUCUS_PREFIX):
        try:
            return uuid.UUID(channel[len(CAUCUS_PREFIX):])
        except ValueError:
            pass
    raise EneRuleError("invalid_channel", "channel must be 'joint' or 'caucus:<party_id>'.")


def channel_name(home: uuid.UUID | None) -> str:
    return JOINT if home is None else f"{CAUCUS_PREFIX}{home}"


@dataclass(frozen=True)
class StatementDue:
    date: dt.date
    ends_at: dt.datetime  # first instant after the due date, UTC
    days_before: int | None


def _end_of_day(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return midnight.astimezone(dt.UTC)


def statement_due(
    scheduled_at: dt.datetime, *, due_date: dt.date | None, days_before: int | None,
    court_state: str, court_timezone: str, district: str | None = None,
    extra_holidays: Collection[dt.date] = (), inaccessible_days: Collection[dt.date] = (),
) -> StatementDue:
    """The due date of written statements, given as a date or as N days before the session."""
    zone = ZoneInfo(court_timezone)
    session_day = scheduled_at.astimezone(zone).date()
    if due_date is not None:
        if due_date > session_day:
            raise EneRuleError("statement_due_after_session",
                               "Statements cannot be due after the session day.")
        if due_date.year <= MIN_YEAR:
            raise EneRuleError("invalid_statement_due", "The due date is out of range.")
        return StatementDue(due_date, _end_of_day(due_date, zone), None)
    days = DEFAULT_DAYS_BEFORE if days_before is None else days_before
    try:
        deadline = compute_deadline(session_day, days, "before", court_state=court_state,
                                    court_timezone=court_timezone, district=district,
                                    extra_holidays=extra_holidays,
                                    inaccessible_days=inaccessible_days)
    except DeadlineInputError as exc:
        raise EneRuleError("invalid_statement_due", str(exc)) from None
    return StatementDue(deadline.date, deadline.ends_at, days)


def is_late(submitted_at: dt.datetime, due_ends_at: dt.datetime) -> bool:
    return submitted_at >= due_ends_at
