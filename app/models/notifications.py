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

``address_mails`` are mails to an e-mail address rather than to a user: an invitation to
someone who may have no account yet. Each outbox row delivers exactly one notification or
one address mail (``ck_mail_outbox_one_source``), with the same states, leases and retries.
An address mail may carry a capability link (``{token}`` in its ``link``): the token is not
stored anywhere; the worker derives it at delivery from the server's secret and
``token_nonce``, and the nonce is erased once the mail is sent or dead, so afterwards the
token exists only in the recipient's mailbox.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, new_id

MAIL_PENDING = "pending"
MAIL_SENDING = "sending"
MAIL_SENT = "sent"
MAIL_DEAD = "dead"
MAIL_STATES = (MAIL_PENDING, MAIL_SENDING, MAIL_SENT, MAIL_DEAD)


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_created", "user_id", "created_at"),)

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


class AddressMail(Base):
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


class MailOutbox(Base):
    __tablename__ = "mail_outbox"
    __table_args__ = (
        Index("ix_mail_outbox_due", "status", "next_attempt_at"),
        CheckConstraint("(notification_id IS NULL) <> (address_mail_id IS NULL)",
                        name="one_source"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    notification_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), unique=True, default=None)
    address_mail_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("address_mails.id", ondelete="CASCADE"), unique=True, default=None)
    status: Mapped[str] = mapped_column(String(16), default=MAIL_PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(String(64), default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime]


class NotificationPreference(Base):
    """A user's choices: which kinds come by e-mail as well as in the inbox, and whether a
    mail may name the case (some users read mail where others can see the screen)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    caption_in_mail: Mapped[bool] = mapped_column(default=True)
    # Kinds the user reads in the inbox only (a JSON list of kind names).
    email_off: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime]


REMINDER_PENDING = "pending"
REMINDER_FIRED = "fired"
REMINDER_CANCELLED = "cancelled"  # the item was resolved before the reminder was due


class Reminder(Base):
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
