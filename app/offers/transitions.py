"""Terminal transitions of a settlement offer: accept, reject, withdraw; and the memorandum.

Each locks the offer row, then re-checks visibility, the caller's side and the status, so
of N concurrent transitions exactly one succeeds and appends its event; the others get
409 ``offer_not_open`` (and a denied event). A replayed Idempotency-Key answers from the
stored response before any state check, without a new event.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz.policy import Decision
from app.authz.policy_negotiation import may_respond_offer, may_withdraw_offer
from app.context import CaseContext
from app.errors import Conflict
from app.kernel import idempotency
from app.kernel.money import money
from app.kernel.papers import render_pdf
from app.kernel.timefmt import rfc3339
from app.models.offers import SettlementOffer
from app.offers import repository as repo
from app.offers.schemas import OfferRead
from app.offers.service import (
    OBJECT,
    OfferNotOpen,
    TermsMismatch,
    content_of,
    effective_status,
    facts,
    load_visible,
    signed_payload,
    to_read,
)
from app.refusals import refuse, refuse_unless
from app.runtime import Services
from crypto import signing

FRE_408_MARKING = "CONFIDENTIAL SETTLEMENT COMMUNICATION - FRE 408"


def _require_open(session: Session, ctx: CaseContext, svc: Services, action: str,
                  offer: SettlementOffer) -> None:
    if effective_status(offer, svc.now()) != "open":
        refuse(session, ctx, action, OBJECT, offer.id, OfferNotOpen("The offer is not open."))


def accept_offer(session: Session, ctx: CaseContext, *, svc: Services, offer_id: uuid.UUID,
                 terms_sha256: str, idempotency_key: str | None) -> OfferRead:
    action = "offer.accept"
    offer = load_visible(session, ctx, offer_id, action, lock=True)
    request_sha = idempotency.fingerprint(action, offer_id, {"terms_sha256": terms_sha256})
    stored = idempotency.replay(session, ctx, svc, key=idempotency_key,
                                request_sha256=request_sha)
    if stored is not None:
        return OfferRead.model_validate(stored)
    refuse_unless(session, ctx, action, OBJECT, offer.id, may_respond_offer(ctx.memberships,
        facts(offer)))
    _require_open(session, ctx, svc, action, offer)
    if terms_sha256 != offer.terms_sha256:
        refuse(session, ctx, action, OBJECT, offer.id, TermsMismatch(
            "The terms changed or differ from the ones you saw; read the offer again."))
    now = svc.now()
    offer.status, offer.closed_at, offer.closed_by = "accepted", now, ctx.user_id
    offer.accepted_at, offer.accepted_by = now, ctx.user_id
    # Signed with the log's key, which GET /audit/public-keys publishes.
    signed = signing.sign_document(signed_payload(offer, content_of(svc, offer)), svc.audit_key)
    offer.signature, offer.key_id = str(signed["signature"]), str(signed["key_id"])
    session.flush()
    record(session, ctx, action, "settlement_offer", offer.id, {
        "offer_id": offer.id, "terms_sha256": offer.terms_sha256, "key_id": offer.key_id,
        "status": "accepted"}, party_id=offer.to_party_id)
    result = to_read(session, svc, offer)
    idempotency.remember(session, ctx, svc, key=idempotency_key, request_sha256=request_sha,
                         status_code=200, body=result.model_dump(mode="json"))
    return result


def _close_offer(session: Session, ctx: CaseContext, svc: Services, offer_id: uuid.UUID, *,
                 action: str, status: str, may: Callable[..., Decision],
                 by_offeror: bool) -> OfferRead:
    """One terminal transition by one side: under the row lock, refused unless still open."""
    offer = load_visible(session, ctx, offer_id, action, lock=True)
    refuse_unless(session, ctx, action, OBJECT, offer.id, may(ctx.memberships, facts(offer)))
    _require_open(session, ctx, svc, action, offer)
    offer.status, offer.closed_at, offer.closed_by = status, svc.now(), ctx.user_id
    session.flush()
    party = offer.from_party_id if by_offeror else offer.to_party_id
    record(session, ctx, action, "settlement_offer", offer.id,
           {"offer_id": offer.id, "status": status}, party_id=party)
    return to_read(session, svc, offer)


def reject_offer(session: Session, ctx: CaseContext, *, svc: Services,
                 offer_id: uuid.UUID) -> OfferRead:
    return _close_offer(session, ctx, svc, offer_id, action="offer.reject", status="rejected",
                        may=may_respond_offer, by_offeror=False)


def withdraw_offer(session: Session, ctx: CaseContext, *, svc: Services,
                   offer_id: uuid.UUID) -> OfferRead:
    return _close_offer(session, ctx, svc, offer_id, action="offer.withdraw",
                        status="withdrawn", may=may_withdraw_offer, by_offeror=True)


def memorandum(session: Session, ctx: CaseContext, *, svc: Services,
               offer_id: uuid.UUID) -> bytes:
    """The settlement memorandum of an accepted offer, marked as an FRE 408 communication."""
    action = "offer.memorandum"
    offer = load_visible(session, ctx, offer_id, action)
    if offer.status != "accepted" or offer.accepted_at is None:
        refuse(session, ctx, action, OBJECT, offer.id,
                     Conflict("The offer has not been accepted.", code="offer_not_accepted"))
    content = content_of(svc, offer)
    parties = {p: party.name if (party := repo.get_party(session, offer.case_id, p)) else ""
               for p in (offer.from_party_id, offer.to_party_id)}
    pdf = render_pdf(title="Settlement memorandum", marking=FRE_408_MARKING, sections=[
        ("Parties", [f"Offering party: {parties[offer.from_party_id]} ({offer.from_party_id})",
                     f"Accepting party: {parties[offer.to_party_id]} ({offer.to_party_id})"]),
        ("Terms", [f"Amount: {money(content['amount_cents'], content['currency'])}",
                   *content["terms"].splitlines()]),
        ("Acceptance", [f"Accepted at {rfc3339(offer.accepted_at)} by user {offer.accepted_by}.",
                        f"Terms SHA-256: {offer.terms_sha256}",
                        f"Server Ed25519 signature (key {offer.key_id}): {offer.signature}"]),
    ])
    record(session, ctx, action, "settlement_offer", offer.id, {"offer_id": offer.id})
    return pdf

