"""What every case page shows: the case, its parties by name, and the tabs the member's
roles open (a tab a role may not use is not offered; the server still refuses it)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.auth import service as auth_service
from app.authz.permissions import Permission
from app.cases import service as case_service
from app.cases.schemas import CaseRead, PartyRead
from app.context import CaseContext

# (tab key, label, path suffix, permissions any of which opens it)
TABS = [
    ("overview", "Overview", "", Permission.CASE_READ),
    ("parties", "Parties", "/parties", Permission.CASE_READ),
    ("members", "Members", "/members", Permission.CASE_READ),
    ("offers", "Settlement offers", "/offers", Permission.OFFER_READ),
    ("rule68", "Rule 68", "/rule68", Permission.RULE68_READ),
    ("ccp998", "CCP 998", "/ccp998", Permission.RULE68_READ),
    ("ene", "ENE", "/ene", Permission.ENE_REPORT_READ),
    # The room admin's watermark-channel settings live on the documents tab.
    ("documents", "Documents", "/documents", (Permission.DOCUMENT_READ, Permission.CASE_MANAGE)),
    ("protective_order", "Protective order", "/protective-order", Permission.ORDER_READ),
    ("traces", "Leak tracing", "/traces", Permission.TRACE),
    ("audit", "Audit", "/audit", Permission.AUDIT_READ),
]


# Rule 68 is a federal rule, section 998 a California one: a case shows its own court's tab.
_OTHER_REGIME = {"federal": {"ccp998"}, "ca_superior": {"rule68"}}


@dataclass
class Room:
    ctx: CaseContext
    case: CaseRead
    parties: list[PartyRead]
    tabs: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def tz(self) -> str:
        return self.case.court_timezone

    @property
    def party_names(self) -> dict[uuid.UUID, str]:
        return {p.id: p.name for p in self.parties}

    def party_name(self, party_id: uuid.UUID | str | None) -> str:
        if party_id is None:
            return "-"
        key = party_id if isinstance(party_id, uuid.UUID) else uuid.UUID(str(party_id))
        return self.party_names.get(key, "unknown party")

    def can(self, permission: str) -> bool:
        return bool(self.ctx.can(Permission(permission)))

    def my_parties(self, *roles: str) -> list[PartyRead]:
        from app.authz.permissions import Role
        mine = self.ctx.parties_as(*(Role(r) for r in roles)) if roles else {
            m.party_id for m in self.ctx.memberships if m.party_id}
        return [p for p in self.parties if p.id in mine]

    def other_parties(self, party_id: uuid.UUID) -> list[PartyRead]:
        return [p for p in self.parties if p.id != party_id]


def load_room(session: Session, ctx: CaseContext) -> Room:
    case = case_service.get_case(session, ctx)
    parties = case_service.list_parties(session, ctx, offset=0, limit=200)
    tabs = [(key, label, f"/cases/{ctx.case_id}{suffix}")
            for key, label, suffix, perms in TABS
            if any(ctx.can(p) for p in (perms if isinstance(perms, tuple) else (perms,)))
            and key not in _OTHER_REGIME[case.court_system]]
    return Room(ctx=ctx, case=case, parties=parties, tabs=tabs)


def user_names(session: Session, user_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    users = auth_service.user_rows(session, user_ids)
    return {user_id: f"{user.name} <{user.email}>" if (user := users.get(user_id))
            else "unknown user" for user_id in user_ids}


def context(room: Room, active: str, **extra: Any) -> dict[str, Any]:
    return {"room": room, "active": active, **extra}
