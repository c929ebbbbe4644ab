from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Body, Depends, Query, Request, Response

from app.authz.permissions import Permission
from app.context import CaseContext
from app.deps import IdempotencyKey, ServicesDep, SessionDep, api_router, case_guard
from app.pagination import PageDep
from app.protective_orders import service as orders
from app.rule68 import service
from app.rule68.schemas import (
    AcceptanceRecord,
    CostComparisonRead,
    CostComparisonRequest,
    LiabilityHearingRead,
    LiabilityHearingSet,
    Rule68Accept,
    Rule68Create,
    Rule68Read,
    ServiceConsentCreate,
    ServiceConsentRead,
)

router = api_router("/cases/{case_id}", tags=["rule 68 offers of judgment"])
Reader = Annotated[CaseContext, Depends(case_guard(Permission.RULE68_READ))]
Server = Annotated[CaseContext, Depends(case_guard(Permission.RULE68_SERVE))]
Acceptor = Annotated[CaseContext, Depends(case_guard(Permission.RULE68_ACCEPT))]
Member = Annotated[CaseContext, Depends(case_guard(Permission.CASE_READ))]
Manager = Annotated[CaseContext, Depends(case_guard(Permission.CASE_MANAGE))]
PDF = {200: {"content": {"application/pdf": {}}}}


def _pdf(data: bytes, name: str) -> Response:
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'})


@router.post("/rule68-offers", status_code=201)
def serve_offer(data: Rule68Create, session: SessionDep, ctx: Server,
                svc: ServicesDep) -> Rule68Read:
    return service.serve_offer(session, ctx, svc=svc, data=data)


@router.get("/rule68-offers")
def list_offers(session: SessionDep, ctx: Reader, svc: ServicesDep,
                page: PageDep) -> list[Rule68Read]:
    return service.list_offers(session, ctx, svc=svc, offset=page.offset, limit=page.limit)


@router.get("/rule68-offers/{offer_id}")
def get_offer(offer_id: uuid.UUID, session: SessionDep, ctx: Reader,
              svc: ServicesDep) -> Rule68Read:
    return service.get_offer(session, ctx, svc=svc, offer_id=offer_id)


@router.post("/rule68-offers/{offer_id}/accept")
def accept_offer(offer_id: uuid.UUID, session: SessionDep, ctx: Acceptor, svc: ServicesDep,
                 data: Annotated[Rule68Accept | None, Body()] = None,
                 idempotency_key: IdempotencyKey = None) -> Rule68Read:
    return service.accept_offer(session, ctx, svc=svc, offer_id=offer_id,
                                terms_sha256=data.terms_sha256 if data else None,
                                idempotency_key=idempotency_key)


@router.post("/rule68-offers/{offer_id}/acceptances")
def record_acceptance(offer_id: uuid.UUID, data: AcceptanceRecord, session: SessionDep,
                      ctx: Acceptor, svc: ServicesDep) -> Rule68Read:
    """A notice of acceptance served outside the room (mail, hand, clerk, other consented
    means), with its certificate of service; timely when served within the window."""
    return service.record_acceptance(session, ctx, svc=svc, offer_id=offer_id, data=data)


@router.post("/rule68-offers/{offer_id}/withdraw")
def withdraw_offer(offer_id: uuid.UUID, session: SessionDep, ctx: Server,
                   svc: ServicesDep) -> Rule68Read:
    return service.withdraw_offer(session, ctx, svc=svc, offer_id=offer_id)


@router.get("/rule68-offers/{offer_id}/filing-package", response_class=Response,
            responses=PDF)
def filing_package(offer_id: uuid.UUID, request: Request, session: SessionDep, ctx: Reader,
                   svc: ServicesDep,
                   attach: Annotated[list[uuid.UUID], Query()] = []) -> Response:  # noqa: B006
    """``attach`` (repeatable): room PDF documents appended as exhibits A, B, ..., each the
    caller's own watermarked copy, recorded as a download."""
    pdf = service.filing_package(
        session, ctx, svc=svc, offer_id=offer_id, check=orders.paper_checker(session, ctx, svc),
        attach=orders.paper_attacher(session, ctx, svc,
                                     client_address=ctx.principal.client_address,
                                     user_agent=request.headers.get("user-agent")),
        document_ids=attach)
    return _pdf(pdf, f"rule68-filing-{offer_id}")


@router.get("/rule68-offers/{offer_id}/export", response_class=Response, responses=PDF)
def export_offer(offer_id: uuid.UUID, session: SessionDep, ctx: Reader,
                 svc: ServicesDep) -> Response:
    return _pdf(service.export(session, ctx, svc=svc, offer_id=offer_id,
                           check=orders.paper_checker(session, ctx, svc)),
                f"rule68-offer-{offer_id}")


@router.post("/rule68-offers/{offer_id}/cost-comparison")
def cost_comparison(offer_id: uuid.UUID, data: CostComparisonRequest, session: SessionDep,
                    ctx: Reader, svc: ServicesDep) -> CostComparisonRead:
    return service.cost_comparison(session, ctx, svc=svc, offer_id=offer_id, data=data)


@router.post("/service-consents", status_code=201)
def give_consent(data: ServiceConsentCreate, session: SessionDep, ctx: Server,
                 svc: ServicesDep) -> ServiceConsentRead:
    return service.give_consent(session, ctx, svc=svc, data=data)


@router.get("/service-consents")
def list_consents(session: SessionDep, ctx: Member) -> list[ServiceConsentRead]:
    return service.list_consents(session, ctx)


@router.put("/liability-hearing")
def set_hearing(data: LiabilityHearingSet, session: SessionDep, ctx: Manager,
                svc: ServicesDep) -> LiabilityHearingRead:
    return service.set_hearing(session, ctx, svc=svc, data=data)


@router.get("/liability-hearing")
def get_hearing(session: SessionDep, ctx: Member) -> LiabilityHearingRead:
    return service.get_hearing(session, ctx)


@router.get("/deadlines.ics", response_class=Response,
            responses={200: {"content": {"text/calendar": {}}}})
def deadlines_calendar(session: SessionDep, ctx: Member, svc: ServicesDep) -> Response:
    return Response(service.deadlines_ics(session, ctx, svc=svc),
                    media_type="text/calendar; charset=utf-8")
