"""Use cases of a case room. Services enforce the rules and append audit events; the
request's transaction commits them together."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from datetime import datetime

from sqlalchemy import Select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz.permissions import PARTY_ROLES, Role
from app.authz.policy import Membership
from app.cases import court
from app.cases import repository as repo
from app.cases.schemas import (
    CaseCreate,
    CaseRead,
    CaseUpdate,
    ClaimCreate,
    ClaimRead,
    MemberRead,
    PartyCreate,
    PartyRead,
)
from app.context import CaseContext, Principal
from app.deadlines import courts as court_table
from app.errors import Invalid
from app.kernel.papers import Caption
from app.models.base import new_id
from app.models.cases import Case, Claim, ClaimDefendant, Member, Party
from app.sealing import create_case_key
from app.watermark import LEGEND_POSITIONS
from crypto.keys import KeyProvider


def _case_read(case: Case, roles: frozenset[Role] | set[Role]) -> CaseRead:
    return CaseRead(
        id=case.id, caption=case.caption, court=case.court, court_state=case.court_state,
        docket_number=case.docket_number, trial_date=case.trial_date,
        court_timezone=case.court_timezone, district=case.district, division=case.division,
        court_system=case.court_system, county=case.county,  # type: ignore[arg-type]
        legend_position=case.legend_position,  # type: ignore[arg-type]
        created_at=case.created_at,
        destroyed_at=case.destroyed_at, my_roles=sorted(roles),
    )


def create_case(
    session: Session, ctx: Principal, provider: KeyProvider, *, data: CaseCreate
) -> CaseRead:
    if data.court_system == "ca_superior":
        where = court.ca_superior(county=data.county, court_state=data.court_state,
                                  district=data.district, division=data.division,
                                  court_timezone=data.court_timezone)
    else:
        _no_county(data.county)
        where = court.resolve(court=data.court, court_state=data.court_state,
                              district=data.district, division=data.division,
                              court_timezone=data.court_timezone)
    case = Case(caption=data.caption, docket_number=data.docket_number,
                trial_date=data.trial_date, court=where.court, court_state=where.court_state,
                court_timezone=where.court_timezone, district=where.district,
                division=where.division, court_system=where.court_system,
                county=where.county, created_by=ctx.user_id)
    repo.add(session, case)
    # The case key exists before anything can be sealed under it. If the transaction
    # fails afterwards, an unused key is left in the key store: harmless.
    create_case_key(provider, case.id)
    repo.add(session, Member(case_id=case.id, user_id=ctx.user_id, role=Role.ROOM_ADMIN.value,
                             party_id=None, party_key="-"))
    record(session, ctx, "case.create", "case", case.id, case_id=case.id)
    return _case_read(case, {Role.ROOM_ADMIN})


def list_cases(session: Session, ctx: Principal, *, offset: int, limit: int) -> list[CaseRead]:
    return [case for case, _ in cases_with_memberships(session, ctx, offset=offset,
                                                       limit=limit)]


def cases_with_memberships(session: Session, ctx: Principal, *, offset: int, limit: int
                           ) -> list[tuple[CaseRead, frozenset[Membership]]]:
    """The caller's cases with its memberships in each: two queries for any number."""
    cases = repo.list_cases_for_user(session, ctx.user_id, offset=offset, limit=limit)
    memberships = repo.memberships_by_case(session, ctx.user_id, [c.id for c in cases])
    return [(_case_read(c, {m.role for m in memberships[c.id]}), memberships[c.id])
            for c in cases]


def get_case(session: Session, ctx: CaseContext) -> CaseRead:
    case = repo.get_case(session, ctx.case_id)
    assert case is not None  # the guard loaded the membership
    return _case_read(case, ctx.roles)


def update_case(session: Session, ctx: CaseContext, *, data: CaseUpdate) -> CaseRead:
    case = repo.lock_case(session, ctx.case_id)
    assert case is not None
    changes = data.model_dump(exclude_unset=True)
    for field in ("caption", "court", "court_state", "docket_number", "court_timezone"):
        if field in changes and changes[field] is None:
            raise Invalid(f"{field} cannot be empty.", code="field_required")
    if "legend_position" in changes:
        _check_legend_position(changes["legend_position"])
    where = _updated_court(case, changes)
    for field, value in changes.items():
        if field not in ("court_system", "county"):
            setattr(case, field, value)
    if where is not None:
        for field in _COURT_FIELDS:
            setattr(case, field, getattr(where, field))
    session.flush()
    record(session, ctx, "case.update", "case", case.id, {"fields": sorted(changes)})
    return _case_read(case, ctx.roles)


