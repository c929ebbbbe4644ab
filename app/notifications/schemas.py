"""What the inbox API shows: ids, a kind, times and a link; never content."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel


class NotificationRead(BaseModel):
    id: uuid.UUID
    kind: str
    case_id: uuid.UUID | None
    created_at: datetime
    read_at: datetime | None
    link: str
    due_at: datetime | None = None


class UnreadCount(BaseModel):
    unread: int


class DeadLetterRead(BaseModel):
    """A mail that could not be delivered after its last attempt, for the room admin."""

    id: uuid.UUID
    notification_id: uuid.UUID
    kind: str
    user_id: uuid.UUID
    attempts: int
    last_error: str | None
    created_at: datetime
