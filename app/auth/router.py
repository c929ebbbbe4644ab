from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Path, Request, Response

from app.auth import service
from app.auth.schemas import (
    MeRead,
    PasswordChange,
    PasswordReset,
    PasswordResetRequest,
    PasswordResetRequested,
    RecoveryCodes,
    RefreshRequest,
    TokenPair,
    TotpBegin,
    TotpConfirm,
    TotpRemove,
    TotpSetup,
    UserCreate,
    UserRead,
)
from app.context import Principal
from app.deps import (
    DirectRoute,
    FirstPasswordAccountDep,
    FirstPasswordPrincipalDep,
    PrincipalDep,
    ServicesDep,
    SessionDep,
    api_router,
    client_address,
    require_platform_admin,
)
from app.pagination import PageDep

router = api_router(tags=["auth"])
NO_NUL = r"^[^\x00]*$"
ResetToken = Annotated[str, Path(min_length=1, max_length=100)]


@router.post("/auth/token")
def token(
    request: Request,
    session: SessionDep,
    svc: ServicesDep,
    username: Annotated[str, Form(min_length=1, max_length=320, pattern=NO_NUL)],
    password: Annotated[str, Form(min_length=1, max_length=1024, pattern=NO_NUL)],
    otp: Annotated[str | None, Form(max_length=32, pattern=NO_NUL)] = None,
    grant_type: Annotated[str | None, Form(pattern="^password$")] = None,
) -> TokenPair:
    """OAuth2 password grant. Unknown account and wrong password get the same answer."""
    return service.login(session, svc, email=username, password=password, otp=otp,
                         client_address=client_address(request))


@router.post("/auth/refresh")
def refresh(data: RefreshRequest, session: SessionDep, svc: ServicesDep) -> TokenPair:
    return service.refresh(session, svc, refresh_token=data.refresh_token)


@router.post("/auth/password-reset", status_code=202)
def request_password_reset(data: PasswordResetRequest, request: Request, session: SessionDep,
                           svc: ServicesDep) -> PasswordResetRequested:
    """Public. The same answer whether or not an account uses the address; a mail is sent
    either way (the link, or word that no account uses the address)."""
    service.request_reset(session, svc, email=str(data.email),
                          client_address=client_address(request))
    return PasswordResetRequested()


@router.post("/auth/password-reset/{token}", status_code=204)
def reset_password(token: ResetToken, data: PasswordReset, session: SessionDep,
                   svc: ServicesDep) -> Response:
    """Public: the link's token is the credential. Ends every session of the account."""
    service.reset_password(session, svc, token=token, password=data.password)
    return Response(status_code=204)


@router.post("/auth/logout", status_code=204)
def logout(session: SessionDep, principal: FirstPasswordPrincipalDep) -> Response:
    """Sign out everywhere: every token and every browser session of the account."""
    service.logout(session, principal)
    return Response(status_code=204)


async def me(account: FirstPasswordAccountDep) -> MeRead:
    """Async: for a token current in the account cache it answers with neither a database
    read nor a worker thread (``app.auth.account_cache``)."""
    return MeRead(id=account.id, email=account.email, name=account.name,
                  is_platform_admin=account.is_platform_admin,
                  totp_enabled=account.totp_enabled,
                  must_change_password=account.must_change_password)


# A DirectRoute: FastAPI's per-request dependency solving and response validation are
# skipped too (the docstring above is the operation's public description).
router.add_api_route("/me", me, methods=["GET"], route_class_override=DirectRoute)


@router.post("/me/password", status_code=204)
def change_password(
    data: PasswordChange, session: SessionDep, principal: FirstPasswordPrincipalDep,
    svc: ServicesDep,
) -> Response:
    """Also the first sign-in's change of a password the platform admin chose."""
    service.change_password(session, principal, svc, current_password=data.current_password,
                            new_password=data.new_password, code=data.code)
    return Response(status_code=204)


@router.post("/me/totp")
def begin_totp(
    data: TotpBegin, session: SessionDep, principal: PrincipalDep, svc: ServicesDep
) -> TotpSetup:
    return service.begin_totp(session, principal, svc, password=data.password, code=data.code)


@router.post("/me/totp/confirm")
def confirm_totp(
    data: TotpConfirm, session: SessionDep, principal: PrincipalDep, svc: ServicesDep
) -> RecoveryCodes:
    return service.confirm_totp(session, principal, svc, code=data.code)


@router.post("/me/totp/remove", status_code=204)
def remove_totp(
    data: TotpRemove, session: SessionDep, principal: PrincipalDep, svc: ServicesDep
) -> Response:
    service.remove_totp(session, principal, svc, password=data.password, code=data.code)
    return Response(status_code=204)


users_router = api_router("/users", tags=["users"])
PlatformAdmin = Annotated[Principal, Depends(require_platform_admin)]


@users_router.post("", status_code=201)
def create_user(
    data: UserCreate, session: SessionDep, admin: PlatformAdmin, svc: ServicesDep
) -> UserRead:
    """The platform admin chose the password: the owner must replace it at first sign-in."""
    return service.create_user(session, admin, svc.passwords, email=str(data.email),
                               name=data.name, password=data.password,
                               must_change_password=True)


@users_router.get("")
def list_users(session: SessionDep, admin: PlatformAdmin, page: PageDep) -> list[UserRead]:
    return service.list_users(session, offset=page.offset, limit=page.limit)
