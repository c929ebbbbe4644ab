"""Leak tracing: a suspect file or pasted text; the result names the recipient, when, which
copy, the confidence and the audit proof (checked here against the signed head)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request, Response

from app.audit.schemas import TreeHeadRead
from app.authz.permissions import Permission
from app.context import CaseContext
from app.deps import ServicesDep, SessionDep, WebAuthDep, body_guard, case_ctx, settle_sign_in
from app.documents.multipart import Form, read_form
from app.documents.tracing import report, service
from app.documents.tracing.evidence import MAX_PAGES, RawEvidence
from app.documents.tracing.schemas import TraceMatch
from app.errors import Invalid
from app.routing import DeferredRouter
from app.runtime import Services, get_services
from app.web.render import PageRoute, render
from app.web.room import context, load_room, user_names
from crypto import merkle

router = DeferredRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/cases/{case_id}/traces")
def traces(case_id: uuid.UUID, request: Request, session: SessionDep,
           auth: WebAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.TRACE)
    return render(request, "traces.html", **context(load_room(session, ctx), "traces"))


TracerCtx = Annotated[CaseContext, Depends(body_guard(Permission.TRACE))]


async def evidence_form(request: Request, ctx: TracerCtx,
                        svc: Annotated[Services, Depends(get_services)]) -> AsyncIterator[Form]:
    """Read only after the guard (a dependency of this one): CSRF and the trace right."""
    form = await read_form(request, svc.settings.data_dir / "tmp",
                           max_file_bytes=svc.settings.max_upload_bytes, max_files=MAX_PAGES)
    try:
        yield form
    finally:
        form.cleanup()


EvidenceForm = Annotated[Form, Depends(evidence_form, scope="function")]


def _raw(form: Form) -> RawEvidence:
    text = form.fields.get("text", "")
    form.files = [f for f in form.files if f.size > 0]  # an empty file input sends one
    if text.strip() and form.files:
        raise Invalid("Give either a file or pasted text, not both.", code="mixed_evidence")
    if text.strip():
        if "\x00" in text:
            raise Invalid("The text contains a NUL character.", code="validation_error")
        return RawEvidence(text=text)
    if not form.files:
        raise Invalid("Choose a suspect file or paste the leaked text.",
                      code="file_required")
    return RawEvidence(form=form)


def proof_verifies(match: TraceMatch) -> bool:
    """The download's audit event is in the log under the signed head's root."""
    audit = match.audit
    try:
        merkle.verify_inclusion(bytes.fromhex(audit.leaf_hash), audit.leaf_index,
                                audit.tree_size, [bytes.fromhex(p) for p in
                                                  audit.inclusion_proof],
                                bytes.fromhex(audit.root_hash))
    except (merkle.ProofError, ValueError):
        return False
    return _head_matches(audit.tree_head, audit.tree_size, audit.root_hash)


def _head_matches(head: TreeHeadRead, size: int, root: str) -> bool:
    return head.tree_size == size and head.root_hash == root


@router.post("/cases/{case_id}/traces")
def run_trace(case_id: uuid.UUID, request: Request, session: SessionDep, svc: ServicesDep,
              auth: WebAuthDep, ctx: TracerCtx, form: EvidenceForm) -> Response:
    room = load_room(session, ctx)
    settle_sign_in(session)
    result = service.trace(session, auth.principal, svc, raw=_raw(form))
    names = user_names(session, {m.user_id for m in result.matches})
    return render(request, "traces.html", **context(
        room, "traces", result=result, names=names,
        verified={m.download_id: proof_verifies(m) for m in result.matches}))


@router.get("/cases/{case_id}/traces/{trace_id}/report.pdf")
def trace_report(case_id: uuid.UUID, trace_id: uuid.UUID, session: SessionDep,
                 svc: ServicesDep, auth: WebAuthDep) -> Response:
    case_ctx(session, auth, case_id, Permission.TRACE)
    pdf = report.build(session, auth.principal, svc, trace_id)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": 'attachment; filename="trace-report.pdf"',
        "Cache-Control": "no-store"})
