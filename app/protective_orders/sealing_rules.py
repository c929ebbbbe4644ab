"""The rule that governs filing designated material under seal, by district. Pure.

A draft that quotes designated material is filed under seal (or the material redacted)
under the local rule of the court; the filing check names that rule. Districts whose own
local rule is listed here are named by it; for any other district the check names the
district's local rules on sealed filings together with Fed. R. Civ. P. 5.2(d) and the
protective order, rather than guess a rule number. A case created before districts were
recorded is matched by its court name ("N.D. Cal.").
"""

from __future__ import annotations

from app.deadlines import courts

# CM/ECF court id -> the local rule on filing under seal.
SEALING_RULES: dict[str, str] = {
    "cand": "N.D. Cal. Civ. L.R. 79-5",
    "caed": "E.D. Cal. L.R. 141",
    "casd": "S.D. Cal. CivLR 79.2",
    "cacd": "C.D. Cal. L.R. 79-5",
    "azd": "D. Ariz. LRCiv 5.6",
    "cod": "D. Colo. L. Civ. R. 7.2",
    "dcd": "D.D.C. LCvR 5.1(h)",
    "ded": "D. Del. LR 5.1.3",
    "flmd": "M.D. Fla. Local Rule 1.11",
    "flsd": "S.D. Fla. L.R. 5.4",
    "ilnd": "N.D. Ill. LR 26.2",
    "mad": "D. Mass. L.R. 7.2",
    "mied": "E.D. Mich. LR 5.3",
    "mnd": "D. Minn. LR 5.6",
    "njd": "D.N.J. L. Civ. R. 5.3",
    "nvd": "D. Nev. LR IA 10-5",
    "paed": "E.D. Pa. Local Civil Rule 5.1.5",
    "utd": "D. Utah DUCivR 5-3",
    "vaed": "E.D. Va. Local Civil Rule 5",
    "wawd": "W.D. Wash. LCR 5(g)",
}
GENERIC = "Fed. R. Civ. P. 5.2(d) and the protective order"
NEVER_FILED = {
    "offer": "FRE 408: settlement offers and their terms are not filed",
    "ene": "ADR confidentiality: ENE statements and communications are not filed",
}


def district_of(district: str | None, court: str | None) -> str | None:
    """The case's CM/ECF district id, from the recorded id or else the court's name."""
    if district is not None:
        return district
    if court is None:
        return None
    wanted = court.replace(" ", "").casefold()
    for d in courts.districts():
        if d.name.replace(" ", "").casefold() == wanted:
            return d.id
    return None


def sealing_rule(district: str | None, court: str | None = None) -> str:
    """The rule a finding names for a case in ``district`` (or, lacking it, ``court``)."""
    found = district_of(district, court)
    if found is None:
        return GENERIC
    if found in SEALING_RULES:
        return SEALING_RULES[found]
    try:
        name = courts.find_district(found).name
    except courts.CourtInputError:
        name = found
    return f"{name} local rules on sealed filings; {GENERIC}"
