"""Invitations to a seat in a case room.

An invitation names a seat (a role, and a party for counsel, client and pro se) and the
e-mail address it is offered to. No seat exists before the invitee accepts: acceptance
creates the ``members`` row, in the same transaction as the invitation's change of state.

The token that proves the invitee received the mail is never stored: ``token_hash`` is its
SHA-256, and the mail outbox derives the token at delivery from the server's secret and a
nonce it forgets once the mail is sent (``app.notifications``). The address is kept so an
account signing in to accept can be matched to it; the audit log never holds it.
"""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.models.base import METADATA, TYPE_ANNOTATION_MAP, IdMixin

INVITATION_PENDING = "pending"
INVITATION_ACCEPTED = "accepted"
INVITATION_DECLINED = "declined"
INVITATION_REVOKED = "revoked"



class SeatsBase(DeclarativeBase):
    """The registry of this aggregate's mappers (``app.models.base.Base`` says why)."""

    metadata = METADATA
    type_annotation_map = TYPE_ANNOTATION_MAP


class Invitation(IdMixin, SeatsBase):
    __tablename__ = "invitations"
    __table_args__ = (Index("ix_invitations_case_status", "case_id", "status"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(20))
    party_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("parties.id", ondelete="CASCADE"), default=None)
    invited_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=INVITATION_PENDING)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    # Who accepted, and the seat it became (the member row may later be removed).
    accepted_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    member_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
