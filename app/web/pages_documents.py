"""Documents: upload with designation and audience, the list a member may see, and
downloads (each one its own watermarked, traceable copy)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from app.authz.guard import ServicesDep, SessionDep
from app.authz.permissions import Permission
from app.blobs import case_blob_dir
from app.documents import downloads, service
from app.documents.multipart import Form, read_form
from app.ene import service as ene_service
from app.services import Services, get_services
from app.web.deps import WebAuthDep, case_ctx, check_csrf
from app.web.render import PageRoute, redirect, render
from app.web.room import context, load_room

router = APIRouter(route_class=PageRoute, include_in_schema=False)
AUDIENCE_PREFIX = "audience_"


@router.get("/cases/{case_id}/documents")
def documents(case_id: uuid.UUID, request: Request, session: SessionDep, svc: ServicesDep,
              auth: WebAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.DOCUMENT_READ)
    room = load_room(session, ctx)
    rows = service.list_documents(session, ctx, svc, offset=0, limit=200)
    sessions = [s for s in ene_service.list_sessions(session, ctx, offset=0, limit=200)
                if s.status != "closed"]
    designations = sorted({d.designation for d in rows})
    banner = "AEO" if "AEO" in designations else "CONFIDENTIAL"
    return render(request, "documents.html", **context(
        room, "documents", documents=rows, ene_sessions=sessions, designations=designations,
        banner=banner, uploaders=room.my_parties("counsel", "pro_se")))


async def upload_form(request: Request, case_id: Annotated[uuid.UUID, Path()],
                      svc: Annotated[Services, Depends(get_services)]) -> AsyncIterator[Form]:
    form = await read_form(request, case_blob_dir(svc.settings, case_id),
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
def upload(case_id: uuid.UUID, session: SessionDep, svc: ServicesDep, auth: WebAuthDep,
           form: UploadForm) -> Response:
    check_csrf(session, auth, form.fields.get("csrf_token"))
    ctx = case_ctx(session, auth, case_id, Permission.DOCUMENT_UPLOAD)
    _audience_field(form)
    if form.fields.get("designation") != "ENE":
        form.fields.pop("ene_session_id", None)
    service.upload_document(session, ctx, svc, form=form)
    return redirect(f"/cases/{case_id}/documents", "document_uploaded")


@router.get("/cases/{case_id}/documents/{doc_id}/download")
def download(case_id: uuid.UUID, doc_id: uuid.UUID, request: Request, session: SessionDep,
             svc: ServicesDep, auth: WebAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.DOCUMENT_READ)
    copy = downloads.download(session, ctx, svc, document_id=doc_id,
                              client_address=ctx.principal.client_address,
                              user_agent=request.headers.get("user-agent"))
    return Response(copy.content, media_type=copy.media_type, headers=copy.headers)
