"""Who is told of an ENE event: the members the ENE policy lets see the item (the evaluator
and the participating parties' counsel, pro se party and client; a caucus only to its own
party), never the auditor or the room admin as such, and never the one who acted."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from app.authz import policy_ene as pol
from app.context import CaseContext
from app.notifications import service as notifications
from app.notifications.service import MaySee
from app.runtime import Services


def tell(session: Session, ctx: CaseContext, svc: Services, *, kind: str, object_type: str,
         object_id: uuid.UUID, session_id: uuid.UUID, may_see: MaySee,
         due_at: datetime | None = None) -> None:
    notifications.notify_case_members(
        session, ctx, kind=kind, object_type=object_type, object_id=object_id,
        link=f"/cases/{ctx.case_id}/ene/{session_id}", may_see=may_see, now=svc.now(),
        due_at=due_at)


def takes_part(facts: pol.SessionFacts) -> MaySee:
    """The evaluator and whoever acts for a participating party."""
    return lambda viewer: pol.is_evaluator(viewer, facts) or pol.acting_parties(viewer, facts)


def sees_item(facts: pol.SessionFacts, item: pol.Item) -> MaySee:
    return lambda viewer: pol.can_see_item(viewer, facts, item)


def acts_for(facts: pol.SessionFacts, parties: set[uuid.UUID]) -> MaySee:
    return lambda viewer: bool(pol.acting_parties(viewer, facts) & parties)
