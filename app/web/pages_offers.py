"""Settlement offers (FRE 408): a thread per pair of parties, make, counter, accept (after a
confirmation dialog showing amount, terms and their hash), reject, withdraw."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from app.authz.permissions import Permission
from app.deps import CsrfAuthDep, ServicesDep, SessionDep, WebAuthDep, case_ctx
from app.offers import service
from app.offers.schemas import OfferCreate, OfferRead
from app.web.forms import cents, local_time
from app.web.render import PageRoute, redirect, render
from app.web.room import Room, context, load_room

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Text = Annotated[str, Form(max_length=20_000)]
Opt = Annotated[str, Form(max_length=200)]


def threads(offers: list[OfferRead]) -> list[tuple[frozenset[uuid.UUID], list[OfferRead]]]:
    """Offers grouped per pair of parties, oldest first; the pair with news first."""
    grouped: dict[frozenset[uuid.UUID], list[OfferRead]] = defaultdict(list)
    for offer in offers:
        grouped[frozenset({offer.from_party_id, offer.to_party_id})].append(offer)
    for items in grouped.values():
        items.sort(key=lambda o: o.created_at)
    return sorted(grouped.items(), key=lambda kv: kv[1][-1].created_at, reverse=True)


def _speaks_for(room: Room) -> set[uuid.UUID]:
    return {p.id for p in room.my_parties("counsel", "pro_se")}


@router.get("/cases/{case_id}/offers")
def offers(case_id: uuid.UUID, request: Request, session: SessionDep, svc: ServicesDep,
           auth: WebAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.OFFER_READ)
    room = load_room(session, ctx)
    rows = service.list_offers(session, ctx, svc=svc, offset=0, limit=200)
    return render(request, "offers.html", **context(
        room, "offers", threads=threads(rows), speaks_for=_speaks_for(room),
        banner="FRE408"))


@router.post("/cases/{case_id}/offers")
def make_offer(case_id: uuid.UUID, session: SessionDep, svc: ServicesDep, auth: CsrfAuthDep,
               from_party_id: Opt, to_party_id: Opt, amount: Opt, terms: Text,
               currency: Opt = "USD", designation: Opt = "CONFIDENTIAL", expires_at: Opt = "",
               share_with_neutral: Opt = "", replies_to: Opt = "") -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.OFFER_MAKE)
    room = load_room(session, ctx)
    data = OfferCreate(
        from_party_id=from_party_id, to_party_id=to_party_id,  # type: ignore[arg-type]
        amount_cents=cents(amount), currency=currency.strip().upper() or "USD", terms=terms,
        expires_at=local_time(expires_at, room.tz, "expires at"),
        replies_to=replies_to or None,  # type: ignore[arg-type]
        share_with_neutral=share_with_neutral == "yes",
        designation=designation,  # type: ignore[arg-type]
    )
    service.make_offer(session, ctx, svc=svc, data=data)
    return redirect(f"/cases/{case_id}/offers", "offer_countered" if replies_to else "offer_made")


@router.post("/cases/{case_id}/offers/{offer_id}/accept")
def accept(case_id: uuid.UUID, offer_id: uuid.UUID, session: SessionDep, svc: ServicesDep,
           auth: CsrfAuthDep, terms_sha256: Opt) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.OFFER_RESPOND)
    service.accept_offer(session, ctx, svc=svc, offer_id=offer_id,
                             terms_sha256=terms_sha256.strip(), idempotency_key=None)
    return redirect(f"/cases/{case_id}/offers", "offer_accepted")


@router.post("/cases/{case_id}/offers/{offer_id}/reject")
def reject(case_id: uuid.UUID, offer_id: uuid.UUID, session: SessionDep, svc: ServicesDep,
           auth: CsrfAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.OFFER_RESPOND)
    service.reject_offer(session, ctx, svc=svc, offer_id=offer_id)
    return redirect(f"/cases/{case_id}/offers", "offer_rejected")


@router.post("/cases/{case_id}/offers/{offer_id}/withdraw")
def withdraw(case_id: uuid.UUID, offer_id: uuid.UUID, session: SessionDep, svc: ServicesDep,
             auth: CsrfAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.OFFER_MAKE)
    service.withdraw_offer(session, ctx, svc=svc, offer_id=offer_id)
    return redirect(f"/cases/{case_id}/offers", "offer_withdrawn")


@router.get("/cases/{case_id}/offers/{offer_id}/memorandum")
def memorandum(case_id: uuid.UUID, offer_id: uuid.UUID, session: SessionDep,
               svc: ServicesDep, auth: WebAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.OFFER_READ)
    pdf = service.memorandum(session, ctx, svc=svc, offer_id=offer_id)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="memorandum-{offer_id}.pdf"'})
