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
from app.authz.permissions import SPEAKING_ROLES
from app.authz.policy import Membership, parties_acting_as
from app.authz.policy_negotiation import (
    Rule68Facts,
    may_see_rule68,
    rule68_scope,
)
from app.cases import service as case_service
from app.context import CaseContext
from app.errors import NotFound
from app.models.notifications import MAIL_DEAD, MAIL_SENT
from app.models.rule68 import (
    RULE68_OBJECT_TYPE,
    LiabilityHearing,
    Rule68Offer,
    Rule68Offeree,
    ServiceConsent,
)
from app.notifications import service as notifications
from app.refusals import refuse
from app.rule68 import repository as repo
from app.rule68.rules import offer_status
from app.rule68.schemas import (
    LiabilityHearingRead,
    OffereeAcceptance,
    Rule68Read,
    ServiceConsentRead,
    ServiceNotice,
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


SERVICE_NOTICE = "rule68.served"  # the notification kind that serves the offer
NOT_EFFECTIVE = ("The service notice to an offeree could not be delivered: electronic "
                 "service is not effective if the sender learns that it did not reach the "
                 "person to be served (FRCP 5(b)(2)(E)). Serve that offeree another way; "
                 "the 14 days run from effective service.")


def service_notices(session: Session, case_id: uuid.UUID,
                    offers: Mapping[Rule68Offer, list[Rule68Offeree]]
                    ) -> dict[uuid.UUID, list[ServiceNotice]]:
    """Per electronically served offer, per offeree: whether the service notice reached the
    mail server of the offeree's counsel or pro se party. Two queries for any number of
    offers; an offer without any notice mail (served before notices existed) gets none."""
    electronic = {o: oo for o, oo in offers.items() if o.service_method == "electronic"}
    if not electronic:
        return {}
    mails = notifications.deliveries(session, kind=SERVICE_NOTICE,
                                     object_ids=[o.id for o in electronic])
    members = case_service.memberships_by_user(session, case_id)
    found: dict[uuid.UUID, list[ServiceNotice]] = {}
    for offer, offerees in electronic.items():
        if mails[offer.id]:
            found[offer.id] = [_notice(o.party_id, mails[offer.id], members) for o in offerees]
    return found


def _notice(party_id: uuid.UUID, mails: list[notifications.Delivery],
            members: Mapping[uuid.UUID, frozenset[Membership]]) -> ServiceNotice:
    served = {user_id for user_id, ms in members.items()
              if party_id in parties_acting_as(ms, SPEAKING_ROLES)}
    mine = [d for d in mails if d.user_id in served]
    sent = [d.sent_at for d in mine if d.status == MAIL_SENT and d.sent_at is not None]
    if sent:
        return ServiceNotice(party_id=party_id, status="delivered", delivered_at=min(sent))
    if all(d.status == MAIL_DEAD for d in mine):  # none at all is a failure too
        return ServiceNotice(party_id=party_id, status="failed")
    return ServiceNotice(party_id=party_id, status="pending")


def to_read(svc: Services, offer: Rule68Offer, offerees: list[Rule68Offeree],
            notices: list[ServiceNotice] | None = None) -> Rule68Read:
    notices = notices or []
    explanation = list(offer.deadline_explanation)
    if any(n.status == "failed" for n in notices):
        explanation.append(NOT_EFFECTIVE)
    return Rule68Read(
        id=offer.id, case_id=offer.case_id, offeror_party_id=offer.offeror_party_id,
        offeree_party_ids=[o.party_id for o in offerees], claim_id=offer.claim_id,
        **content_of(svc, offer), costs=offer.costs, terms_sha256=offer.terms_sha256,
        service_method=offer.service_method, served_at=offer.served_at,
        served_on=offer.served_on, served_by=offer.served_by,
        acceptance_deadline=offer.acceptance_deadline,
        acceptance_deadline_ends_at=offer.acceptance_ends_at,
        deadline_explanation=explanation, status=status_of(offer, svc.now()),
        acceptances=[OffereeAcceptance(party_id=o.party_id, accepted_at=o.accepted_at,
                                       accepted_by=o.accepted_by) for o in offerees],
        accepted_at=offer.accepted_at, created_at=offer.created_at, service_notices=notices,
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
    notices = service_notices(session, ctx.case_id, {o: offerees[o.id] for o in offers})
    record(session, ctx, "rule68.list", "case", ctx.case_id,
           {"count": len(offers), "offer_ids": [o.id for o in offers]})
    return [to_read(svc, o, offerees[o.id], notices.get(o.id)) for o in offers]


def get_offer(session: Session, ctx: CaseContext, *, svc: Services,
              offer_id: uuid.UUID) -> Rule68Read:
    offer, offerees = load_visible(session, ctx, offer_id, "rule68.read")
    record(session, ctx, "rule68.read", OBJECT, offer.id, {"offer_id": offer.id})
    return full_read(session, svc, offer, offerees)


def full_read(session: Session, svc: Services, offer: Rule68Offer,
              offerees: list[Rule68Offeree]) -> Rule68Read:
    """One offer with its service notices."""
    notices = service_notices(session, offer.case_id, {offer: offerees})
    return to_read(svc, offer, offerees, notices.get(offer.id))


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
