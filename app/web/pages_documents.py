"""Documents: upload with designation and audience, the list a member may see, downloads
(each one its own watermarked, traceable copy), new versions by the uploading party, the
per-document download records for its tracers, and the room admin's watermark channels."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi import Form as FormField

from app.authz.permissions import Permission
from app.context import CaseContext
from app.deps import (
    CsrfAuthDep,
    ServicesDep,
    SessionDep,
    WebAuth,
    WebAuthDep,
    body_guard,
    case_ctx,
    settle_sign_in,
)
from app.documents import service
from app.documents.multipart import Form, read_form
from app.documents.responses import copy_response
from app.documents.schemas import (
    ChannelsUpdate,
    DocumentRead,
    DocumentUpdate,
    FolderRead,
    FolderRename,
    FolderWrite,
    ProductionCreate,
)
from app.ene import service as ene_service
from app.errors import Invalid
from app.routing import DeferredRouter
from app.runtime import Services, get_services
from app.web import viewer
from app.web.render import PageRoute, redirect, render
from app.web.room import context, load_room, user_names

router = DeferredRouter(route_class=PageRoute, include_in_schema=False)
AUDIENCE_PREFIX = "audience_"


CHANNEL_LABELS = {
    "canary": "Canary wording: per-copy word variants in the text",
    "geometry": "Geometry: tiny per-copy shifts of lines and glyphs",
    "image": "Image: an invisible pattern in embedded images",
    "metadata": "Metadata: a per-copy code in the file's metadata",
    "text": "Text: invisible characters and spacing in the text",
}


def _documents_ctx(session: SessionDep, auth: WebAuth, case_id: uuid.UUID) -> CaseContext:
    """Readers get the list; a room admin without document rights gets the channel
    settings only; everyone else the guard's own refusal."""
    ctx = case_ctx(session, auth, case_id)
    if ctx.can(Permission.CASE_MANAGE) and not ctx.can(Permission.DOCUMENT_READ):
        return ctx
    return case_ctx(session, auth, case_id, Permission.DOCUMENT_READ)


@router.get("/cases/{case_id}/documents")
def documents(case_id: uuid.UUID, request: Request, session: SessionDep, svc: ServicesDep,
              auth: WebAuthDep) -> Response:
    ctx = _documents_ctx(session, auth, case_id)
    room = load_room(session, ctx)
    rows, sessions, folders, productions = [], [], [], []
    if ctx.can(Permission.DOCUMENT_READ):
        # One audit event for the page: the document list's, naming the folders too.
        folders = service.list_folders(session, ctx, svc, audited=False)
        productions = service.list_productions(session, ctx, svc, audited=False)
        rows = service.list_documents(session, ctx, svc, offset=0, limit=200,
                                      also_shown={"folder_ids": [f.id for f in folders]})
        sessions = [s for s in ene_service.list_sessions(session, ctx, offset=0, limit=200)
                    if s.status != "closed"]
    designations = sorted({d.designation for d in rows})
    banner = "AEO" if "AEO" in designations else "CONFIDENTIAL"
    speakers = room.my_parties("counsel", "pro_se")
    return render(request, "documents.html", **context(
        room, "documents", documents=rows, ene_sessions=sessions, designations=designations,
        banner=banner, uploaders=speakers, speaks_for={p.id for p in speakers},
        groups=_groups(rows, folders), folders=folders, productions=productions,
        channels=service.get_channels(session, ctx) if ctx.can(Permission.CASE_MANAGE)
        else None, channel_labels=CHANNEL_LABELS))


def _groups(rows: list[DocumentRead], folders: list[FolderRead]
            ) -> list[tuple[str | None, list[DocumentRead]]]:
    """The list grouped by folder, top level first, then folders by path; only folders
    holding a listed document (the service has already scoped both)."""
    by_folder: dict[object, list[DocumentRead]] = {}
    for d in rows:
        by_folder.setdefault(d.folder_id, []).append(d)
    groups: list[tuple[str | None, list[DocumentRead]]] = []
    if None in by_folder or not rows:
        groups.append((None, by_folder.get(None, [])))
    groups += [(f.path, by_folder[f.id]) for f in folders if f.id in by_folder]
    return groups


UploadCtx = Annotated[CaseContext, Depends(body_guard(Permission.DOCUMENT_UPLOAD))]


