"""Read models of Rule 68 offers: what a member may see, decrypted only for that member.

Invariants: the neutral, room admin and auditor as such never see an offer (404, like
unknown ids); reading content is one audit event per request naming ids only."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz.permissions import SPEAKING_ROLES, Role
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
    CERTIFICATE_OBJECT_TYPE,
    RULE68_OBJECT_TYPE,
    LiabilityHearing,
    OtherMeansConsent,
    Rule68Certificate,
    Rule68Offer,
    Rule68Offeree,
    ServiceConsent,
)
from app.notifications import service as notifications
from app.refusals import refuse
from app.rule68 import repository as repo
from app.rule68.plain import explanation_line, plain_words
from app.rule68.practice import (
    NO_CERTIFICATE,
    SERVICE_RULE,
    backdated_warning,
    offer_warnings,
)
from app.rule68.rules import offer_status
from app.rule68.schemas import (
    CertificateRead,
    LiabilityHearingRead,
    OffereeAcceptance,
    OffereeAmount,
    Rule68Read,
    Rule68Warning,
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


def _certificate_read(svc: Services, row: Rule68Certificate) -> CertificateRead:
    sealed = open_json(svc.key_provider, row.content, case_id=row.case_id,
                       object_type=CERTIFICATE_OBJECT_TYPE, object_id=row.id)
    return CertificateRead(
        kind=row.kind, party_id=row.party_id, method=row.method,  # type: ignore[arg-type]
        rule=SERVICE_RULE[row.method], served_at=row.served_at, backdated=row.backdated,
        recorded_at=row.recorded_at, recorded_by=row.recorded_by, **sealed)


def certificates(session: Session, svc: Services, offer: Rule68Offer) -> list[CertificateRead]:
    """The certificates of service of one offer, opened for a reader already admitted."""
    return [_certificate_read(svc, row)
            for row in repo.certificates_of(session, [offer.id])[offer.id]]


def _warnings(offer: Rule68Offer, offerees: list[Rule68Offeree], apportioned: bool,
              certificates: list[CertificateRead]) -> list[Rule68Warning]:
    found = offer_warnings(offeree_count=len(offerees), apportioned=apportioned,
                           attorney_fees=offer.attorney_fees)
    if offer.service_method != "electronic" and not any(
            c.kind == "service" for c in certificates):
        found.append(("no_certificate_of_service", NO_CERTIFICATE))
    if offer.backdated:
        found.append(("backdated_service", backdated_warning(
            "Service of this offer", offer.served_at, offer.created_at)))
    for o in offerees:
        if o.acceptance_backdated and o.accepted_at and o.acceptance_recorded_at:
            found.append(("backdated_acceptance", backdated_warning(
                "A notice of acceptance", o.accepted_at, o.acceptance_recorded_at)))
    return [Rule68Warning(code=code, text=text) for code, text in found]


@dataclass(frozen=True)
class Viewer:
    """What the plain words depend on: the court's zone and whether the reader is a client
    of a party of the offer (who is then told to talk to their lawyer)."""

    zone: str
    client_of: frozenset[uuid.UUID] = frozenset()


def viewer(session: Session, ctx: CaseContext) -> Viewer:
    case = case_service.case_row(session, ctx.case_id)
    assert case is not None
    return Viewer(zone=case.court_timezone, client_of=frozenset(
        m.party_id for m in ctx.memberships if m.role == Role.CLIENT and m.party_id))


def to_read(svc: Services, offer: Rule68Offer, offerees: list[Rule68Offeree],
            notices: list[ServiceNotice] | None = None,
            certificates: list[Rule68Certificate] | None = None,
            seen_by: Viewer | None = None) -> Rule68Read:
    notices = notices or []
    explanation = list(offer.deadline_explanation)
    if any(n.status == "failed" for n in notices):
        explanation.append(NOT_EFFECTIVE)
    status = status_of(offer, svc.now())
    words: list[str] = []
    if seen_by is not None:
        explanation.append(explanation_line(offer.acceptance_deadline, seen_by.zone))
        words = plain_words(
            status=status, deadline=offer.acceptance_deadline, zone=seen_by.zone,
            represented_client=bool(seen_by.client_of & (
                {offer.offeror_party_id} | {o.party_id for o in offerees})))
    content = content_of(svc, offer)
    shares = content.pop("offeree_amounts", None)
    amounts = ([OffereeAmount(party_id=uuid.UUID(p), amount_cents=c) for p, c in shares.items()]
               if shares else None)
    certs = [_certificate_read(svc, c) for c in certificates or []]
    return Rule68Read(
        id=offer.id, case_id=offer.case_id, offeror_party_id=offer.offeror_party_id,
        offeree_party_ids=[o.party_id for o in offerees], claim_id=offer.claim_id,
        **content, costs=offer.costs, terms_sha256=offer.terms_sha256,
        service_method=offer.service_method, served_at=offer.served_at,
        served_on=offer.served_on, served_by=offer.served_by,
        acceptance_deadline=offer.acceptance_deadline,
        acceptance_deadline_ends_at=offer.acceptance_ends_at,
        deadline_explanation=explanation, status=status,
        acceptances=[OffereeAcceptance(
            party_id=o.party_id, accepted_at=o.accepted_at, accepted_by=o.accepted_by,
            method=o.acceptance_method, recorded_at=o.acceptance_recorded_at,  # type: ignore[arg-type]
            backdated=o.acceptance_backdated) for o in offerees],
        accepted_at=offer.accepted_at, created_at=offer.created_at, service_notices=notices,
        attorney_fees=offer.attorney_fees, offeree_amounts=amounts,  # type: ignore[arg-type]
        backdated=offer.backdated, certificates=certs,
        warnings=_warnings(offer, offerees, amounts is not None, certs), plain_words=words,
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
    """A fixed number of queries whatever the number of offers (the scoped page, their
    offerees, their certificates, the service notices); one
    audit event naming the offers whose terms the response shows."""
    offers = repo.visible_offers(session, ctx.case_id, rule68_scope(ctx.memberships),
                                 offset=offset, limit=limit)
    offerees = repo.offerees_of(session, [o.id for o in offers])
    certificates = repo.certificates_of(session, [o.id for o in offers])
    notices = service_notices(session, ctx.case_id, {o: offerees[o.id] for o in offers})
    record(session, ctx, "rule68.list", "case", ctx.case_id,
           {"count": len(offers), "offer_ids": [o.id for o in offers]})
    seen_by = viewer(session, ctx)
    return [to_read(svc, o, offerees[o.id], notices.get(o.id), certificates[o.id], seen_by)
            for o in offers]


def get_offer(session: Session, ctx: CaseContext, *, svc: Services,
              offer_id: uuid.UUID) -> Rule68Read:
    offer, offerees = load_visible(session, ctx, offer_id, "rule68.read")
    record(session, ctx, "rule68.read", OBJECT, offer.id, {"offer_id": offer.id})
    return full_read(session, ctx, svc, offer, offerees)


def full_read(session: Session, ctx: CaseContext, svc: Services, offer: Rule68Offer,
              offerees: list[Rule68Offeree]) -> Rule68Read:
    """One offer with its service notices, certificates of service and plain words."""
    notices = service_notices(session, offer.case_id, {offer: offerees})
    certificates = repo.certificates_of(session, [offer.id])[offer.id]
    return to_read(svc, offer, offerees, notices.get(offer.id), certificates,
                   viewer(session, ctx))


def list_consents(session: Session, ctx: CaseContext) -> list[ServiceConsentRead]:
    """Consents to electronic service (5(b)(2)(E)), then consents to other means (F)."""
    return ([_consent_read(c) for c in repo.list_consents(session, ctx.case_id)]
            + [_other_consent_read(c) for c in repo.list_other_consents(session, ctx.case_id)])


def _hearing_read(ctx: CaseContext, hearing: LiabilityHearing | None) -> LiabilityHearingRead:
    return LiabilityHearingRead(
        case_id=ctx.case_id, liability_determined=hearing is not None,
        hearing_date=hearing.hearing_date if hearing else None,
        liable_party_ids=[uuid.UUID(p) for p in (hearing.liable_party_ids or [])]
        if hearing else [],
        claim_ids=[uuid.UUID(c) for c in (hearing.claim_ids or [])] if hearing else [])


def get_hearing(session: Session, ctx: CaseContext) -> LiabilityHearingRead:
    return _hearing_read(ctx, repo.get_hearing(session, ctx.case_id))


def _consent_read(consent: ServiceConsent) -> ServiceConsentRead:
    return ServiceConsentRead(case_id=consent.case_id, party_id=consent.party_id,
                              consented_by=consent.consented_by,
                              consented_at=consent.consented_at)


def _other_consent_read(consent: OtherMeansConsent) -> ServiceConsentRead:
    return ServiceConsentRead(case_id=consent.case_id, party_id=consent.party_id,
                              consented_by=consent.consented_by,
                              consented_at=consent.consented_at, rule=SERVICE_RULE["other"],
                              kind="other", means=consent.means)


def upcoming_deadlines(scopes: Mapping[uuid.UUID, Collection[uuid.UUID]],
                       now: datetime) -> Select[tuple[uuid.UUID, datetime]]:
    """(case id, earliest end of an acceptance window) of the open offers each case's party
    scope may see, as a statement another read combines with its own: dates only."""
    return repo.upcoming_deadlines(scopes, now)
