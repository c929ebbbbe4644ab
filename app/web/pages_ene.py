"""Early Neutral Evaluation: sessions, the joint channel and caucuses, statements, releases
by consent, attendance, the evaluation and closing; all through the ENE services."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Annotated

from fastapi import Form, Query, Request, Response
from fastapi.responses import JSONResponse

from app.authz import policy_ene as pol
from app.authz.permissions import Permission, Role
from app.cases import service as case_service
from app.deps import (
    CsrfAuthDep,
    PollingWebAuthDep,
    ServicesDep,
    SessionDep,
    WebAuthDep,
    case_ctx,
)
from app.ene import service
from app.ene.rules import channel_name
from app.ene.schemas import (
    CloseRequest,
    EvaluationShare,
    EvaluationWrite,
    EvaluatorDecisionCreate,
    EvaluatorName,
    MessageCreate,
    ReleaseCreate,
    SessionCreate,
    SessionMove,
    SessionRead,
    StatementCreate,
)
from app.errors import Invalid
from app.routing import DeferredRouter
from app.web.forms import local_time, parse_id
from app.web.render import PageRoute, redirect, render
from app.web.room import Room, context, load_room, user_names

router = DeferredRouter(route_class=PageRoute, include_in_schema=False)
Body = Annotated[str, Form(max_length=100_000)]
Opt = Annotated[str, Form(max_length=200)]
Ids = Annotated[list[str], Form()]
BANNER = "ENE"


def _base(case_id: uuid.UUID, sid: uuid.UUID | None = None) -> str:
    return f"/cases/{case_id}/ene" + (f"/{sid}" if sid else "")


@router.get("/cases/{case_id}/ene")
def sessions(case_id: uuid.UUID, request: Request, session: SessionDep,
             auth: WebAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.ENE_REPORT_READ)
    room = load_room(session, ctx)
    rows = service.list_sessions(session, ctx, offset=0, limit=200)
    members = case_service.list_members(session, ctx, offset=0, limit=200)
    neutrals = [m.user_id for m in members if m.role == Role.NEUTRAL]
    return render(request, "ene.html", **context(
        room, "ene", sessions=rows, neutrals=neutrals,
        names=user_names(session, set(neutrals) | {s.evaluator_user_id for s in rows}),
        banner=BANNER))


@router.post("/cases/{case_id}/ene")
def create_session(case_id: uuid.UUID, session: SessionDep, svc: ServicesDep,
                   auth: CsrfAuthDep, evaluator_user_id: Opt, scheduled_at: Opt,
                   participating_party_ids: Ids | None = None) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.ENE_HOST)
    room = load_room(session, ctx)
    data = SessionCreate(
        evaluator_user_id=evaluator_user_id,  # type: ignore[arg-type]
        scheduled_at=local_time(scheduled_at, room.tz, "scheduled at"),  # type: ignore[arg-type]
        participating_party_ids=participating_party_ids or None,  # type: ignore[arg-type]
    )
    created = service.create_session(session, ctx, svc, data=data)
    return redirect(_base(case_id, created.id), "ene_created")


def _channels(room: Room, row: SessionRead, is_evaluator: bool) -> list[tuple[str, str]]:
    """(channel, label) pairs this member may write to."""
    out = [("joint", "Joint session (evaluator and every party)")]
    mine = {p.id for p in room.my_parties()}
    for party_id in row.participating_party_ids:
        if is_evaluator or party_id in mine:
            out.append((channel_name(party_id), f"Caucus of {room.party_name(party_id)} "
                                                "(evaluator and that party only)"))
    return out


@router.get("/cases/{case_id}/ene/{sid}")
def session_page(case_id: uuid.UUID, sid: uuid.UUID, request: Request, session: SessionDep,
                 svc: ServicesDep, auth: WebAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.ENE_REPORT_READ,
                   reads_content=True)
    room = load_room(session, ctx)
    row, report = service.overview(session, ctx, session_id=sid)
    confirmation = service.evaluator_confirmation(session, ctx, session_id=sid)
    is_evaluator = row.evaluator_user_id == auth.principal.user_id
    # An evaluator not yet confirmed by every party has nothing to read or write here.
    acting_evaluator = is_evaluator and confirmation.status == "confirmed"
    participant = bool(ctx.can(Permission.ENE_PARTICIPATE)) and (
        acting_evaluator
        or bool({p.id for p in room.my_parties()} & set(row.participating_party_ids)))
    by_channel: dict[str, list] = defaultdict(list)
    statements: list = []
    releases: dict[uuid.UUID, list] = defaultdict(list)
    if participant:
        messages, statements, released = service.session_content(session, ctx, svc,
                                                                 session_id=sid)
        for msg in messages:
            by_channel[msg.channel].append(msg)
        for rel in released:
            releases[rel.item_id].append(rel)
    authors = user_names(session, {m.author_user_id for ms in by_channel.values() for m in ms}
                         | {a.user_id for a in report.attendance} | {row.evaluator_user_id}
                         | {r.released_by for rs in releases.values() for r in rs})
    speaks = {p.id for p in room.my_parties("counsel", "pro_se")}
    neutrals = [m.user_id for m in case_service.list_members(session, ctx, offset=0, limit=200)
                if m.role == Role.NEUTRAL and m.user_id != row.evaluator_user_id]
    authors |= user_names(session, set(neutrals) | {d.decided_by for d in confirmation.parties
                                                     if d.decided_by})
    may_move = row.status != "closed" and bool(pol.can_reschedule(
        pol.Viewer(ctx.user_id, ctx.memberships),
        pol.SessionFacts(row.evaluator_user_id, frozenset(row.participating_party_ids),
                         evaluator_confirmed=confirmation.status == "confirmed")))
    return render(request, "ene_session.html", **context(
        room, "ene", row=row, report=report, is_evaluator=acting_evaluator,
        named_evaluator=is_evaluator, may_move=may_move,
        confirmation=confirmation, answers_for=speaks & set(row.participating_party_ids),
        may_name_evaluator=bool(pol.can_name_evaluator(ctx.memberships)), neutrals=neutrals,
        participant=participant, channels=_channels(room, row, acting_evaluator),
        by_channel=by_channel, statements=statements, names=authors, speaks_for=speaks,
        releases=releases,
        my_parties=[p for p in room.my_parties() if p.id in row.participating_party_ids],
        live_cursor=service.changes(session, ctx, session_id=sid, since=None).cursor,
        banner=BANNER))


@router.get("/cases/{case_id}/ene/{sid}/changes")
def changes(case_id: uuid.UUID, sid: uuid.UUID, session: SessionDep, auth: PollingWebAuthDep,
            since: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    """The change feed the session's pages poll (``ChangesRead``: a cursor and counts of
    what this viewer may see, no content). Read without advancing the session's idle
    clock: a page left open does not keep an unattended session alive."""
    ctx = case_ctx(session, auth, case_id, Permission.ENE_REPORT_READ, reads_content=True)
    found = service.changes(session, ctx, session_id=sid, since=since)
    return JSONResponse(found.model_dump(), headers={"Cache-Control": "no-store"})


@router.post("/cases/{case_id}/ene/{sid}/move")
def move(case_id: uuid.UUID, sid: uuid.UUID, session: SessionDep, svc: ServicesDep,
         auth: CsrfAuthDep, scheduled_at: Opt) -> Response:
    """A new time in the session's time zone; the statements' due date follows its rule."""
    ctx = case_ctx(session, auth, case_id, Permission.ENE_HOST)
    row, _ = service.overview(session, ctx, session_id=sid)
    when = local_time(scheduled_at, row.court_timezone, "new time")
    if when is None:
        raise Invalid("new time: choose a date and time.", code="validation_error")
    service.reschedule_session(session, ctx, svc, session_id=sid,
                               data=SessionMove(scheduled_at=when))
    return redirect(_base(case_id, sid), "ene_moved")


@router.post("/cases/{case_id}/ene/{sid}/attendance")
def check_in(case_id: uuid.UUID, sid: uuid.UUID, session: SessionDep, svc: ServicesDep,
             auth: CsrfAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.ENE_PARTICIPATE)
    service.check_in(session, ctx, svc, session_id=sid)
    return redirect(_base(case_id, sid), "checked_in")


@router.post("/cases/{case_id}/ene/{sid}/messages")
def post_message(case_id: uuid.UUID, sid: uuid.UUID, session: SessionDep, svc: ServicesDep,
                 auth: CsrfAuthDep, channel: Opt, body: Body) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.ENE_PARTICIPATE)
    service.post_message(session, ctx, svc, session_id=sid,
                         data=MessageCreate(channel=channel, body=body))
    return redirect(_base(case_id, sid), "message_posted")


@router.post("/cases/{case_id}/ene/{sid}/statements")
def submit_statement(case_id: uuid.UUID, sid: uuid.UUID, session: SessionDep,
                     svc: ServicesDep, auth: CsrfAuthDep, party_id: Opt, body: Body,
                     share_with_parties: Opt = "") -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.ENE_PARTICIPATE)
    data = StatementCreate(party_id=party_id, body=body,  # type: ignore[arg-type]
                           share_with_parties=share_with_parties == "yes")
    service.submit_statement(session, ctx, svc, session_id=sid, data=data)
    return redirect(_base(case_id, sid), "statement_submitted")


@router.post("/cases/{case_id}/ene/{sid}/release")
def release(case_id: uuid.UUID, sid: uuid.UUID, session: SessionDep, svc: ServicesDep,
            auth: CsrfAuthDep, item_type: Opt, item_id: Opt, to_party_id: Opt) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.ENE_RELEASE)
    data = ReleaseCreate(to_party_id=to_party_id)  # type: ignore[arg-type]
    kind = "statement" if item_type == "statement" else "message"
    service.release_item(session, ctx, svc, session_id=sid, item_type=kind,
                         item_id=parse_id(item_id, "item"), to_party_id=data.to_party_id)
    return redirect(_base(case_id, sid), "released")


@router.get("/cases/{case_id}/ene/{sid}/evaluation")
def evaluation_page(case_id: uuid.UUID, sid: uuid.UUID, request: Request,
                    session: SessionDep, svc: ServicesDep, auth: WebAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.ENE_REPORT_READ,
                   reads_content=True)
    room = load_room(session, ctx)
    row, _ = service.overview(session, ctx, session_id=sid)
    found = service.evaluation_view(session, ctx, svc, session_id=sid)
    readable = not isinstance(found, str)
    return render(request, "ene_evaluation.html", **context(
        room, "ene", row=row, evaluation=found if readable else None,
        state="readable" if readable else found, banner=BANNER,
        live_cursor=service.changes(session, ctx, session_id=sid, since=None).cursor,
        is_evaluator=row.evaluator_user_id == auth.principal.user_id))


@router.post("/cases/{case_id}/ene/{sid}/evaluation")
def write_evaluation(case_id: uuid.UUID, sid: uuid.UUID, session: SessionDep,
                     svc: ServicesDep, auth: CsrfAuthDep, body: Body,
                     share_with_party_ids: Ids | None = None) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.ENE_EVALUATE)
    data = EvaluationWrite(body=body,
                           share_with_party_ids=share_with_party_ids or [])  # type: ignore[arg-type]
    service.write_evaluation(session, ctx, svc, session_id=sid, data=data)
    return redirect(_base(case_id, sid), "evaluation_saved")


@router.post("/cases/{case_id}/ene/{sid}/evaluation/share")
def share_evaluation(case_id: uuid.UUID, sid: uuid.UUID, session: SessionDep,
                     svc: ServicesDep, auth: CsrfAuthDep,
                     party_ids: Ids | None = None) -> Response:
    """More parties see the evaluation as written; its text and version stay."""
    ctx = case_ctx(session, auth, case_id, Permission.ENE_EVALUATE)
    data = EvaluationShare(party_ids=party_ids or [])  # type: ignore[arg-type]
    service.share_evaluation(session, ctx, svc, session_id=sid, data=data)
    return redirect(_base(case_id, sid) + "/evaluation", "evaluation_shared")


@router.post("/cases/{case_id}/ene/{sid}/close")
def close(case_id: uuid.UUID, sid: uuid.UUID, session: SessionDep, svc: ServicesDep,
          auth: CsrfAuthDep, outcome: Opt) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.ENE_EVALUATE)
    service.close_session(session, ctx, svc, session_id=sid,
                          data=CloseRequest(outcome=outcome))  # type: ignore[arg-type]
    return redirect(_base(case_id, sid), "ene_closed")


@router.post("/cases/{case_id}/ene/{sid}/evaluator-confirmation")
def decide_evaluator(case_id: uuid.UUID, sid: uuid.UUID, session: SessionDep,
                     svc: ServicesDep, auth: CsrfAuthDep, decision: Opt,
                     party_id: Opt) -> Response:
    """A party's counsel (or the party pro se) confirms or objects to the evaluator."""
    ctx = case_ctx(session, auth, case_id, Permission.ENE_PARTICIPATE)
    data = EvaluatorDecisionCreate(decision=decision,  # type: ignore[arg-type]
                                   party_id=parse_id(party_id, "party"))
    service.decide_evaluator(session, ctx, svc, session_id=sid, data=data)
    return redirect(_base(case_id, sid), "evaluator_confirmed" if data.decision == "confirm"
                    else "evaluator_objected")


@router.post("/cases/{case_id}/ene/{sid}/evaluator")
def name_evaluator(case_id: uuid.UUID, sid: uuid.UUID, session: SessionDep, svc: ServicesDep,
                   auth: CsrfAuthDep, evaluator_user_id: Opt) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.ENE_HOST)
    data = EvaluatorName(evaluator_user_id=parse_id(evaluator_user_id, "evaluator"))
    service.name_evaluator(session, ctx, svc, session_id=sid, data=data)
    return redirect(_base(case_id, sid), "evaluator_named")
