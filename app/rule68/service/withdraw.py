"""Use case: withdraw a Rule 68 offer, only after its irrevocable 14-day window.

Inside the window the offer is irrevocable (409 ``offer_irrevocable``); only the offeror's
counsel or pro se party may withdraw."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.authz.policy_negotiation import (
    may_withdraw_rule68,
)
from app.context import CaseContext
from app.refusals import refuse, refuse_unless
from app.rule68.errors import OfferIrrevocable, OfferNotOpen
from app.rule68.reads import OBJECT, facts, load_visible, status_of
from app.rule68.schemas import Rule68Read
from app.runtime import Services


def withdraw_offer(session: Session, ctx: CaseContext, *, svc: Services,
                   offer_id: uuid.UUID) -> Rule68Read:
    """Never succeeds: inside the window the offer is irrevocable; after it, it is already
    considered withdrawn (68(b)); an accepted offer is final. Each refusal is audited."""
    action = "rule68.withdraw"
    offer, offerees = load_visible(session, ctx, offer_id, action, lock=True)
    decision = may_withdraw_rule68(ctx.memberships, facts(offer, offerees))
    refuse_unless(session, ctx, action, OBJECT, offer.id, decision)
    status = status_of(offer, svc.now())
    if status == "open":
        refuse(session, ctx, action, OBJECT, offer.id, OfferIrrevocable(
            "A Rule 68 offer cannot be withdrawn during the 14 days after service."))
    refuse(session, ctx, action, OBJECT, offer.id, OfferNotOpen(
        "The offer was accepted." if status == "accepted"
        else "The offer is already considered withdrawn (FRCP 68(b))."))
