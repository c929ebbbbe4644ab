"""California section 998 offers: the serving form for the parties the member speaks for
(any other party may be the offeree), each offer's last moment to accept with a live
countdown, its rule-by-rule explanation and the same in plain words, the signed acceptance
after a confirmation, revocation by the offeror before acceptance, and the 998(c)-(e)
comparison once an offer has lapsed. Shown only in a California superior court case."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Form, Request, Response

from app.authz.permissions import Permission
from app.ccp998 import service as ccp998_service
from app.ccp998.plain import WHO_MAY_OFFER
from app.ccp998.schemas import Ccp998Accept, Ccp998CostRequest, Ccp998Create
from app.context import CaseContext
from app.deps import CsrfAuthDep, ServicesDep, SessionDep, WebAuthDep, case_ctx
from app.routing import DeferredRouter
from app.web.forms import cents, local_time
from app.web.render import PageRoute, redirect, render
from app.web.room import context, load_room

router = DeferredRouter(route_class=PageRoute, include_in_schema=False)
Text = Annotated[str, Form(max_length=20_000)]
Opt = Annotated[str, Form(max_length=200)]
METHODS = [
    ("electronic", "Electronic service through the room (+2 court days, CCP 1010.6)"),
    ("personal", "In person (no days added)"),
    ("mail", "Mail within California (+5 days, CCP 1013(a))"),
    ("mail_outside_california", "Mail outside California (+10 days, CCP 1013(a))"),
    ("mail_outside_us", "Mail outside the United States (+20 days, CCP 1013(a))"),
    ("overnight", "Overnight delivery (+2 court days, CCP 1013(c))"),
]


@router.get("/cases/{case_id}/ccp998")
def ccp998(case_id: uuid.UUID, request: Request, session: SessionDep, svc: ServicesDep,
           auth: WebAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.RULE68_READ)
    return _page(request, session, svc, ctx)


def _page(request: Request, session: SessionDep, svc: ServicesDep, ctx: CaseContext,
          **extra: object) -> Response:
    room = load_room(session, ctx)
    offers = ccp998_service.list_offers(session, ctx, svc=svc, offset=0, limit=200)
    mine = room.my_parties("counsel", "pro_se")
    pairs = [(m.id, o.id) for m in mine for o in room.other_parties(m.id)] if (
        ctx.can(Permission.RULE68_SERVE)) else []
    return render(request, "ccp998.html", **context(
        room, "ccp998", offers=offers, speaks_for={p.id for p in mine}, pairs=pairs,
        methods=METHODS, who_may_offer=WHO_MAY_OFFER, now=svc.now(), **extra))


@router.post("/cases/{case_id}/ccp998")
def serve_offer(case_id: uuid.UUID, session: SessionDep, svc: ServicesDep, auth: CsrfAuthDep,
                pair: Opt, amount: Opt, terms: Text, currency: Opt = "USD",
                service_method: Opt = "electronic", served_at: Opt = "") -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.RULE68_SERVE)
    room = load_room(session, ctx)
    offeror, _, offeree = pair.partition(":")
    data = Ccp998Create(
        offeror_party_id=offeror, offeree_party_id=offeree,  # type: ignore[arg-type]
        amount_cents=cents(amount), currency=currency.strip().upper() or "USD", terms=terms,
        service_method=service_method,  # type: ignore[arg-type]
        served_at=local_time(served_at, room.tz, "served at")
        if service_method != "electronic" else None)
    ccp998_service.serve_offer(session, ctx, svc=svc, data=data)
    return redirect(f"/cases/{case_id}/ccp998", "ccp998_served")


@router.post("/cases/{case_id}/ccp998/{offer_id}/accept")
def accept(case_id: uuid.UUID, offer_id: uuid.UUID, session: SessionDep, svc: ServicesDep,
           auth: CsrfAuthDep, signed_by_name: Opt, terms_sha256: Opt = "") -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.RULE68_ACCEPT)
    ccp998_service.accept_offer(session, ctx, svc=svc, offer_id=offer_id, data=Ccp998Accept(
        signed_by_name=signed_by_name.strip(), terms_sha256=terms_sha256.strip() or None))
    return redirect(f"/cases/{case_id}/ccp998", "ccp998_accepted")


@router.post("/cases/{case_id}/ccp998/{offer_id}/revoke")
def revoke(case_id: uuid.UUID, offer_id: uuid.UUID, session: SessionDep, svc: ServicesDep,
           auth: CsrfAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.RULE68_SERVE)
    ccp998_service.revoke_offer(session, ctx, svc=svc, offer_id=offer_id)
    return redirect(f"/cases/{case_id}/ccp998", "ccp998_revoked")


@router.post("/cases/{case_id}/ccp998/{offer_id}/cost-comparison")
def cost_comparison(case_id: uuid.UUID, offer_id: uuid.UUID, request: Request,
                    session: SessionDep, svc: ServicesDep, auth: CsrfAuthDep,
                    judgment_for: Opt, judgment_amount: Opt = "0", pre_offer_costs: Opt = "0",
                    post_offer_costs: Opt = "0") -> Response:
    """998(c)-(e): what a refused offer does to costs."""
    ctx = case_ctx(session, auth, case_id, Permission.RULE68_READ)
    data = Ccp998CostRequest(
        judgment_for=judgment_for,  # type: ignore[arg-type]
        judgment_amount_cents=cents(judgment_amount, "judgment amount"),
        pre_offer_costs_cents=cents(pre_offer_costs, "pre-offer costs"),
        defendant_post_offer_costs_cents=cents(post_offer_costs, "post-offer costs"))
    result = ccp998_service.cost_comparison(session, ctx, svc=svc, offer_id=offer_id,
                                            data=data)
    return _page(request, session, svc, ctx, comparison=(offer_id, result))
