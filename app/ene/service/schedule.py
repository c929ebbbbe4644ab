"""Scheduling an ENE session: the evaluator, the participating parties and the written
statements' due time."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz import policy_ene as pol
from app.authz.permissions import Role
from app.cases import service as case_service
from app.context import CaseContext
from app.deadlines import service as deadline_service
from app.ene import repository as repo
from app.ene.errors import (
    EvaluatorNotNeutral,
)
from app.ene.reads import (
    session_read,
)
from app.ene.rules import EneRuleError, statement_due
from app.ene.schemas import (
    SessionCreate,
    SessionRead,
    StatementDueDays,
)
from app.ene.service import reminders
from app.ene.service.notices import takes_part, tell
from app.errors import Invalid
from app.models.ene import (
    EneParticipant,
    EneSession,
)
from app.runtime import Services


def _participating(session: Session, ctx: CaseContext,
                   requested: list[uuid.UUID] | None) -> list[uuid.UUID]:
    known = [p.id for p in case_service.party_rows(session, ctx.case_id)]
    if requested is None:
        if len(known) < 2:
            raise Invalid("An ENE needs at least two parties.", code="too_few_parties")
        return known
    chosen = list(dict.fromkeys(requested))
    if len(chosen) != len(requested):
        raise Invalid("participating_party_ids lists a party twice.", code="duplicate_party")
    if any(p not in known for p in chosen):
        raise Invalid("A participating party is not a party of this case.", code="unknown_party")
    return chosen


def _session_timezone(given: str | None, court: str) -> str:
    """The session keeps the case's court time: its statements are due by the court's
    midnight and its times shown in the court's zone. A zone given that is not the court's
    is refused rather than kept: it would end the statements' day hours away from the
    court's (422 `court_timezone_mismatch`, the same code the cases and the calculator use).
    """
    if given is not None and given != court:
        raise Invalid(f"court_timezone {given} is not this case's court time ({court}); leave "
                      "it out to take the court's.", code="court_timezone_mismatch")
    return court


def create_session(session: Session, ctx: CaseContext, svc: Services, *,
                   data: SessionCreate) -> SessionRead:
    if not repo.has_role(session, ctx.case_id, data.evaluator_user_id, Role.NEUTRAL.value):
        raise EvaluatorNotNeutral("The evaluator must be a member of the case with the "
                                  "neutral role.")
    if data.scheduled_at <= svc.now():
        raise Invalid("The session must be scheduled in the future.", code="scheduled_in_past")
    parties = _participating(session, ctx, data.participating_party_ids)
    case = case_service.case_row(session, ctx.case_id)
    assert case is not None  # the guard loaded the membership
    tz = _session_timezone(data.court_timezone, case.court_timezone)
    due_spec = data.statement_due
    closed = deadline_service.court_days(session, case.district)
    try:
        due = statement_due(
            data.scheduled_at,
            due_date=None if isinstance(due_spec, StatementDueDays | None) else due_spec,
            days_before=due_spec.days_before if isinstance(due_spec, StatementDueDays) else None,
            court_state=case.court_state, court_timezone=tz, district=case.district,
            extra_holidays=closed.extra_holidays, inaccessible_days=closed.inaccessible_days)
    except EneRuleError as exc:
        raise Invalid(str(exc), code=exc.code) from None
    row = EneSession(
        case_id=ctx.case_id, evaluator_user_id=data.evaluator_user_id, created_by=ctx.user_id,
        scheduled_at=data.scheduled_at, court_timezone=tz, statement_due_date=due.date,
        statement_due_at=due.ends_at, statement_due_days_before=due.days_before,
        status="scheduled", created_at=svc.now())
    repo.add(session, row)
    repo.add(session, *(EneParticipant(session_id=row.id, party_id=p) for p in parties))
    record(session, ctx, "ene.session.create", "ene_session", row.id,
           {"session_id": row.id, "user_id": data.evaluator_user_id, "count": len(parties)})
    # No party has confirmed the evaluator yet (``confirm_evaluator``).
    facts = pol.SessionFacts(evaluator_user_id=data.evaluator_user_id,
                             party_ids=frozenset(parties), evaluator_confirmed=False)
    tell(session, ctx, svc, kind="ene.scheduled", object_type="ene_session", object_id=row.id,
         session_id=row.id, may_see=takes_part(facts), due_at=row.scheduled_at)
    reminders.schedule(session, row, parties, svc.now())
    return session_read(row, parties)
