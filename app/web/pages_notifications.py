"""The inbox page: the reader's notifications in words, each opening its page (and being
marked read on the way, by a form so that a link fetched by a mail scanner marks nothing)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from app.deps import CsrfAuthDep, ServicesDep, SessionDep, WebAuthDep
from app.notifications import service as notifications
from app.web.render import PageRoute, redirect, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/notifications")
def inbox(request: Request, session: SessionDep, auth: WebAuthDep) -> Response:
    items = notifications.inbox(session, auth.principal)
    return render(request, "notifications.html", items=items)


@router.post("/notifications/{notification_id}/open")
def open_item(notification_id: uuid.UUID, session: SessionDep, svc: ServicesDep,
              auth: CsrfAuthDep) -> Response:
    item = notifications.mark_read(session, auth.principal, notification_id=notification_id,
                                   now=svc.now())
    return redirect(item.link)
