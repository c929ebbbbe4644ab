"""Moving an ENE session: a new time and/or a new due date for the written statements.

Threats: a session moved after it took place (rewriting when it was held); a move that
nobody hears of, or whose old reminders still fire on the old dates; a neutral moving a
colleague's session.

Invariants:
- only the room admin or the session's evaluator moves it (403 ``not_session_host``);
- a closed session answers 409 ``session_closed``, one already held (its time has come,
  or someone checked in) 409 ``session_held``; the new time lies in the future (422
  ``scheduled_in_past``) and the statements are never due after the session day;
- the move, its audit event, the ``ene.session_moved`` notices to the evaluator and the
  participating parties, and the replaced statement reminders commit together; the
  calendar's events keep their UIDs, so a subscribed calendar moves them;
- a move that changes nothing changes nothing: no event, no notice.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz import policy_ene as pol
from app.cases import service as case_service
from app.context import CaseContext
from app.deadlines import service as deadline_service
from app.ene import repository as repo
from app.ene.reads import Loaded, load, require_open, session_read
from app.ene.rules import EneRuleError, StatementDue, statement_due
from app.ene.schemas import SessionMove, SessionRead, StatementDueDays
from app.ene.service import reminders
from app.ene.service.notices import takes_part, tell
from app.errors import Conflict, Invalid
from app.models.ene import EneSession
from app.refusals import refuse, refuse_unless
from app.runtime import Services

ACTION = "ene.session.reschedule"


def reschedule_session(session: Session, ctx: CaseContext, svc: Services, *,
                       session_id: uuid.UUID, data: SessionMove) -> SessionRead:
    loaded = load(session, ctx, session_id, ACTION, lock=True)
    refuse_unless(session, ctx, ACTION, "ene_session", session_id,
                  pol.can_reschedule(loaded.viewer, loaded.facts))
    require_open(session, ctx, loaded, ACTION)
    now = svc.now()
    _require_not_held(session, ctx, loaded, now)
    if data.scheduled_at is None and data.statement_due is None:
        raise Invalid("Give a new time for the session or a new due date for the statements.",
                      code="nothing_to_change")
    row = loaded.row
    scheduled_at = data.scheduled_at or row.scheduled_at
    if scheduled_at <= now:
        raise Invalid("The session must be scheduled in the future.", code="scheduled_in_past")
    due = _statement_due(session, ctx, row, scheduled_at, data)
    parties = sorted(loaded.facts.party_ids)
    if (scheduled_at, due.ends_at, due.days_before) == (
            row.scheduled_at, row.statement_due_at, row.statement_due_days_before):
        return session_read(row, parties)
    row.scheduled_at, row.statement_due_date = scheduled_at, due.date
    row.statement_due_at, row.statement_due_days_before = due.ends_at, due.days_before
    session.flush()
    record(session, ctx, ACTION, "ene_session", session_id, {"session_id": session_id})
    tell(session, ctx, svc, kind="ene.session_moved", object_type="ene_session",
         object_id=row.id, session_id=row.id, may_see=takes_part(loaded.facts),
         due_at=row.scheduled_at)
    reminders.reschedule(session, row, parties, now)
    return session_read(row, parties)


def _require_not_held(session: Session, ctx: CaseContext, loaded: Loaded,
                      now: datetime) -> None:
    if loaded.row.scheduled_at <= now or repo.attendance(session, loaded.row.id):
        refuse(session, ctx, ACTION, "ene_session", loaded.row.id, Conflict(
            "The session has taken place; it can no longer be moved.", code="session_held"),
            details={"session_id": loaded.row.id})


def _statement_due(session: Session, ctx: CaseContext, row: EneSession,
                   scheduled_at: datetime, data: SessionMove) -> StatementDue:
    """The due date asked for, else the session's own rule counted from the new day."""
    spec = data.statement_due
    if spec is None:
        days_before = row.statement_due_days_before
        due_date = row.statement_due_date if days_before is None else None
    elif isinstance(spec, StatementDueDays):
        days_before, due_date = spec.days_before, None
    else:
        days_before, due_date = None, spec
    case = case_service.case_row(session, ctx.case_id)
    assert case is not None  # the guard loaded the membership
    closed = deadline_service.court_days(session, case.district)
    try:
        return statement_due(
            scheduled_at, due_date=due_date, days_before=days_before,
            court_state=case.court_state, court_timezone=row.court_timezone,
            district=case.district, extra_holidays=closed.extra_holidays,
            inaccessible_days=closed.inaccessible_days)
    except EneRuleError as exc:
        raise Invalid(str(exc), code=exc.code) from None
