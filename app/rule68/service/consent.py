"""Use case: a party's written consent to electronic service through the room (FRCP
5(b)(2)(E)) or to service by other stated means (5(b)(2)(F)).

Given by the party's counsel or by itself pro se; recorded once per party and kind. The
stated means may name an address: it is never written to the audit log."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz.policy_negotiation import may_consent_to_service
from app.cases import service as case_service
from app.context import CaseContext
from app.errors import Invalid
from app.models.rule68 import OtherMeansConsent, ServiceConsent
from app.refusals import refuse_unless
from app.rule68 import repository as repo
from app.rule68.reads import _consent_read, _other_consent_read
from app.rule68.schemas import ServiceConsentCreate, ServiceConsentRead
from app.runtime import Services


def give_consent(session: Session, ctx: CaseContext, *, svc: Services,
                 data: ServiceConsentCreate) -> ServiceConsentRead:
    """Idempotent: a party consents once per kind; repeating it returns the consent on
    record (other means: as first stated)."""
    party_id = data.party_id
    action = "service_consent.give"
    decision = may_consent_to_service(ctx.memberships, party_id)
    refuse_unless(session, ctx, action, "party", party_id, decision)
    if case_service.party_row(session, ctx.case_id, party_id) is None:
        raise Invalid("party_id is not a party of this case.", code="unknown_party")
    if data.kind == "other":
        return _other_means(session, ctx, svc, party_id, data.means or "")
    consent = repo.get_consent(session, ctx.case_id, party_id)
    if consent is None:
        consent = ServiceConsent(case_id=ctx.case_id, party_id=party_id,
                                 consented_by=ctx.user_id, consented_at=svc.now())
        repo.add(session, consent)
        record(session, ctx, action, "party", party_id, {"party_id": party_id},
               party_id=party_id)
    return _consent_read(consent)


def _other_means(session: Session, ctx: CaseContext, svc: Services, party_id: uuid.UUID,
                 means: str) -> ServiceConsentRead:
    consent = repo.get_other_consent(session, ctx.case_id, party_id)
    if consent is None:
        consent = OtherMeansConsent(case_id=ctx.case_id, party_id=party_id, means=means,
                                    consented_by=ctx.user_id, consented_at=svc.now())
        repo.add(session, consent)
        record(session, ctx, "service_consent.give", "party", party_id,
               {"party_id": party_id, "kind": "other_means"}, party_id=party_id)
    return _other_consent_read(consent)
