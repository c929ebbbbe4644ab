"""Invitations and seats. ``/invitations/{token}`` and its decline are public routes: the
token is the credential; accepting uses the bearer token when one is sent."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Path, Request, Response

from app.authz.permissions import Permission
from app.context import CaseContext, Principal
from app.deps import (
    OptionalPrincipalDep,
    PrincipalDep,
    ServicesDep,
    SessionDep,
    api_router,
    case_guard,
    client_address,
    require_platform_admin,
)
from app.seats import service
from app.seats.schemas import (
    InvitationAccept,
    InvitationCreate,
    InvitationCreated,
    InvitationDeclined,
    InvitationRead,
    InvitationView,
    MyInvitationRead,
    OfferAccessRead,
    OfferAccessWrite,
    SeatCreate,
    SeatRead,
)

router = api_router(tags=["seats"])
# Every member reaches these; who may give, see or remove which seat is the seat policy's.
Member = Annotated[CaseContext, Depends(case_guard(Permission.CASE_READ))]
PlatformAdmin = Annotated[Principal, Depends(require_platform_admin)]
Token = Annotated[str, Path(min_length=1, max_length=100)]


@router.post("/cases/{case_id}/invitations", status_code=202)
def invite(data: InvitationCreate, session: SessionDep, ctx: Member,
           svc: ServicesDep) -> InvitationCreated:
    return service.invite(session, ctx, svc, data=data)


@router.get("/cases/{case_id}/invitations")
def list_invitations(session: SessionDep, ctx: Member, svc: ServicesDep) -> list[InvitationRead]:
    return service.list_invitations(session, ctx, svc)


@router.delete("/cases/{case_id}/invitations/{invitation_id}", status_code=204)
def revoke_invitation(invitation_id: uuid.UUID, session: SessionDep, ctx: Member,
                      svc: ServicesDep) -> Response:
    service.revoke_invitation(session, ctx, svc, invitation_id=invitation_id)
    return Response(status_code=204)


@router.get("/invitations/{token}")
def show_invitation(token: Token, session: SessionDep, svc: ServicesDep) -> InvitationView:
    return service.show_invitation(session, svc, token=token)


@router.post("/invitations/{token}/accept")
def accept_invitation(token: Token, request: Request, session: SessionDep, svc: ServicesDep,
                      principal: OptionalPrincipalDep,
                      data: InvitationAccept | None = None) -> SeatRead:
    return service.accept_invitation(session, svc, token=token, principal=principal,
                                     data=data or InvitationAccept(),
                                     client_address=client_address(request))


@router.post("/invitations/{token}/decline")
def decline_invitation(token: Token, session: SessionDep, svc: ServicesDep) -> InvitationDeclined:
    return service.decline_invitation(session, svc, token=token)


@router.get("/me/invitations")
def my_invitations(session: SessionDep, principal: PrincipalDep,
                   svc: ServicesDep) -> list[MyInvitationRead]:
    """Pending invitations to the caller's own address."""
    return service.my_invitations(session, principal, now=svc.now())


@router.post("/me/invitations/{invitation_id}/accept")
def accept_my_invitation(invitation_id: uuid.UUID, session: SessionDep,
                         principal: PrincipalDep, svc: ServicesDep) -> SeatRead:
    return service.accept_mine(session, principal, svc, invitation_id=invitation_id)


@router.post("/me/invitations/{invitation_id}/decline")
def decline_my_invitation(invitation_id: uuid.UUID, session: SessionDep,
                          principal: PrincipalDep, svc: ServicesDep) -> InvitationDeclined:
    return service.decline_mine(session, principal, svc, invitation_id=invitation_id)


@router.post("/cases/{case_id}/members", status_code=201)
def seat_member(case_id: uuid.UUID, data: SeatCreate, session: SessionDep, admin: PlatformAdmin,
                svc: ServicesDep) -> SeatRead:
    """A platform admin seats a user directly (bootstrap from a docket); audited, and the
    seated user is notified and may leave."""
    return service.seat_member(session, admin, svc, case_id=case_id, data=data)


@router.delete("/cases/{case_id}/members/{member_id}", status_code=204)
def remove_member(member_id: uuid.UUID, session: SessionDep, ctx: Member,
                  svc: ServicesDep) -> Response:
    """Leave (your own membership) or remove a seat you control."""
    service.remove_member(session, ctx, svc, member_id=member_id)
    return Response(status_code=204)


@router.put("/cases/{case_id}/members/{member_id}/offer-access")
def set_offer_access(member_id: uuid.UUID, data: OfferAccessWrite, session: SessionDep,
                     ctx: Member) -> OfferAccessRead:
    """The party's own counsel (or the party pro se) decides whether its client seat reads
    the party's offers in the room."""
    return service.set_offer_access(session, ctx, member_id=member_id, data=data)
