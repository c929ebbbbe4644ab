"""Which court a case is in: district, division, state and time zone, made to agree.

The district table (`app.deadlines.courts`) is the source of truth. Invariants:
- a case's time zone is its court's: derived from the district (or, for a district
  whose courthouses sit in two zones, from the division), or, for a case created the
  old way with only a state, the one zone of that state's courts; never a default from
  elsewhere (a California case used to close acceptance at 9 pm Pacific);
- a value the client gives explicitly is kept only when it agrees with the district;
- every refusal is a 422 with a stable code, never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.deadlines import courts
from app.errors import Invalid


@dataclass(frozen=True)
class Court:
    court: str
    court_state: str
    court_timezone: str
    district: str | None
    division: str | None
    court_system: str = "federal"
    county: str | None = None


CA_TIMEZONE = "America/Los_Angeles"
# The 58 counties of California, each with one superior court (Cal. Const. art. VI, sec. 4).
CA_COUNTIES = frozenset({
    "Alameda", "Alpine", "Amador", "Butte", "Calaveras", "Colusa", "Contra Costa",
    "Del Norte", "El Dorado", "Fresno", "Glenn", "Humboldt", "Imperial", "Inyo", "Kern",
    "Kings", "Lake", "Lassen", "Los Angeles", "Madera", "Marin", "Mariposa", "Mendocino",
    "Merced", "Modoc", "Mono", "Monterey", "Napa", "Nevada", "Orange", "Placer", "Plumas",
    "Riverside", "Sacramento", "San Benito", "San Bernardino", "San Diego", "San Francisco",
    "San Joaquin", "San Luis Obispo", "San Mateo", "Santa Barbara", "Santa Clara",
    "Santa Cruz", "Shasta", "Sierra", "Siskiyou", "Solano", "Sonoma", "Stanislaus",
    "Sutter", "Tehama", "Trinity", "Tulare", "Tuolumne", "Ventura", "Yolo", "Yuba",
})


def ca_superior(*, county: str | None, court_state: str | None, district: str | None,
                division: str | None, court_timezone: str | None) -> Court:
    """A California superior court, named by its county: the state is CA, the zone Pacific,
    no district or division; a value given explicitly must agree (422 otherwise)."""
    if county is None:
        raise Invalid("county is required for a California superior court case.",
                      code="county_required")
    match = next((c for c in CA_COUNTIES if c.lower() == county.strip().lower()), None)
    if match is None:
        raise Invalid("county is not one of the 58 counties of California.",
                      code="unknown_county")
    if district is not None or division is not None:
        raise Invalid("district and division name federal courts; a superior court case "
                      "names its county.", code="district_not_for_state_court")
    if court_state not in (None, "CA"):
        raise Invalid("A California superior court is in CA.", code="court_state_mismatch")
    if court_timezone not in (None, CA_TIMEZONE):
        raise Invalid(f"The California courts keep {CA_TIMEZONE} time.",
                      code="court_timezone_mismatch")
    return Court(court=f"Superior Court of California, County of {match}", court_state="CA",
                 court_timezone=CA_TIMEZONE, district=None, division=None,
                 court_system="ca_superior", county=match)


def _refuse(exc: courts.CourtInputError) -> Invalid:
    return Invalid(str(exc), code=exc.code)


def resolve(*, court: str | None, court_state: str | None, district: str | None,
            division: str | None, court_timezone: str | None) -> Court:
    """The agreed court of a case from what the client sent (see the invariants)."""
    if district is not None:
        return _from_district(court, court_state, district, division, court_timezone)
    if division is not None:
        raise Invalid("division needs district.", code="division_without_district")
    if court_state is None:
        raise Invalid("Give district (a CM/ECF court id such as 'cand'), or court_state.",
                      code="field_required")
    only = courts.state_districts(court_state)
    if len(only) == 1:  # one district in the state: the state names it
        return _from_district(court, court_state, only[0].id, None, court_timezone)
    if court is None:
        raise Invalid("court is required when no district is given.", code="field_required")
    zones = courts.state_timezones(court_state)
    if court_timezone is None:
        if len(zones) != 1:
            raise Invalid(
                f"{court_state} has courts in more than one time zone "
                f"({', '.join(sorted(zones))}): give district and division, or court_timezone.",
                code="court_timezone_required")
        court_timezone = next(iter(zones))
    elif court_timezone not in zones:
        raise Invalid(
            f"court_timezone {court_timezone} is not the time zone of the federal courts in "
            f"{court_state} ({', '.join(sorted(zones))}).", code="court_timezone_mismatch")
    return Court(court=court, court_state=court_state, court_timezone=court_timezone,
                 district=None, division=None)


def _from_district(court: str | None, court_state: str | None, district_id: str,
                   division: str | None, court_timezone: str | None) -> Court:
    try:
        district = courts.find_district(district_id)
        zone = courts.district_timezone(district, division)
        division = courts.division_name(district, division)
    except courts.CourtInputError as exc:
        raise _refuse(exc) from None
    if court_state is not None and court_state != district.state:
        raise Invalid(f"court_state {court_state} does not match {district.name}, which is in "
                      f"{district.state}.", code="court_state_mismatch")
    if court_timezone is not None and court_timezone != zone:
        raise Invalid(f"court_timezone {court_timezone} does not match {district.name}"
                      f"{', ' + division + ' Division' if division else ''}, which keeps "
                      f"{zone} time.", code="court_timezone_mismatch")
    return Court(court=court or district.name, court_state=district.state, court_timezone=zone,
                 district=district.id, division=division)
