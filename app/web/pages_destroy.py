"""Destroying a case (crypto-shredding) for the room admin: a warning page with the
caption to type, then the signed certificate shown and offered as a JSON download. The
destruction itself is ``app.cases.destruction.destroy_case``, as for the API."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Annotated

from fastapi import Form, Request, Response

from app.authz.permissions import Permission
from app.cases import destruction
from app.cases.schemas import DestroyRequest
from app.deps import CsrfAuthDep, ServicesDep, SessionDep, WebAuthDep, case_ctx
from app.routing import DeferredRouter
from app.web.render import PageRoute, render
from app.web.room import context, load_room

router = DeferredRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/cases/{case_id}/destroy")
def destroy_page(case_id: uuid.UUID, request: Request, session: SessionDep,
                 auth: WebAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.CASE_DESTROY)
    return render(request, "destroy.html", **context(load_room(session, ctx), "overview"))


@router.post("/cases/{case_id}/destroy")
def destroy(case_id: uuid.UUID, request: Request, session: SessionDep, svc: ServicesDep,
            auth: CsrfAuthDep, confirm_caption: Annotated[str, Form(max_length=500)]
            ) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.CASE_DESTROY)
    data = DestroyRequest(confirm_caption=confirm_caption)
    certificate = destruction.destroy_case(session, ctx, svc,
                                           confirm_caption=data.confirm_caption)
    text = json.dumps(certificate, indent=2, sort_keys=True)
    href = "data:application/json;base64," + base64.b64encode(text.encode()).decode()
    return render(request, "destroyed.html", **context(
        load_room(session, ctx), "overview", certificate=text, certificate_href=href))
