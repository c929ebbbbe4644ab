"""All SQL of notifications and the mail outbox, the delivery worker's claims included."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from app.models.notifications import (
    MAIL_DEAD,
    MAIL_PENDING,
    MAIL_SENDING,
    MAIL_SENT,
    REMINDER_PENDING,
    AddressMail,
    MailDigest,
    MailOutbox,
    Notification,
    NotificationPreference,
    Reminder,
)

# Set on a session that wrote outbox rows: its commit wakes an in-process worker.
MAIL_WRITTEN = "settleroom.mail_written"


def add_all(session: Session, rows: Sequence[object]) -> None:
    session.add_all(rows)
    session.flush()


def add_mails(session: Session, rows: Sequence[MailOutbox]) -> None:
    add_all(session, rows)
    if rows:
        session.info[MAIL_WRITTEN] = True


def list_for_user(session: Session, user_id: uuid.UUID, *, unread: bool, offset: int,
                  limit: int) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user_id)
    if unread:
        stmt = stmt.where(Notification.read_at.is_(None))
    stmt = stmt.order_by(Notification.created_at.desc(), Notification.id)
    return list(session.execute(stmt.offset(offset).limit(limit)).scalars())


def unread_count(session: Session, user_id: uuid.UUID) -> int:
    return int(session.execute(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    ).scalar_one())


def get_for_user(session: Session, user_id: uuid.UUID,
                 notification_id: uuid.UUID) -> Notification | None:
    return session.execute(
        select(Notification).where(Notification.id == notification_id,
                                   Notification.user_id == user_id)
    ).scalar_one_or_none()


def claim_due(session: Session, now: datetime, lease: timedelta,
              limit: int) -> list[MailOutbox]:
    """Lease up to ``limit`` mails that are due, or whose earlier lease ran out (their worker
    died mid-send). ``SKIP LOCKED`` lets several workers claim side by side on PostgreSQL;
    SQLite's single writer serialises the claims."""
    stmt = (
        select(MailOutbox)
        .where(or_(
            (MailOutbox.status == MAIL_PENDING) & (MailOutbox.next_attempt_at <= now),
            (MailOutbox.status == MAIL_SENDING) & (MailOutbox.lease_until < now),
        ))
        .order_by(MailOutbox.next_attempt_at, MailOutbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list(session.execute(stmt).scalars())
    for row in rows:
        row.status, row.lease_until, row.attempts = MAIL_SENDING, now + lease, row.attempts + 1
    session.flush()
    return rows


def _still_ours(mail_id: uuid.UUID, attempt: int):  # noqa: ANN202
    # A claim is identified by the attempt it counted: a worker whose lease ran out and whose
    # mail another worker claimed again must not overwrite that worker's outcome.
    return (MailOutbox.id == mail_id) & (MailOutbox.status == MAIL_SENDING) & (
        MailOutbox.attempts == attempt)


def _forget_nonce(session: Session, mail_id: uuid.UUID) -> None:
    # Once a mail is sent (or will never be), nothing may derive its capability token again.
    session.execute(update(AddressMail).where(AddressMail.id == select(
        MailOutbox.address_mail_id).where(MailOutbox.id == mail_id).scalar_subquery())
        .values(token_nonce=None))


def mark_sent(session: Session, mail_id: uuid.UUID, attempt: int, now: datetime) -> bool:
    done = session.execute(update(MailOutbox).where(_still_ours(mail_id, attempt)).values(
        status=MAIL_SENT, sent_at=now, lease_until=None, last_error=None))
    if done.rowcount:  # type: ignore[attr-defined]
        _forget_nonce(session, mail_id)
    return bool(done.rowcount)  # type: ignore[attr-defined]


def mark_failed(session: Session, mail_id: uuid.UUID, attempt: int, *, code: str,
                retry_at: datetime | None) -> bool:
    """Back to pending until ``retry_at``, or dead when there is none."""
    values: dict[str, object] = {"last_error": code, "lease_until": None}
    if retry_at is None:
        values["status"] = MAIL_DEAD
    else:
        values.update(status=MAIL_PENDING, next_attempt_at=retry_at)
    done = session.execute(update(MailOutbox).where(_still_ours(mail_id, attempt))
                           .values(**values))
    if done.rowcount and retry_at is None:  # type: ignore[attr-defined]
        _forget_nonce(session, mail_id)
    return bool(done.rowcount)  # type: ignore[attr-defined]


def dead_letters(session: Session, case_id: uuid.UUID
                 ) -> list[tuple[MailOutbox, Notification | None, AddressMail | None]]:
    """The case's dead mails: to members (notifications) and to addresses (invitations)."""
    rows = session.execute(
        select(MailOutbox, Notification, AddressMail)
        .outerjoin(Notification, Notification.id == MailOutbox.notification_id)
        .outerjoin(AddressMail, AddressMail.id == MailOutbox.address_mail_id)
        .where(MailOutbox.status == MAIL_DEAD,
               or_(Notification.case_id == case_id, AddressMail.case_id == case_id))
        .order_by(MailOutbox.created_at, MailOutbox.id)
    ).all()
    return [(m, n, a) for m, n, a in rows]


def address_mail_states(session: Session, *, object_type: str,
                        object_ids: Sequence[uuid.UUID]) -> list[tuple[uuid.UUID, str]]:
    """(object id, delivery state) of the address mails about these objects."""
    if not object_ids:
        return []
    rows = session.execute(
        select(AddressMail.object_id, MailOutbox.status)
        .join(MailOutbox, MailOutbox.address_mail_id == AddressMail.id)
        .where(AddressMail.object_type == object_type,
               AddressMail.object_id.in_(list(object_ids))))
    return [(object_id, status) for object_id, status in rows.all()]


def mails_of(session: Session, *, kind: str,
             object_ids: Sequence[uuid.UUID]) -> list[tuple[Notification, MailOutbox]]:
    if not object_ids:
        return []
    rows = session.execute(
        select(Notification, MailOutbox)
        .join(MailOutbox, MailOutbox.notification_id == Notification.id)
        .where(Notification.kind == kind, Notification.object_id.in_(list(object_ids)))
    ).all()
    return [(n, m) for n, m in rows]


def preferences_of(session: Session,
                   user_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, NotificationPreference]:
    if not user_ids:
        return {}
    rows = session.execute(select(NotificationPreference).where(
        NotificationPreference.user_id.in_(list(user_ids)))).scalars()
    return {row.user_id: row for row in rows}


def outbox_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(MailOutbox.status, func.count()).group_by(MailOutbox.status))
    return {status: int(n) for status, n in rows.all()}


def due_reminders(session: Session, object_type: str, now: datetime,
                  limit: int) -> list[Reminder]:
    stmt = (select(Reminder)
            .where(Reminder.status == REMINDER_PENDING, Reminder.object_type == object_type,
                   Reminder.fire_at <= now)
            .order_by(Reminder.fire_at, Reminder.id).limit(limit)
            .with_for_update(skip_locked=True))
    return list(session.execute(stmt).scalars())


def delete_pending_reminders(session: Session, object_type: str, object_id: uuid.UUID) -> int:
    done = session.execute(delete(Reminder).where(
        Reminder.object_type == object_type, Reminder.object_id == object_id,
        Reminder.status == REMINDER_PENDING))
    return int(done.rowcount)  # type: ignore[attr-defined]


def notifications_by_id(session: Session,
                        ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Notification]:
    if not ids:
        return {}
    rows = session.execute(select(Notification).where(Notification.id.in_(list(ids))))
    return {n.id: n for n in rows.scalars()}


def address_mails_by_id(session: Session,
                        ids: Collection[uuid.UUID]) -> dict[uuid.UUID, AddressMail]:
    if not ids:
        return {}
    rows = session.execute(select(AddressMail).where(AddressMail.id.in_(list(ids))))
    return {m.id: m for m in rows.scalars()}


def digest_waiting_users(session: Session, limit: int) -> list[tuple[uuid.UUID, datetime]]:
    """(user, earliest creation) of the notifications waiting for a digest."""
    rows = session.execute(
        select(Notification.user_id, func.min(Notification.created_at))
        .where(Notification.awaits_digest.is_(True))
        .group_by(Notification.user_id).order_by(func.min(Notification.created_at))
        .limit(limit)).all()
    return [(user_id, earliest) for user_id, earliest in rows]


def lock_awaiting_digest(session: Session, user_id: uuid.UUID, *,
                         before: datetime) -> list[Notification]:
    stmt = (select(Notification)
            .where(Notification.user_id == user_id, Notification.awaits_digest.is_(True),
                   Notification.created_at < before)
            .order_by(Notification.created_at, Notification.id)
            .with_for_update(skip_locked=True))
    return list(session.execute(stmt).scalars())


def digests_by_id(session: Session, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, MailDigest]:
    if not ids:
        return {}
    rows = session.execute(select(MailDigest).where(MailDigest.id.in_(list(ids))))
    return {d.id: d for d in rows.scalars()}


def digest_items(session: Session,
                 digest_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Notification]]:
    if not digest_ids:
        return {}
    out: dict[uuid.UUID, list[Notification]] = {d: [] for d in digest_ids}
    rows = session.execute(select(Notification).where(
        Notification.digest_id.in_(list(digest_ids))))
    for row in rows.scalars():
        out[row.digest_id].append(row)  # type: ignore[index]
    return out
