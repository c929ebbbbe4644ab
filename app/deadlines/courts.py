"""The 94 federal judicial districts, by CM/ECF court id, read from `data/courts.json`.

Pure: no database, no clock. A district gives a case its state (whose legal holidays
count under FRCP 6(a)(6)(C)) and its time zone (where the last day ends, FRCP
6(a)(4)(A)). A district whose courthouses sit in two time zones lists its divisions;
its time zone is then the division's, never a guess.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final
from zoneinfo import available_timezones

DATA_FILE: Final = Path(__file__).parent / "data" / "courts.json"


class CourtInputError(ValueError):
    """A district, division, state or time zone that does not fit the table.

    `code` is the stable machine word the HTTP layer answers with.
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Division:
    name: str
    timezone: str


@dataclass(frozen=True)
class District:
    id: str
    name: str
    state: str
    state_name: str
    timezones: tuple[str, ...]
    divisions: tuple[Division, ...]

    @property
    def needs_division(self) -> bool:
        return len(self.timezones) > 1

    @property
    def formal_name(self) -> str:
        """As a caption names the court: "United States District Court for the Northern
        District of California"; a single-district state's court is "for the District of"."""
        word = _REGIONS.get(self.name.split(" ")[0])
        place = self.state_name if self.state_name.startswith("District of") else (
            f"District of {self.state_name}")
        return "United States District Court for the " + (
            f"{word} {place}" if word else place)


_REGIONS = {"N.D.": "Northern", "S.D.": "Southern", "E.D.": "Eastern", "W.D.": "Western",
            "M.D.": "Middle", "C.D.": "Central"}


@lru_cache(maxsize=1)
def _table() -> Mapping[str, District]:
    raw: dict[str, Any] = json.loads(DATA_FILE.read_bytes())
    table = {}
    for row in raw["districts"]:
        table[row["id"]] = District(
            id=row["id"], name=row["name"], state=row["state"], state_name=row["state_name"],
            timezones=tuple(row["timezones"]),
            divisions=tuple(Division(d["name"], d["timezone"]) for d in row["divisions"]))
    return MappingProxyType(table)


def districts() -> list[District]:
    return sorted(_table().values(), key=lambda d: (d.state, d.id))


def find_district(court_id: str) -> District:
    district = _table().get(court_id.strip().lower()) if isinstance(court_id, str) else None
    if district is None:
        raise CourtInputError(
            f"unknown district {court_id!r}: expected a CM/ECF court id such as 'cand' or "
            "'nysd' (GET /courts lists them)", "unknown_district")
    return district


def states() -> frozenset[str]:
    """The states and territories that have a federal district court."""
    return frozenset(d.state for d in _table().values())


def state_districts(state: str) -> list[District]:
    return [d for d in districts() if d.state == state]


def state_timezones(state: str) -> frozenset[str]:
    return frozenset(z for d in state_districts(state) for z in d.timezones)


@lru_cache(maxsize=1)
def _iana_names() -> frozenset[str]:
    return frozenset(available_timezones())


def check_timezone(name: object) -> str:
    """An IANA zone name such as 'America/Chicago'; anything else (free text such as
    'Pacific', a directory, a path) raises CourtInputError `invalid_timezone`."""
    if not isinstance(name, str) or name not in _iana_names():
        raise CourtInputError(
            f"unknown time zone {name!r}: expected an IANA name such as 'America/Los_Angeles'",
            "invalid_timezone")
    return name


def district_timezone(district: District, division: str | None) -> str:
    """The zone where `district` (in `division`, when given) keeps its time.

    A two-zone district without a division raises `division_required`; a division the
    district does not have raises `unknown_division`.
    """
    if division is not None:
        for candidate in district.divisions:
            if candidate.name.lower() == division.strip().lower():
                return candidate.timezone
        known = ", ".join(d.name for d in district.divisions) or "none"
        raise CourtInputError(
            f"{district.name} has no division {division!r} (divisions: {known})",
            "unknown_division")
    if district.needs_division:
        names = ", ".join(d.name for d in district.divisions)
        raise CourtInputError(
            f"{district.name} sits in more than one time zone: give its division ({names})",
            "division_required")
    return district.timezones[0]


def division_name(district: District, division: str | None) -> str | None:
    """The division's spelling from the table (case-insensitive match), or None."""
    if division is None:
        return None
    district_timezone(district, division)  # raises for an unknown division
    return next(d.name for d in district.divisions
                if d.name.lower() == division.strip().lower())
