"""Use case: the room admin records the FRCP 68(c) hearing date once liability is determined,
with the parties held liable and the claims the determination covers.

From then on an offer by a party held liable, on claims covered, must be served at least 14
days before that hearing, and the trial date no longer limits it; every other offer keeps
the 68(a) limit of 14 days before trial. Without ``liable_party_ids`` every party that
defends a claim is taken as held liable (what the room assumed before they were named)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.audit.service import record
from app.cases import service as case_service
from app.context import CaseContext
from app.errors import Invalid
from app.models.rule68 import LiabilityHearing
from app.rule68 import repository as repo
from app.rule68.reads import _hearing_read
from app.rule68.rules import implied_claims
from app.rule68.schemas import (
    LiabilityHearingRead,
    LiabilityHearingSet,
)
from app.runtime import Services


def _determination(session: Session, ctx: CaseContext,
                   data: LiabilityHearingSet) -> tuple[list[str], list[str]]:
    """(liable party ids, claim ids) as stored; unknown ids are refused (422)."""
    parties = repo.parties(session, ctx.case_id)
    claims = case_service.claim_rows(session, ctx.case_id)
    claim_ids = [c.id for c, _ in claims]
    if any(c not in claim_ids for c in data.claim_ids or []):
        raise Invalid("claim_ids names a claim not of this case.", code="unknown_claim")
    if data.liable_party_ids is None:
        recorded = [(c.claimant_party_id, d) for c, d in claims]
        pairs = recorded or implied_claims({p.id: p.side for p in parties.values()})
        liable = sorted({d for _, defenders in pairs for d in defenders}, key=str)
    elif any(p not in parties for p in data.liable_party_ids):
        raise Invalid("liable_party_ids names a party not of this case.", code="unknown_party")
    else:
        liable = list(dict.fromkeys(data.liable_party_ids))
    return [str(p) for p in liable], [str(c) for c in dict.fromkeys(data.claim_ids or [])]


def set_hearing(session: Session, ctx: CaseContext, *, svc: Services,
                data: LiabilityHearingSet) -> LiabilityHearingRead:
    hearing = repo.get_hearing(session, ctx.case_id)
    if data.hearing_date is None:
        if hearing is not None:
            repo.delete(session, hearing)
            hearing = None
    else:
        liable, claim_ids = _determination(session, ctx, data)
        if hearing is None:
            hearing = LiabilityHearing(case_id=ctx.case_id, hearing_date=data.hearing_date,
                                       set_by=ctx.user_id, set_at=svc.now())
            repo.add(session, hearing)
        hearing.hearing_date, hearing.set_by, hearing.set_at = (
            data.hearing_date, ctx.user_id, svc.now())
        hearing.liable_party_ids, hearing.claim_ids = liable, claim_ids
        session.flush()
    record(session, ctx, "liability_hearing.set", "case", ctx.case_id,
           {"status": "set" if hearing else "cleared"})
    return _hearing_read(ctx, hearing)
