"""Who is told of an offer's moves: everyone who may see the offer (the same policy that
guards reading it, so a co-defendant, a client of an AEO offer, the auditor or a neutral
the offer was not shared with hears nothing), but the side that moved, which knows."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.authz.policy_negotiation import may_see_offer
from app.context import CaseContext
from app.models.offers import SettlementOffer
from app.notifications import service as notifications
from app.offers.reads import OBJECT, facts
from app.runtime import Services

# Kinds whose offer is open afterwards: the mail says until when.
OPENING = frozenset({"offer.received", "offer.countered"})


def tell(session: Session, ctx: CaseContext, svc: Services, offer: SettlementOffer,
         kind: str, *, acting_party: uuid.UUID) -> None:
    offer_facts = facts(offer)
    notifications.notify_case_members(
        session, ctx, kind=kind, object_type=OBJECT, object_id=offer.id,
        link=f"/cases/{offer.case_id}/offers",
        may_see=lambda viewer: may_see_offer(viewer.memberships, offer_facts),
        now=svc.now(), due_at=offer.expires_at if kind in OPENING else None,
        not_for_parties=(acting_party,))
