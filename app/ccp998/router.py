from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends

from app.authz.permissions import Permission
from app.ccp998 import service
from app.ccp998.schemas import (
    Ccp998Accept,
    Ccp998CostRead,
    Ccp998CostRequest,
    Ccp998Create,
    Ccp998Read,
)
from app.context import CaseContext
from app.deps import ServicesDep, SessionDep, api_router, case_guard
from app.pagination import PageDep

router = api_router("/cases/{case_id}", tags=["california section 998 offers"])
# The Rule 68 permissions: the same roles read, serve and accept offers of either regime.
Reader = Annotated[CaseContext, Depends(case_guard(Permission.RULE68_READ))]
Server = Annotated[CaseContext, Depends(case_guard(Permission.RULE68_SERVE))]
Acceptor = Annotated[CaseContext, Depends(case_guard(Permission.RULE68_ACCEPT))]


@router.post("/ccp998-offers", status_code=201)
def serve_offer(data: Ccp998Create, session: SessionDep, ctx: Server,
                svc: ServicesDep) -> Ccp998Read:
    return service.serve_offer(session, ctx, svc=svc, data=data)


@router.get("/ccp998-offers")
def list_offers(session: SessionDep, ctx: Reader, svc: ServicesDep,
                page: PageDep) -> list[Ccp998Read]:
    return service.list_offers(session, ctx, svc=svc, offset=page.offset, limit=page.limit)


@router.get("/ccp998-offers/{offer_id}")
def get_offer(offer_id: uuid.UUID, session: SessionDep, ctx: Reader,
              svc: ServicesDep) -> Ccp998Read:
    return service.get_offer(session, ctx, svc=svc, offer_id=offer_id)


@router.post("/ccp998-offers/{offer_id}/accept")
def accept_offer(offer_id: uuid.UUID, data: Ccp998Accept, session: SessionDep, ctx: Acceptor,
                 svc: ServicesDep) -> Ccp998Read:
    return service.accept_offer(session, ctx, svc=svc, offer_id=offer_id, data=data)


@router.post("/ccp998-offers/{offer_id}/revoke")
def revoke_offer(offer_id: uuid.UUID, session: SessionDep, ctx: Server,
                 svc: ServicesDep) -> Ccp998Read:
    return service.revoke_offer(session, ctx, svc=svc, offer_id=offer_id)


@router.post("/ccp998-offers/{offer_id}/cost-comparison")
def cost_comparison(offer_id: uuid.UUID, data: Ccp998CostRequest, session: SessionDep,
                    ctx: Reader, svc: ServicesDep) -> Ccp998CostRead:
    return service.cost_comparison(session, ctx, svc=svc, offer_id=offer_id, data=data)
