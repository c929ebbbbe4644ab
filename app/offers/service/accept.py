"""Use case: accept a settlement offer, quoting the hash of the terms read.

Locks the offer row, then re-checks visibility, side and status, so of N concurrent
transitions exactly one succeeds and appends its event; the others get 409
``offer_not_open``. A replayed Idempotency-Key answers from the stored response before any
state check, without a new event. The acceptance is signed with the audit log's key."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz.policy_negotiation import may_respond_offer
from app.context import CaseContext
from app.kernel import idempotency
from app.kernel.terms import TermsMismatch
from app.offers import repository as repo
from app.offers.errors import ThreadSettled
from app.offers.reads import (
    OBJECT,
    content_of,
    facts,
    load_visible,
    require_open,
    signed_payload,
    to_read,
)
from app.offers.schemas import OfferRead
from app.offers.service.notices import tell
from app.refusals import refuse, refuse_unless
from app.runtime import Services
from app.sealing import content_mac
from crypto import signing


def accept_offer(session: Session, ctx: CaseContext, *, svc: Services, offer_id: uuid.UUID,
                 terms_sha256: str, idempotency_key: str | None) -> OfferRead:
    action = "offer.accept"
    # The pair's lock, then the row's (the order every path keeps): once it holds both, no
    # other acceptance or new offer between the two parties is in flight.
    seen = load_visible(session, ctx, offer_id, action)
    repo.lock_pair(session, ctx.case_id, seen.from_party_id, seen.to_party_id)
    offer = load_visible(session, ctx, offer_id, action, lock=True)
    request_sha = idempotency.fingerprint(action, offer_id, {"terms_sha256": terms_sha256})
    stored = idempotency.replay(session, ctx, svc, key=idempotency_key,
                                request_sha256=request_sha)
    if stored is not None:
        return OfferRead.model_validate(stored)
    refuse_unless(session, ctx, action, OBJECT, offer.id,
                  may_respond_offer(ctx.memberships, facts(offer)))
    require_open(session, ctx, svc, action, offer)
    if repo.settled_between(session, ctx.case_id, offer.from_party_id, offer.to_party_id):
        # Another offer of the pair, open beside this one, was accepted first: one
        # settlement per pair.
        refuse(session, ctx, action, OBJECT, offer.id, ThreadSettled(
            "These parties have settled: another offer between them was accepted, so this "
            "one can no longer be accepted here."))
    if terms_sha256 != offer.terms_sha256:
        refuse(session, ctx, action, OBJECT, offer.id, TermsMismatch(
            "The terms changed or differ from the ones you saw; read the offer again."))
    now = svc.now()
    offer.status, offer.closed_at, offer.closed_by = "accepted", now, ctx.user_id
    offer.accepted_at, offer.accepted_by = now, ctx.user_id
    # Signed with the log's key, which GET /audit/public-keys publishes. The content is
    # opened once and serves both the signature and the answer.
    content = content_of(svc, offer)
    signed = signing.sign_document(signed_payload(offer, content), svc.audit_key)
    offer.signature, offer.key_id = str(signed["signature"]), str(signed["key_id"])
    session.flush()
    record(session, ctx, action, "settlement_offer", offer.id, {
        "offer_id": offer.id, "key_id": offer.key_id,
        "terms_mac": content_mac(svc.key_provider, ctx.case_id, offer.terms_sha256),
        "status": "accepted"}, party_id=offer.to_party_id)
    tell(session, ctx, svc, offer, "offer.accepted", acting_party=offer.to_party_id)
    result = to_read(session, svc, offer, content=content)
    idempotency.remember(session, ctx, svc, key=idempotency_key, request_sha256=request_sha,
                         status_code=200, body=result.model_dump(mode="json"),
                         action=action, object_type=OBJECT, object_id=offer.id)
    return result
