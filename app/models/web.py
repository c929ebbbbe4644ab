"""Browser sessions: an opaque cookie whose SHA-256 is stored (the cookie itself never is),
a per-session CSRF secret, and the times the idle and absolute time-outs are measured from."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.models.base import METADATA, TYPE_ANNOTATION_MAP


class WebBase(DeclarativeBase):
    """The registry of this aggregate's mappers (``app.models.base.Base`` says why)."""

    metadata = METADATA
    type_annotation_map = TYPE_ANNOTATION_MAP


class WebSession(WebBase):
    __tablename__ = "web_sessions"

    id_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    csrf_secret: Mapped[bytes] = mapped_column(LargeBinary(32))
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    # The user's token generation at sign-in: a bumped generation ends this session too.
    generation: Mapped[int] = mapped_column(default=0)
