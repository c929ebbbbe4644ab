"""Reads of seats for the account itself: the invitations addressed to it.

Threat: an account reading invitations meant for another address. The list is selected by
the caller's own address (as the account holds it, normalised as invitations store it),
never by a parameter; a destroyed room's invitations are left out, as its link shows
nothing. An account's address stands for its owner: accounts are made by the platform
admin, or by accepting an invitation whose link proved the address; there is no self
sign-up.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.auth import service as auth_service
from app.authz.words import role_words
from app.cases import service as case_service
from app.context import Principal
from app.seats import repository as repo
from app.seats.schemas import MyInvitationRead


def normalise_email(email: str) -> str:
    return email.strip().lower()


def my_invitations(session: Session, principal: Principal, *,
                   now: datetime) -> list[MyInvitationRead]:
    rows = repo.pending_for_email(session, normalise_email(principal.email), now)
    cases = case_service.case_rows(session, {row.case_id for row in rows})
    inviters = auth_service.user_rows(session, {row.invited_by for row in rows})
    found = []
    for row in rows:
        case = cases.get(row.case_id)
        if case is None or case.destroyed_at is not None:
            continue
        party = (case_service.party_row(session, row.case_id, row.party_id)
                 if row.party_id is not None else None)
        inviter = inviters.get(row.invited_by)
        found.append(MyInvitationRead(
            id=row.id, case_id=row.case_id, case_caption=case.caption,
            docket_number=case.docket_number, court=case.court, role=row.role,
            role_words=role_words(row.role), party_id=row.party_id,
            party_name=party.name if party is not None else None,
            inviter_name=inviter.name if inviter is not None else "a former member",
            created_at=row.created_at, expires_at=row.expires_at))
    return found
