from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Response

from app.authz.permissions import Permission
from app.context import CaseContext
from app.deps import IdempotencyKey, ServicesDep, SessionDep, api_router, case_guard
from app.offers import service
from app.offers.schemas import OfferAccept, OfferCreate, OfferRead
from app.pagination import PageDep
from app.protective_orders import service as orders

router = api_router("/cases/{case_id}/offers", tags=["settlement offers"])
Reader = Annotated[CaseContext, Depends(case_guard(Permission.OFFER_READ))]
Maker = Annotated[CaseContext, Depends(case_guard(Permission.OFFER_MAKE))]
Responder = Annotated[CaseContext, Depends(case_guard(Permission.OFFER_RESPOND))]


@router.post("", status_code=201)
def make_offer(data: OfferCreate, session: SessionDep, ctx: Maker,
               svc: ServicesDep) -> OfferRead:
    return service.make_offer(session, ctx, svc=svc, data=data)


@router.get("")
def list_offers(session: SessionDep, ctx: Reader, svc: ServicesDep,
                page: PageDep) -> list[OfferRead]:
    return service.list_offers(session, ctx, svc=svc, offset=page.offset, limit=page.limit)


@router.get("/{offer_id}")
def get_offer(offer_id: uuid.UUID, session: SessionDep, ctx: Reader,
              svc: ServicesDep) -> OfferRead:
    return service.get_offer(session, ctx, svc=svc, offer_id=offer_id)


@router.post("/{offer_id}/accept")
def accept_offer(offer_id: uuid.UUID, data: OfferAccept, session: SessionDep, ctx: Responder,
                 svc: ServicesDep, idempotency_key: IdempotencyKey = None) -> OfferRead:
    return service.accept_offer(session, ctx, svc=svc, offer_id=offer_id,
                                    terms_sha256=data.terms_sha256,
                                    idempotency_key=idempotency_key)


@router.post("/{offer_id}/reject")
def reject_offer(offer_id: uuid.UUID, session: SessionDep, ctx: Responder,
                 svc: ServicesDep) -> OfferRead:
    return service.reject_offer(session, ctx, svc=svc, offer_id=offer_id)


@router.post("/{offer_id}/withdraw")
def withdraw_offer(offer_id: uuid.UUID, session: SessionDep, ctx: Maker,
                   svc: ServicesDep) -> OfferRead:
    return service.withdraw_offer(session, ctx, svc=svc, offer_id=offer_id)


@router.get("/{offer_id}/memorandum", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}})
def memorandum(offer_id: uuid.UUID, session: SessionDep, ctx: Reader,
               svc: ServicesDep) -> Response:
    pdf = service.memorandum(session, ctx, svc=svc, offer_id=offer_id,
                             check=orders.paper_checker(session, ctx, svc))
    disposition = f'attachment; filename="memorandum-{offer_id}.pdf"'
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": disposition})
