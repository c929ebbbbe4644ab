"""What Rule 68 practice needs on record besides offers: each party's written consent to
electronic service through the room (FRCP 5(b)(2)(E)) and, once liability is determined,
the date of the hearing on its extent (68(c)). Neither holds confidential content."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz.policy import Denial
from app.authz.policy_negotiation import may_consent_to_service
from app.context import CaseContext
from app.errors import Invalid
from app.models.rule68 import LiabilityHearing, ServiceConsent
from app.offers import repository as offer_repo
from app.refusals import refuse
from app.rule68 import repository as repo
from app.rule68.schemas import (
    LiabilityHearingRead,
    LiabilityHearingSet,
    ServiceConsentRead,
)
from app.runtime import Services


def _consent_read(consent: ServiceConsent) -> ServiceConsentRead:
    return ServiceConsentRead(case_id=consent.case_id, party_id=consent.party_id,
                              consented_by=consent.consented_by,
                              consented_at=consent.consented_at)


def give_consent(session: Session, ctx: CaseContext, *, svc: Services,
                 party_id: uuid.UUID) -> ServiceConsentRead:
    """Idempotent: a party consents once; repeating it returns the consent on record."""
    action = "service_consent.give"
    decision = may_consent_to_service(ctx.memberships, party_id)
    if isinstance(decision, Denial):
        refuse(session, ctx, action, "party", party_id, decision)
    if offer_repo.get_party(session, ctx.case_id, party_id) is None:
        raise Invalid("party_id is not a party of this case.", code="unknown_party")
    consent = repo.get_consent(session, ctx.case_id, party_id)
    if consent is None:
        consent = ServiceConsent(case_id=ctx.case_id, party_id=party_id,
                                 consented_by=ctx.user_id, consented_at=svc.now())
        repo.add(session, consent)
        record(session, ctx, action, "party", party_id, {"party_id": party_id},
               party_id=party_id)
    return _consent_read(consent)


def list_consents(session: Session, ctx: CaseContext) -> list[ServiceConsentRead]:
    return [_consent_read(c) for c in repo.list_consents(session, ctx.case_id)]


def _hearing_read(ctx: CaseContext, hearing: LiabilityHearing | None) -> LiabilityHearingRead:
    return LiabilityHearingRead(case_id=ctx.case_id, liability_determined=hearing is not None,
                                hearing_date=hearing.hearing_date if hearing else None)


def set_hearing(session: Session, ctx: CaseContext, *, svc: Services,
                data: LiabilityHearingSet) -> LiabilityHearingRead:
    hearing = repo.get_hearing(session, ctx.case_id)
    if data.hearing_date is None:
        if hearing is not None:
            repo.delete(session, hearing)
            hearing = None
    elif hearing is None:
        hearing = LiabilityHearing(case_id=ctx.case_id, hearing_date=data.hearing_date,
                                   set_by=ctx.user_id, set_at=svc.now())
        repo.add(session, hearing)
    else:
        hearing.hearing_date, hearing.set_by, hearing.set_at = (
            data.hearing_date, ctx.user_id, svc.now())
        session.flush()
    record(session, ctx, "liability_hearing.set", "case", ctx.case_id,
           {"status": "set" if hearing else "cleared"})
    return _hearing_read(ctx, hearing)


def get_hearing(session: Session, ctx: CaseContext) -> LiabilityHearingRead:
    return _hearing_read(ctx, repo.get_hearing(session, ctx.case_id))
