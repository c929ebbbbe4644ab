"""Certificates of service for papers served outside the room (an offer, or a notice of
acceptance), and the checks on the time such service is dated.

The time comes from the party, not the room's clock: it may not lie in the future, nor
more than ``MAX_BACKDATE_DAYS`` court days back (422 ``served_at_too_far_back``); a day
before the one it is recorded on is stored as ``backdated`` and shown to both sides. Who
served, on whom and the certificate's text or hash are sealed; audit events carry ids,
the method and the flag only.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.context import CaseContext
from app.errors import Invalid
from app.models.rule68 import CERTIFICATE_OBJECT_TYPE, Rule68Certificate, Rule68Offer
from app.refusals import refuse
from app.rule68 import repository as repo
from app.rule68.practice import MAX_BACKDATE_DAYS, too_far_back
from app.rule68.reads import OBJECT
from app.rule68.schemas import CertificateOfService
from app.runtime import Services
from app.sealing import seal_json


def check_outside_time(session: Session, ctx: CaseContext, action: str,
                       offer_id: uuid.UUID | None, served_at: datetime, now: datetime,
                       zone: ZoneInfo) -> None:
    if served_at > now:
        refuse(session, ctx, action, OBJECT, offer_id, Invalid(
            "served_at cannot be in the future.", code="served_at_in_future"))
    if too_far_back(served_at.astimezone(zone).date(), now.astimezone(zone).date()):
        refuse(session, ctx, action, OBJECT, offer_id, Invalid(
            f"Service made outside the room can be recorded up to {MAX_BACKDATE_DAYS} days "
            "after it was made.", code="served_at_too_far_back"))


def add_certificate(session: Session, ctx: CaseContext, svc: Services, offer: Rule68Offer,
                    party_id: uuid.UUID | None, method: str, served_at: datetime,
                    backdated: bool, certificate: CertificateOfService) -> Rule68Certificate:
    """``party_id`` None: service of the offer; else that offeree's notice of acceptance."""
    row_id = uuid.uuid4()
    row = Rule68Certificate(
        id=row_id, offer_id=offer.id, case_id=offer.case_id, party_id=party_id,
        kind="service" if party_id is None else "acceptance", method=method,
        served_at=served_at, backdated=backdated, recorded_by=ctx.user_id,
        recorded_at=svc.now(),
        content=seal_json(svc.key_provider, certificate.model_dump(), case_id=offer.case_id,
                          object_type=CERTIFICATE_OBJECT_TYPE, object_id=row_id))
    repo.add(session, row)
    return row
