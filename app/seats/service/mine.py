"""Answering an invitation from the account's own list ("my invitations"), without its link.

Threat: an account answering an invitation sent to another address. The invitation is
found by id and answered only when its address is the caller's own; anything else is
answered like an unknown id (404, audited). Everything else is the link's acceptance or
refusal (``respond.accept_found``, ``respond.decline_found``): the row locked first, every
seat rule checked again, the seat and the new state committed together.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.context import Principal
from app.errors import NotFound
from app.models.seats import Invitation
from app.refusals import refuse
from app.runtime import Services
from app.seats import repository as repo
from app.seats.reads import normalise_email
from app.seats.schemas import InvitationAccept, InvitationDeclined, SeatRead
from app.seats.service.respond import accept_found, decline_found


def _mine(session: Session, principal: Principal, invitation_id: uuid.UUID,
          action: str) -> Invitation:
    row = repo.lock_invitation(session, invitation_id)
    if row is None or row.email != normalise_email(principal.email):
        refuse(session, principal, action, "invitation", invitation_id, NotFound(
            "No such invitation.", code="invitation_not_found"))
    return row


def accept_mine(session: Session, principal: Principal, svc: Services, *,
                invitation_id: uuid.UUID) -> SeatRead:
    row = _mine(session, principal, invitation_id, "invitation.accept")
    return accept_found(session, svc, row, principal=principal, data=InvitationAccept(),
                        client_address=principal.client_address)


def decline_mine(session: Session, principal: Principal, svc: Services, *,
                 invitation_id: uuid.UUID) -> InvitationDeclined:
    row = _mine(session, principal, invitation_id, "invitation.decline")
    return decline_found(session, svc, row, actor=principal)
