"""Use case: the room admin records the FRCP 68(c) hearing date once liability is determined.

From then on an offer must be served at least 14 days before that hearing."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.audit.service import record
from app.context import CaseContext
from app.models.rule68 import LiabilityHearing
from app.rule68 import repository as repo
from app.rule68.reads import _hearing_read
from app.rule68.schemas import (
    LiabilityHearingRead,
    LiabilityHearingSet,
)
from app.runtime import Services


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
