"""The first sign-in's password change, and password reset by e-mail link.

An account whose password the platform admin chose reaches no page but the change form
(``FIRST_PASSWORD_PAGE``) and sign-out until it chose its own. The reset pages are public:
the request form answers the same page whatever the address, and the link's token is the
credential of the new-password form. Without a browser session, their forms are protected
like the sign-in form's (a double-submit token in a short-lived cookie).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path, Request, Response

from app.auth import service as auth_service
from app.auth import web_sessions as web_session
from app.auth.schemas import PasswordChange, PasswordReset, PasswordResetRequest
from app.deps import (
    FirstPasswordCsrfAuthDep,
    FirstPasswordWebAuthDep,
    ServicesDep,
    SessionDep,
    client_address,
)
from app.errors import Forbidden
from app.routing import DeferredRouter
from app.web.render import FIRST_PASSWORD_PAGE, PageRoute, redirect, render

router = DeferredRouter(route_class=PageRoute, include_in_schema=False)
NO_NUL = r"^[^\x00]*$"
Password = Annotated[str, Form(min_length=1, max_length=1024, pattern=NO_NUL)]
Code = Annotated[str | None, Form(max_length=32, pattern=r"^[0-9A-Za-z -]*$")]
FormToken = Annotated[str, Form(max_length=200)]
Token = Annotated[str, Path(min_length=1, max_length=100)]
STALE_FORM = "The form expired. It has been reloaded: submit it again."


@router.get(FIRST_PASSWORD_PAGE)
def first_password_form(request: Request, auth: FirstPasswordWebAuthDep) -> Response:
    if not auth.must_change_password:
        return redirect("/account")
    return render(request, "first_password.html")


@router.post(FIRST_PASSWORD_PAGE)
def choose_first_password(session: SessionDep, svc: ServicesDep,
                          auth: FirstPasswordCsrfAuthDep, current_password: Password,
                          new_password: Password, code: Code = None) -> Response:
    data = PasswordChange(current_password=current_password, new_password=new_password,
                          code=code or None)
    user = auth_service.change_password(session, auth.principal, svc,
                                        current_password=data.current_password,
                                        new_password=data.new_password, code=data.code)
    # Every other session ended with the change; this browser goes on.
    web_session.keep(auth.row, user.token_generation)
    return redirect("/", "password_chosen")


def _public_form(request: Request, svc: ServicesDep, template: str, *, status: int = 200,
                 **context: object) -> Response:
    token = web_session.new_signin_token()
    response = render(request, template, status=status, form_token=token, **context)
    web_session.set_signin_cookie(response, svc.settings, token)
    return response


def _form_token_ok(request: Request, svc: ServicesDep, submitted: str) -> bool:
    cookie = request.cookies.get(web_session.signin_cookie_name(svc.settings))
    return web_session.signin_csrf_ok(cookie, submitted)


@router.get("/password-reset")
def reset_request_form(request: Request, svc: ServicesDep) -> Response:
    return _public_form(request, svc, "password_reset_request.html")


@router.post("/password-reset")
def request_reset(request: Request, session: SessionDep, svc: ServicesDep,
                  email: Annotated[str, Form(min_length=1, max_length=320, pattern=NO_NUL)],
                  csrf_token: FormToken = "") -> Response:
    if not _form_token_ok(request, svc, csrf_token):
        return _public_form(request, svc, "password_reset_request.html", status=403,
                            error=Forbidden(STALE_FORM, code="csrf_failed"))
    data = PasswordResetRequest(email=email.strip())
    auth_service.request_reset(session, svc, email=str(data.email),
                               client_address=client_address(request))
    # The same page whatever the address: it tells nothing of an account.
    return render(request, "password_reset_sent.html")


@router.get("/password-reset/{token}")
def reset_form(token: Token, request: Request, session: SessionDep,
               svc: ServicesDep) -> Response:
    auth_service.check_reset_link(session, svc, token=token)
    return _public_form(request, svc, "password_reset.html", token=token)


@router.post("/password-reset/{token}")
def reset(token: Token, request: Request, session: SessionDep, svc: ServicesDep,
          password: Password, csrf_token: FormToken = "") -> Response:
    if not _form_token_ok(request, svc, csrf_token):
        return _public_form(request, svc, "password_reset.html", status=403, token=token,
                            error=Forbidden(STALE_FORM, code="csrf_failed"))
    data = PasswordReset(password=password)
    auth_service.reset_password(session, svc, token=token, password=data.password)
    response = redirect("/signin", "password_reset_done")
    response.delete_cookie(web_session.signin_cookie_name(svc.settings), path="/")
    return response
