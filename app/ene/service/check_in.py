"""Checking in to an ENE session: attendance in every role the caller holds in it."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz import policy_ene as pol
from app.context import CaseContext
from app.ene import repository as repo
from app.ene.reads import (
    attendance_read,
    load,
    require_open,
)
from app.ene.schemas import (
    AttendanceRead,
)
from app.models.ene import (
    EneAttendance,
)
from app.refusals import refuse_unless
from app.runtime import Services


def check_in(session: Session, ctx: CaseContext, svc: Services, *,
             session_id: uuid.UUID) -> list[AttendanceRead]:
    """Record attendance in every role the caller holds in this session; idempotent."""
    action = "ene.attendance.check_in"
    loaded = load(session, ctx, session_id, action, lock=True)
    require_open(session, ctx, loaded, action)
    decision = pol.can_check_in(loaded.viewer, loaded.facts)
    refuse_unless(session, ctx, action, "ene_session", session_id, decision,
                  not_found_code="session_not_found")
    present = {(a.user_id, a.role, a.party_id) for a in repo.attendance(session, session_id)}
    now = svc.now()
    for role, party_id in pol.attendance_roles(loaded.viewer, loaded.facts):
        if (ctx.user_id, role.value, party_id) in present:
            continue
        repo.add(session, EneAttendance(
            session_id=session_id, user_id=ctx.user_id, role=role.value, party_id=party_id,
            party_key=str(party_id) if party_id else "-", checked_in_at=now))
        record(session, ctx, action, "ene_session", session_id,
               {"session_id": session_id, "role": role.value, "party_id": party_id})
    return [attendance_read(a) for a in repo.attendance(session, session_id)
            if a.user_id == ctx.user_id]
