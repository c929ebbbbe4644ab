"""Submitting a party's written ENE statement, as a new sealed version."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz import policy_ene as pol
from app.context import CaseContext
from app.ene import repository as repo
from app.ene.reads import (
    load,
    require_open,
    statement_read,
)
from app.ene.rules import is_late
from app.ene.schemas import (
    StatementCreate,
    StatementRead,
)
from app.models.base import new_id
from app.models.ene import (
    STATEMENT_OBJECT,
    EneStatement,
)
from app.refusals import refuse_unless
from app.runtime import Services
from app.sealing import seal_bytes


def submit_statement(session: Session, ctx: CaseContext, svc: Services, *,
                     session_id: uuid.UUID, data: StatementCreate) -> StatementRead:
    """A new version of the party's statement; the previous one stays, marked superseded."""
    action = "ene.statement.submit"
    loaded = load(session, ctx, session_id, action, lock=True)
    decision = pol.can_submit_statement(loaded.viewer, loaded.facts, data.party_id)
    refuse_unless(session, ctx, action, "ene_session", session_id, decision,
                  not_found_code="session_not_found")
    require_open(session, ctx, loaded, action)
    now = svc.now()
    previous = repo.current_statement(session, session_id, data.party_id)
    version = 1 if previous is None else previous.version + 1
    if previous is not None:
        previous.superseded_at = now
    st_id = new_id()
    sealed = seal_bytes(svc.key_provider, case_id=ctx.case_id, object_type=STATEMENT_OBJECT,
                        object_id=st_id, plaintext=data.body.encode(), version=version)
    late = is_late(now, loaded.row.statement_due_at)
    st = EneStatement(id=st_id, session_id=session_id, case_id=ctx.case_id,
                      party_id=data.party_id, version=version, late=late,
                      shared_with_parties=data.share_with_parties, submitted_by=ctx.user_id,
                      body_sealed=sealed, created_at=now)
    repo.add(session, st)
    record(session, ctx, action, "ene_statement", st.id,
           {"session_id": session_id, "statement_id": st.id, "party_id": data.party_id,
            "version": version, "late": late, "size": len(sealed)})
    return statement_read(loaded, st, svc, set(), current=True)
