"""Page dependencies: the cookie resolves to the same ``Principal`` the API builds from a
bearer token, case pages then go through the same ``load_case_context``, and every POST
proves its CSRF token before anything runs.

Pages that take an upload (a multipart body) declare ``body_guard`` the way the API
routers declare ``case_guard``: the body's dependency depends on the guard, so CSRF and
membership are checked before one byte of the body is read or any file is created. Their
token travels in the form's action URL (``?csrf_token=``) or the ``X-CSRF-Token`` header;
a token inside the body would only be seen after the body had been read."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Form, Path, Request
from sqlalchemy.orm import Session

from app.auth import service as auth_service
from app.authz.permissions import Permission
from app.context import CaseContext, Principal
from app.deps import ServicesDep, SessionDep, client_address, load_case_context
from app.errors import Forbidden
from app.models.web import WebSession
from app.refusals import refuse
from app.web import session as web_session
from app.web.render import SignInRequired


@dataclass(frozen=True)
class WebAuth:
    principal: Principal
    row: WebSession
    csrf: str
    is_platform_admin: bool


def resolve_auth(request: Request, session: Session, svc: ServicesDep) -> WebAuth | None:
    token = request.cookies.get(web_session.cookie_name(svc.settings))
    row = web_session.resolve(session, token, svc.now())
    if row is None:
        return None
    user = auth_service.user_row(session, row.user_id)
    if user is None or not user.is_active:
        return None
    principal = Principal(user_id=user.id, email=user.email, name=user.name,
                          is_platform_admin=user.is_platform_admin,
                          client_address=client_address(request))
    auth = WebAuth(principal, row, web_session.csrf_token(row), user.is_platform_admin)
    request.state.web = auth
    return auth


def web_auth(request: Request, session: SessionDep, svc: ServicesDep) -> WebAuth:
    auth = resolve_auth(request, session, svc)
    if auth is None:
        raise SignInRequired
    return auth


WebAuthDep = Annotated[WebAuth, Depends(web_auth)]


def check_csrf(session: Session, auth: WebAuth, submitted: str | None) -> None:
    if not web_session.csrf_ok(auth.row, submitted):
        refuse(session, auth.principal, "web.form", "web_session", None, Forbidden(
            "The form's security token is missing or out of date. Reload the page and submit "
            "it again.", code="csrf_failed"))


def csrf_auth(session: SessionDep, auth: WebAuthDep,
              csrf_token: Annotated[str | None, Form(max_length=200)] = None) -> WebAuth:
    check_csrf(session, auth, csrf_token)
    return auth


CsrfAuthDep = Annotated[WebAuth, Depends(csrf_auth)]


CSRF_HEADER = "X-CSRF-Token"


def submitted_csrf(request: Request) -> str | None:
    """The token of a request whose body is not read before the guard: header or query."""
    return request.headers.get(CSRF_HEADER) or request.query_params.get("csrf_token")


def body_guard(permission: Permission) -> Callable[..., CaseContext]:
    """The guard of a page whose body is an upload: CSRF, then 404 for a non-member, then
    403 for a missing right, all before the body's dependency (which depends on this one)
    may read the body."""

    def guard(request: Request, session: SessionDep, auth: WebAuthDep,
              case_id: Annotated[uuid.UUID, Path()]) -> CaseContext:
        check_csrf(session, auth, submitted_csrf(request))
        return case_ctx(session, auth, case_id, permission)

    guard.__name__ = f"page_guard_{permission.name.lower()}"
    return guard


def case_ctx(session: Session, auth: WebAuth, case_id: uuid.UUID,
             permission: Permission = Permission.CASE_READ) -> CaseContext:
    """The API's own guard: 404 for a non-member before 403 for a missing right."""
    return load_case_context(session, auth.principal, case_id, permission)
