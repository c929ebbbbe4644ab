"""Use case: make a settlement offer or a counter-offer (FRE 408)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz.permissions import Role
from app.authz.policy import Denial
from app.authz.policy_negotiation import (
    may_address,
    may_make_offer,
    may_respond_offer,
)
from app.cases import service as case_service
from app.context import CaseContext
from app.errors import Conflict, Invalid
from app.kernel.terms import terms_sha256
from app.models.offers import OFFER_OBJECT_TYPE, SettlementOffer
from app.offers import repository as repo
from app.offers.errors import OfferNotOpen, ThreadSettled
from app.offers.reads import (
    OBJECT,
    effective_status,
    facts,
    load_visible,
    to_read,
)
from app.offers.schemas import OfferCreate, OfferRead
from app.offers.service import reminders
from app.offers.service.notices import tell
from app.refusals import refuse, refuse_unless
from app.runtime import Services
from app.sealing import content_mac, seal_json


def _check_recipient(session: Session, ctx: CaseContext, data: OfferCreate) -> None:
    action = "offer.make"
    if data.from_party_id == data.to_party_id:
        refuse(session, ctx, action, OBJECT, None,
                     Invalid("An offer is made to another party.", code="same_party"))
    for party_id in (data.from_party_id, data.to_party_id):
        if case_service.party_row(session, ctx.case_id, party_id) is None:
            refuse(session, ctx, action, OBJECT, None, Invalid(
                "A party of the offer is not a party of this case.", code="unknown_party"))
    to_party = case_service.party_row(session, ctx.case_id, data.to_party_id)
    assert to_party is not None
    def seated(role: Role) -> int:
        return case_service.count_party_members(session, ctx.case_id, to_party.id, role)

    decision = may_address(represented=to_party.represented,
                           counsel_count=seated(Role.COUNSEL), pro_se_count=seated(Role.PRO_SE))
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


def check_offer(session: Session, ctx: CaseContext, *, svc: Services,
                data: OfferCreate) -> None:
    """Everything ``make_offer`` refuses before it writes: who speaks, to whom, a pair that
    has settled (409 ``thread_settled``), the expiry.
    A review screen calls it so that it never shows an offer that could not be sent."""
    refuse_unless(session, ctx, "offer.make", OBJECT, None,
                  may_make_offer(ctx.memberships, data.from_party_id))
    _check_recipient(session, ctx, data)
    if repo.settled_between(session, ctx.case_id, data.from_party_id, data.to_party_id):
        # The thread of the pair ends with an acceptance: a new offer, or a counter to an
        # offer still open there, would reopen a settled negotiation by accident.
        refuse(session, ctx, "offer.make", OBJECT, None, ThreadSettled(
            "These parties have settled: an offer between them was accepted, so no new "
            "settlement offer is made between them here."))
    if data.expires_at is not None and data.expires_at <= svc.now():
        refuse(session, ctx, "offer.make", OBJECT, None,
                     Invalid("expires_at must be in the future.", code="expiry_in_past"))


def make_offer(session: Session, ctx: CaseContext, *, svc: Services,
               data: OfferCreate) -> OfferRead:
    # The pair's lock before the checks: an acceptance between the two parties committing
    # while this offer is checked would otherwise leave an open offer on a settled pair.
    repo.lock_pair(session, ctx.case_id, data.from_party_id, data.to_party_id)
    check_offer(session, ctx, svc=svc, data=data)
    now = svc.now()
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
        "terms_mac": content_mac(svc.key_provider, ctx.case_id, offer.terms_sha256),
        "replies_to": offer.replies_to,
    }, party_id=data.from_party_id)
    tell(session, ctx, svc, offer, "offer.countered" if data.replies_to else "offer.received",
         acting_party=data.from_party_id)
    reminders.schedule(session, offer, now)
    return to_read(session, svc, offer, content=content)
