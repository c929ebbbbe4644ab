"""Read models of settlement offers: what a member may see, decrypted only for that member.

Invariants: an offer the caller may not see is answered exactly like an unknown id (404);
reading content is one audit event per request naming ids only."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz.policy_negotiation import (
    OfferFacts,
    OfferScope,
    may_see_offer,
    offer_scope,
)
from app.cases import service as case_service
from app.context import CaseContext
from app.errors import NotFound
from app.kernel.timefmt import rfc3339
from app.models.offers import OFFER_OBJECT_TYPE, SettlementOffer
from app.offers import repository as repo
from app.offers.errors import OfferNotOpen
from app.offers.schemas import Acceptance, OfferRead
from app.refusals import refuse
from app.runtime import Services
from app.sealing import open_json

SIGNED_TYPE = "settleroom/settlement-acceptance/v1"


OBJECT = "settlement_offer"


def facts(offer: SettlementOffer) -> OfferFacts:
    return OfferFacts(offer.from_party_id, offer.to_party_id, offer.designation,
                      offer.share_with_neutral)


def effective_status(offer: SettlementOffer, now: datetime) -> str:
    if offer.status == "open" and offer.expires_at is not None and now >= offer.expires_at:
        return "expired"
    return offer.status


def content_of(svc: Services, offer: SettlementOffer) -> dict[str, Any]:
    value: dict[str, Any] = open_json(svc.key_provider, offer.content, case_id=offer.case_id,
                                      object_type=OFFER_OBJECT_TYPE, object_id=offer.id)
    return value


def signed_payload(offer: SettlementOffer, content: dict[str, Any]) -> dict[str, Any]:
    assert offer.accepted_at is not None and offer.accepted_by is not None
    return {
        "type": SIGNED_TYPE, "offer_id": str(offer.id), "case_id": str(offer.case_id),
        "from_party_id": str(offer.from_party_id), "to_party_id": str(offer.to_party_id),
        **content, "terms_sha256": offer.terms_sha256, "designation": offer.designation,
        "accepted_at": rfc3339(offer.accepted_at), "accepted_by": str(offer.accepted_by),
    }


def to_read(session: Session, svc: Services, offer: SettlementOffer, *,
            content: dict[str, Any] | None = None,
            represented: Mapping[uuid.UUID, bool] | None = None) -> OfferRead:
    """The offer as its reader sees it. ``content`` is the already opened content when the
    caller holds it (so it is decrypted once per request), ``represented`` the parties'
    representation when a list loaded it in one query."""
    if content is None:
        content = content_of(svc, offer)
    if represented is None:
        to_party = case_service.party_row(session, offer.case_id, offer.to_party_id)
        to_represented = to_party is None or to_party.represented
    else:
        to_represented = represented.get(offer.to_party_id, True)
    acceptance = None
    if offer.status == "accepted" and offer.signature and offer.key_id:
        assert offer.accepted_at is not None and offer.accepted_by is not None
        acceptance = Acceptance(accepted_at=offer.accepted_at, accepted_by=offer.accepted_by,
                                signature=offer.signature, key_id=offer.key_id,
                                signed_payload=signed_payload(offer, content))
    return OfferRead(
        id=offer.id, case_id=offer.case_id, from_party_id=offer.from_party_id,
        to_party_id=offer.to_party_id, **content, terms_sha256=offer.terms_sha256,
        status=effective_status(offer, svc.now()), designation=offer.designation,
        share_with_neutral=offer.share_with_neutral,
        addressed_to="counsel" if to_represented else "pro_se",
        created_at=offer.created_at, expires_at=offer.expires_at, replies_to=offer.replies_to,
        closed_at=offer.closed_at, acceptance=acceptance,
    )


def load_visible(session: Session, ctx: CaseContext, offer_id: uuid.UUID, action: str, *,
                 lock: bool = False) -> SettlementOffer:
    loader = repo.lock_offer if lock else repo.get_offer
    offer = loader(session, ctx.case_id, offer_id)
    if offer is None or not may_see_offer(ctx.memberships, facts(offer)):
        refuse(session, ctx, action, OBJECT, offer_id,
                     NotFound("No such offer.", code="offer_not_found"))
    return offer


def list_offers(session: Session, ctx: CaseContext, *, svc: Services, offset: int,
                limit: int) -> list[OfferRead]:
    """Two queries whatever the number of offers (the scoped page, the parties); one audit
    event naming the offers whose terms the response shows."""
    offers = repo.visible_offers(session, ctx.case_id, offer_scope(ctx.memberships),
                                 offset=offset, limit=limit)
    represented = {p.id: p.represented for p in case_service.party_rows(session, ctx.case_id)}
    record(session, ctx, "offer.list", "case", ctx.case_id,
           {"count": len(offers), "offer_ids": [o.id for o in offers]})
    return [to_read(session, svc, o, represented=represented) for o in offers]


def get_offer(session: Session, ctx: CaseContext, *, svc: Services,
              offer_id: uuid.UUID) -> OfferRead:
    offer = load_visible(session, ctx, offer_id, "offer.read")
    record(session, ctx, "offer.read", "settlement_offer", offer.id, {"offer_id": offer.id})
    return to_read(session, svc, offer)


def require_open(session: Session, ctx: CaseContext, svc: Services, action: str,
                  offer: SettlementOffer) -> None:
    if effective_status(offer, svc.now()) != "open":
        refuse(session, ctx, action, OBJECT, offer.id, OfferNotOpen("The offer is not open."))


def open_expiries(session: Session, ctx: CaseContext, *, svc: Services,
                  limit: int) -> list[tuple[uuid.UUID, datetime]]:
    """(offer id, expiry) of the open offers the member sees that expire: no content is
    opened (the calendar feed and deadline lists need dates only)."""
    now = svc.now()
    offers = repo.visible_offers(session, ctx.case_id, offer_scope(ctx.memberships),
                                 limit=limit)
    return [(o.id, o.expires_at) for o in offers
            if o.expires_at is not None and effective_status(o, now) == "open"]


def upcoming_expiries(scopes: Mapping[uuid.UUID, OfferScope],
                      now: datetime) -> Select[tuple[uuid.UUID, datetime]]:
    """(case id, earliest expiry) of the open offers each case's scope may see, as a
    statement another read combines with its own: dates only, nothing is opened."""
    return repo.upcoming_expiries(scopes, now)


def filing_texts(session: Session, ctx: CaseContext, svc: Services
                 ) -> list[tuple[uuid.UUID, str, uuid.UUID, str]]:
    """(offer id, designation, offering party, terms) of every offer the caller may see,
    for the filing check only: FRE 408 offers are never filed, and nothing of the terms
    leaves the check (no audit of content, no response field)."""
    offers = repo.visible_offers(session, ctx.case_id, offer_scope(ctx.memberships),
                                 offset=0, limit=100_000)
    return [(o.id, o.designation, o.from_party_id, str(content_of(svc, o).get("terms", "")))
            for o in offers]
