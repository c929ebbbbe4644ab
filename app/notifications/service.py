"""Notifications: who is told of an event, the inbox, and the room admin's dead letters.

Threats: telling someone of an item they may not see (a co-defendant of an offer between
two other parties, a client of an AEO offer, the auditor, a neutral an offer was not
shared with); content leaking into a notification or a mail; a notification for an action
that rolled back, or an action whose notification was lost.

Invariants:
- ``notify`` writes in the caller's transaction: the notification and its outbox row
  commit or roll back with the action (a transactional outbox); delivery happens later,
  off the request path (``app.notifications.worker``);
- the audience of an item is chosen by the same policy function that decides who may read
  it, applied to each member's memberships, minus the actor;
- a notification holds ids, a kind, a link and a due time, never content;
- a user sees and marks only their own notifications; another's id answers 404;
- each recipient's mail follows its choice for the kind: at once (an outbox row now), in
  the daily digest (``awaits_digest``; see ``digests``) or not at all; a kind that is
  legal service is always mailed at once;
- a mail to an address (``mail_address``: someone who may have no account yet) is written in
  the caller's transaction too and delivered by the same worker; it names a kind, a case and
  a link, and a capability token in the link is never stored (see ``AddressMail``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.authz.permissions import SPEAKING_ROLES
from app.authz.policy import parties_acting_as
from app.authz.policy_ene import Viewer
from app.cases import service as case_service
from app.context import CaseContext, Principal
from app.deadlines.rules import DEFAULT_TIMEZONE
from app.errors import Invalid, NotFound
from app.models.notifications import (
    MAIL_DEAD,
    MAIL_PENDING,
    MAIL_SENDING,
    MAIL_SENT,
    MAIL_STATES,
    REMINDER_CANCELLED,
    REMINDER_FIRED,
    AddressMail,
    MailOutbox,
    Notification,
    NotificationPreference,
    Reminder,
)
from app.notifications import digests, reminders
from app.notifications import repository as repo
from app.notifications.kinds import KINDS, case_words, due_sentence, headline
from app.notifications.schemas import (
    DeadLetterRead,
    KindRead,
    MailChoice,
    NotificationRead,
    PreferencesRead,
    PreferencesWrite,
    UnreadCount,
)

# Who may see the item: a policy decision (truthy allows) for one member of the case.
MaySee = Callable[[Viewer], object]


@dataclass(frozen=True)
class Delivery:
    """Where one recipient's mail of an event stands: ``sent`` once handed to the mail
    server (or written to the outbox folder), ``dead`` once it failed for good."""

    user_id: uuid.UUID
    status: str  # pending | sending | sent | dead
    sent_at: datetime | None


def audience(session: Session, case_id: uuid.UUID, may_see: MaySee, *,
             actor: uuid.UUID | None,
             not_for_parties: Collection[uuid.UUID] = ()) -> list[uuid.UUID]:
    """The active members of the case whom ``may_see`` allows, but the actor and anyone
    who sits for one of ``not_for_parties`` (the side that acted knows already)."""
    members = case_service.memberships_by_user(session, case_id)
    return sorted((user_id for user_id, ms in members.items()
                   if user_id != actor and may_see(Viewer(user_id, ms))
                   and not any(m.party_id in not_for_parties for m in ms)), key=str)


def notify(session: Session, case_id: uuid.UUID, *, kind: str, object_type: str,
           object_id: uuid.UUID, link: str, recipients: Collection[uuid.UUID],
           now: datetime, due_at: datetime | None = None) -> int:
    """One notification and one mail per recipient, in the caller's transaction."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    rows = [Notification(user_id=user_id, case_id=case_id, kind=kind,
                         object_type=object_type, object_id=object_id, link=link,
                         due_at=due_at, created_at=now) for user_id in recipients]
    choice = _deliveries(session, kind, recipients)
    for row in rows:
        row.awaits_digest = choice.get(row.user_id) == "digest"
    repo.add_all(session, rows)
    repo.add_mails(session, [MailOutbox(notification_id=n.id, next_attempt_at=now,
                                      created_at=now)
                             for n in rows if n.user_id not in choice])
    return len(rows)


