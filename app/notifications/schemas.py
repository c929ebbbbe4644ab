"""What the inbox API shows: ids, a kind, times and a link; never content."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field, StrictBool, field_validator

from app.kernel.schemas import Schema, Strict, check_timezone

# How a kind reaches the user besides the inbox: a mail at once, a line in the daily
# digest, or nothing.
MailChoice = Literal["immediate", "digest", "off"]


class NotificationRead(Schema):
    id: uuid.UUID
    kind: str
    case_id: uuid.UUID | None
    created_at: datetime
    read_at: datetime | None
    link: str
    due_at: datetime | None = None


class UnreadCount(Schema):
    unread: int


class DeadLetterRead(Schema):
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


class KindRead(Schema):
    kind: str
    headline: str
    optional: bool  # False: always by e-mail at once (legal service)
    delivery: MailChoice  # this user's choice for the kind


class PreferencesRead(Schema):
    caption_in_mail: bool
    email_off: list[str]
    # Kinds mailed in one digest a day, at ``digest_hour`` o'clock in ``digest_timezone``.
    digest: list[str]
    digest_timezone: str
    digest_hour: int
    kinds: list[KindRead]


class PreferencesWrite(Strict):
    """The whole set of choices (a PUT): a kind named in neither list is mailed at once."""

    caption_in_mail: StrictBool = True
    email_off: list[str] = Field(default_factory=list, max_length=64)
    digest: list[str] = Field(default_factory=list, max_length=64)
    # None: the service's default court time zone.
    digest_timezone: str | None = Field(default=None, max_length=64)

    @field_validator("digest_timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        try:
            return check_timezone(value)
        except ValueError:
            raise ValueError("digest_timezone must be an IANA time zone such as "
                             "America/Chicago") from None
