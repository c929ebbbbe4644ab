"""What the seat rules need from the case, loaded for ``app.authz.policy_seats``."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from app.authz.permissions import SPEAKING_ROLES, Role
from app.authz.policy import Denial, validate_member_role, validate_party_role
from app.authz.policy_seats import Seat, adverse_pairs
from app.cases import service as case_service
from app.context import Actor
from app.models.cases import Party
from app.refusals import refuse, refuse_unless


def party_key(party_id: uuid.UUID | None) -> str:
    return str(party_id) if party_id else "-"


def check_seat_shape(session: Session, actor: Actor, case_id: uuid.UUID, seat: Seat,
                     action: str, object_id: uuid.UUID | None = None) -> Party | None:
    """The seat exists in this case: the role takes (or forbids) a party, the party is the
    case's, and a represented party has counsel where an unrepresented one acts pro se."""
    details: dict[str, Any] = {"role": seat.role.value, "party_id": seat.party_id}
    refuse_unless(session, actor, action, "case", case_id,
                  validate_member_role(seat.role, seat.party_id), details=details,
                  case_id=case_id)
    if seat.party_id is None:
        return None
    party = case_service.party_row(session, case_id, seat.party_id)
    if party is None:
        refuse(session, actor, action, "case", case_id, Denial.invalid(
            "unknown_party", "party_id is not a party of this case."), details=details,
            case_id=case_id)
    decision = validate_party_role(seat.role, party.represented)
    if not decision:  # the seat does not exist in this case: invalid input, not a refusal
        refuse(session, actor, action, "case", case_id,
               Denial.invalid(decision.code, decision.detail), details=details,
               case_id=case_id)
    return party


def party_has_speaker(session: Session, case_id: uuid.UUID, party_id: uuid.UUID | None) -> bool:
    if party_id is None:
        return False
    return any(case_service.count_party_members(session, case_id, party_id, role) > 0
               for role in SPEAKING_ROLES)


def adverse(session: Session, case_id: uuid.UUID) -> frozenset[frozenset[uuid.UUID]]:
    sides = {p.id: p.side for p in case_service.party_rows(session, case_id)}
    claims = [(c.claimant_party_id, defenders)
              for c, defenders in case_service.claim_rows(session, case_id)]
    return adverse_pairs(sides, claims)


def seat_details(seat: Seat, **more: Any) -> dict[str, Any]:
    return {"role": seat.role.value, "party_id": seat.party_id, **more}


def seat(role: Role | str, party_id: uuid.UUID | None) -> Seat:
    return Seat(Role(role), party_id)
