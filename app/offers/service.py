"""Use cases of FRE 408 settlement offers.

Invariants:
- content (amount, currency, terms) is sealed at rest; ``terms_sha256`` binds it and an
  acceptance must quote the hash the acceptor saw (409 ``terms_mismatch``);
- exactly one terminal transition per offer: every transition locks the row, re-reads the
  status and refuses unless it is open (409 ``offer_not_open``); expiry is derived from
  ``svc.now()``, so an expired offer can never be accepted even if no job ever ran;
- only counsel or a pro se party speaks (ABA Model Rule 4.2) and a represented party is
  addressed through its counsel;
- an offer the caller may not see is answered exactly like an unknown id (404);
- every action and every refusal is an audit event with ids, codes and hashes only.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz.permissions import Role
from app.authz.policy import Denial
from app.authz.policy_negotiation import (
    OfferFacts,
    may_address,
    may_make_offer,
    may_respond_offer,
    may_see_offer,
    offer_scope,
)
from app.context import CaseContext
from app.errors import Conflict, Invalid, NotFound
from app.kernel.timefmt import rfc3339
from app.models.offers import OFFER_OBJECT_TYPE, SettlementOffer
from app.offers import repository as repo
from app.offers.schemas import Acceptance, OfferCreate, OfferRead
from app.refusals import refuse, refuse_unless
from app.runtime import Services
from app.sealing import open_json, seal_json
from crypto.canonical import canonical_json

SIGNED_TYPE = "settleroom/settlement-acceptance/v1"


OBJECT = "settlement_offer"


class OfferNotOpen(Conflict):
    code = "offer_not_open"


class TermsMismatch(Conflict):
    code = "terms_mismatch"


def terms_sha256(content: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of amount, currency and terms: what is agreed to."""
    return hashlib.sha256(canonical_json(content)).hexdigest()


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


def to_read(session: Session, svc: Services, offer: SettlementOffer) -> OfferRead:
    content = content_of(svc, offer)
    to_party = repo.get_party(session, offer.case_id, offer.to_party_id)
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
        addressed_to="counsel" if to_party is None or to_party.represented else "pro_se",
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


def _check_recipient(session: Session, ctx: CaseContext, data: OfferCreate) -> None:
    action = "offer.make"
    if data.from_party_id == data.to_party_id:
        refuse(session, ctx, action, OBJECT, None,
                     Invalid("An offer is made to another party.", code="same_party"))
    for party_id in (data.from_party_id, data.to_party_id):
        if repo.get_party(session, ctx.case_id, party_id) is None:
            refuse(session, ctx, action, OBJECT, None, Invalid(
                "A party of the offer is not a party of this case.", code="unknown_party"))
    to_party = repo.get_party(session, ctx.case_id, data.to_party_id)
    assert to_party is not None
    decision = may_address(
        represented=to_party.represented,
        counsel_count=repo.count_party_role(session, ctx.case_id, to_party.id, Role.COUNSEL),
        pro_se_count=repo.count_party_role(session, ctx.case_id, to_party.id, Role.PRO_SE),
    )
    if isinstance(decision, Denial):
        refuse(session, ctx, action, OBJECT, None, Conflict(decision.detail, code=decision.code))


def _counter(session: Session, ctx: CaseContext, svc: Services, data: OfferCreate) -> None:
    """Close the offer being answered: it must be open, and the reply runs the other way."""
    assert data.replies_to is not None
    action = "offer.counter"
    earlier = load_visible(session, ctx, data.replies_to, action, lock=True)
    if (earlier.to_party_id, earlier.from_party_id) != (data.from_party_id, data.to_party_id):
        refuse(session, ctx, action, OBJECT, earlier.id, Invalid(
            "A counter-offer goes from the offer's recipient back to its maker.",
            code="not_a_reply"))
    refuse_unless(session, ctx, action, OBJECT, earlier.id,
                may_respond_offer(ctx.memberships, facts(earlier)))
    if effective_status(earlier, svc.now()) != "open":
        refuse(session, ctx, action, OBJECT, earlier.id, OfferNotOpen("The offer is not open."))
    earlier.status, earlier.closed_at, earlier.closed_by = "countered", svc.now(), ctx.user_id
    session.flush()
    record(session, ctx, action, "settlement_offer", earlier.id,
           {"offer_id": earlier.id, "status": "countered"}, party_id=data.from_party_id)


def make_offer(session: Session, ctx: CaseContext, *, svc: Services,
               data: OfferCreate) -> OfferRead:
    refuse_unless(session, ctx, "offer.make", OBJECT, None,
                may_make_offer(ctx.memberships, data.from_party_id))
    _check_recipient(session, ctx, data)
    now = svc.now()
    if data.expires_at is not None and data.expires_at <= now:
        refuse(session, ctx, "offer.make", OBJECT, None,
                     Invalid("expires_at must be in the future.", code="expiry_in_past"))
    if data.replies_to is not None:
        _counter(session, ctx, svc, data)
    content = {"amount_cents": data.amount_cents, "currency": data.currency, "terms": data.terms}
    offer_id = uuid.uuid4()
    offer = SettlementOffer(
        id=offer_id, case_id=ctx.case_id, from_party_id=data.from_party_id,
        to_party_id=data.to_party_id, terms_sha256=terms_sha256(content),
        content=seal_json(svc.key_provider, content, case_id=ctx.case_id,
                          object_type=OFFER_OBJECT_TYPE, object_id=offer_id),
        designation=data.designation, share_with_neutral=data.share_with_neutral,
        status="open", replies_to=data.replies_to, created_by=ctx.user_id, created_at=now,
        expires_at=data.expires_at,
    )
    repo.add(session, offer)
    record(session, ctx, "offer.make", "settlement_offer", offer.id, {
        "offer_id": offer.id, "from_party_id": offer.from_party_id,
        "to_party_id": offer.to_party_id, "designation": offer.designation,
        "terms_sha256": offer.terms_sha256, "replies_to": offer.replies_to,
    }, party_id=data.from_party_id)
    return to_read(session, svc, offer)


def list_offers(session: Session, ctx: CaseContext, *, svc: Services, offset: int,
                limit: int) -> list[OfferRead]:
    offers = repo.visible_offers(session, ctx.case_id, offer_scope(ctx.memberships),
                                 offset=offset, limit=limit)
    record(session, ctx, "offer.list", "case", ctx.case_id, {"count": len(offers)})
    return [to_read(session, svc, o) for o in offers]


def get_offer(session: Session, ctx: CaseContext, *, svc: Services,
              offer_id: uuid.UUID) -> OfferRead:
    offer = load_visible(session, ctx, offer_id, "offer.read")
    record(session, ctx, "offer.read", "settlement_offer", offer.id, {"offer_id": offer.id})
    return to_read(session, svc, offer)
