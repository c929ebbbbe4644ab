"""The audit tab: the case's events (metadata only) with the auditor's filters and their
CSV and PDF exports, the current signed tree head, and a verification of the case's bundle
against the log's own public key."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal, NamedTuple

from fastapi import Depends, Query, Request, Response
from sqlalchemy.orm import Session

from app.audit import export, queries
from app.audit.bundle import BundleError, verify_bundle
from app.audit.schemas import AuditEventRead, TreeHeadRead
from app.audit.service import record
from app.authz.permissions import Permission
from app.cases import service as case_service
from app.context import CaseContext
from app.deps import CsrfAuthDep, ServicesDep, SessionDep, WebAuthDep, case_ctx
from app.kernel.schemas import INT64_MAX, Day
from app.routing import DeferredRouter
from app.runtime import Services
from app.web import audit_listing
from app.web.audit_listing import Filters
from app.web.render import PageRoute, render
from app.web.room import Room, context, load_room, user_names
from crypto import signing

router = DeferredRouter(route_class=PageRoute, include_in_schema=False)
PAGE = 100
# An export is one response: bounded so a huge case cannot exhaust the server.
EXPORT_LIMIT = 20_000


def filter_params(person: Annotated[uuid.UUID | None, Query()] = None,
            action: Annotated[str | None,
                              Query(max_length=80, pattern=queries.ACTION_PATTERN)] = None,
            document: Annotated[str | None,
                                Query(max_length=64, pattern=r"^[0-9A-Za-z-]+$")] = None,
            outcome: Annotated[Literal["ok", "denied"] | None, Query()] = None,
            date_from: Annotated[Day | None, Query()] = None,
            date_to: Annotated[Day | None, Query()] = None) -> Filters:
    return Filters(person=person, action=action, document=document, outcome=outcome,
                   date_from=date_from, date_to=date_to)


FiltersDep = Annotated[Filters, Depends(filter_params)]


def _names(session: Session, room: Room, events: list[AuditEventRead],
           members: set[uuid.UUID]) -> dict[str, str]:
    """Names of the case's parties, members and the events' actors, keyed by id text."""
    users = members | {e.actor_user_id for e in events if e.actor_user_id}
    names = {str(k): v for k, v in user_names(session, users).items()}
    names.update({str(p.id): p.name for p in room.parties})
    return names


def _events(session: Session, svc: Services, ctx: CaseContext, room: Room, chosen: Filters,
            *, after: int | None, limit: int) -> list[AuditEventRead]:
    return queries.case_events(session, svc.log_signer, ctx.case_id, after=after,
                               limit=limit, where=chosen.to_event_filter(room.tz))


def _audit_page(request: Request, session: SessionDep, svc: ServicesDep, auth: WebAuthDep,
                case_id: uuid.UUID, after: int | None, chosen: Filters = Filters(),
                **extra: object) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.AUDIT_READ)
    room = load_room(session, ctx)
    # A fresh head first: the events shown are then all proven against a signed head.
    head = queries.current_head(session, svc.log_signer)
    events = _events(session, svc, ctx, room, chosen, after=after, limit=PAGE)
    members = set(case_service.memberships_by_user(session, case_id))
    names = _names(session, room, events, members)
    keys = queries.public_keys(session)
    people = sorted(((uid, names[str(uid)]) for uid in members), key=lambda pair: pair[1])
    return render(request, "audit.html", **context(
        room, "audit", events=events, names=names, head=head, keys=keys, filters=chosen,
        query=chosen.query(), people=people, actions=queries.case_actions(session, case_id),
        describe=audit_listing.details,
        next_after=events[-1].leaf_index if len(events) == PAGE else None, **extra))


@router.get("/cases/{case_id}/audit")
def audit(case_id: uuid.UUID, request: Request, session: SessionDep, svc: ServicesDep,
          auth: WebAuthDep, chosen: FiltersDep,
          after: Annotated[int | None, Query(ge=-1, le=INT64_MAX)] = None) -> Response:
    return _audit_page(request, session, svc, auth, case_id, after, chosen)


class Export(NamedTuple):
    room: Room
    events: list[AuditEventRead]
    names: dict[str, str]
    head: TreeHeadRead


def _export(session: Session, svc: Services, auth: WebAuthDep, case_id: uuid.UUID,
            chosen: Filters, fmt: str) -> Export:
    """The filtered events for an export; the export itself is an audited action."""
    ctx = case_ctx(session, auth, case_id, Permission.AUDIT_READ)
    room = load_room(session, ctx)
    record(session, ctx, "audit.export", "case", ctx.case_id, {"kind": fmt})
    head = queries.current_head(session, svc.log_signer)  # the export event under a head
    events = _events(session, svc, ctx, room, chosen, after=None, limit=EXPORT_LIMIT)
    members = set(case_service.memberships_by_user(session, case_id))
    return Export(room, events, _names(session, room, events, members), head)


@router.get("/cases/{case_id}/audit/events.csv")
def events_csv(case_id: uuid.UUID, session: SessionDep, svc: ServicesDep, auth: WebAuthDep,
               chosen: FiltersDep) -> Response:
    out = _export(session, svc, auth, case_id, chosen, "csv")
    return Response(audit_listing.as_csv(out.events, out.names, out.room), media_type="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="audit-{case_id}.csv"'})


@router.get("/cases/{case_id}/audit/report.pdf")
def report_pdf(case_id: uuid.UUID, session: SessionDep, svc: ServicesDep, auth: WebAuthDep,
               chosen: FiltersDep) -> Response:
    out = _export(session, svc, auth, case_id, chosen, "pdf")
    pdf = audit_listing.as_pdf(out.events, out.names, out.room, out.head, chosen)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="audit-{case_id}.pdf"'})


@router.post("/cases/{case_id}/audit/verify")
def verify(case_id: uuid.UUID, request: Request, session: SessionDep, svc: ServicesDep,
           auth: CsrfAuthDep) -> Response:
    """Export the case's bundle as the API does and verify it as an auditor would offline:
    the bundle signature, the tree head, every leaf hash and inclusion proof, with the
    key pinned to the log's public key; and the C2SP checkpoint with its verifier key."""
    ctx = case_ctx(session, auth, case_id, Permission.AUDIT_READ)
    data = export.build_bundle(session, ctx, svc.log_signer)
    head = queries.current_head(session, svc.log_signer)
    key = next((k for k in queries.public_keys(session) if k.key_id == head.key_id), None)
    result: dict[str, object] = {"ok": False}
    try:
        if key is None:
            raise BundleError("the tree head's signing key is not published")
        report = verify_bundle(data, trusted_key_pem=key.public_key_pem.encode())
        signing.verify_checkpoint(head.checkpoint, key.note_verifier_key,
                                  expected_origin=svc.settings.log_origin)
        result = {"ok": True, "events": report.events, "tree_size": report.tree_size,
                  "root_hash": report.root_hash, "key_id": report.key_id,
                  "numbered": report.numbered}
    except (BundleError, signing.InvalidSignature) as exc:
        result["problem"] = str(exc) or "a signature does not verify"
    return _audit_page(request, session, svc, auth, case_id, None, verification=result)


@router.get("/cases/{case_id}/audit/bundle")
def bundle(case_id: uuid.UUID, session: SessionDep, svc: ServicesDep,
           auth: WebAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.AUDIT_READ)
    body = export.build_bundle(session, ctx, svc.log_signer)
    return Response(body, media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="audit-{case_id}.json"'})
