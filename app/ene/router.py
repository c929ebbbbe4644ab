"""HTTP routes of Early Neutral Evaluation, under ``/cases/{case_id}/ene-sessions``.

Guards: writes need their ENE permission (403 for a role that never has it); reads of
content are guarded by case membership (``ene.report.read``: every member) and answered
by the object policy, so that a room admin or auditor, who sees no content "as such",
gets the same 404 as for an unknown id. Once the case is destroyed those reads answer 410
to every member (``ContentReader``); session metadata and the report stay.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query

from app.authz.permissions import Permission
from app.context import CaseContext
from app.deps import ServicesDep, SessionDep, api_router, case_guard
from app.ene import service
from app.ene.schemas import (
    AttendanceRead,
    ChangesRead,
    CloseRequest,
    EvaluationRead,
    EvaluationShare,
    EvaluationWrite,
    EvaluatorConfirmationRead,
    EvaluatorDecisionCreate,
    EvaluatorName,
    MessageCreate,
    MessageRead,
    ReleaseCreate,
    ReleaseRead,
    ReportRead,
    SessionCreate,
    SessionMove,
    SessionRead,
    StatementCreate,
    StatementRead,
)
from app.pagination import PageDep

router = api_router("/cases/{case_id}/ene-sessions", tags=["ene"])
Host = Annotated[CaseContext, Depends(case_guard(Permission.ENE_HOST))]
Evaluator = Annotated[CaseContext, Depends(case_guard(Permission.ENE_EVALUATE))]
Participant = Annotated[CaseContext, Depends(case_guard(Permission.ENE_PARTICIPATE))]
Releaser = Annotated[CaseContext, Depends(case_guard(Permission.ENE_RELEASE))]
Member = Annotated[CaseContext, Depends(case_guard(Permission.ENE_REPORT_READ))]
# Messages, statements and the evaluation: every member may ask, the object policy answers,
# and a destroyed case answers 410 to all of them.
ContentReader = Annotated[CaseContext, Depends(case_guard(Permission.ENE_REPORT_READ,
                                                          reads_content=True))]
ChannelQuery = Annotated[str | None, Query(min_length=1, max_length=64)]
CursorQuery = Annotated[str | None, Query(min_length=1, max_length=64)]


@router.post("", status_code=201)
def create_session(data: SessionCreate, session: SessionDep, ctx: Host,
                   svc: ServicesDep) -> SessionRead:
    return service.create_session(session, ctx, svc, data=data)


@router.get("")
def list_sessions(session: SessionDep, ctx: Member, page: PageDep) -> list[SessionRead]:
    return service.list_sessions(session, ctx, offset=page.offset, limit=page.limit)


@router.get("/{session_id}")
def get_session(session_id: uuid.UUID, session: SessionDep, ctx: Member) -> SessionRead:
    return service.get_session(session, ctx, session_id=session_id)


@router.patch("/{session_id}")
def reschedule_session(session_id: uuid.UUID, data: SessionMove, session: SessionDep, ctx: Host,
                       svc: ServicesDep) -> SessionRead:
    return service.reschedule_session(session, ctx, svc, session_id=session_id, data=data)


@router.post("/{session_id}/attendance", status_code=201)
def check_in(session_id: uuid.UUID, session: SessionDep, ctx: Participant,
             svc: ServicesDep) -> list[AttendanceRead]:
    return service.check_in(session, ctx, svc, session_id=session_id)


@router.post("/{session_id}/messages", status_code=201)
def post_message(session_id: uuid.UUID, data: MessageCreate, session: SessionDep,
                 ctx: Participant, svc: ServicesDep) -> MessageRead:
    return service.post_message(session, ctx, svc, session_id=session_id, data=data)


@router.get("/{session_id}/messages")
def list_messages(session_id: uuid.UUID, session: SessionDep, ctx: ContentReader, svc: ServicesDep,
                  channel: ChannelQuery = None) -> list[MessageRead]:
    return service.list_messages(session, ctx, svc, session_id=session_id, channel=channel)


@router.get("/{session_id}/messages/{message_id}")
def get_message(session_id: uuid.UUID, message_id: uuid.UUID, session: SessionDep,
                ctx: ContentReader, svc: ServicesDep) -> MessageRead:
    return service.get_message(session, ctx, svc, session_id=session_id,
                               message_id=message_id)


@router.post("/{session_id}/messages/{message_id}/release", status_code=201)
def release_message(session_id: uuid.UUID, message_id: uuid.UUID, data: ReleaseCreate,
                    session: SessionDep, ctx: Releaser, svc: ServicesDep) -> ReleaseRead:
    return service.release_item(session, ctx, svc, session_id=session_id, item_type="message",
                                item_id=message_id, to_party_id=data.to_party_id)


@router.post("/{session_id}/statements", status_code=201)
def submit_statement(session_id: uuid.UUID, data: StatementCreate, session: SessionDep,
                     ctx: Participant, svc: ServicesDep) -> StatementRead:
    return service.submit_statement(session, ctx, svc, session_id=session_id, data=data)


@router.get("/{session_id}/statements")
def list_statements(session_id: uuid.UUID, session: SessionDep, ctx: ContentReader,
                    svc: ServicesDep) -> list[StatementRead]:
    return service.list_statements(session, ctx, svc, session_id=session_id)


@router.get("/{session_id}/statements/{statement_id}")
def get_statement(session_id: uuid.UUID, statement_id: uuid.UUID, session: SessionDep,
                  ctx: ContentReader, svc: ServicesDep) -> StatementRead:
    return service.get_statement(session, ctx, svc, session_id=session_id,
                                 statement_id=statement_id)


@router.post("/{session_id}/statements/{statement_id}/release", status_code=201)
def release_statement(session_id: uuid.UUID, statement_id: uuid.UUID, data: ReleaseCreate,
                      session: SessionDep, ctx: Releaser, svc: ServicesDep) -> ReleaseRead:
    return service.release_item(session, ctx, svc, session_id=session_id,
                                item_type="statement", item_id=statement_id,
                                to_party_id=data.to_party_id)


@router.get("/{session_id}/releases")
def list_releases(session_id: uuid.UUID, session: SessionDep, ctx: Member) -> list[ReleaseRead]:
    return service.list_releases(session, ctx, session_id=session_id)


@router.post("/{session_id}/evaluation", status_code=201)
def write_evaluation(session_id: uuid.UUID, data: EvaluationWrite, session: SessionDep,
                     ctx: Evaluator, svc: ServicesDep) -> EvaluationRead:
    return service.write_evaluation(session, ctx, svc, session_id=session_id, data=data)


@router.post("/{session_id}/evaluation/share")
def share_evaluation(session_id: uuid.UUID, data: EvaluationShare, session: SessionDep,
                     ctx: Evaluator, svc: ServicesDep) -> EvaluationRead:
    return service.share_evaluation(session, ctx, svc, session_id=session_id, data=data)


@router.get("/{session_id}/evaluation")
def get_evaluation(session_id: uuid.UUID, session: SessionDep, ctx: ContentReader,
                   svc: ServicesDep) -> EvaluationRead:
    return service.get_evaluation(session, ctx, svc, session_id=session_id)


@router.post("/{session_id}/close")
def close_session(session_id: uuid.UUID, data: CloseRequest, session: SessionDep,
                  ctx: Evaluator, svc: ServicesDep) -> SessionRead:
    return service.close_session(session, ctx, svc, session_id=session_id, data=data)


@router.get("/{session_id}/changes")
def changes(session_id: uuid.UUID, session: SessionDep, ctx: ContentReader,
            since: CursorQuery = None) -> ChangesRead:
    """A cursor over what the caller may see of the session, and counts: poll it, and read
    the session again when ``changed``. Never moves on what the caller may not see."""
    return service.changes(session, ctx, session_id=session_id, since=since)


@router.get("/{session_id}/report")
def report(session_id: uuid.UUID, session: SessionDep, ctx: Member) -> ReportRead:
    return service.report(session, ctx, session_id=session_id)


@router.get("/{session_id}/evaluator-confirmation")
def evaluator_confirmation(session_id: uuid.UUID, session: SessionDep,
                           ctx: Member) -> EvaluatorConfirmationRead:
    return service.evaluator_confirmation(session, ctx, session_id=session_id)


@router.post("/{session_id}/evaluator-confirmation")
def decide_evaluator(session_id: uuid.UUID, data: EvaluatorDecisionCreate, session: SessionDep,
                     ctx: Participant, svc: ServicesDep) -> EvaluatorConfirmationRead:
    """A participating party's counsel (or the party pro se) confirms or objects to the
    evaluator; the evaluator acts once every party confirmed."""
    return service.decide_evaluator(session, ctx, svc, session_id=session_id, data=data)


@router.put("/{session_id}/evaluator")
def name_evaluator(session_id: uuid.UUID, data: EvaluatorName, session: SessionDep, ctx: Host,
                   svc: ServicesDep) -> SessionRead:
    """The room admin names another evaluator; its confirmations start afresh."""
    return service.name_evaluator(session, ctx, svc, session_id=session_id, data=data)
