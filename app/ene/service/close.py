"""Closing an ENE session with its outcome: from then on it is read-only."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz import policy_ene as pol
from app.context import CaseContext
from app.ene.reads import (
    CLOSED,
    load,
    require_open,
    session_read,
)
from app.ene.schemas import (
    CloseRequest,
    SessionRead,
)
from app.refusals import refuse_unless
from app.runtime import Services


def close_session(session: Session, ctx: CaseContext, svc: Services, *,
                  session_id: uuid.UUID, data: CloseRequest) -> SessionRead:
    action = "ene.session.close"
    loaded = load(session, ctx, session_id, action, lock=True)
    decision = pol.can_evaluate(loaded.viewer, loaded.facts)
    refuse_unless(session, ctx, action, "ene_session", session_id, decision)
    require_open(session, ctx, loaded, action)
    loaded.row.status, loaded.row.outcome, loaded.row.closed_at = CLOSED, data.outcome, svc.now()
    session.flush()
    record(session, ctx, action, "ene_session", session_id,
           {"session_id": session_id, "outcome": data.outcome})
    return session_read(loaded.row, sorted(loaded.facts.party_ids))
