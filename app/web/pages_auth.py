"""Sign-in with the second factor, sign-out (here and everywhere), account settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request, Response

from app.auth import service as auth_service
from app.auth import web_sessions as web_session
from app.auth.schemas import PasswordChange
from app.deps import (
    CsrfAuthDep,
    FirstPasswordCsrfAuthDep,
    ServicesDep,
    SessionDep,
    WebAuth,
    WebAuthDep,
    client_address,
    resolve_auth,
)
from app.errors import AppError, Forbidden
from app.routing import DeferredRouter
from app.web.render import PageRoute, redirect, render
from app.web.rules import rule_for

router = DeferredRouter(route_class=PageRoute, include_in_schema=False)
NO_NUL = r"^[^\x00]*$"


def _safe_next(target: str | None) -> str:
    """Only a path of this site: never an absolute or protocol-relative URL."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _signin_form(request: Request, svc: ServicesDep, *, status: int = 200,
                 error: AppError | None = None, email: str = "") -> Response:
    token = web_session.new_signin_token()
    response = render(request, "signin.html", status=status, signin_csrf=token, email=email,
                      next=_safe_next(request.query_params.get("next")), error=error,
                      rule=rule_for(error.code, error.status) if error else "")
    web_session.set_signin_cookie(response, svc.settings, token)
    return response


@router.get("/signin")
def signin_page(request: Request, session: SessionDep, svc: ServicesDep) -> Response:
    if resolve_auth(request, session, svc) is not None:
        return redirect("/")
    return _signin_form(request, svc)


@router.post("/signin")
def signin(
    request: Request, session: SessionDep, svc: ServicesDep,
    email: Annotated[str, Form(min_length=1, max_length=320, pattern=NO_NUL)],
    password: Annotated[str, Form(min_length=1, max_length=1024, pattern=NO_NUL)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    otp: Annotated[str | None, Form(max_length=32, pattern=NO_NUL)] = None,
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    cookie = request.cookies.get(web_session.signin_cookie_name(svc.settings))
    if not web_session.signin_csrf_ok(cookie, csrf_token):
        error = Forbidden("The sign-in form expired. It has been reloaded: sign in again.",
                          code="csrf_failed")
        return _signin_form(request, svc, status=403, error=error, email=email)
    try:
        user = auth_service.authenticate(session, svc, email=email, password=password,
                                         otp=otp or None,
                                         client_address=client_address(request))
    except AppError as exc:
        # The failure counter and the audit event are deferred writes: they persist.
        return _signin_form(request, svc, status=exc.status, error=exc, email=email)
    token, _ = web_session.create(session, user.id, user.token_generation, svc.now())
    response = redirect(_safe_next(next))
    web_session.set_cookie(response, svc.settings, token)
    response.delete_cookie(web_session.signin_cookie_name(svc.settings), path="/")
    return response


@router.post("/signout")
def signout(session: SessionDep, svc: ServicesDep, auth: FirstPasswordCsrfAuthDep) -> Response:
    web_session.revoke(session, auth.row, svc.now())
    response = redirect("/signin", "signed_out")
    web_session.clear_cookie(response, svc.settings)
    return response


@router.post("/signout-everywhere")
def signout_everywhere(session: SessionDep, svc: ServicesDep,
                       auth: FirstPasswordCsrfAuthDep) -> Response:
    """Every browser session ends, and every API token dies with the bumped generation."""
    auth_service.logout(session, auth.principal)
    response = redirect("/signin", "signed_out_everywhere")
    web_session.clear_cookie(response, svc.settings)
    return response


def _account(request: Request, session: SessionDep, svc: ServicesDep, auth: WebAuthDep,
             **extra: object) -> Response:
    user = auth_service.user_row(session, auth.principal.user_id)
    assert user is not None
    sessions = web_session.live_sessions(session, user.id, svc.now())
    return render(request, "account.html", user=user, session_count=len(sessions),
                  idle_minutes=int(web_session.IDLE_TIMEOUT.total_seconds() // 60),
                  absolute_hours=int(web_session.ABSOLUTE_TIMEOUT.total_seconds() // 3600),
                  recovery_codes_left=auth_service.recovery_codes_left(session, auth.principal),
                  **extra)


def _stay_signed_in(auth: WebAuth, generation: int) -> None:
    """A credential change ended every session; the browser that made it goes on."""
    web_session.keep(auth.row, generation)


@router.get("/account")
def account(request: Request, session: SessionDep, svc: ServicesDep,
            auth: WebAuthDep) -> Response:
    return _account(request, session, svc, auth)


Code = Annotated[str | None, Form(max_length=32, pattern=r"^[0-9A-Za-z -]*$")]
Password = Annotated[str, Form(min_length=1, max_length=1024, pattern=NO_NUL)]


@router.post("/account/password")
def change_password(
    session: SessionDep, svc: ServicesDep, auth: CsrfAuthDep, current_password: Password,
    new_password: Password, code: Code = None,
) -> Response:
    data = PasswordChange(current_password=current_password, new_password=new_password,
                          code=code or None)
    user = auth_service.change_password(session, auth.principal, svc,
                                        current_password=data.current_password,
                                        new_password=data.new_password, code=data.code)
    _stay_signed_in(auth, user.token_generation)
    return redirect("/account", "password_changed")


@router.post("/account/totp")
def begin_totp(request: Request, session: SessionDep, svc: ServicesDep, auth: CsrfAuthDep,
               password: Password, code: Code = None) -> Response:
    setup = auth_service.begin_totp(session, auth.principal, svc, password=password,
                                    code=code or None)
    return _account(request, session, svc, auth, totp_setup=setup)


@router.post("/account/totp/confirm")
def confirm_totp(request: Request, session: SessionDep, svc: ServicesDep, auth: CsrfAuthDep,
                 code: Annotated[str, Form(pattern=r"^[0-9]{6}$")]) -> Response:
    shown = auth_service.confirm_totp(session, auth.principal, svc, code=code)
    user = auth_service.user_row(session, auth.principal.user_id)
    assert user is not None
    _stay_signed_in(auth, user.token_generation)
    # The recovery codes are on this page and nowhere else, ever again.
    return _account(request, session, svc, auth, recovery_codes=shown.recovery_codes)


@router.post("/account/totp/remove")
def remove_totp(session: SessionDep, svc: ServicesDep, auth: CsrfAuthDep, password: Password,
                code: Code = None) -> Response:
    user = auth_service.remove_totp(session, auth.principal, svc, password=password,
                                    code=code or None)
    _stay_signed_in(auth, user.token_generation)
    return redirect("/account", "totp_removed")
