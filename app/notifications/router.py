"""The inbox: the caller's own notifications; and the room admin's undelivered mails."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query

from app.authz.permissions import Permission
from app.context import CaseContext
from app.deps import PrincipalDep, ServicesDep, SessionDep, api_router, case_guard
from app.notifications import service
from app.notifications.schemas import (
    DeadLetterRead,
    NotificationRead,
    PreferencesRead,
    PreferencesWrite,
    UnreadCount,
)
from app.pagination import PageDep

router = api_router(tags=["notifications"])
Manager = Annotated[CaseContext, Depends(case_guard(Permission.CASE_MANAGE))]


@router.get("/notifications")
def list_notifications(session: SessionDep, principal: PrincipalDep, page: PageDep,
                       unread: Annotated[bool, Query()] = False) -> list[NotificationRead]:
    return service.list_notifications(session, principal, unread=unread, offset=page.offset,
                                      limit=page.limit)


@router.get("/notifications/unread-count")
def unread_count(session: SessionDep, principal: PrincipalDep) -> UnreadCount:
    return service.unread_count(session, principal)


@router.post("/notifications/{notification_id}/read")
def mark_read(notification_id: uuid.UUID, session: SessionDep, principal: PrincipalDep,
              svc: ServicesDep) -> NotificationRead:
    return service.mark_read(session, principal, notification_id=notification_id,
                             now=svc.now())


@router.get("/me/notification-preferences")
def get_preferences(session: SessionDep, principal: PrincipalDep) -> PreferencesRead:
    return service.preferences(session, principal)


@router.put("/me/notification-preferences")
def set_preferences(data: PreferencesWrite, session: SessionDep, principal: PrincipalDep,
                    svc: ServicesDep) -> PreferencesRead:
    return service.set_preferences(session, principal, data=data, now=svc.now())


@router.get("/cases/{case_id}/mail-dead-letters")
def dead_letters(session: SessionDep, ctx: Manager) -> list[DeadLetterRead]:
    return service.dead_letters(session, ctx)
