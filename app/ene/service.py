"""ENE sessions: creation, listing, attendance, closing and the content-free report; and the
helpers every ENE use case shares (loading a session, turning a policy denial into the
right answer).

Invariants:
- a session belongs to one case; a session id of another case answers 404 like an
  unknown one;
- the evaluator is a member of the case with the neutral role (422 otherwise);
- a closed session is read-only: every write answers 409 ``session_closed``;
- every read and write is an audit event naming ids and codes only, never content; every
  refusal is a denied audit event that survives the failed request.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz import policy_ene as pol
from app.authz.permissions import Role
from app.cases import service as case_service
from app.context import CaseContext
from app.ene import repository as repo
from app.ene.errors import (
    EvaluatorNotNeutral,
    SessionClosed,
    SessionNotFound,
)
from app.ene.rules import EneRuleError, statement_due
from app.ene.schemas import (
    AttendanceRead,
    CloseRequest,
    ReportRead,
    SessionCreate,
    SessionRead,
    StatementDueDays,
)
from app.errors import Invalid
from app.models.ene import EneAttendance, EneParticipant, EneSession
from app.refusals import refuse
from app.runtime import Services

CLOSED = "closed"


@dataclass(frozen=True)
class Loaded:
    row: EneSession
    viewer: pol.Viewer
    facts: pol.SessionFacts

    @property
    def closed(self) -> bool:
        return self.row.status == CLOSED


def load(session: Session, ctx: CaseContext, session_id: uuid.UUID, action: str, *,
         lock: bool = False) -> Loaded:
    row = repo.get_session(session, ctx.case_id, session_id, lock=lock)
    if row is None:
        refuse(session, ctx, action, "ene_session", session_id,
               SessionNotFound("No such ENE session."))
    parties = repo.participants(session, [row.id])[row.id]
    return Loaded(
        row=row,
        viewer=pol.Viewer(user_id=ctx.user_id, memberships=ctx.memberships),
        facts=pol.SessionFacts(evaluator_user_id=row.evaluator_user_id,
                               party_ids=frozenset(parties)),
    )


def require_open(session: Session, ctx: CaseContext, loaded: Loaded, action: str) -> None:
    if loaded.closed:
        refuse(session, ctx, action, "ene_session", loaded.row.id,
               SessionClosed("The session is closed; nothing can be added or released."),
               details={"session_id": loaded.row.id})


def _read(row: EneSession, parties: list[uuid.UUID]) -> SessionRead:
    return SessionRead(
        id=row.id, case_id=row.case_id, evaluator_user_id=row.evaluator_user_id,
        participating_party_ids=sorted(parties), scheduled_at=row.scheduled_at,
        court_timezone=row.court_timezone, statement_due_date=row.statement_due_date,
        statement_due_at=row.statement_due_at,
        statement_due_days_before=row.statement_due_days_before, status=row.status,
        outcome=row.outcome, closed_at=row.closed_at, created_at=row.created_at,  # type: ignore[arg-type]
    )


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
    tz = data.court_timezone or case.court_timezone
    due_spec = data.statement_due
    try:
        due = statement_due(
            data.scheduled_at,
            due_date=None if isinstance(due_spec, StatementDueDays | None) else due_spec,
            days_before=due_spec.days_before if isinstance(due_spec, StatementDueDays) else None,
            court_state=case.court_state, court_timezone=tz)
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
    return _read(row, parties)


def list_sessions(session: Session, ctx: CaseContext, *, offset: int,
                  limit: int) -> list[SessionRead]:
    """Session metadata is content-free (as the report): every member may list it, and
    listing it is no audited read of content."""
    rows = repo.list_sessions(session, ctx.case_id, offset=offset, limit=limit)
    parties = repo.participants(session, [r.id for r in rows])
    # No audit event: a list of dates and ids reads no content (pages list it as chrome).
    return [_read(r, parties[r.id]) for r in rows]


def get_session(session: Session, ctx: CaseContext, *, session_id: uuid.UUID) -> SessionRead:
    loaded = load(session, ctx, session_id, "ene.session.read")
    record(session, ctx, "ene.session.read", "ene_session", session_id,
           {"session_id": session_id})
    return _read(loaded.row, sorted(loaded.facts.party_ids))


def check_in(session: Session, ctx: CaseContext, svc: Services, *,
             session_id: uuid.UUID) -> list[AttendanceRead]:
    """Record attendance in every role the caller holds in this session; idempotent."""
    action = "ene.attendance.check_in"
    loaded = load(session, ctx, session_id, action, lock=True)
    require_open(session, ctx, loaded, action)
    decision = pol.can_check_in(loaded.viewer, loaded.facts)
    if not decision:
        refuse(session, ctx, action, "ene_session", session_id, decision,
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
    return [_attendance(a) for a in repo.attendance(session, session_id)
            if a.user_id == ctx.user_id]


def _attendance(a: EneAttendance) -> AttendanceRead:
    return AttendanceRead(user_id=a.user_id, role=Role(a.role), party_id=a.party_id,
                          checked_in_at=a.checked_in_at)


def close_session(session: Session, ctx: CaseContext, svc: Services, *,
                  session_id: uuid.UUID, data: CloseRequest) -> SessionRead:
    action = "ene.session.close"
    loaded = load(session, ctx, session_id, action, lock=True)
    decision = pol.can_evaluate(loaded.viewer, loaded.facts)
    if not decision:
        refuse(session, ctx, action, "ene_session", session_id, decision)
    require_open(session, ctx, loaded, action)
    loaded.row.status, loaded.row.outcome, loaded.row.closed_at = CLOSED, data.outcome, svc.now()
    session.flush()
    record(session, ctx, action, "ene_session", session_id,
           {"session_id": session_id, "outcome": data.outcome})
    return _read(loaded.row, sorted(loaded.facts.party_ids))


def report(session: Session, ctx: CaseContext, *, session_id: uuid.UUID) -> ReportRead:
    """Dates, attendance and outcome: never a body, a statement or the evaluation."""
    loaded = load(session, ctx, session_id, "ene.report.read")
    record(session, ctx, "ene.report.read", "ene_session", session_id,
           {"session_id": session_id})
    return _report(session, loaded)


def overview(session: Session, ctx: CaseContext, *,
             session_id: uuid.UUID) -> tuple[SessionRead, ReportRead]:
    """A session page's frame: its metadata and report, both content-free, from one load
    and without an audit event (the page records its one content read separately)."""
    loaded = load(session, ctx, session_id, "ene.session.read")
    return _read(loaded.row, sorted(loaded.facts.party_ids)), _report(session, loaded)


def _report(session: Session, loaded: Loaded) -> ReportRead:
    row = loaded.row
    return ReportRead(
        session_id=row.id, case_id=row.case_id, evaluator_user_id=row.evaluator_user_id,
        participating_party_ids=sorted(loaded.facts.party_ids), scheduled_at=row.scheduled_at,
        court_timezone=row.court_timezone, statement_due_date=row.statement_due_date,
        status=row.status, outcome=row.outcome, closed_at=row.closed_at,  # type: ignore[arg-type]
        attendance=[_attendance(a) for a in repo.attendance(session, row.id)],
    )


# --- lookups for other domains ------------------------------------------------------


@dataclass(frozen=True)
class SessionSummary:
    """What another domain may know of an ENE session: who takes part, and whether closed."""

    facts: pol.SessionFacts
    closed: bool


def session_summary(session: Session, case_id: uuid.UUID,
                    session_id: uuid.UUID) -> SessionSummary | None:
    row = repo.get_session(session, case_id, session_id)
    if row is None:
        return None
    parties = repo.participants(session, [row.id])[row.id]
    return SessionSummary(
        facts=pol.SessionFacts(evaluator_user_id=row.evaluator_user_id,
                               party_ids=frozenset(parties)),
        closed=row.status == CLOSED)


def case_session_summaries(session: Session, case_id: uuid.UUID) -> dict[uuid.UUID, SessionSummary]:
    """Every ENE session of a case, summarised in two queries (a whole document list)."""
    rows = repo.list_sessions(session, case_id, offset=0, limit=None)
    parties = repo.participants(session, [r.id for r in rows])
    return {r.id: SessionSummary(
        facts=pol.SessionFacts(evaluator_user_id=r.evaluator_user_id,
                               party_ids=frozenset(parties[r.id])),
        closed=r.status == CLOSED) for r in rows}


def upcoming_dates(case_ids: Collection[uuid.UUID], now: datetime
                   ) -> tuple[Select[tuple[uuid.UUID, datetime]],
                              Select[tuple[uuid.UUID, datetime]]]:
    """(case id, earliest date) of the open sessions' statement due times and of their
    start times, as statements another read combines with its own (metadata only)."""
    return repo.upcoming_dates(case_ids, now)
