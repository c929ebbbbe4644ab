"""``POST /traces``: evidence as JSON ``{text}`` or multipart ``file`` parts. The caller is
authenticated before the body is read; the result lists only what the caller may trace."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request, Response

from app.deps import PrincipalDep, ServicesDep, SessionDep, api_router
from app.documents.schemas import multipart_body
from app.documents.tracing import report, service
from app.documents.tracing.evidence import RawEvidence, read_raw
from app.documents.tracing.schemas import TraceResult, TraceText
from app.observability import TRACE_SECONDS
from app.runtime import Services, get_services

router = api_router("/traces", tags=["traces"])


async def raw_evidence(
    request: Request, svc: Annotated[Services, Depends(get_services)]
) -> AsyncIterator[RawEvidence]:
    raw = await read_raw(request, svc.settings.data_dir / "tmp", svc.settings.max_upload_bytes)
    try:
        yield raw
    finally:
        raw.cleanup()


_BODY = multipart_body(["file"], {"file": {
    "type": "array", "items": {"type": "string", "format": "binary"},
    "description": "one PDF or text file, or one or more page images"}})
_BODY["requestBody"]["content"]["application/json"] = {
    "schema": TraceText.model_json_schema()}


@router.post("", openapi_extra=_BODY)
def trace(session: SessionDep, principal: PrincipalDep, svc: ServicesDep,
          raw: Annotated[RawEvidence, Depends(raw_evidence, scope="function")]) -> TraceResult:
    with TRACE_SECONDS.time():
        return service.trace(session, principal, svc, raw=raw)


@router.get("/{trace_id}/report.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}})
def trace_report(trace_id: uuid.UUID, session: SessionDep, principal: PrincipalDep,
                 svc: ServicesDep) -> Response:
    """The evidence report of one of the caller's own traces."""
    pdf = report.build(session, principal, svc, trace_id)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": 'attachment; filename="trace-report.pdf"',
        "Cache-Control": "no-store"})
