"""The court pickers of the web forms: the 94 districts by name and, for the districts
whose courthouses sit in two time zones, a closed list of their divisions.

Invariant: no form offers a free-text time zone. The zone follows from the district (or
from the division, where the district spans zones); the service derives it and refuses a
division that is not the chosen district's (422 `unknown_division`), so the page never
guesses a zone and never defaults one away from the court.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from app.deadlines import service as deadlines
from app.errors import Invalid

# A division option's value names its district too ("txwd/El Paso"): two districts share
# division names ("Northern" in D. Idaho and D.S.D.), and one closed list serves them all.
SEPARATOR = "/"


@dataclass(frozen=True)
class DistrictChoice:
    id: str
    label: str


@dataclass(frozen=True)
class DivisionGroup:
    district: str
    label: str
    options: tuple[tuple[str, str], ...]  # (value, label)


@lru_cache(maxsize=1)
def districts() -> tuple[DistrictChoice, ...]:
    """Every district, by state then name: "N.D. Cal. (California)"."""
    return tuple(DistrictChoice(c.id, f"{c.name} ({c.state_name})")
                 for c in deadlines.list_courts().courts)


@lru_cache(maxsize=1)
def division_groups() -> tuple[DivisionGroup, ...]:
    """The divisions of each district that keeps more than one zone, with the zone."""
    return tuple(
        DivisionGroup(c.id, c.name, tuple(
            (f"{c.id}{SEPARATOR}{d.name}", f"{d.name} Division ({d.timezone})")
            for d in c.divisions))
        for c in deadlines.list_courts().courts if len(c.timezones) > 1)


def division_value(district: str | None, division: str | None) -> str:
    """The option a form preselects for a case's division."""
    return f"{district}{SEPARATOR}{division}" if district and division else ""


def division_for(district: str, chosen: str) -> str | None:
    """The division name the service takes from a picked option, or None for none.

    An option of another district is refused rather than silently re-read as a division
    of the chosen one (the zone would be that other district's)."""
    if not chosen.strip():
        return None
    owner, sep, name = chosen.partition(SEPARATOR)
    if not sep:
        return chosen.strip()
    if owner.strip().lower() != district.strip().lower():
        raise Invalid("The division picked is not one of the chosen district's.",
                      code="unknown_division")
    return name.strip() or None
