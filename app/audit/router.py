from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import Depends, Path, Query, Response
from fastapi.responses import PlainTextResponse

from app.audit import export, queries
from app.audit.authentic import authentic_case_id
from app.audit.schemas import (
    AuditEventRead,
    ConsistencyProofRead,
    InclusionProofRead,
    PublicKeyRead,
    TreeHeadRead,
)
from app.authz.permissions import Permission
from app.context import CaseContext
from app.deps import (
    PrincipalDep,
    ServicesDep,
    SessionDep,
    api_router,
    case_guard,
    load_case_context,
)
from app.errors import NotFound
from app.kernel.schemas import INT64_MAX, Instant
from app.pagination import MAX_LIMIT
from app.refusals import refuse

router = api_router(tags=["audit"])
Auditor = Annotated[CaseContext, Depends(case_guard(Permission.AUDIT_READ))]


@router.get("/audit/tree-head")
def tree_head(session: SessionDep, _: PrincipalDep, svc: ServicesDep) -> TreeHeadRead:
    """The signed head of the whole log (a fresh one if events arrived since the last)."""
    return queries.current_head(session, svc.log_signer)


@router.get("/audit/checkpoint", response_class=PlainTextResponse)
def checkpoint(session: SessionDep, _: PrincipalDep) -> PlainTextResponse:
    """The newest witnessed head: a C2SP checkpoint with the log's signature and the
    witnesses' cosignatures (c2sp.org/tlog-cosignature); 404 before a witness cosigned."""
    return PlainTextResponse(queries.witnessed_checkpoint(session))


@router.get("/audit/public-keys")
def public_keys(session: SessionDep, _: PrincipalDep) -> list[PublicKeyRead]:
    return queries.public_keys(session)


@router.get("/audit/events")
def list_events(
    session: SessionDep,
    principal: PrincipalDep,
    svc: ServicesDep,
    case_id: Annotated[uuid.UUID, Query()],
    after: Annotated[int | None, Query(ge=-1, le=INT64_MAX)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    actor_user_id: Annotated[uuid.UUID | None, Query()] = None,
    action: Annotated[str | None, Query(max_length=80, pattern=queries.ACTION_PATTERN)] = None,
    object_id: Annotated[str | None, Query(max_length=64, pattern=r"^[0-9A-Za-z-]+$")] = None,
    outcome: Annotated[Literal["ok", "denied"] | None, Query()] = None,
    since: Annotated[Instant | None, Query()] = None,
    until: Annotated[Instant | None, Query()] = None,
) -> list[AuditEventRead]:
    """A case's events (metadata only), for the auditor and room admin of that case, as their
    hashed entries say; 409 ``audit_log_damaged`` rather than a tampered event. The optional
    filters narrow the listing (``action`` ending in "." is a family, ``until`` exclusive)."""
    load_case_context(session, principal, case_id, Permission.AUDIT_READ)
    where = queries.EventFilter(actor_user_id=actor_user_id, action=action,
                                object_id=object_id, outcome=outcome, since=since, until=until)
    return queries.case_events(session, svc.log_signer, case_id, after=after, limit=limit,
                               where=where)


@router.get("/audit/events/{leaf_index}/inclusion-proof")
def inclusion_proof(
    leaf_index: Annotated[int, Path(ge=0, le=2**62)],
    session: SessionDep,
    principal: PrincipalDep,
    tree_size: Annotated[int | None, Query(ge=1, le=INT64_MAX)] = None,
) -> InclusionProofRead:
    event = queries.get_event(session, leaf_index)
    case_id = authentic_case_id(event)  # the entry's case, not the editable column
    if case_id is not None:
        load_case_context(session, principal, case_id, Permission.AUDIT_READ)
    elif not principal.is_platform_admin:
        refuse(session, principal, "audit.read", "audit_event", str(leaf_index),
               NotFound("No such audit event.", code="event_not_found"),
               audit_reason="not_platform_admin")
    return queries.inclusion(session, event, tree_size)


@router.get("/audit/consistency-proof")
def consistency_proof(
    session: SessionDep,
    _: PrincipalDep,
    first: Annotated[int, Query(ge=1, le=INT64_MAX)],
    second: Annotated[int, Query(ge=1, le=INT64_MAX)],
) -> ConsistencyProofRead:
    return queries.consistency(session, first, second)


@router.get("/cases/{case_id}/audit/export", response_class=Response)
def export_case(session: SessionDep, ctx: Auditor, svc: ServicesDep) -> Response:
    """A self-contained bundle to verify offline with ``settleroom audit verify-bundle``."""
    body = export.build_bundle(session, ctx, svc.log_signer)
    return Response(
        content=body, media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="audit-{ctx.case_id}.json"'},
    )
