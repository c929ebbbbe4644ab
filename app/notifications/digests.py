"""Daily digests: the notifications of the kinds a user reads once a day, gathered into one
mail at 8 am in the user's digest time zone.

Why a user-level zone, not the court's: a digest covers every case of its reader, and
cases sit in different districts; one mail a day needs one clock. It defaults to the
service's default court zone (``DEFAULT_TIMEZONE``, where a case without a zone is put) and
the user may choose another (a litigator reads mail where the office is, not where the
court is). Deadlines inside a digest are still said in each case's court time.

Invariants:
- at most one digest per user and local day: ``mail_digests`` is unique on (user, day),
  and a digest, the notifications it gathers and its outbox row commit together, so a
  worker that dies before the commit leaves everything waiting and one that dies after it
  leaves an ordinary outbox row (sent once, ``Message-ID`` = the row's id);
- a catch-up after downtime makes one digest (for the latest 8 am passed), not one per
  missed day;
- a digest lists only what its reader may still see (a member of the case, the case not
  destroyed) and has not read in the inbox already; with nothing left, no mail;
- a digest line is the notification's headline and due time, in words: it has no way to
  hold an amount, terms, a body or a filename (see ``kinds``);
- several workers at once: the waiting rows are locked ``SKIP LOCKED`` on PostgreSQL, and
  the unique (user, day) turns a second digest of the day into a no-op.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.cases import service as case_service
from app.deadlines.rules import DEFAULT_TIMEZONE
from app.models.notifications import MailDigest, MailOutbox, Notification, NotificationPreference
from app.notifications import repository as repo
from app.notifications.kinds import KINDS, case_words, due_sentence, headline

DIGEST_AT = time(8, 0)


def zone_of(pref: NotificationPreference | None) -> str:
    return (pref.digest_timezone if pref is not None and pref.digest_timezone
            else DEFAULT_TIMEZONE)


def latest_instant(now: datetime, zone_name: str) -> datetime:
    """The latest 8 am (local to ``zone_name``) at or before ``now``, as an aware time."""
    zone = ZoneInfo(zone_name)
    today = now.astimezone(zone).date()
    instant = datetime.combine(today, DIGEST_AT, zone)
    if instant > now:
        instant = datetime.combine(today - timedelta(days=1), DIGEST_AT, zone)
    return instant


def gather(session: Session, now: datetime, *, limit: int = 100) -> int:
    """Make the digests that are due by ``now`` (at most ``limit`` users), in the caller's
    transaction; returns how many mails were written."""
    waiting = repo.digest_waiting_users(session, limit)
    prefs = repo.preferences_of(session, [user_id for user_id, _ in waiting])
    made = 0
    for user_id, earliest in waiting:
        instant = latest_instant(now, zone_of(prefs.get(user_id)))
        if earliest < instant:
            made += _digest(session, user_id, instant, zone_of(prefs.get(user_id)), now)
    return made


def _digest(session: Session, user_id: uuid.UUID, instant: datetime, zone_name: str,
            now: datetime) -> int:
    rows = repo.lock_awaiting_digest(session, user_id, before=instant)
    if not rows:
        return 0  # another worker holds them
    keep = set(_still_theirs(session, user_id, rows))
    day = instant.astimezone(ZoneInfo(zone_name)).date()
    digest = _new_digest(session, user_id, day, instant, now) if keep else None
    if keep and digest is None:
        return 0  # today's digest exists (made by another worker): leave these waiting
    for row in rows:
        row.awaits_digest = False
        row.digest_id = digest.id if digest is not None and row.id in keep else None
    if digest is not None:
        repo.add_mails(session, [MailOutbox(digest_id=digest.id, next_attempt_at=now,
                                          created_at=now)])
    session.flush()
    return int(digest is not None)


def _new_digest(session: Session, user_id: uuid.UUID, day: date, instant: datetime,
                now: datetime) -> MailDigest | None:
    digest = MailDigest(user_id=user_id, day=day, fire_at=instant, created_at=now)
    try:
        with session.begin_nested():
            session.add(digest)
            session.flush()
    except IntegrityError:
        return None
    return digest


def _still_theirs(session: Session, user_id: uuid.UUID,
                  rows: Collection[Notification]) -> list[uuid.UUID]:
    """The unread rows of cases the user still sits in, not destroyed."""
    case_ids = {r.case_id for r in rows if r.case_id is not None}
    member_of = case_service.captions_for_member(session, user_id, case_ids)
    cases = case_service.case_rows(session, case_ids)
    return [r.id for r in rows if r.read_at is None and (r.case_id is None or (
        r.case_id in member_of and cases[r.case_id].destroyed_at is None))]


@dataclass(frozen=True)
class DigestLetter:
    """Everything a digest mail is made of: the lines are already words."""

    mail_id: uuid.UUID
    to: str
    day: date
    zone: str  # the reader's digest time zone, whose 8 am ``day`` is
    lines: list[str]


def letters(session: Session, mails: Collection[MailOutbox],
            addresses_of: Callable[[set[uuid.UUID]], dict[uuid.UUID, str]],
            ) -> dict[uuid.UUID, DigestLetter]:
    """The digest mails' letters. A digest whose reader is gone or inactive, or with no
    line left, has none (it becomes a dead letter). ``addresses_of`` gives the active
    readers' addresses (the caller reads accounts; this module reads no other domain's
    rows, so that the accounts domain may itself send mail through this one)."""
    digests = repo.digests_by_id(session, {m.digest_id for m in mails
                                           if m.digest_id is not None})
    items = repo.digest_items(session, list(digests))
    readers = {d.user_id for d in digests.values()}
    prefs = repo.preferences_of(session, readers)
    addresses = addresses_of(readers)
    out = {}
    for mail in mails:
        digest = digests.get(mail.digest_id) if mail.digest_id is not None else None
        if digest is None or digest.user_id not in addresses:
            continue
        pref = prefs.get(digest.user_id)
        named = pref is None or pref.caption_in_mail
        lines = _lines(session, digest.user_id, items.get(digest.id, []), named)
        if lines:
            out[mail.id] = DigestLetter(mail.id, addresses[digest.user_id], digest.day,
                                        zone_of(pref), lines)
    return out


def _lines(session: Session, user_id: uuid.UUID, rows: list[Notification],
           named: bool) -> list[str]:
    """One line per item, oldest first; the case named only while the reader sits in it."""
    names = case_service.captions_for_member(
        session, user_id, {r.case_id for r in rows if r.case_id is not None})
    lines = []
    for row in sorted(rows, key=lambda r: (r.created_at, r.id)):
        if row.case_id is not None and row.case_id not in names:
            continue  # left the case since the digest was gathered
        kind = KINDS[row.kind]
        caption, docket, zone = names.get(row.case_id, (None, None, DEFAULT_TIMEZONE)) \
            if row.case_id is not None else (None, None, DEFAULT_TIMEZONE)
        title = headline(kind, case_words(caption if named else None, docket))
        when = due_sentence(kind, row.due_at, zone)
        lines.append(f"{title}." + (f" {when}" if when else ""))
    return lines

