"""Who is told of a Rule 68 offer's moves: the members who may see the offer (offeror and
offerees: counsel, pro se party, client; never the neutral, the auditor or another party),
but the side that moved. The served notice carries the last moment to accept."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy.orm import Session

from app.authz.policy_negotiation import may_see_rule68
from app.context import CaseContext
from app.models.rule68 import Rule68Offer, Rule68Offeree
from app.notifications import service as notifications
from app.rule68.reads import OBJECT, facts
from app.runtime import Services


def tell(session: Session, ctx: CaseContext, svc: Services, offer: Rule68Offer,
         offerees: list[Rule68Offeree], kind: str, *,
         acting_parties: Collection[uuid.UUID]) -> None:
    offer_facts = facts(offer, offerees)
    notifications.notify_case_members(
        session, ctx, kind=kind, object_type=OBJECT, object_id=offer.id,
        link=f"/cases/{offer.case_id}/rule68",
        may_see=lambda viewer: may_see_rule68(viewer.memberships, offer_facts),
        now=svc.now(), due_at=offer.acceptance_ends_at if kind == "rule68.served" else None,
        not_for_parties=acting_parties)
