"""The inbox page: the reader's notifications in words, each opening its page (and being
marked read on the way, by a form so that a link fetched by a mail scanner marks nothing)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Form, Request, Response

from app.deps import CsrfAuthDep, ServicesDep, SessionDep, WebAuthDep
from app.notifications import service as notifications
from app.notifications.kinds import KINDS
from app.notifications.schemas import PreferencesWrite
from app.routing import DeferredRouter
from app.web.render import PageRoute, redirect, render

router = DeferredRouter(route_class=PageRoute, include_in_schema=False)
# The zones offered for the digest's 8 am (US courts' zones and UTC); the API takes any.
DIGEST_ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
                "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu",
                "America/Puerto_Rico", "Pacific/Guam", "UTC")


@router.get("/notifications")
def inbox(request: Request, session: SessionDep, auth: WebAuthDep) -> Response:
    items = notifications.inbox(session, auth.principal)
    prefs = notifications.preferences(session, auth.principal)
    zones = sorted({*DIGEST_ZONES, prefs.digest_timezone})
    return render(request, "notifications.html", items=items, prefs=prefs, zones=zones)


@router.post("/notifications/preferences")
def save_preferences(session: SessionDep, svc: ServicesDep, auth: CsrfAuthDep,
                     mail: Annotated[list[str], Form(max_length=64)] = [],  # noqa: B006
                     digest: Annotated[list[str], Form(max_length=64)] = [],  # noqa: B006
                     caption_in_mail: Annotated[str | None, Form(max_length=8)] = None,
                     digest_timezone: Annotated[str, Form(max_length=64)] = ""
                     ) -> Response:
    """Ticked kinds come by e-mail, at once or, when "daily summary" is ticked too, in the
    morning digest; every optional kind left unticked is inbox-only."""
    off = [k.name for k in KINDS.values() if k.optional and k.name not in mail]
    daily = [k.name for k in KINDS.values()
             if k.optional and k.name in mail and k.name in digest]
    data = PreferencesWrite(caption_in_mail=caption_in_mail == "yes", email_off=off,
                            digest=daily, digest_timezone=digest_timezone or None)
    notifications.set_preferences(session, auth.principal, data=data, now=svc.now())
    return redirect("/notifications", "preferences_saved")


@router.post("/notifications/{notification_id}/open")
def open_item(notification_id: uuid.UUID, session: SessionDep, svc: ServicesDep,
              auth: CsrfAuthDep) -> Response:
    item = notifications.mark_read(session, auth.principal, notification_id=notification_id,
                                   now=svc.now())
    return redirect(item.link)
