from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.authz.permissions import Permission
from app.cases import destruction, service
from app.cases.schemas import (
    CaseCreate,
    CaseRead,
    CaseUpdate,
    ClaimCreate,
    ClaimRead,
    DestroyRequest,
    DestroyResult,
    MemberRead,
    PartyCreate,
    PartyRead,
)
from app.context import CaseContext
from app.deps import PrincipalDep, ServicesDep, SessionDep, api_router, case_guard
from app.pagination import PageDep

router = api_router("/cases", tags=["cases"])
Reader = Annotated[CaseContext, Depends(case_guard(Permission.CASE_READ))]
Manager = Annotated[CaseContext, Depends(case_guard(Permission.CASE_MANAGE))]
Destroyer = Annotated[CaseContext, Depends(case_guard(Permission.CASE_DESTROY))]


@router.post("", status_code=201)
def create_case(
    data: CaseCreate, session: SessionDep, principal: PrincipalDep, svc: ServicesDep
) -> CaseRead:
    return service.create_case(session, principal, svc.key_provider, data=data)


@router.get("")
def list_cases(session: SessionDep, principal: PrincipalDep, page: PageDep) -> list[CaseRead]:
    return service.list_cases(session, principal, offset=page.offset, limit=page.limit)


@router.get("/{case_id}")
def get_case(session: SessionDep, ctx: Reader) -> CaseRead:
    return service.get_case(session, ctx)


@router.patch("/{case_id}")
def update_case(data: CaseUpdate, session: SessionDep, ctx: Manager) -> CaseRead:
    return service.update_case(session, ctx, data=data)


@router.post("/{case_id}/parties", status_code=201)
def add_party(data: PartyCreate, session: SessionDep, ctx: Manager) -> PartyRead:
    return service.add_party(session, ctx, data=data)


@router.get("/{case_id}/parties")
def list_parties(session: SessionDep, ctx: Reader, page: PageDep) -> list[PartyRead]:
    return service.list_parties(session, ctx, offset=page.offset, limit=page.limit)


@router.post("/{case_id}/claims", status_code=201)
def add_claim(data: ClaimCreate, session: SessionDep, ctx: Manager) -> ClaimRead:
    return service.add_claim(session, ctx, data=data)


@router.get("/{case_id}/claims")
def list_claims(session: SessionDep, ctx: Reader, page: PageDep) -> list[ClaimRead]:
    return service.list_claims(session, ctx, offset=page.offset, limit=page.limit)


@router.get("/{case_id}/members")
def list_members(session: SessionDep, ctx: Reader, page: PageDep) -> list[MemberRead]:
    return service.list_members(session, ctx, offset=page.offset, limit=page.limit)


@router.post("/{case_id}/destroy")
def destroy_case(
    data: DestroyRequest, session: SessionDep, ctx: Destroyer, svc: ServicesDep
) -> DestroyResult:
    """Destroy every key of the case (crypto-shredding) and return a signed certificate."""
    certificate = destruction.destroy_case(session, ctx, svc, confirm_caption=data.confirm_caption)
    return DestroyResult(certificate=certificate)
