"""Pure policy functions: plain values in, ``ALLOW`` or a ``Denial`` out.

No database, no request. Routers never test roles; services ask these functions.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import Enum

from app.authz.permissions import PARTY_ROLES, ROLE_PERMISSIONS, Permission, Role


@dataclass(frozen=True)
class Membership:
    """One seat. ``reads_offers`` matters for a client seat only: its party's counsel (or
    the party pro se) decides whether it reads the party's offers (``policy_negotiation``);
    every loader of memberships must fill it from the seat, never leave the default."""

    role: Role
    party_id: uuid.UUID | None
    reads_offers: bool = True


class DenialKind(Enum):
    """How a refusal is answered (``app.refusals`` maps each kind to its status)."""

    NOT_VISIBLE = "not_visible"  # 404: answered exactly like an unknown id
    NOT_ALLOWED = "not_allowed"  # 403
    INVALID = "invalid"  # 422: the request names something that cannot be
    CONFLICT = "conflict"  # 409: not in the object's current state
    DESTROYED = "destroyed"  # 410: the case's content was destroyed


NOT_VISIBLE = "not_visible"
"""The one audit reason of a refusal to show an object the caller may not see."""


@dataclass(frozen=True)
class Denial:
    """Why an action is refused; ``code`` is the stable problem code, ``kind`` how it is
    answered."""

    code: str
    detail: str
    kind: DenialKind = DenialKind.NOT_ALLOWED

    @classmethod
    def not_visible(cls, detail: str) -> Denial:
        return cls(NOT_VISIBLE, detail, DenialKind.NOT_VISIBLE)

    @classmethod
    def invalid(cls, code: str, detail: str) -> Denial:
        return cls(code, detail, DenialKind.INVALID)

    @classmethod
    def conflict(cls, code: str, detail: str) -> Denial:
        return cls(code, detail, DenialKind.CONFLICT)

    def __bool__(self) -> bool:  # a denial is falsy, so ``if not decision`` reads naturally
        return False


ALLOW = True
Decision = bool | Denial


def has_permission(memberships: frozenset[Membership], permission: Permission) -> Decision:
    allowed = ROLE_PERMISSIONS[permission]
    if any(m.role in allowed for m in memberships):
        return ALLOW
    return Denial("role_not_allowed", f"Your role in this case does not allow {permission}.")


def parties_acting_as(
    memberships: frozenset[Membership], roles: frozenset[Role]
) -> frozenset[uuid.UUID]:
    """The parties for which the member holds one of ``roles``."""
    return frozenset(m.party_id for m in memberships if m.role in roles and m.party_id)


def validate_member_role(role: Role, party_id: uuid.UUID | None) -> Decision:
    """counsel, client and pro_se require a party; the other roles forbid one."""
    if role in PARTY_ROLES and party_id is None:
        return Denial.invalid("party_required", f"The role {role} requires a party_id.")
    if role not in PARTY_ROLES and party_id is not None:
        return Denial.invalid("party_not_allowed", f"The role {role} cannot be tied to a party.")
    return ALLOW


def validate_party_role(role: Role, party_represented: bool) -> Decision:
    """A represented party acts through counsel; an unrepresented one is pro se."""
    if role == Role.PRO_SE and party_represented:
        return Denial(
            "party_is_represented",
            "A represented party acts through counsel; it cannot have a pro se member.",
        )
    if role == Role.COUNSEL and not party_represented:
        return Denial(
            "party_is_pro_se",
            "The party is marked as not represented; mark it represented before adding counsel.",
        )
    return ALLOW
