"""The FRCP 6 deadline calculator (the same function the API's ``GET /deadlines`` runs) and
the room admin's FRCP 68(c) liability-hearing date (the same ``setup.set_hearing``)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import Form, Query, Request, Response

from app.authz.permissions import Permission
from app.deadlines import service as deadlines
from app.deadlines.rules import MAX_DAYS
from app.deps import CsrfAuthDep, ServicesDep, SessionDep, WebAuthDep, case_ctx
from app.routing import DeferredRouter
from app.rule68 import service as rule68_service
from app.rule68.schemas import LiabilityHearingSet
from app.web import court_choices
from app.web.render import PageRoute, redirect, render

router = DeferredRouter(route_class=PageRoute, include_in_schema=False)
Opt = Annotated[str, Form(max_length=200)]
Method = Literal["electronic", "personal", "mail", "clerk", "other"]
METHODS = [("electronic", "Electronic (no days added)"), ("personal", "Personal delivery"),
           ("mail", "Mail (adds 3 days, FRCP 6(d))"),
           ("clerk", "Left with the clerk (adds 3 days)"),
           ("other", "Other consented means (adds 3 days)")]


@router.get("/deadlines")
def calculator(request: Request, auth: WebAuthDep, session: SessionDep,
               trigger: date | None = None,
               days: Annotated[int | None, Query(ge=1, le=MAX_DAYS)] = None,
               direction: Literal["after", "before"] = "after",
               district: Annotated[str, Query(max_length=8)] = "",
               division: Annotated[str, Query(max_length=60)] = "",
               state: Annotated[str, Query(max_length=2)] = "",
               service_method: Method = "electronic",
               court_timezone: Annotated[str, Query(max_length=64)] = "",
               case: uuid.UUID | None = None) -> Response:
    """Pure computation on public law; any signed-in user. The API route's own use case
    computes, so its checks and its 422 for bad input are the page's too: the zone is the
    picked district's (or its division's), never a default; `state` and `court_timezone`
    come only from a room's link for a case that names no district, and must agree."""
    result = None
    chosen = district.strip() or None
    picked = court_choices.division_for(chosen, division) if chosen else None
    if trigger is not None and days is not None:
        result = deadlines.compute(
            session, trigger=trigger, days=days, direction=direction, state=state.strip() or None,
            district=chosen, division=picked, service_method=service_method,
            court_timezone=court_timezone.strip() or None)
    form = {"trigger": trigger, "days": days, "direction": direction, "state": state,
            "district": chosen or "", "division": court_choices.division_value(chosen, picked),
            "service_method": service_method, "court_timezone": court_timezone}
    return render(request, "deadlines.html", form=form, result=result, methods=METHODS,
                  case_id=case)


@router.post("/cases/{case_id}/liability-hearing")
def set_hearing(case_id: uuid.UUID, session: SessionDep, svc: ServicesDep, auth: CsrfAuthDep,
                hearing_date: Opt = "", clear: Opt = "") -> Response:
    """FRCP 68(c): a date means liability is determined; clearing removes it."""
    ctx = case_ctx(session, auth, case_id, Permission.CASE_MANAGE)
    chosen = None if clear == "yes" else (hearing_date.strip() or None)
    data = LiabilityHearingSet(hearing_date=chosen)  # type: ignore[arg-type]
    rule68_service.set_hearing(session, ctx, svc=svc, data=data)
    return redirect(f"/cases/{case_id}", "hearing_saved" if chosen else "hearing_cleared")
