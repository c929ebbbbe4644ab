"""Document routes. Upload bodies are read by ``read_form`` (streamed to 0600 files in the
blob store's local spool for the case) only after the guard has let the caller in."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from app.authz.permissions import Permission
from app.context import CaseContext
from app.deps import ServicesDep, SessionDep, UnitRoute, case_guard
from app.documents import service
from app.documents.multipart import Form, read_form
from app.documents.schemas import (
    UPLOAD_FIELDS,
    ChannelsRead,
    ChannelsUpdate,
    DocumentRead,
    DownloadRead,
    multipart_body,
)
from app.pagination import PageDep
from app.runtime import Services, get_services

router = APIRouter(route_class=UnitRoute, prefix="/cases/{case_id}", tags=["documents"])
Reader = Annotated[CaseContext, Depends(case_guard(Permission.DOCUMENT_READ))]
Uploader = Annotated[CaseContext, Depends(case_guard(Permission.DOCUMENT_UPLOAD))]
Tracer = Annotated[CaseContext, Depends(case_guard(Permission.TRACE))]
Member = Annotated[CaseContext, Depends(case_guard(Permission.CASE_READ))]
Manager = Annotated[CaseContext, Depends(case_guard(Permission.CASE_MANAGE))]


async def upload_form(
    request: Request, case_id: Annotated[uuid.UUID, Path()],
    svc: Annotated[Services, Depends(get_services)],
) -> AsyncIterator[Form]:
    form = await read_form(request, svc.blob_store.spool_dir(case_id),
                           max_file_bytes=svc.settings.max_upload_bytes)
    try:
        yield form
    finally:
        form.cleanup()


UploadForm = Annotated[Form, Depends(upload_form, scope="function")]
VERSION_FIELDS = {"file": UPLOAD_FIELDS["file"]}


@router.post("/documents", status_code=201,
             openapi_extra=multipart_body(["file", "designation", "audience"], UPLOAD_FIELDS))
def upload_document(session: SessionDep, ctx: Uploader, svc: ServicesDep,
                    form: UploadForm) -> DocumentRead:
    return service.upload_document(session, ctx, svc, form=form)


@router.get("/documents")
def list_documents(session: SessionDep, ctx: Reader, svc: ServicesDep,
                   page: PageDep) -> list[DocumentRead]:
    return service.list_documents(session, ctx, svc, offset=page.offset, limit=page.limit)


@router.get("/documents/{doc_id}")
def get_document(doc_id: uuid.UUID, session: SessionDep, ctx: Reader,
                 svc: ServicesDep) -> DocumentRead:
    return service.get_document(session, ctx, svc, document_id=doc_id)


@router.post("/documents/{doc_id}/versions", status_code=201,
             openapi_extra=multipart_body(["file"], VERSION_FIELDS))
def replace_document(doc_id: uuid.UUID, session: SessionDep, ctx: Uploader,
                     svc: ServicesDep, form: UploadForm) -> DocumentRead:
    return service.replace_document(session, ctx, svc, document_id=doc_id, form=form)


@router.get("/documents/{doc_id}/content", response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}},
                             "headers": {"X-Download-Id": {"schema": {"type": "string"}}}}})
def download_document(doc_id: uuid.UUID, request: Request, session: SessionDep, ctx: Reader,
                      svc: ServicesDep) -> Response:
    copy = service.download(
        session, ctx, svc, document_id=doc_id, client_address=ctx.principal.client_address,
        user_agent=request.headers.get("user-agent"))
    return Response(copy.content, media_type=copy.media_type, headers=copy.headers)


@router.get("/documents/{doc_id}/downloads")
def list_downloads(doc_id: uuid.UUID, session: SessionDep, ctx: Tracer,
                   page: PageDep) -> list[DownloadRead]:
    return service.list_downloads(session, ctx, document_id=doc_id, offset=page.offset,
                                    limit=page.limit)


@router.get("/watermark-channels")
def get_channels(session: SessionDep, ctx: Member) -> ChannelsRead:
    return service.get_channels(session, ctx)


@router.patch("/watermark-channels")
def set_channels(data: ChannelsUpdate, session: SessionDep, ctx: Manager,
                 svc: ServicesDep) -> ChannelsRead:
    return service.set_channels(session, ctx, svc, data=data)
