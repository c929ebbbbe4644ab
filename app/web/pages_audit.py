"""The audit tab: the case's events (metadata only), the current signed tree head, and a
verification of the case's bundle against the log's own public key."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.audit import export, queries
from app.audit.bundle import BundleError, verify_bundle
from app.authz.permissions import Permission
from app.deps import CsrfAuthDep, ServicesDep, SessionDep, WebAuthDep, case_ctx
from app.kernel.schemas import INT64_MAX
from app.web.render import PageRoute, render
from app.web.room import context, load_room, user_names
from crypto import signing

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PAGE = 100


def _audit_page(request: Request, session: SessionDep, svc: ServicesDep, auth: WebAuthDep,
                case_id: uuid.UUID, after: int | None, **extra: object) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.AUDIT_READ)
    room = load_room(session, ctx)
    # A fresh head first: the events shown are then all proven against a signed head.
    head = queries.current_head(session, svc.log_signer)
    events = queries.case_events(session, svc.log_signer, case_id, after=after, limit=PAGE)
    actors = user_names(session, {e.actor_user_id for e in events if e.actor_user_id})
    keys = queries.public_keys(session)
    return render(request, "audit.html", **context(
        room, "audit", events=events, actors=actors, head=head, keys=keys,
        next_after=events[-1].leaf_index if len(events) == PAGE else None, **extra))


@router.get("/cases/{case_id}/audit")
def audit(case_id: uuid.UUID, request: Request, session: SessionDep, svc: ServicesDep,
          auth: WebAuthDep,
          after: Annotated[int | None, Query(ge=-1, le=INT64_MAX)] = None) -> Response:
    return _audit_page(request, session, svc, auth, case_id, after)


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
