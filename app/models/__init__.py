"""Every ORM table, imported here so that Alembic and the app see one metadata."""

from app.models.audit import AuditEvent, AuditLogState
from app.models.base import Base
from app.models.cases import Case, Claim, ClaimDefendant, Member, Party
from app.models.users import LoginFailure, RefreshToken, User

__all__ = [
    "AuditEvent",
    "AuditLogState",
    "Base",
    "Case",
    "Claim",
    "ClaimDefendant",
    "LoginFailure",
    "Member",
    "Party",
    "RefreshToken",
    "User",
]