def _check_legend_position(value: object) -> None:
    """One of LEGEND_POSITIONS; the refusal names the choices, never echoes the value."""
    if value not in LEGEND_POSITIONS:
        raise Invalid("legend_position is one of: " + ", ".join(LEGEND_POSITIONS) + ".",
                      code="invalid_legend_position")


_COURT_FIELDS = ("court", "court_state", "court_timezone", "district", "division",
                 "court_system", "county")


def _no_county(county: str | None) -> None:
    if county is not None:
        raise Invalid("county names a California superior court: give court_system "
                      "'ca_superior' with it.", code="county_without_superior_court")


def _updated_court(case: Case, changes: dict[str, object]) -> court.Court | None:
    """The case's court after `changes`, or None when they leave it alone. A new district
    (or division) re-derives what follows from it unless the change gives that too, and
    then it must agree. A superior court case is re-derived from its county; moving a case
    between the two systems takes only what the change gives."""
    if not any(field in changes for field in _COURT_FIELDS):
        return None
    system = changes.get("court_system") or case.court_system
    switching = system != case.court_system
    if system == "ca_superior":
        county = changes["county"] if "county" in changes else case.county

        def given(field: str) -> str | None:
            return None if changes.get(field) is None else str(changes[field])

        return court.ca_superior(
            county=None if county is None else str(county), court_state=given("court_state"),
            district=given("district"), division=given("division"),
            court_timezone=given("court_timezone"))
    _no_county(changes.get("county"))  # type: ignore[arg-type]
    if switching:
        return court.resolve(
            court=changes.get("court"), court_state=changes.get("court_state"),  # type: ignore[arg-type]
            district=changes.get("district"), division=changes.get("division"),  # type: ignore[arg-type]
            court_timezone=changes.get("court_timezone"))  # type: ignore[arg-type]
    moved = "district" in changes or "division" in changes

    def value(field: str, derived: bool) -> str | None:
        if field in changes:
            given = changes[field]
        elif field == "division":
            given = None if "district" in changes else case.division
        else:
            given = None if derived and moved else getattr(case, field)
        return None if given is None else str(given)

    return court.resolve(
        court=value("court", derived=True), court_state=value("court_state", derived=True),
        district=value("district", derived=False), division=value("division", derived=False),
        court_timezone=value("court_timezone", derived=True))


def add_party(session: Session, ctx: CaseContext, *, data: PartyCreate) -> PartyRead:
    values = {"id": new_id(), "case_id": ctx.case_id, **data.model_dump()}
    repo.insert_party(session, values)
    record(session, ctx, "party.create", "party", values["id"], {"party_id": values["id"]})
    # Built from values validated by ``PartyCreate``, not validated a second time.
    return PartyRead.model_construct(**values)


def list_parties(session: Session, ctx: CaseContext, *, offset: int, limit: int) -> list[PartyRead]:
    return [PartyRead.model_validate(p)
            for p in repo.list_parties(session, ctx.case_id, offset=offset, limit=limit)]


def _require_party(session: Session, ctx: CaseContext, party_id: uuid.UUID, what: str) -> Party:
    party = repo.get_party(session, ctx.case_id, party_id)
    if party is None:
        raise Invalid(f"{what} is not a party of this case.", code="unknown_party")
    return party


def add_claim(session: Session, ctx: CaseContext, *, data: ClaimCreate) -> ClaimRead:
    _require_party(session, ctx, data.claimant_party_id, "claimant_party_id")
    defenders = list(dict.fromkeys(data.defending_party_ids))
    if len(defenders) != len(data.defending_party_ids):
        raise Invalid("defending_party_ids lists a party twice.", code="duplicate_party")
    if data.claimant_party_id in defenders:
        raise Invalid("A party cannot bring a claim against itself.", code="claim_against_self")
    for party_id in defenders:
        _require_party(session, ctx, party_id, "a defending party")
    claim = Claim(case_id=ctx.case_id, claimant_party_id=data.claimant_party_id,
                  description=data.description)
    repo.add(session, claim)
    for party_id in defenders:
        session.add(ClaimDefendant(claim_id=claim.id, party_id=party_id))
    session.flush()
    record(session, ctx, "claim.create", "claim", claim.id, {"claim_id": claim.id})
    return ClaimRead(id=claim.id, case_id=claim.case_id, claimant_party_id=claim.claimant_party_id,
                     defending_party_ids=sorted(defenders), description=claim.description)