async def upload_form(request: Request, ctx: UploadCtx,
                      svc: Annotated[Services, Depends(get_services)]) -> AsyncIterator[Form]:
    """The body, read only once the guard (a dependency of this one) has let the caller in:
    a non-member or a forged form never creates a folder or a file in the upload spool."""
    form = await read_form(request, svc.blob_store.spool_dir(ctx.case_id),
                           max_file_bytes=svc.settings.max_upload_bytes)
    try:
        yield form
    finally:
        form.cleanup()


UploadForm = Annotated[Form, Depends(upload_form, scope="function")]


def _audience_field(form: Form) -> None:
    """Checkboxes (one field per party) to the service's ``audience`` field."""
    if form.fields.get("audience_mode", "all") == "all":
        form.fields["audience"] = "all"
        return
    chosen = [name.removeprefix(AUDIENCE_PREFIX) for name, value in form.fields.items()
              if name.startswith(AUDIENCE_PREFIX) and name != "audience_mode"
              and value == "yes"]
    form.fields["audience"] = ",".join(chosen)


@router.post("/cases/{case_id}/documents")
def upload(case_id: uuid.UUID, session: SessionDep, svc: ServicesDep, ctx: UploadCtx,
           form: UploadForm) -> Response:
    _audience_field(form)
    if form.fields.get("designation") != "ENE":
        form.fields.pop("ene_session_id", None)
    service.upload_document(session, ctx, svc, form=form)
    return redirect(f"/cases/{case_id}/documents", "document_uploaded")


@router.get("/cases/{case_id}/documents/{doc_id}/download")
def download(case_id: uuid.UUID, doc_id: uuid.UUID, request: Request, session: SessionDep,
             svc: ServicesDep, auth: WebAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.DOCUMENT_READ)
    settle_sign_in(session)
    copy = service.download(session, ctx, svc, document_id=doc_id,
                              client_address=ctx.principal.client_address,
                              user_agent=request.headers.get("user-agent"))
    return copy_response(copy)


@router.get("/cases/{case_id}/documents/{doc_id}/view")
def view(case_id: uuid.UUID, doc_id: uuid.UUID, request: Request, session: SessionDep,
         svc: ServicesDep, auth: WebAuthDep) -> Response:
    """Read in the browser: a copy marked for this reader is made and recorded exactly as a
    download is, and only images of its pages are sent."""
    ctx = case_ctx(session, auth, case_id, Permission.DOCUMENT_READ)
    room = load_room(session, ctx)
    settle_sign_in(session)
    copy = service.download(session, ctx, svc, document_id=doc_id,
                            client_address=ctx.principal.client_address,
                            user_agent=request.headers.get("user-agent"))
    try:
        view = viewer.view_of(copy.body, copy.media_type)
    finally:
        copy.close()
    return render(request, "document_view.html", **context(
        room, "documents", copy=copy, view=view, max_pages=viewer.MAX_VIEW_PAGES))


@router.post("/cases/{case_id}/documents/{doc_id}/versions")
def new_version(case_id: uuid.UUID, doc_id: uuid.UUID, session: SessionDep, svc: ServicesDep,
                ctx: UploadCtx, form: UploadForm) -> Response:
    service.replace_document(session, ctx, svc, document_id=doc_id, form=form)
    return redirect(f"/cases/{case_id}/documents", "version_uploaded")


@router.get("/cases/{case_id}/documents/{doc_id}/downloads")
def download_records(case_id: uuid.UUID, doc_id: uuid.UUID, request: Request,
                     session: SessionDep, auth: WebAuthDep) -> Response:
    """Who received which copy: the document's tracers only (the service decides)."""
    ctx = case_ctx(session, auth, case_id, Permission.TRACE)
    room = load_room(session, ctx)
    rows = service.list_downloads(session, ctx, document_id=doc_id, offset=0, limit=200)
    return render(request, "document_downloads.html", **context(
        room, "documents" if ctx.can(Permission.DOCUMENT_READ) else "traces",
        document_id=doc_id, downloads=rows, names=user_names(session, {d.user_id for d in rows})))


