"""Timestamps on the wire (RFC 3339 in UTC with a ``Z``) and in papers a person reads (the
court's zone, to the minute, in words)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# Abbreviations (PST, EDT) mean little to a reader without a lawyer: the US zones by name.
_ZONE_NAMES = {"PST": "Pacific Standard Time", "PDT": "Pacific Daylight Time",
               "MST": "Mountain Standard Time", "MDT": "Mountain Daylight Time",
               "CST": "Central Standard Time", "CDT": "Central Daylight Time",
               "EST": "Eastern Standard Time", "EDT": "Eastern Daylight Time",
               "AKST": "Alaska Standard Time", "AKDT": "Alaska Daylight Time",
               "HST": "Hawaii-Aleutian Standard Time", "ChST": "Chamorro Standard Time",
               "AST": "Atlantic Standard Time", "SST": "Samoa Standard Time"}


def zone_name(local: datetime) -> str:
    abbreviation = local.tzname() or ""
    return _ZONE_NAMES.get(abbreviation, abbreviation)


def court_moment(value: datetime, court_timezone: str) -> str:
    """A moment as a court paper states it, in the court's zone, to the minute:
    ``3:05 pm Pacific Standard Time, Monday, December 14, 2026``."""
    local = value.astimezone(ZoneInfo(court_timezone))
    hour = local.strftime("%I:%M %p").lstrip("0").lower()
    return f"{hour} {zone_name(local)}, {local:%A, %B} {local.day}, {local:%Y}"


def court_day(value: date) -> str:
    return f"{value:%A, %B} {value.day}, {value:%Y}"
