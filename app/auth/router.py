from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from app.auth import service
from app.auth.repository import get_user
from app.auth.schemas import (
    MeRead,
    PasswordChange,
    RefreshRequest,
    TokenPair,
    TotpConfirm,
    TotpSetup,
)
from app.deps import PrincipalDep, ServicesDep, SessionDep, client_address

router = APIRouter(tags=["auth"])
NO_NUL = r"^[^\x00]*$"


@router.post("/auth/token")
def token(
    request: Request,
    session: SessionDep,
    svc: ServicesDep,
    username: Annotated[str, Form(min_length=1, max_length=320, pattern=NO_NUL)],
    password: Annotated[str, Form(min_length=1, max_length=1024, pattern=NO_NUL)],
    otp: Annotated[str | None, Form(max_length=10, pattern=NO_NUL)] = None,
    grant_type: Annotated[str | None, Form(pattern="^password$")] = None,
) -> TokenPair:
    """OAuth2 password grant. Unknown account and wrong password get the same answer."""
    return service.login(session, svc, email=username, password=password, otp=otp,
                         client_address=client_address(request))


@router.post("/auth/refresh")
def refresh(data: RefreshRequest, session: SessionDep, svc: ServicesDep) -> TokenPair:
    return service.refresh(session, svc, refresh_token=data.refresh_token)


@router.post("/auth/logout", status_code=204)
def logout(session: SessionDep, principal: PrincipalDep) -> Response:
    service.logout(session, principal)
    return Response(status_code=204)


@router.get("/me")
def me(session: SessionDep, principal: PrincipalDep) -> MeRead:
    user = get_user(session, principal.user_id)
    assert user is not None
    return MeRead(id=user.id, email=user.email, name=user.name,
                  is_platform_admin=user.is_platform_admin, totp_enabled=user.totp_enabled)


@router.post("/me/password", status_code=204)
def change_password(
    data: PasswordChange, session: SessionDep, principal: PrincipalDep, svc: ServicesDep
) -> Response:
    service.change_password(session, principal, svc, current_password=data.current_password,
                            new_password=data.new_password)
    return Response(status_code=204)


@router.post("/me/totp")
def begin_totp(session: SessionDep, principal: PrincipalDep) -> TotpSetup:
    return service.begin_totp(session, principal)


@router.post("/me/totp/confirm", status_code=204)
def confirm_totp(data: TotpConfirm, session: SessionDep, principal: PrincipalDep) -> Response:
    service.confirm_totp(session, principal, code=data.code)
    return Response(status_code=204)
