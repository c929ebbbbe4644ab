"""The one guard: authenticate, load the caller's memberships, answer 404 then 403.

A non-member gets exactly the answer an unknown case id gets (404 ``case_not_found``), so
case existence never leaks. A member whose roles lack the permission gets 403. Both
refusals are audit events. Routes are authenticated unless they are named public.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, Path, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from app.auth import service as auth_service
from app.authz.permissions import CONTENT_PERMISSIONS, Permission
from app.cases import service as case_service
from app.context import CaseContext, Principal
from app.db import get_session
from app.errors import Forbidden, NotFound, Unauthenticated
from app.kernel.tokens import InvalidToken
from app.refusals import refuse, refuse_unless
from app.runtime import Services, get_services
from app.sealing import CaseDestroyed

bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$"),
]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ServicesDep = Annotated[Services, Depends(get_services)]


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def current_principal(
    request: Request,
    session: SessionDep,
    svc: ServicesDep,
    token: Annotated[str | None, Depends(bearer)],
) -> Principal:
    if not token:
        raise Unauthenticated("Sign in first: send a bearer access token.")
    try:
        claims = svc.access_tokens.verify(token)
    except InvalidToken:
        raise Unauthenticated("The access token is not valid.", code="invalid_token") from None
    user = auth_service.user_row(session, claims.user_id)
    if user is None or not user.is_active or user.token_generation != claims.generation:
        raise Unauthenticated("The access token is not valid.", code="invalid_token")
    return Principal(
        user_id=user.id, email=user.email, name=user.name,
        is_platform_admin=user.is_platform_admin, client_address=client_address(request),
    )


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require_platform_admin(session: SessionDep, principal: PrincipalDep) -> Principal:
    if not principal.is_platform_admin:
        refuse(session, principal, "platform.admin", "user", None,
               Forbidden("Only a platform administrator may do this.", code="not_platform_admin"))
    return principal


def load_case_context(
    session: Session, principal: Principal, case_id: uuid.UUID, permission: Permission
) -> CaseContext:
    memberships = case_service.memberships_of(session, case_id, principal.user_id)
    if not memberships:
        known = case_service.case_exists(session, case_id)
        refuse(session, principal, str(permission), "case", case_id,
               NotFound("No such case.", code="case_not_found"), audit_reason="not_a_member",
               case_id=case_id if known else None)
    ctx = CaseContext(principal=principal, case_id=case_id, memberships=memberships)
    refuse_unless(session, ctx, str(permission), "case", case_id, ctx.can(permission))
    if permission in CONTENT_PERMISSIONS and case_service.is_destroyed(session, case_id):
        raise CaseDestroyed()
    return ctx


def case_guard(permission: Permission) -> Callable[..., CaseContext]:
    """A dependency for routes under ``/cases/{case_id}`` that need ``permission``."""

    def guard(
        session: SessionDep,
        principal: PrincipalDep,
        case_id: Annotated[uuid.UUID, Path()],
    ) -> CaseContext:
        return load_case_context(session, principal, case_id, permission)

    guard.__name__ = f"guard_{permission.name.lower()}"
    return guard
