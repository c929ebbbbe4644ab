"""Settlement offers (FRE 408): a thread per pair of parties, make, counter, accept (after a
confirmation dialog showing amount, terms and their hash), reject, withdraw.

Nothing is sent by accident: a new offer or a counter-offer is first shown back on a review
page (the recipient, the amount in figures and in words, the terms) and sent only from
there; a zero amount asks a second time. A counter-offer starts from the offer it answers.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Form, Request, Response

from app.authz.permissions import Permission
from app.deps import CsrfAuthDep, ServicesDep, SessionDep, WebAuthDep, case_ctx
from app.offers import service
from app.offers.schemas import OfferCreate, OfferRead
from app.protective_orders import service as orders
from app.routing import DeferredRouter
from app.web.forms import cents, local_time
from app.web.render import PageRoute, redirect, render
from app.web.room import Room, context, load_room

router = DeferredRouter(route_class=PageRoute, include_in_schema=False)
Text = Annotated[str, Form(max_length=20_000)]
Opt = Annotated[str, Form(max_length=200)]


@dataclass(frozen=True)
class Thread:
    """The offers between one pair of parties, oldest first, and where they stand."""

    pair: frozenset[uuid.UUID]
    items: list[OfferRead]

    @property
    def settled_at(self) -> datetime | None:
        """When an offer of the thread was accepted: the pair has settled on it."""
        return next((o.acceptance.accepted_at for o in self.items if o.acceptance), None)

    @property
    def gap(self) -> tuple[OfferRead, OfferRead, int] | None:
        """Each side's latest number and the distance between them (same currency only)."""
        latest: dict[uuid.UUID, OfferRead] = {}
        for offer in self.items:
            latest[offer.from_party_id] = offer
        if len(latest) != 2:
            return None
        first, second = sorted(latest.values(), key=lambda o: o.created_at)
        if first.currency != second.currency:
            return None
        return first, second, abs(first.amount_cents - second.amount_cents)


def threads(offers: list[OfferRead]) -> list[Thread]:
    """Offers grouped per pair of parties, oldest first; the pair with news first."""
    grouped: dict[frozenset[uuid.UUID], list[OfferRead]] = defaultdict(list)
    for offer in offers:
        grouped[frozenset({offer.from_party_id, offer.to_party_id})].append(offer)
    for items in grouped.values():
        items.sort(key=lambda o: o.created_at)
    found = [Thread(pair, items) for pair, items in grouped.items()]
    return sorted(found, key=lambda t: t.items[-1].created_at, reverse=True)


def _speaks_for(room: Room) -> set[uuid.UUID]:
    return {p.id for p in room.my_parties("counsel", "pro_se")}


def settled_out(found: list[Thread], speaks_for: set[uuid.UUID],
                others: set[uuid.UUID]) -> set[uuid.UUID]:
    """Parties the "make an offer" form leaves out: a party on one end of the form with
    which every party on the other end has settled. The service refuses a settled pair
    (409 ``thread_settled``) whatever the form offers; this only keeps it from asking."""
    settled = {t.pair for t in found if t.settled_at}

    def closed(party: uuid.UUID, across: set[uuid.UUID]) -> bool:
        return bool(across) and all(frozenset({party, q}) in settled for q in across)

    return ({q for q in others if closed(q, speaks_for)}
            | {f for f in speaks_for if closed(f, others)})


def _offers_page(request: Request, session: SessionDep, svc: ServicesDep, room: Room,
                 draft: dict[str, str] | None = None) -> Response:
    rows = service.list_offers(session, room.ctx, svc=svc, offset=0, limit=200)
    found, speaks_for = threads(rows), _speaks_for(room)
    others = {p.id for p in room.parties} - speaks_for
    return render(request, "offers.html", **context(
        room, "offers", threads=found, speaks_for=speaks_for,
        settled_out=settled_out(found, speaks_for, others), banner="FRE408", draft=draft))


@router.get("/cases/{case_id}/offers")
def offers(case_id: uuid.UUID, request: Request, session: SessionDep, svc: ServicesDep,
           auth: WebAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id, Permission.OFFER_READ)
    return _offers_page(request, session, svc, load_room(session, ctx))


@router.post("/cases/{case_id}/offers")
def make_offer(case_id: uuid.UUID, request: Request, session: SessionDep, svc: ServicesDep,
               auth: CsrfAuthDep, from_party_id: Opt, to_party_id: Opt, amount: Opt,
               terms: Text, currency: Opt = "USD", designation: Opt = "CONFIDENTIAL",
               expires_at: Opt = "", share_with_neutral: Opt = "", replies_to: Opt = "",
               step: Opt = "review", zero_confirmed: Opt = "") -> Response:
    """``step``: ``review`` shows the offer back, ``edit`` returns to the filled-in form,
    ``send`` makes it (a zero amount only with ``zero_confirmed``)."""
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
    draft = {"from_party_id": from_party_id, "to_party_id": to_party_id, "amount": amount,
             "terms": terms, "currency": data.currency, "designation": designation,
             "expires_at": expires_at, "share_with_neutral": share_with_neutral,
             "replies_to": replies_to}
    if step == "edit":
        return _offers_page(request, session, svc, room, draft)
    zero_unconfirmed = data.amount_cents == 0 and zero_confirmed != "yes"
    if step != "send" or zero_unconfirmed:
        service.check_offer(session, ctx, svc=svc, data=data)
        return render(request, "offer_review.html", **context(
            room, "offers", offer=data, draft=draft, banner="FRE408",
            ask_zero=data.amount_cents == 0, zero_missed=step == "send" and zero_unconfirmed))
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
    pdf = service.memorandum(session, ctx, svc=svc, offer_id=offer_id,
                             check=orders.paper_checker(session, ctx, svc))
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="memorandum-{offer_id}.pdf"'})
