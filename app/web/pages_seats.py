"""The members page (invite, leave, remove), an invitation's landing page, and the
account's own pending invitations ("my invitations").

The landing page is public: its token is the credential. Accepting while signed in uses
the browser session, so that form carries the session's CSRF token; accepting with a new
account and declining use nothing but the token.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Form, Path, Request, Response

from app.authz.permissions import SPEAKING_ROLES, Role
from app.authz.policy_seats import Seat, may_remove_seat, may_set_offer_access
from app.cases import service as case_service
from app.deps import (
    CsrfAuthDep,
    ServicesDep,
    SessionDep,
    WebAuthDep,
    case_ctx,
    check_csrf,
    require_own_password,
    resolve_auth,
)
from app.routing import DeferredRouter
from app.seats import service as seats
from app.seats.schemas import InvitationAccept, InvitationCreate, OfferAccessWrite
from app.web.render import PageRoute, redirect, render
from app.web.room import context, load_room, user_names

router = DeferredRouter(route_class=PageRoute, include_in_schema=False)
Text = Annotated[str, Form(max_length=2000)]
OptText = Annotated[str, Form(max_length=2000)]
Token = Annotated[str, Path(min_length=1, max_length=100)]
INVITER_ROLES = frozenset({Role.ROOM_ADMIN, *SPEAKING_ROLES})


@router.get("/cases/{case_id}/members")
def members(case_id: uuid.UUID, request: Request, session: SessionDep, svc: ServicesDep,
            auth: WebAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id)
    room = load_room(session, ctx)
    rows = case_service.list_members(session, ctx, offset=0, limit=200)
    names = user_names(session, {m.user_id for m in rows})
    removable = {m.id for m in rows if may_remove_seat(
        ctx.user_id, ctx.memberships, m.user_id, Seat(m.role, m.party_id))}
    offer_access = {m.id for m in rows if may_set_offer_access(
        ctx.user_id, ctx.memberships, m.user_id, Seat(m.role, m.party_id))}
    may_invite = bool(ctx.roles & INVITER_ROLES)
    invitations = seats.list_invitations(session, ctx, svc) if may_invite else []
    return render(request, "members.html", **context(
        room, "members", members=rows, names=names, removable=removable,
        offer_access=offer_access, may_invite=may_invite, invitations=invitations,
        me=ctx.user_id))


@router.post("/cases/{case_id}/invitations")
def invite(case_id: uuid.UUID, session: SessionDep, svc: ServicesDep, auth: CsrfAuthDep,
           email: Text, role: Text, party_id: OptText = "") -> Response:
    ctx = case_ctx(session, auth, case_id)
    data = InvitationCreate(email=email.strip(), role=role,  # type: ignore[arg-type]
                            party_id=party_id or None)  # type: ignore[arg-type]
    seats.invite(session, ctx, svc, data=data)
    return redirect(f"/cases/{case_id}/members", "invitation_sent")


@router.post("/cases/{case_id}/invitations/{invitation_id}/revoke")
def revoke(case_id: uuid.UUID, invitation_id: uuid.UUID, session: SessionDep,
           svc: ServicesDep, auth: CsrfAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id)
    seats.revoke_invitation(session, ctx, svc, invitation_id=invitation_id)
    return redirect(f"/cases/{case_id}/members", "invitation_revoked")


@router.post("/cases/{case_id}/members/{member_id}/remove")
def remove_member(case_id: uuid.UUID, member_id: uuid.UUID, session: SessionDep,
                  svc: ServicesDep, auth: CsrfAuthDep) -> Response:
    ctx = case_ctx(session, auth, case_id)
    mine = {m.id for m in case_service.list_members(session, ctx, offset=0, limit=1000)
            if m.user_id == ctx.user_id}
    seats.remove_member(session, ctx, svc, member_id=member_id)
    if member_id in mine and not case_service.memberships_of(session, case_id, ctx.user_id):
        return redirect("/", "member_left")
    return redirect(f"/cases/{case_id}/members",
                    "member_left" if member_id in mine else "member_removed")


@router.post("/cases/{case_id}/members/{member_id}/offer-access")
def offer_access(case_id: uuid.UUID, member_id: uuid.UUID, session: SessionDep,
                 auth: CsrfAuthDep, reads_offers: OptText = "") -> Response:
    """Counsel's choice for one of its party's client seats (``yes`` or ``no``)."""
    ctx = case_ctx(session, auth, case_id)
    seats.set_offer_access(session, ctx, member_id=member_id,
                           data=OfferAccessWrite(reads_offers=reads_offers == "yes"))
    return redirect(f"/cases/{case_id}/members", "offer_access_saved")


@router.get("/invitations/{token}")
def landing(token: Token, request: Request, session: SessionDep, svc: ServicesDep) -> Response:
    auth = resolve_auth(request, session, svc)
    view = seats.show_invitation(session, svc, token=token)
    same_account = auth is not None and auth.principal.email.lower() == view.email
    return render(request, "invitation.html", view=view, token=token, auth=auth,
                  same_account=same_account)


@router.post("/invitations/{token}/accept")
def accept(token: Token, request: Request, session: SessionDep, svc: ServicesDep,
           csrf_token: Annotated[str | None, Form(max_length=200)] = None,
           name: Annotated[str | None, Form(max_length=200)] = None,
           password: Annotated[str | None, Form(max_length=1024)] = None) -> Response:
    auth = resolve_auth(request, session, svc)
    if auth is not None:
        check_csrf(session, auth, csrf_token)
        require_own_password(auth)
        data = InvitationAccept()
    else:
        data = InvitationAccept(name=name or None, password=password or None)
    seat = seats.accept_invitation(session, svc, token=token,
                                   principal=auth.principal if auth else None, data=data,
                                   client_address=request.client.host if request.client
                                   else None)
    if auth is not None:
        return redirect(f"/cases/{seat.case_id}", "invitation_accepted")
    return redirect(f"/signin?next=/cases/{seat.case_id}", "invitation_accepted")


@router.post("/invitations/{token}/decline")
def decline(token: Token, session: SessionDep, svc: ServicesDep) -> Response:
    seats.decline_invitation(session, svc, token=token)
    return redirect("/signin", "invitation_declined")


@router.get("/my-invitations")
def my_invitations(request: Request, session: SessionDep, svc: ServicesDep,
                   auth: WebAuthDep) -> Response:
    """Pending invitations to the account's own address, answered here without the link."""
    rows = seats.my_invitations(session, auth.principal, now=svc.now())
    return render(request, "my_invitations.html", invitations=rows)


@router.post("/my-invitations/{invitation_id}/accept")
def accept_mine(invitation_id: uuid.UUID, session: SessionDep, svc: ServicesDep,
                auth: CsrfAuthDep) -> Response:
    seat = seats.accept_mine(session, auth.principal, svc, invitation_id=invitation_id)
    return redirect(f"/cases/{seat.case_id}", "invitation_accepted")


@router.post("/my-invitations/{invitation_id}/decline")
def decline_mine(invitation_id: uuid.UUID, session: SessionDep, svc: ServicesDep,
                 auth: CsrfAuthDep) -> Response:
    seats.decline_mine(session, auth.principal, svc, invitation_id=invitation_id)
    return redirect("/my-invitations", "invitation_declined")
