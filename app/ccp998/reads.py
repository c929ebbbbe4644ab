"""Read models of section 998 offers: what a member may see, decrypted only for that member.

Invariants: only the offeror's and offeree's counsel, pro se party and (when its counsel
lets it read offers) client see an offer; the neutral, room admin and auditor as such never
do (404, like unknown ids). Reading content is one audit event per request naming ids only.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz.permissions import Role
from app.authz.policy_negotiation import Rule68Facts, may_see_rule68, rule68_scope
from app.cases import service as case_service
from app.ccp998 import repository as repo
from app.ccp998.plain import explanation_line, plain_words
from app.ccp998.rules import offer_status
from app.ccp998.schemas import Ccp998Read
from app.context import CaseContext
from app.errors import NotFound
from app.models.ccp998 import CCP998_ACCEPTANCE_OBJECT_TYPE, CCP998_OBJECT_TYPE, Ccp998Offer
from app.refusals import refuse
from app.runtime import Services
from app.sealing import open_json

OBJECT = "ccp998_offer"
ACCEPTANCE_PROVISION = (
    "This offer may be accepted by signing a statement that the offer is accepted "
    "(Cal. Code Civ. Proc. 998(b)). Any acceptance must be in writing and signed by counsel "
    "for the accepting party or, if not represented by counsel, by the accepting party.")


def status_of(offer: Ccp998Offer, now: datetime) -> str:
    return offer_status(offer.acceptance_ends_at, now, accepted=offer.status == "accepted",
                        revoked=offer.status == "revoked")


def facts(offer: Ccp998Offer) -> Rule68Facts:
    """The parties of the offer, in the shape the negotiation policy reads (it decides who
    sees and acts on a one-to-one offer the same way for Rule 68 and for section 998)."""
    return Rule68Facts(offer.offeror_party_id, frozenset({offer.offeree_party_id}))


def _open(svc: Services, offer: Ccp998Offer, blob: bytes, object_type: str) -> dict[str, Any]:
    value: dict[str, Any] = open_json(svc.key_provider, blob, case_id=offer.case_id,
                                      object_type=object_type, object_id=offer.id)
    return value


def to_read(svc: Services, offer: Ccp998Offer, *, zone: str,
            client_of: frozenset[uuid.UUID]) -> Ccp998Read:
    status = status_of(offer, svc.now())
    content = _open(svc, offer, offer.content, CCP998_OBJECT_TYPE)
    signed = (_open(svc, offer, offer.acceptance, CCP998_ACCEPTANCE_OBJECT_TYPE)
              if offer.acceptance else {})
    return Ccp998Read(
        id=offer.id, case_id=offer.case_id, offeror_party_id=offer.offeror_party_id,
        offeree_party_id=offer.offeree_party_id, **content, terms_sha256=offer.terms_sha256,
        acceptance_provision=ACCEPTANCE_PROVISION,
        service_method=offer.service_method,  # type: ignore[arg-type]
        served_at=offer.served_at, served_on=offer.served_on, made_on=offer.made_on,
        served_by=offer.served_by, acceptance_deadline=offer.acceptance_deadline,
        acceptance_deadline_ends_at=offer.acceptance_ends_at, cut_by_trial=offer.cut_by_trial,
        deadline_explanation=[*offer.deadline_explanation,
                              explanation_line(offer.acceptance_deadline, zone)],
        status=status, accepted_at=offer.accepted_at,  # type: ignore[arg-type]
        accepted_by=offer.accepted_by, signed_by_name=signed.get("signed_by_name"),
        revoked_at=offer.revoked_at, created_at=offer.created_at,
        plain_words=plain_words(
            status=status, last_day=offer.acceptance_deadline, zone=zone,
            cut_by_trial=offer.cut_by_trial,
            represented_client=bool(client_of & {offer.offeror_party_id,
                                                 offer.offeree_party_id})))


def read_for(session: Session, ctx: CaseContext, svc: Services,
             offers: list[Ccp998Offer]) -> list[Ccp998Read]:
    case = case_service.case_row(session, ctx.case_id)
    assert case is not None
    client_of = frozenset(m.party_id for m in ctx.memberships
                          if m.role == Role.CLIENT and m.party_id)
    return [to_read(svc, o, zone=case.court_timezone, client_of=client_of) for o in offers]


def load_visible(session: Session, ctx: CaseContext, offer_id: uuid.UUID, action: str, *,
                 lock: bool = False) -> Ccp998Offer:
    offer = repo.get_offer(session, ctx.case_id, offer_id, lock=lock)
    if offer is None or not may_see_rule68(ctx.memberships, facts(offer)):
        refuse(session, ctx, action, OBJECT, offer_id,
               NotFound("No such offer.", code="offer_not_found"))
    return offer


def list_offers(session: Session, ctx: CaseContext, *, svc: Services, offset: int,
                limit: int) -> list[Ccp998Read]:
    offers = repo.visible_offers(session, ctx.case_id, rule68_scope(ctx.memberships),
                                 offset=offset, limit=limit)
    record(session, ctx, "ccp998.list", "case", ctx.case_id,
           {"count": len(offers), "offer_ids": [o.id for o in offers]})
    return read_for(session, ctx, svc, offers)


def get_offer(session: Session, ctx: CaseContext, *, svc: Services,
              offer_id: uuid.UUID) -> Ccp998Read:
    offer = load_visible(session, ctx, offer_id, "ccp998.read")
    record(session, ctx, "ccp998.read", OBJECT, offer.id, {"offer_id": offer.id})
    return read_for(session, ctx, svc, [offer])[0]