def _deliveries(session: Session, kind: str,
                recipients: Collection[uuid.UUID]) -> dict[uuid.UUID, MailChoice]:
    """Recipients who do not get this kind by mail at once: "off" (inbox only) or
    "digest"; never for a non-optional kind, which is always mailed at once."""
    if not KINDS[kind].optional:
        return {}
    prefs = repo.preferences_of(session, recipients)
    return {user_id: _delivery(p, kind) for user_id, p in prefs.items()
            if _delivery(p, kind) != "immediate"}


def _delivery(pref: NotificationPreference | None, kind: str) -> MailChoice:
    if pref is None or not KINDS[kind].optional:
        return "immediate"
    if kind in pref.email_off:
        return "off"
    return "digest" if kind in pref.digest else "immediate"


def mail_address(session: Session, *, to: str, kind: str, case_id: uuid.UUID | None,
                 object_type: str, object_id: uuid.UUID, link: str, now: datetime,
                 due_at: datetime | None = None, token_purpose: str | None = None,
                 token_nonce: bytes | None = None) -> uuid.UUID:
    """One mail to the address ``to``, in the caller's transaction. ``link`` may hold
    ``{token}``: the worker replaces it with ``capability_token(secret, token_purpose,
    object_id, token_nonce)`` at delivery and then erases the nonce."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if ("{token}" in link) != (token_purpose is not None and token_nonce is not None):
        raise ValueError("a capability link needs its purpose and nonce, and only it")
    letter = AddressMail(to_address=to, case_id=case_id, kind=kind, object_type=object_type,
                         object_id=object_id, link=link, token_purpose=token_purpose,
                         token_nonce=token_nonce, due_at=due_at, created_at=now)
    repo.add_all(session, [letter])
    repo.add_mails(session, [MailOutbox(address_mail_id=letter.id, next_attempt_at=now,
                                      created_at=now)])
    return letter.id


def notify_case_members(session: Session, ctx: CaseContext, *, kind: str, object_type: str,
                        object_id: uuid.UUID, link: str, may_see: MaySee, now: datetime,
                        due_at: datetime | None = None,
                        not_for_parties: Collection[uuid.UUID] = ()) -> int:
    """``notify`` everyone who may see the item (see ``audience``)."""
    recipients = audience(session, ctx.case_id, may_see, actor=ctx.user_id,
                          not_for_parties=not_for_parties)
    return notify(session, ctx.case_id, kind=kind, object_type=object_type,
                  object_id=object_id, link=link, recipients=recipients, now=now,
                  due_at=due_at)


def _read(row: Notification) -> NotificationRead:
    return NotificationRead(id=row.id, kind=row.kind, case_id=row.case_id,
                            created_at=row.created_at, read_at=row.read_at, link=row.link,
                            due_at=row.due_at)


def list_notifications(session: Session, principal: Principal, *, unread: bool, offset: int,
                       limit: int) -> list[NotificationRead]:
    rows = repo.list_for_user(session, principal.user_id, unread=unread, offset=offset,
                              limit=limit)
    return [_read(r) for r in rows]


def unread_count(session: Session, principal: Principal) -> UnreadCount:
    return UnreadCount(unread=repo.unread_count(session, principal.user_id))


def mark_read(session: Session, principal: Principal, *, notification_id: uuid.UUID,
              now: datetime) -> NotificationRead:
    row = repo.get_for_user(session, principal.user_id, notification_id)
    if row is None:
        raise NotFound("No such notification.", code="notification_not_found")
    if row.read_at is None:
        row.read_at = now
        session.flush()
    return _read(row)


def dead_letters(session: Session, ctx: CaseContext) -> list[DeadLetterRead]:
    """Mails of this case that failed for good: who was not reached (a member, or the
    addressee of an invitation, named by the invitation's id), for which kind."""
    found = []
    for mail, note, letter in repo.dead_letters(session, ctx.case_id):
        source = note if note is not None else letter
        assert source is not None  # ck_mail_outbox_one_source
        found.append(DeadLetterRead(
            id=mail.id, notification_id=note.id if note is not None else None,
            kind=source.kind, user_id=note.user_id if note is not None else None,
            object_type=source.object_type, object_id=source.object_id,
            attempts=mail.attempts, last_error=mail.last_error, created_at=mail.created_at))
    return found


def address_mail_states(session: Session, *, object_type: str,
                        object_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Per object, the delivery state of its mail to an address (pending, sending, sent or
    dead); an object with several mails reports the worst (dead before pending before
    sent)."""
    rank = {MAIL_DEAD: 0, MAIL_PENDING: 1, MAIL_SENDING: 1, MAIL_SENT: 2}
    found: dict[uuid.UUID, str] = {}
    for object_id, status in repo.address_mail_states(session, object_type=object_type,
                                                      object_ids=list(object_ids)):
        if object_id not in found or rank[status] < rank[found[object_id]]:
            found[object_id] = status
    return found


def deliveries(session: Session, *, kind: str,
               object_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[Delivery]]:
    """Per object, the mails of its ``kind`` notifications and their state, in one query."""
    found: dict[uuid.UUID, list[Delivery]] = {object_id: [] for object_id in object_ids}
    for note, mail in repo.mails_of(session, kind=kind, object_ids=list(found)):
        found[note.object_id].append(Delivery(note.user_id, mail.status, mail.sent_at))
    return found


@dataclass(frozen=True)
class InboxItem:
    """A notification as the inbox page says it: in words, the case named when the reader
    still belongs to it."""

    id: uuid.UUID
    headline: str
    due: str | None
    link: str
    created_at: datetime
    read_at: datetime | None


UNNAMED: tuple[str | None, str | None, str] = (None, None, DEFAULT_TIMEZONE)


def inbox(session: Session, principal: Principal, *, limit: int = 100) -> list[InboxItem]:
    rows = repo.list_for_user(session, principal.user_id, unread=False, offset=0, limit=limit)
    names = case_service.captions_for_member(
        session, principal.user_id, {r.case_id for r in rows if r.case_id is not None})
    items = []
    for row in rows:
        kind = KINDS[row.kind]
        caption, docket, zone = names.get(row.case_id, UNNAMED) if row.case_id else UNNAMED
        items.append(InboxItem(
            id=row.id, headline=headline(kind, case_words(caption, docket)),
            due=due_sentence(kind, row.due_at, zone), link=row.link,
            created_at=row.created_at, read_at=row.read_at))
    return items


def preferences(session: Session, principal: Principal) -> PreferencesRead:
    row = repo.preferences_of(session, [principal.user_id]).get(principal.user_id)
    return PreferencesRead(
        caption_in_mail=row.caption_in_mail if row else True,
        email_off=sorted(row.email_off) if row else [],
        digest=sorted(row.digest) if row else [],
        digest_timezone=digests.zone_of(row), digest_hour=digests.DIGEST_AT.hour,
        kinds=[KindRead(kind=k.name, headline=k.headline, optional=k.optional,
                        delivery=_delivery(row, k.name))
               for k in KINDS.values()])


def set_preferences(session: Session, principal: Principal, *, data: PreferencesWrite,
                    now: datetime) -> PreferencesRead:
    """Refuses unknown kinds (422 ``unknown_kind``), a kind both off and in the digest (422
    ``conflicting_delivery``), and turning off or deferring the e-mail of a notice that is
    legal service (422 ``kind_not_optional``). What already waits for a digest stays in it:
    a choice applies to notifications made after it."""
    for kind in [*data.email_off, *data.digest]:
        if kind not in KINDS:
            raise Invalid("email_off or digest names an unknown kind.", code="unknown_kind")
        if not KINDS[kind].optional:
            raise Invalid("A Rule 68 offer served through the room is served by this e-mail; "
                          "it is always sent at once.", code="kind_not_optional")
    if set(data.email_off) & set(data.digest):
        raise Invalid("A kind is either off or in the digest, not both.",
                      code="conflicting_delivery")
    row = repo.preferences_of(session, [principal.user_id]).get(principal.user_id)
    if row is None:
        row = NotificationPreference(user_id=principal.user_id)
        session.add(row)
    row.caption_in_mail = data.caption_in_mail
    row.email_off = sorted(set(data.email_off))
    row.digest = sorted(set(data.digest))
    row.digest_timezone = data.digest_timezone
    row.updated_at = now
    session.flush()
    return preferences(session, principal)


# --- reminders ------------------------------------------------------------------------


def schedule_reminders(session: Session, *, case_id: uuid.UUID, object_type: str,
                       object_id: uuid.UUID, due_at: datetime, court_timezone: str,
                       now: datetime, party_id: uuid.UUID | None = None) -> int:
    """Reminders of a window ending at ``due_at``, in the caller's transaction (so they
    exist exactly when the deadline does); times already past are skipped."""
    rows = [Reminder(case_id=case_id, object_type=object_type, object_id=object_id,
                     party_id=party_id, fire_at=at, due_at=due_at)
            for at in reminders.fire_times(due_at, court_timezone) if at > now]
    repo.add_all(session, rows)
    return len(rows)


def schedule_end_notice(session: Session, *, case_id: uuid.UUID, object_type: str,
                        object_id: uuid.UUID, due_at: datetime, now: datetime) -> None:
    """One more reminder row, at the window's end itself: the notice that it ended unanswered
    (an offer expired, a Rule 68 offer lapsed). Scheduled with the window, in the same
    transaction, so a restart loses it no more than a reminder."""
    if due_at > now:
        repo.add_all(session, [Reminder(case_id=case_id, object_type=object_type,
                                        object_id=object_id, fire_at=due_at, due_at=due_at)])


def is_end_notice(reminder: Reminder) -> bool:
    """The row ``schedule_end_notice`` wrote (reminders proper all fire before the end)."""
    return reminder.fire_at >= reminder.due_at


def drop_pending_reminders(session: Session, *, object_type: str,
                           object_id: uuid.UUID) -> int:
    """Forget the reminders of a window that moved, before its new ones are scheduled. They
    are deleted, not marked cancelled: they never fired, and the new window may remind at
    one of the same instants (``uq_reminders_object_id``)."""
    return repo.delete_pending_reminders(session, object_type, object_id)


def fire_due(session: Session, object_type: str, now: datetime,
             remind: Callable[[Reminder], bool], limit: int = 100) -> int:
    """Each pending reminder of ``object_type`` due by ``now`` (locked for this
    transaction) of a case not destroyed goes to ``remind``, which notifies and answers
    True, or answers False when the item was resolved; the reminder is then fired or
    cancelled. Returns how many fired."""
    fired = 0
    for reminder in repo.due_reminders(session, object_type, now, limit):
        done = not case_service.is_destroyed(session, reminder.case_id) and remind(reminder)
        reminder.status = REMINDER_FIRED if done else REMINDER_CANCELLED
        reminder.fired_at = now if done else None
        fired += done
    session.flush()
    return fired


def speaking_for(session: Session, case_id: uuid.UUID,
                 parties: Collection[uuid.UUID]) -> list[uuid.UUID]:
    """Active members who speak for one of ``parties`` (its counsel or the party acting
    without one, per the policy's ``SPEAKING_ROLES``): who must act, and on whom a paper
    is served."""
    members = case_service.memberships_by_user(session, case_id)
    wanted = set(parties)
    return sorted((user_id for user_id, ms in members.items()
                   if parties_acting_as(ms, SPEAKING_ROLES) & wanted), key=str)


def outbox_depth(session: Session) -> dict[str, int]:
    """Mails per delivery state, for metrics (no ids, no addresses)."""
    counts = repo.outbox_counts(session)
    return {status: counts.get(status, 0) for status in MAIL_STATES}
