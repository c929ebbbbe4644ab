"""My cases, the case room with its parties, claims and members tabs."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Form, Request, Response

from app.authz.permissions import Permission
from app.cases import service as case_service
from app.cases.schemas import CaseCreate, CaseUpdate, ClaimCreate, PartyCreate
from app.deps import CsrfAuthDep, ServicesDep, SessionDep, WebAuthDep, case_ctx
from app.routing import DeferredRouter
from app.rule68 import service as rule68_service
from app.web import court_choices, deadlines
from app.web.render import PageRoute, redirect, render
from app.web.room import context, load_room

router = DeferredRouter(route_class=PageRoute, include_in_schema=False)
# The case settings' closed list of legend positions (app.watermark.LEGEND_POSITIONS).
LEGEND_LABELS = (
    ("footer", "Footer: bottom margin (default)"),
    ("header", "Header: top margin"),
    ("diagonal", "Diagonal across each page, semi-transparent"),
)
Text = Annotated[str, Form(max_length=2000)]
OptText = Annotated[str, Form(max_length=2000)]


@router.get("/")
def my_cases(request: Request, session: SessionDep, svc: ServicesDep,
             auth: WebAuthDep) -> Response:
    """Page chrome: one content-free deadline query for every case, nothing decrypted,
    no audit event."""
    rows = deadlines.cases_with_deadlines(session, auth.principal, now=svc.now(), offset=0,
                                         limit=200)
    return render(request, "cases.html", rows=rows)


@router.post("/cases")
def create_case(session: SessionDep, svc: ServicesDep, auth: CsrfAuthDep,
                caption: Text, docket_number: Text, court: OptText = "",
                court_state: OptText = "", district: OptText = "", division: OptText = "",
                trial_date: OptText = "", court_timezone: OptText = "",
                ) -> Response:
    """The time zone is the court's, derived from the district (and the division picked
    where the district spans zones); never defaulted. The form offers no zone field; the
    court_state and court_timezone fields stay for clients that post them, and must agree."""
    data = CaseCreate(caption=caption, court=court or None,
                      court_state=court_state.upper() or None, district=district or None,
                      division=court_choices.division_for(district, division),
                      docket_number=docket_number,
                      trial_date=trial_date or None, court_timezone=court_timezone or None)
    case = case_service.create_case(session, auth.principal, svc.key_provider, data=data)
    return redirect(f"/cases/{case.id}", "case_created")


@router.get("/cases/{case_id}")
def case_room(case_id: uuid.UUID, request: Request, session: SessionDep, svc: ServicesDep,
              auth: WebAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id)
    room = load_room(session, ctx)
    deadline = deadlines.next_deadlines(session, ctx.principal, cases=[room.case],
                                       now=svc.now(),
                                       memberships={ctx.case_id: ctx.memberships})[ctx.case_id]
    return render(request, "room.html", **context(room, "overview", deadline=deadline,
                                                  hearing=rule68_service.get_hearing(session, ctx),
                                                  legend_positions=LEGEND_LABELS))


@router.get("/cases/{case_id}/parties")
def parties(case_id: uuid.UUID, request: Request, session: SessionDep,
            auth: WebAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id)
    room = load_room(session, ctx)
    claims = case_service.list_claims(session, ctx, offset=0, limit=200)
    return render(request, "parties.html", **context(room, "parties", claims=claims))


@router.post("/cases/{case_id}/parties")
def add_party(case_id: uuid.UUID, session: SessionDep, auth: CsrfAuthDep, name: Text,
              side: Text, represented: OptText = "") -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.CASE_MANAGE)
    data = PartyCreate(name=name, side=side, represented=represented == "yes")  # type: ignore[arg-type]
    case_service.add_party(session, ctx, data=data)
    return redirect(f"/cases/{case_id}/parties", "party_added")


@router.post("/cases/{case_id}/claims")
def add_claim(case_id: uuid.UUID, session: SessionDep, auth: CsrfAuthDep,
              claimant_party_id: Text, description: Text,
              defending_party_ids: Annotated[list[str], Form()]) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.CASE_MANAGE)
    data = ClaimCreate(claimant_party_id=claimant_party_id,  # type: ignore[arg-type]
                       defending_party_ids=defending_party_ids,  # type: ignore[arg-type]
                       description=description)
    case_service.add_claim(session, ctx, data=data)
    return redirect(f"/cases/{case_id}/parties", "claim_added")


@router.post("/cases/{case_id}/details")
def update_case(case_id: uuid.UUID, session: SessionDep, auth: CsrfAuthDep,
                trial_date: OptText = "", court_timezone: OptText = "", caption: OptText = "",
                court: OptText = "", court_state: OptText = "",
                docket_number: OptText = "", legend_position: OptText = "",
                district: OptText = "", division: OptText = "") -> Response:
    """Empty text fields stay as they are; an empty trial date clears it. The legend
    position is a closed list (a value outside it is refused: invalid_legend_position).
    A district picked re-derives the case's state and time zone (with the division picked
    where the district spans zones); the form has no free-text zone."""
    ctx = case_ctx(session, auth, case_id, Permission.CASE_MANAGE)
    changes: dict[str, object] = {"trial_date": trial_date or None}
    if district.strip():
        changes["district"] = district.strip()
        changes["division"] = court_choices.division_for(district, division)
    texts = {"court_timezone": court_timezone, "caption": caption, "court": court,
             "court_state": court_state.upper(), "docket_number": docket_number,
             "legend_position": legend_position}
    changes.update({k: v.strip() for k, v in texts.items() if v.strip()})
    case_service.update_case(session, ctx, data=CaseUpdate(**changes))  # type: ignore[arg-type]
    return redirect(f"/cases/{case_id}", "case_updated")


@router.get("/cases/{case_id}/deadlines.ics")
def deadlines_calendar(case_id: uuid.UUID, session: SessionDep, svc: ServicesDep,
                       auth: WebAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id)
    return Response(rule68_service.deadlines_ics(session, ctx, svc=svc),
                    media_type="text/calendar; charset=utf-8", headers={
                        "Content-Disposition": f'attachment; filename="deadlines-{case_id}.ics"'})
