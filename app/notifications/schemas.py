"""What the inbox API shows: ids, a kind, times and a link; never content."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field, StrictBool

from app.kernel.schemas import Strict


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
    """A mail that could not be delivered after its last attempt, for the room admin.

    A mail to a member names the member (``user_id``, ``notification_id``); a mail to an
    address (an invitation) names its object (``object_type``, ``object_id``) and never the
    address: the invitation's own list shows it to those who may see that invitation."""

    id: uuid.UUID
    notification_id: uuid.UUID | None
    kind: str
    user_id: uuid.UUID | None
    object_type: str
    object_id: uuid.UUID
    attempts: int
    last_error: str | None
    created_at: datetime


class KindRead(BaseModel):
    kind: str
    headline: str
    optional: bool  # False: always by e-mail (legal service)


class PreferencesRead(BaseModel):
    caption_in_mail: bool
    email_off: list[str]
    kinds: list[KindRead]


class PreferencesWrite(Strict):
    caption_in_mail: StrictBool = True
    email_off: list[str] = Field(default_factory=list, max_length=64)
