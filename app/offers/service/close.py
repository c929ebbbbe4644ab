"""Use cases: reject (the recipient) or withdraw (the maker) an open settlement offer.

One terminal transition under the row lock, refused unless the offer is still open."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz.policy import Decision
from app.authz.policy_negotiation import may_respond_offer, may_withdraw_offer
from app.context import CaseContext
from app.offers.reads import (
    OBJECT,
    facts,
    load_visible,
    require_open,
    to_read,
)
from app.offers.schemas import OfferRead
from app.offers.service.notices import tell
from app.refusals import refuse_unless
from app.runtime import Services


def _close_offer(session: Session, ctx: CaseContext, svc: Services, offer_id: uuid.UUID, *,
                 action: str, status: str, may: Callable[..., Decision],
                 by_offeror: bool) -> OfferRead:
    """One terminal transition by one side: under the row lock, refused unless still open."""
    offer = load_visible(session, ctx, offer_id, action, lock=True)
    refuse_unless(session, ctx, action, OBJECT, offer.id, may(ctx.memberships, facts(offer)))
    require_open(session, ctx, svc, action, offer)
    offer.status, offer.closed_at, offer.closed_by = status, svc.now(), ctx.user_id
    session.flush()
    party = offer.from_party_id if by_offeror else offer.to_party_id
    record(session, ctx, action, "settlement_offer", offer.id,
           {"offer_id": offer.id, "status": status}, party_id=party)
    tell(session, ctx, svc, offer, f"offer.{status}", acting_party=party)
    return to_read(session, svc, offer)


def reject_offer(session: Session, ctx: CaseContext, *, svc: Services,
                 offer_id: uuid.UUID) -> OfferRead:
    return _close_offer(session, ctx, svc, offer_id, action="offer.reject", status="rejected",
                        may=may_respond_offer, by_offeror=False)


def withdraw_offer(session: Session, ctx: CaseContext, *, svc: Services,
                   offer_id: uuid.UUID) -> OfferRead:
    return _close_offer(session, ctx, svc, offer_id, action="offer.withdraw",
                        status="withdrawn", may=may_withdraw_offer, by_offeror=True)
