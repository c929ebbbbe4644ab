"""Document routes. Upload bodies are read by ``read_form`` (streamed to 0600 files in the
blob store's local spool for the case) only after the guard has let the caller in."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Path, Request, Response

from app.authz.permissions import Permission
from app.context import CaseContext
from app.deps import ServicesDep, SessionDep, api_router, case_guard
from app.documents import service
from app.documents.multipart import Form, read_form
from app.documents.responses import copy_response
from app.documents.schemas import (
    UPLOAD_FIELDS,
    ChannelsRead,
    ChannelsUpdate,
    DocumentRead,
    DocumentUpdate,
    DownloadRead,
    FolderRead,
    FolderRename,
    FolderWrite,
    ProductionCreate,
    ProductionRead,
    multipart_body,
)
from app.pagination import PageDep
from app.runtime import Services, get_services

router = api_router("/cases/{case_id}", tags=["documents"])
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


@router.patch("/documents/{doc_id}")
def file_document(doc_id: uuid.UUID, data: DocumentUpdate, session: SessionDep, ctx: Uploader,
                  svc: ServicesDep) -> DocumentRead:
    return service.file_document(session, ctx, svc, document_id=doc_id, data=data)


@router.delete("/documents/{doc_id}", status_code=204, response_class=Response)
def delete_document(doc_id: uuid.UUID, session: SessionDep, ctx: Uploader,
                    svc: ServicesDep) -> Response:
    service.delete_document(session, ctx, svc, document_id=doc_id)
    return Response(status_code=204)


@router.get("/folders")
def list_folders(session: SessionDep, ctx: Reader, svc: ServicesDep) -> list[FolderRead]:
    return service.list_folders(session, ctx, svc)


@router.post("/folders", status_code=201)
def create_folder(data: FolderWrite, session: SessionDep, ctx: Uploader,
                  svc: ServicesDep) -> FolderRead:
    return service.create_folder(session, ctx, svc, data=data)


@router.patch("/folders/{folder_id}")
def rename_folder(folder_id: uuid.UUID, data: FolderRename, session: SessionDep, ctx: Uploader,
                  svc: ServicesDep) -> FolderRead:
    return service.rename_folder(session, ctx, svc, folder_id=folder_id, data=data)


@router.post("/productions", status_code=201)
def produce(data: ProductionCreate, session: SessionDep, ctx: Uploader,
            svc: ServicesDep) -> ProductionRead:
    return service.produce(session, ctx, svc, data=data)


@router.get("/productions")
def list_productions(session: SessionDep, ctx: Reader, svc: ServicesDep) -> list[ProductionRead]:
    return service.list_productions(session, ctx, svc)


@router.get("/productions/{production_id}")
def get_production(production_id: uuid.UUID, session: SessionDep, ctx: Reader,
                   svc: ServicesDep) -> ProductionRead:
    return service.get_production(session, ctx, svc, production_id=production_id)


INDEX_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


@router.get("/productions/{production_id}/index.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
def production_index_csv(production_id: uuid.UUID, session: SessionDep, ctx: Reader,
                         svc: ServicesDep) -> Response:
    body = service.index_csv(session, ctx, svc, production_id=production_id)
    return Response(body, media_type="text/csv; charset=utf-8", headers={
        **INDEX_HEADERS,
        "Content-Disposition": 'attachment; filename="production-index.csv"'})


@router.get("/productions/{production_id}/index.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}})
def production_index_pdf(production_id: uuid.UUID, session: SessionDep, ctx: Reader,
                         svc: ServicesDep) -> Response:
    body = service.index_pdf(session, ctx, svc, production_id=production_id)
    return Response(body, media_type="application/pdf", headers={
        **INDEX_HEADERS,
        "Content-Disposition": 'attachment; filename="production-index.pdf"'})


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
    return copy_response(copy)


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
