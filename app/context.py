"""Who is acting: the authenticated principal and, inside a case, its memberships."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from app.authz.permissions import Permission, Role
from app.authz.policy import Decision, Membership, has_permission, parties_acting_as


@dataclass(frozen=True)
class Principal:
    user_id: uuid.UUID
    email: str
    name: str
    is_platform_admin: bool
    client_address: str | None = None


@dataclass(frozen=True)
class CaseContext:
    principal: Principal
    case_id: uuid.UUID
    memberships: frozenset[Membership] = field(default_factory=frozenset)

    @property
    def user_id(self) -> uuid.UUID:
        return self.principal.user_id

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(m.role for m in self.memberships)

    def can(self, permission: Permission) -> Decision:
        return has_permission(self.memberships, permission)

    def parties_as(self, *roles: Role) -> frozenset[uuid.UUID]:
        return parties_acting_as(self.memberships, frozenset(roles))

    @property
    def party_id(self) -> uuid.UUID | None:
        """The member's party when it acts for exactly one; else None."""
        parties = {m.party_id for m in self.memberships if m.party_id}
        return next(iter(parties)) if len(parties) == 1 else None


Actor = Principal | CaseContext | None
