"""Platform administration in the browser: accounts (the first thing after ``make run``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request, Response

from app.auth import service as user_service
from app.auth.schemas import UserCreate
from app.deps import CsrfAuthDep, ServicesDep, SessionDep, WebAuth, WebAuthDep
from app.errors import Forbidden
from app.refusals import refuse
from app.routing import DeferredRouter
from app.web.render import PageRoute, redirect, render

router = DeferredRouter(route_class=PageRoute, include_in_schema=False)
Text = Annotated[str, Form(max_length=1024)]


def _require_admin(session: SessionDep, auth: WebAuth) -> None:
    if not auth.is_platform_admin:
        refuse(session, auth.principal, "platform.admin", "user", None, Forbidden(
            "Only a platform administrator may manage accounts.", code="not_platform_admin"))


@router.get("/admin/users")
def users(request: Request, session: SessionDep, auth: WebAuthDep) -> Response:
    _require_admin(session, auth)
    rows = user_service.list_users(session, offset=0, limit=200)
    return render(request, "admin_users.html", users=rows)


@router.post("/admin/users")
def create_user(session: SessionDep, svc: ServicesDep, auth: CsrfAuthDep, email: Text,
                name: Text, password: Text) -> Response:
    _require_admin(session, auth)
    data = UserCreate(email=email, name=name, password=password)
    user_service.create_user(session, auth.principal, svc.passwords, email=str(data.email),
                             name=data.name, password=data.password,
                             must_change_password=True)
    return redirect("/admin/users", "user_created")
