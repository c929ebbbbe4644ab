"""Read models of Rule 68 offers: what a member may see, decrypted only for that member.

Invariants: the neutral, room admin and auditor as such never see an offer (404, like
unknown ids); reading content is one audit event per request naming ids only."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz.policy_negotiation import (
    Rule68Facts,
    may_see_rule68,
    rule68_scope,
)
from app.context import CaseContext
from app.errors import NotFound
from app.models.rule68 import (
    RULE68_OBJECT_TYPE,
    LiabilityHearing,
    Rule68Offer,
    Rule68Offeree,
    ServiceConsent,
)
from app.refusals import refuse
from app.rule68 import repository as repo
from app.rule68.rules import offer_status
from app.rule68.schemas import (
    LiabilityHearingRead,
    OffereeAcceptance,
    Rule68Read,
    ServiceConsentRead,
)
from app.runtime import Services
from app.sealing import open_json

OBJECT = "rule68_offer"


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
    """Two queries whatever the number of offers (the scoped page, their offerees); one
    audit event naming the offers whose terms the response shows."""
    offers = repo.visible_offers(session, ctx.case_id, rule68_scope(ctx.memberships),
                                 offset=offset, limit=limit)
    offerees = repo.offerees_of(session, [o.id for o in offers])
    record(session, ctx, "rule68.list", "case", ctx.case_id,
           {"count": len(offers), "offer_ids": [o.id for o in offers]})
    return [to_read(svc, o, offerees[o.id]) for o in offers]


def get_offer(session: Session, ctx: CaseContext, *, svc: Services,
              offer_id: uuid.UUID) -> Rule68Read:
    offer, offerees = load_visible(session, ctx, offer_id, "rule68.read")
    record(session, ctx, "rule68.read", OBJECT, offer.id, {"offer_id": offer.id})
    return to_read(svc, offer, offerees)


def list_consents(session: Session, ctx: CaseContext) -> list[ServiceConsentRead]:
    return [_consent_read(c) for c in repo.list_consents(session, ctx.case_id)]


def _hearing_read(ctx: CaseContext, hearing: LiabilityHearing | None) -> LiabilityHearingRead:
    return LiabilityHearingRead(case_id=ctx.case_id, liability_determined=hearing is not None,
                                hearing_date=hearing.hearing_date if hearing else None)


def get_hearing(session: Session, ctx: CaseContext) -> LiabilityHearingRead:
    return _hearing_read(ctx, repo.get_hearing(session, ctx.case_id))


def _consent_read(consent: ServiceConsent) -> ServiceConsentRead:
    return ServiceConsentRead(case_id=consent.case_id, party_id=consent.party_id,
                              consented_by=consent.consented_by,
                              consented_at=consent.consented_at)


def upcoming_deadlines(scopes: Mapping[uuid.UUID, Collection[uuid.UUID]],
                       now: datetime) -> Select[tuple[uuid.UUID, datetime]]:
    """(case id, earliest end of an acceptance window) of the open offers each case's party
    scope may see, as a statement another read combines with its own: dates only."""
    return repo.upcoming_deadlines(scopes, now)