@router.post("/cases/{case_id}/watermark-channels")
def set_channels(case_id: uuid.UUID, session: SessionDep, svc: ServicesDep,
                 auth: CsrfAuthDep,
                 channel: Annotated[list[str] | None, FormField()] = None) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.CASE_MANAGE)
    service.set_channels(session, ctx, svc, data=ChannelsUpdate(channels=channel or []))
    return redirect(f"/cases/{case_id}/documents", "channels_saved")


def _optional_id(raw: str | None, field: str) -> uuid.UUID | None:
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise Invalid(f"{field} is not a valid id.", code="validation_error") from None


@router.post("/cases/{case_id}/folders")
def create_folder(case_id: uuid.UUID, session: SessionDep, svc: ServicesDep,
                  auth: CsrfAuthDep,
                  path: Annotated[str, FormField(min_length=1, max_length=200)],
                  party_id: Annotated[str | None, FormField()] = None) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.DOCUMENT_UPLOAD)
    service.create_folder(session, ctx, svc, data=FolderWrite(
        path=path, party_id=_optional_id(party_id, "party_id")))
    return redirect(f"/cases/{case_id}/documents", "folder_created")


@router.post("/cases/{case_id}/folders/{folder_id}")
def rename_folder(case_id: uuid.UUID, folder_id: uuid.UUID, session: SessionDep,
                  svc: ServicesDep, auth: CsrfAuthDep,
                  path: Annotated[str, FormField(min_length=1, max_length=200)]) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.DOCUMENT_UPLOAD)
    service.rename_folder(session, ctx, svc, folder_id=folder_id, data=FolderRename(path=path))
    return redirect(f"/cases/{case_id}/documents", "folder_renamed")


@router.post("/cases/{case_id}/documents/{doc_id}/folder")
def file_document(case_id: uuid.UUID, doc_id: uuid.UUID, session: SessionDep,
                  svc: ServicesDep, auth: CsrfAuthDep,
                  folder_id: Annotated[str | None, FormField()] = None) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.DOCUMENT_UPLOAD)
    service.file_document(session, ctx, svc, document_id=doc_id, data=DocumentUpdate(
        folder_id=_optional_id(folder_id, "folder_id")))
    return redirect(f"/cases/{case_id}/documents", "document_filed")


@router.post("/cases/{case_id}/documents/{doc_id}/delete")
def delete_document(case_id: uuid.UUID, doc_id: uuid.UUID, session: SessionDep,
                    svc: ServicesDep, auth: CsrfAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.DOCUMENT_UPLOAD)
    service.delete_document(session, ctx, svc, document_id=doc_id)
    return redirect(f"/cases/{case_id}/documents", "document_deleted")


@router.post("/cases/{case_id}/productions")
def produce(case_id: uuid.UUID, session: SessionDep, svc: ServicesDep, auth: CsrfAuthDep,
            prefix: Annotated[str, FormField(min_length=1, max_length=16)],
            document_id: Annotated[list[str] | None, FormField()] = None,
            party_id: Annotated[str | None, FormField()] = None) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.DOCUMENT_UPLOAD)
    ids = [i for raw in document_id or [] if (i := _optional_id(raw, "document_id"))]
    if not ids:
        raise Invalid("Choose at least one document to produce.", code="validation_error")
    service.produce(session, ctx, svc, data=ProductionCreate(
        document_ids=ids, prefix=prefix, party_id=_optional_id(party_id, "party_id")))
    return redirect(f"/cases/{case_id}/documents", "production_created")


@router.get("/cases/{case_id}/productions/{production_id}/index.csv")
def production_index_csv(case_id: uuid.UUID, production_id: uuid.UUID, session: SessionDep,
                         svc: ServicesDep, auth: WebAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.DOCUMENT_READ)
    body = service.index_csv(session, ctx, svc, production_id=production_id)
    return Response(body, media_type="text/csv; charset=utf-8", headers={
        "Cache-Control": "no-store",
        "Content-Disposition": 'attachment; filename="production-index.csv"'})


@router.get("/cases/{case_id}/productions/{production_id}/index.pdf")
def production_index_pdf(case_id: uuid.UUID, production_id: uuid.UUID, session: SessionDep,
                         svc: ServicesDep, auth: WebAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.DOCUMENT_READ)
    body = service.index_pdf(session, ctx, svc, production_id=production_id)
    return Response(body, media_type="application/pdf", headers={
        "Cache-Control": "no-store",
        "Content-Disposition": 'attachment; filename="production-index.pdf"'})
