from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from app.auth.schemas import UserCreate, UserRead
from app.context import Principal
from app.deps import ServicesDep, SessionDep, require_platform_admin
from app.pagination import PageDep
from app.users import service

router = APIRouter(prefix="/users", tags=["users"])
PlatformAdmin = Annotated[Principal, Depends(require_platform_admin)]


@router.post("", status_code=201)
def create_user(
    data: UserCreate, session: SessionDep, admin: PlatformAdmin, svc: ServicesDep
) -> UserRead:
    return service.create_user(session, admin, svc.passwords, email=str(data.email),
                               name=data.name, password=data.password)


@router.get("")
def list_users(session: SessionDep, admin: PlatformAdmin, page: PageDep) -> list[UserRead]:
    return service.list_users(session, offset=page.offset, limit=page.limit)
