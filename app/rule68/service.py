"""Use cases of FRCP 68 offers of judgment: serve, read, accept, withdraw.

Invariants:
- only counsel or a pro se party of a party defending a claim brought by every offeree
  serves (403 ``not_a_defending_party``); a represented offeree is served through counsel;
- the offer is served at least 14 days before trial, or before the 68(c) hearing once
  liability is determined (422 ``too_close_to_trial`` / ``too_close_to_hearing``);
- acceptance is open until the end of the FRCP 6 deadline computed at service; inside it
  the offer is irrevocable (409 ``offer_irrevocable``), after it the offer is considered
  withdrawn (409 ``acceptance_window_closed``) and a later offer may be served;
- a joint offer is accepted only when every offeree has accepted;
- the neutral, room admin and auditor as such never see an offer (404, like unknown ids);
- transitions lock the offer row; content is sealed; audit events carry ids only.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz.policy import Denial
from app.authz.policy_negotiation import (
    Rule68Facts,
    may_see_rule68,
    may_withdraw_rule68,
    rule68_accepting_parties,
    rule68_scope,
)
from app.context import CaseContext
from app.errors import Conflict, NotFound
from app.kernel import idempotency
from app.models.rule68 import RULE68_OBJECT_TYPE, Rule68Offer, Rule68Offeree
from app.offers.service import TermsMismatch
from app.refusals import refuse
from app.rule68 import repository as repo
from app.rule68.rules import offer_status
from app.rule68.schemas import OffereeAcceptance, Rule68Read
from app.runtime import Services
from app.sealing import open_json

OBJECT = "rule68_offer"


class OfferNotOpen(Conflict):
    code = "offer_not_open"


class AcceptanceWindowClosed(Conflict):
    code = "acceptance_window_closed"


class OfferIrrevocable(Conflict):
    code = "offer_irrevocable"


def status_of(offer: Rule68Offer, now: datetime) -> str:
    return offer_status(offer.acceptance_ends_at, now, accepted=offer.status == "accepted")


def facts(offer: Rule68Offer, offerees: list[Rule68Offeree]) -> Rule68Facts:
    return Rule68Facts(offer.offeror_party_id, frozenset(o.party_id for o in offerees))


def content_of(svc: Services, offer: Rule68Offer) -> dict[str, Any]:
    value: dict[str, Any] = open_json(svc.key_provider, offer.content, case_id=offer.case_id,
                                      object_type=RULE68_OBJECT_TYPE, object_id=offer.id)
    return value


def to_read(svc: Services, offer: Rule68Offer, offerees: list[Rule68Offeree]) -> Rule68Read:
    return Rule68Read(
        id=offer.id, case_id=offer.case_id, offeror_party_id=offer.offeror_party_id,
        offeree_party_ids=[o.party_id for o in offerees], claim_id=offer.claim_id,
        **content_of(svc, offer), costs=offer.costs, terms_sha256=offer.terms_sha256,
        service_method=offer.service_method, served_at=offer.served_at,
        served_on=offer.served_on, served_by=offer.served_by,
        acceptance_deadline=offer.acceptance_deadline,
        acceptance_deadline_ends_at=offer.acceptance_ends_at,
        deadline_explanation=offer.deadline_explanation, status=status_of(offer, svc.now()),
        acceptances=[OffereeAcceptance(party_id=o.party_id, accepted_at=o.accepted_at,
                                       accepted_by=o.accepted_by) for o in offerees],
        accepted_at=offer.accepted_at, created_at=offer.created_at,
    )


def load_visible(session: Session, ctx: CaseContext, offer_id: uuid.UUID, action: str, *,
                 lock: bool = False) -> tuple[Rule68Offer, list[Rule68Offeree]]:
    loader = repo.lock_offer if lock else repo.get_offer
    offer = loader(session, ctx.case_id, offer_id)
    offerees = repo.offerees(session, offer_id) if offer is not None else []
    if offer is None or not may_see_rule68(ctx.memberships, facts(offer, offerees)):
        refuse(session, ctx, action, OBJECT, offer_id,
                     NotFound("No such offer.", code="offer_not_found"))
    return offer, offerees


def list_offers(session: Session, ctx: CaseContext, *, svc: Services, offset: int,
                limit: int) -> list[Rule68Read]:
    offers = repo.visible_offers(session, ctx.case_id, rule68_scope(ctx.memberships),
                                 offset=offset, limit=limit)
    record(session, ctx, "rule68.list", "case", ctx.case_id, {"count": len(offers)})
    return [to_read(svc, o, repo.offerees(session, o.id)) for o in offers]


def get_offer(session: Session, ctx: CaseContext, *, svc: Services,
              offer_id: uuid.UUID) -> Rule68Read:
    offer, offerees = load_visible(session, ctx, offer_id, "rule68.read")
    record(session, ctx, "rule68.read", OBJECT, offer.id, {"offer_id": offer.id})
    return to_read(svc, offer, offerees)


def _check_can_accept(
    session: Session, ctx: CaseContext, svc: Services, offer: Rule68Offer,
    offerees: list[Rule68Offeree], terms_sha256: str | None,
) -> list[Rule68Offeree]:
    action = "rule68.accept"
    parties = rule68_accepting_parties(ctx.memberships, facts(offer, offerees))
    if isinstance(parties, Denial):
        refuse(session, ctx, action, OBJECT, offer.id, parties)
    status = status_of(offer, svc.now())
    if status == "withdrawn":
        refuse(session, ctx, action, OBJECT, offer.id, AcceptanceWindowClosed(
            "The 14-day acceptance window has ended; the offer is considered withdrawn."))
    if status != "open":
        refuse(session, ctx, action, OBJECT, offer.id, OfferNotOpen("The offer is not open."))
    if terms_sha256 is not None and terms_sha256 != offer.terms_sha256:
        refuse(session, ctx, action, OBJECT, offer.id, TermsMismatch(
            "The terms differ from the ones you saw; read the offer again."))
    pending = [o for o in offerees if o.party_id in parties and o.accepted_at is None]
    if not pending:
        refuse(session, ctx, action, OBJECT, offer.id, Conflict(
            "Your party has already accepted this offer.", code="already_accepted"))
    return pending


def accept_offer(session: Session, ctx: CaseContext, *, svc: Services, offer_id: uuid.UUID,
                 terms_sha256: str | None, idempotency_key: str | None) -> Rule68Read:
    """Written notice of acceptance by the offeree's counsel or pro se party (68(a))."""
    action = "rule68.accept"
    offer, offerees = load_visible(session, ctx, offer_id, action, lock=True)
    request_sha = idempotency.fingerprint(action, offer_id, {"terms_sha256": terms_sha256})
    stored = idempotency.replay(session, ctx, svc, key=idempotency_key,
                                request_sha256=request_sha)
    if stored is not None:
        return Rule68Read.model_validate(stored)
    pending = _check_can_accept(session, ctx, svc, offer, offerees, terms_sha256)
    now = svc.now()
    for offeree in pending:
        offeree.accepted_at, offeree.accepted_by = now, ctx.user_id
    if all(o.accepted_at is not None for o in offerees):
        offer.status, offer.accepted_at = "accepted", now
    session.flush()
    record(session, ctx, action, OBJECT, offer.id, {
        "offer_id": offer.id, "offeree_party_ids": [o.party_id for o in pending],
        "terms_sha256": offer.terms_sha256, "status": offer.status,
    }, party_id=pending[0].party_id)
    result = to_read(svc, offer, offerees)
    idempotency.remember(session, ctx, svc, key=idempotency_key, request_sha256=request_sha,
                         status_code=200, body=result.model_dump(mode="json"))
    return result


def withdraw_offer(session: Session, ctx: CaseContext, *, svc: Services,
                   offer_id: uuid.UUID) -> Rule68Read:
    """Never succeeds: inside the window the offer is irrevocable; after it, it is already
    considered withdrawn (68(b)); an accepted offer is final. Each refusal is audited."""
    action = "rule68.withdraw"
    offer, offerees = load_visible(session, ctx, offer_id, action, lock=True)
    decision = may_withdraw_rule68(ctx.memberships, facts(offer, offerees))
    if isinstance(decision, Denial):
        refuse(session, ctx, action, OBJECT, offer.id, decision)
    status = status_of(offer, svc.now())
    if status == "open":
        refuse(session, ctx, action, OBJECT, offer.id, OfferIrrevocable(
            "A Rule 68 offer cannot be withdrawn during the 14 days after service."))
    refuse(session, ctx, action, OBJECT, offer.id, OfferNotOpen(
        "The offer was accepted." if status == "accepted"
        else "The offer is already considered withdrawn (FRCP 68(b))."))
