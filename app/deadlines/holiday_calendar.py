"""The curated legal-holiday calendar of FRCP 6(a)(6), read from `data/calendar.json`.

Pure: no clock, no database, no network. The data file is versioned with the code and
every entry carries its citation, so a package upgrade can never change a legal answer;
changing the file is a reviewed change (a test pins its SHA-256).

Invariants:
- federal holidays are the 5 U.S.C. 6103(a) list on their 6103(b) observed days (a
  Saturday holiday on the Friday before, a Sunday one on the Monday after, across the
  new year too);
- Inauguration Day (6103(c)) is a holiday only in the districts the data names; where
  6103(c) covers part of a district only, the day is *unsettled*, never silently kept
  or dropped;
- a state holiday its courts do not observe, a county-only holiday, a day the statute
  may make only a day of observance (`"unsettled": true`, with the reason in `note`) and
  a weekend day whose moved observance is left to a court body or not fixed by the
  statute are *unsettled* too; the caller
  decides what an unsettled day means (the deadline engine computes both readings);
- a state with no curated entry has no state holidays here: `covers_state` says so, so
  that the caller can say so instead of guessing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

DATA_FILE: Final = Path(__file__).parent / "data" / "calendar.json"
_WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ONE_DAY: Final = dt.timedelta(days=1)


@dataclass(frozen=True)
class Holiday:
    """One day off: `unsettled` is None when the law is clear, else why it is not."""

    name: str
    citation: str
    unsettled: str | None = None


@dataclass(frozen=True)
class Closure:
    """A day closed by executive order (FRCP 6(a)(6)(B)), from the curated list."""

    date: dt.date
    reason: str
    citation: str
    unsettled: str | None = None
    """Why the closure may not make the day a legal holiday (a half-day closure), or None."""


@lru_cache(maxsize=1)
def _raw() -> bytes:
    return DATA_FILE.read_bytes()


@lru_cache(maxsize=1)
def _data() -> Mapping[str, Any]:
    loaded: dict[str, Any] = json.loads(_raw())
    return loaded


def version() -> str:
    return str(_data()["version"])


def data_sha256() -> str:
    return hashlib.sha256(_raw()).hexdigest()


def covered_states() -> frozenset[str]:
    return frozenset(_data()["states"])


def covers_state(state: str) -> bool:
    return state in _data()["states"]


def state_citation(state: str) -> str:
    return str(_data()["states"][state]["citation"])


# --- date rules ---------------------------------------------------------------------


def _easter(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date:
    if nth > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    last = following - _ONE_DAY
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _in_force(entry: Mapping[str, Any], year: int) -> bool:
    if year < int(entry.get("from", 0)) or year > int(entry.get("until", 9999)):
        return False
    parity = entry.get("year_parity")
    return parity is None or (year % 2 == 0) == (parity == "even")


def _nominal(entry: Mapping[str, Any], year: int) -> dt.date | None:
    """The day the statute names in `year` (before any weekend rule), or None."""
    if not _in_force(entry, year):
        return None
    if "dates" in entry:
        days = [dt.date.fromisoformat(d) for d in entry["dates"]]
        return next((d for d in days if d.year == year), None)
    if "easter_offset" in entry:
        return _easter(year) + dt.timedelta(days=int(entry["easter_offset"]))
    month = int(entry["month"])
    if "weekday" in entry:
        day = _nth_weekday(year, month, _WEEKDAYS.index(entry["weekday"]), int(entry["nth"]))
    else:
        day = dt.date(year, month, int(entry["day"]))
    return day + dt.timedelta(days=int(entry.get("offset_days", 0)))


def _observed(day: dt.date, entry: Mapping[str, Any],
              observance: Mapping[str, Any]) -> tuple[dt.date, str | None] | None:
    """Where a holiday on `day` is kept and why that is unsettled, or None if not kept.

    A weekday holiday stays where it is; a weekend one moves per the entry or the
    jurisdiction's rule: "friday"/"monday" move it, "none" leaves it on the weekend
    (where it changes nothing), "unsettled" moves it but marks the moved day unsettled.
    """
    weekday = day.weekday()
    if weekday < 5:
        return day, None
    key = "saturday" if weekday == 5 else "sunday"
    rule = str(entry.get(key, observance[key]))
    if rule == "none":
        return None
    moved = day - _ONE_DAY if weekday == 5 else day + _ONE_DAY
    if rule == "unsettled":
        return moved, f"{observance['citation']}: whether the {key} holiday moves is not fixed"
    return moved, None


def _entry_days(entries: list[Mapping[str, Any]], observance: Mapping[str, Any], year: int,
                default_citation: str) -> dict[dt.date, Holiday]:
    days: dict[dt.date, Holiday] = {}
    for entry in entries:
        for nominal_year in (year - 1, year, year + 1):
            nominal = _nominal(entry, nominal_year)
            if nominal is None:
                continue
            kept = _observed(nominal, entry, observance)
            if kept is None or kept[0].year != year:
                continue
            day, moved_why = kept
            name = str(entry["name"]) + (", observed" if day != nominal else "")
            why = _entry_unsettled(entry) or moved_why
            citation = str(entry.get("citation", default_citation))
            if day != nominal and key_citation(entry, nominal):
                citation = f"{citation}; {key_citation(entry, nominal)}"
            previous = days.get(day)
            # A settled holiday wins over an unsettled one on the same day.
            if previous is None or (previous.unsettled is not None and why is None):
                days[day] = Holiday(name=name, citation=citation, unsettled=why)
    return days


def key_citation(entry: Mapping[str, Any], nominal: dt.date) -> str | None:
    key = "saturday_citation" if nominal.weekday() == 5 else "sunday_citation"
    value = entry.get(key)
    return None if value is None else str(value)


def _entry_unsettled(entry: Mapping[str, Any]) -> str | None:
    # An explicit "unsettled" marks a day whose status as a legal holiday is itself in
    # doubt: guessing either way would give one reader a wrong deadline.
    settled = entry.get("courts_observe", True) and not entry.get("unsettled", False)
    if settled and "scope" not in entry:
        return None
    return str(entry.get("note", "its courts do not observe it"))


# --- public lookups -------------------------------------------------------------------


@lru_cache(maxsize=512)
def federal_holidays(year: int) -> Mapping[dt.date, Holiday]:
    """5 U.S.C. 6103(a) holidays of `year` on their 6103(b) observed days."""
    federal = _data()["federal"]
    days = _entry_days(federal["holidays"], federal["observance"], year, federal["citation"])
    return MappingProxyType(days)


def _inauguration_date(year: int) -> dt.date | None:
    if year < 1969 or (year - 1965) % 4 != 0:
        return None
    day = dt.date(year, 1, 20)
    return day + _ONE_DAY if day.weekday() == 6 else day


def inauguration_day(year: int, district: str | None) -> tuple[dt.date, Holiday] | None:
    """Inauguration Day of `year` for a court in `district`, or None where it is no holiday.

    A holiday (settled) in the districts 6103(c) covers whole; unsettled where it covers
    only some counties of the district; nothing elsewhere (and with no district given).
    """
    day = _inauguration_date(year)
    if day is None or district is None:
        return None
    rule = _data()["inauguration_day"]
    if district in rule["districts"]:
        return day, Holiday(name=rule["name"], citation=rule["citation"])
    why = rule["unsettled_districts"].get(district)
    if why is None:
        return None
    return day, Holiday(name=rule["name"], citation=rule["citation"], unsettled=str(why))


@lru_cache(maxsize=1)
def closures() -> Mapping[dt.date, Closure]:
    """Executive-order closures of federal offices (FRCP 6(a)(6)(B)), by date; one whose
    effect is unsettled (a half-day closure) carries why, and the engine reads it both ways."""
    found = {}
    for entry in _data()["closures"]:
        day = dt.date.fromisoformat(entry["date"])
        why = entry.get("unsettled")
        found[day] = Closure(date=day, reason=str(entry["reason"]), citation=str(entry["citation"]),
                             unsettled=None if why is None else str(why))
    return MappingProxyType(found)


@lru_cache(maxsize=1024)
def state_holidays(state: str, year: int) -> Mapping[dt.date, Holiday]:
    """The curated legal holidays of `state` in `year` (empty for a state not covered)."""
    entry = _data()["states"].get(state)
    if entry is None:
        return MappingProxyType({})
    days = _entry_days(entry["holidays"], entry["observance"], year, entry["citation"])
    return MappingProxyType(days)


def not_holidays(state: str) -> list[tuple[str, str]]:
    """Days often mistaken for legal holidays of `state`, with why they are not."""
    entry = _data()["states"].get(state)
    if entry is None:
        return []
    return [(str(n["name"]), str(n["why"])) for n in entry["not_holidays"]]