def list_claims(session: Session, ctx: CaseContext, *, offset: int, limit: int) -> list[ClaimRead]:
    return [
        ClaimRead(id=c.id, case_id=c.case_id, claimant_party_id=c.claimant_party_id,
                  defending_party_ids=d, description=c.description)
        for c, d in repo.list_claims(session, ctx.case_id, offset=offset, limit=limit)
    ]


def member_read(m: Member, reader_parties: Collection[uuid.UUID]) -> MemberRead:
    """A seat as a member sees it; how a party handles its own clients' access to offers
    is shown only to the members of that party."""
    shown = m.role == Role.CLIENT.value and m.party_id in reader_parties
    return MemberRead(id=m.id, case_id=m.case_id, user_id=m.user_id, role=Role(m.role),
                      party_id=m.party_id, reads_offers=m.reads_offers if shown else None)


def list_members(session: Session, ctx: CaseContext, *, offset: int,
                 limit: int) -> list[MemberRead]:
    mine = ctx.parties_as(*PARTY_ROLES)
    return [member_read(m, mine)
            for m in repo.list_members(session, ctx.case_id, offset=offset, limit=limit)]


# --- lookups for other domains ------------------------------------------------------
# Other domains reach cases, parties, claims and members only through these functions.


def legend_position(session: Session, case_id: uuid.UUID) -> str:
    """Where the case's downloaded copies carry their visible legend."""
    case = repo.get_case(session, case_id)
    return case.legend_position if case is not None else LEGEND_POSITIONS[0]


def case_row(session: Session, case_id: uuid.UUID, *, lock: bool = False) -> Case | None:
    """The case row; ``lock`` takes its row lock (serialises checks across requests)."""
    return repo.lock_case(session, case_id) if lock else repo.get_case(session, case_id)


def case_rows(session: Session, case_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Case]:
    """Many cases in one query (the mail worker naming each mail's case)."""
    return repo.cases_by_id(session, case_ids)


def case_exists(session: Session, case_id: uuid.UUID) -> bool:
    return repo.case_exists(session, case_id)


def is_destroyed(session: Session, case_id: uuid.UUID) -> bool:
    return repo.is_destroyed(session, case_id)


def memberships_of(session: Session, case_id: uuid.UUID,
                   user_id: uuid.UUID) -> frozenset[Membership]:
    return repo.memberships_of(session, case_id, user_id)


def memberships_by_user(session: Session,
                        case_id: uuid.UUID) -> dict[uuid.UUID, frozenset[Membership]]:
    """Who sits in the case and how: what a notification's audience is chosen from."""
    return repo.memberships_by_user(session, case_id)


def captions_for_member(session: Session, user_id: uuid.UUID,
                        case_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str, str]]:
    """How a member's cases are named (caption, docket, court time zone), in one query;
    cases the user does not belong to (any more) are left out."""
    return repo.captions_for_member(session, user_id, case_ids)


def memberships_by_case(session: Session, user_id: uuid.UUID,
                        case_ids: list[uuid.UUID]) -> dict[uuid.UUID, frozenset[Membership]]:
    return repo.memberships_by_case(session, user_id, case_ids)


def party_row(session: Session, case_id: uuid.UUID, party_id: uuid.UUID) -> Party | None:
    return repo.get_party(session, case_id, party_id)


def party_rows(session: Session, case_id: uuid.UUID) -> list[Party]:
    return repo.list_parties(session, case_id)


def claim_rows(session: Session, case_id: uuid.UUID) -> list[tuple[Claim, list[uuid.UUID]]]:
    return repo.list_claims(session, case_id)


def count_role(session: Session, case_id: uuid.UUID, role: Role) -> int:
    return repo.count_role(session, case_id, role)


def count_party_members(session: Session, case_id: uuid.UUID, party_id: uuid.UUID,
                        role: Role) -> int:
    return repo.count_party_role(session, case_id, party_id, role)


def earliest_per_case(session: Session, parts: Mapping[str, Select[tuple[uuid.UUID, datetime]]]
                      ) -> list[tuple[uuid.UUID, str, datetime]]:
    """Run content-free ``(case id, time)`` statements of several domains as ONE statement;
    cases whose keys were destroyed are left out."""
    return repo.earliest_per_case(session, parts)


def caption_of(case: Case | CaseRead) -> Caption:
    """The caption block of a paper of the case: the court by its formal name when the
    district is known, else as the case names it."""
    name = case.court or "United States District Court"
    if case.district:
        try:
            name = court_table.find_district(case.district).formal_name
        except court_table.CourtInputError:
            pass  # a district id no longer in the table: the case's own words stand
    return Caption(court=name, title=case.caption, docket_number=case.docket_number)
