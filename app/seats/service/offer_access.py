"""Whether a client seat reads its party's offers in the room.

ABA Model Rule 4.2 routes the other side's communications to a represented party through
its lawyer; what the lawyer then shows the client is between them. So a party's own counsel
(or the party acting for itself) decides, per client seat, whether the client reads the
party's settlement offers and Rule 68 offers directly; the choice lives on the seat and
``app.authz.policy_negotiation`` applies it to every list, read and notice of an offer.

Threats: the other side, or the room admin as such, cutting a client off from (or opening
to it) its own party's offers; a client widening its own access. Each is refused (403,
audited) by ``policy_seats.may_set_offer_access``. The audit event names ids and the
setting, nothing of any offer.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz.policy_seats import may_set_offer_access
from app.cases import service as case_service
from app.context import CaseContext
from app.errors import NotFound
from app.refusals import refuse, refuse_unless
from app.seats import repository as repo
from app.seats.schemas import OfferAccessRead, OfferAccessWrite
from app.seats.service.rules import seat, seat_details

ACTION = "member.offer_access"


def set_offer_access(session: Session, ctx: CaseContext, *, member_id: uuid.UUID,
                     data: OfferAccessWrite) -> OfferAccessRead:
    case_service.case_row(session, ctx.case_id, lock=True)  # serialise seat changes
    member = repo.get_member(session, ctx.case_id, member_id)
    if member is None:
        refuse(session, ctx, ACTION, "member", member_id,
               NotFound("No such member.", code="member_not_found"))
    held = seat(member.role, member.party_id)
    details = seat_details(held, user_id=member.user_id, member_id=member_id)
    refuse_unless(session, ctx, ACTION, "member", member_id,
                  may_set_offer_access(ctx.user_id, ctx.memberships, member.user_id, held),
                  details=details)
    if member.reads_offers != data.reads_offers:
        member.reads_offers = data.reads_offers
        session.flush()
    record(session, ctx, ACTION, "member", member_id,
           {**details, "status": "reads_offers" if data.reads_offers else "offers_withheld"})
    assert member.party_id is not None  # a client seat: the policy allowed it
    return OfferAccessRead(member_id=member.id, user_id=member.user_id,
                           party_id=member.party_id, reads_offers=member.reads_offers)
