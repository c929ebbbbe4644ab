"""Notifications: one in-app row per recipient and event, and the mail outbox that delivers it.

A notification names what happened (its ``kind``), where (case and object ids) and the page
that shows it (``link``); never an amount, terms, a body, a filename or document text. It is
written in the transaction of the action that causes it, so no action commits without its
notifications and a rolled-back action leaves none (a transactional outbox).

``mail_outbox`` holds one row per notification that goes out by e-mail. Its id is the
message's idempotency key (the ``Message-ID`` and the ``.eml`` file name); its state moves
pending -> sending (leased to one worker until ``lease_until``) -> sent, or back to pending
with a later ``next_attempt_at`` after a failure, or to dead after the last attempt.
``last_error`` is a code (``smtp_refused``, ``smtp_unavailable``, ...), never a server reply,
which could quote an address or a header.

``mail_digests`` gather, once a day per user, the notifications of the kinds the user
reads as a daily digest: one row per (user, day), so a day's digest is made once however
many workers run or restart (the idempotency key), and one outbox row delivers it. A
notification waiting for its digest has ``awaits_digest``; once gathered it names its
digest (``digest_id``), or neither when it was dropped (read, or no longer the user's).

``address_mails`` are mails to an e-mail address rather than to a user: an invitation to
someone who may have no account yet. Each outbox row delivers exactly one notification or
one address mail (``ck_mail_outbox_one_source``), with the same states, leases and retries.
An address mail may carry a capability link (``{token}`` in its ``link``): the token is not
stored anywhere; the worker derives it at delivery from the server's secret and
``token_nonce``, and the nonce is erased once the mail is sent or dead, so afterwards the
token exists only in the recipient's mailbox.
"""

import uuid
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.models.base import METADATA, TYPE_ANNOTATION_MAP, new_id

MAIL_PENDING = "pending"
MAIL_SENDING = "sending"
MAIL_SENT = "sent"
MAIL_DEAD = "dead"
MAIL_STATES = (MAIL_PENDING, MAIL_SENDING, MAIL_SENT, MAIL_DEAD)



class NotificationsBase(DeclarativeBase):
    """The registry of this aggregate's mappers (``app.models.base.Base`` says why)."""

    metadata = METADATA
    type_annotation_map = TYPE_ANNOTATION_MAP


class Notification(NotificationsBase):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_created", "user_id", "created_at"),
                      Index("ix_notifications_awaiting", "awaits_digest", "user_id"))

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[uuid.UUID]
    link: Mapped[str] = mapped_column(String(300))
    # The last moment to act on the item, when there is one (a Rule 68 acceptance window,
    # an offer's expiry): a date the recipient is told in the court's time zone.
    due_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None] = mapped_column(default=None)
    # Mailed in the recipient's next daily digest rather than on its own (see MailDigest).
    awaits_digest: Mapped[bool] = mapped_column(default=False)
    digest_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("mail_digests.id", ondelete="SET NULL"), index=True, default=None)


class MailDigest(NotificationsBase):
    """One user's digest of one day: made at ``fire_at`` (8 am on ``day`` in the user's
    digest time zone) from the notifications that waited for it."""

    __tablename__ = "mail_digests"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date]
    fire_at: Mapped[datetime]
    created_at: Mapped[datetime]


class AddressMail(NotificationsBase):
    __tablename__ = "address_mails"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    to_address: Mapped[str] = mapped_column(String(320))
    case_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[uuid.UUID]
    # A path; ``{token}`` in it is replaced at delivery by the derived capability token.
    link: Mapped[str] = mapped_column(String(300))
    token_purpose: Mapped[str | None] = mapped_column(String(32), default=None)
    token_nonce: Mapped[bytes | None] = mapped_column(LargeBinary(32), default=None)
    due_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime]


# Each outbox row delivers exactly one notification, address mail or digest.
ONE_SOURCE = ("(CASE WHEN notification_id IS NULL THEN 0 ELSE 1 END)"
              " + (CASE WHEN address_mail_id IS NULL THEN 0 ELSE 1 END)"
              " + (CASE WHEN digest_id IS NULL THEN 0 ELSE 1 END) = 1")


class MailOutbox(NotificationsBase):
    __tablename__ = "mail_outbox"
    __table_args__ = (
        Index("ix_mail_outbox_due", "status", "next_attempt_at"),
        CheckConstraint(ONE_SOURCE, name="one_source"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    notification_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), unique=True, default=None)
    address_mail_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("address_mails.id", ondelete="CASCADE"), unique=True, default=None)
    digest_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("mail_digests.id", ondelete="CASCADE"), unique=True, default=None)
    status: Mapped[str] = mapped_column(String(16), default=MAIL_PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(String(64), default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime]


class NotificationPreference(NotificationsBase):
    """A user's choices: which kinds come by e-mail at once, in a daily digest, or not at
    all (inbox only), and whether a mail may name the case (some users read mail where
    others can see the screen)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    caption_in_mail: Mapped[bool] = mapped_column(default=True)
    # Kinds the user reads in the inbox only (a JSON list of kind names).
    email_off: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Kinds mailed in the daily digest instead of at once (a JSON list of kind names).
    digest: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The zone whose 8 am the digest goes out at; None: the service's default court zone.
    digest_timezone: Mapped[str | None] = mapped_column(String(64), default=None)
    updated_at: Mapped[datetime]


REMINDER_PENDING = "pending"
REMINDER_FIRED = "fired"
REMINDER_CANCELLED = "cancelled"  # the item was resolved before the reminder was due


class Reminder(NotificationsBase):
    """One reminder of an open deadline, scheduled when the deadline is set: kept in the
    database so that a restart loses none, and fired by the delivery worker once due (its
    domain decides then whether the item is still open and who must act)."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_due", "status", "fire_at"),
                      UniqueConstraint("object_id", "party_id", "fire_at"))

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[uuid.UUID]
    # The party whose act is due (an ENE statement is due per party), when there is one.
    party_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    fire_at: Mapped[datetime]
    due_at: Mapped[datetime]  # the end of the window (exclusive), said in court time
    status: Mapped[str] = mapped_column(String(16), default=REMINDER_PENDING)
    fired_at: Mapped[datetime | None] = mapped_column(default=None)
