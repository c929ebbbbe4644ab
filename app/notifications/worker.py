"""The delivery worker: hands the mail outbox to a transport, at least once, off the
request path.

Reminders: each pass first asks every domain's reminder source (wired by the app and the
``settleroom worker`` command) to fire its due reminders, each in one transaction; then it
gathers the daily digests that are due (``digests``), in one more.

Design (a transactional outbox): an action writes its notifications and their outbox rows
in its own transaction; this worker later leases due rows, hands each mail over and
records the outcome, one short transaction per step, never holding a transaction open
while a mail server answers.

Invariants:
- Nothing is lost: a row leaves ``pending`` only for ``sending`` (leased) and leaves that
  only for ``sent``, ``pending`` (a later attempt) or ``dead``. A worker that dies while a
  row is leased leaves it to be claimed again once the lease ends.
- Nothing is sent twice, except in the one gap no sender can close: a server that accepted
  the mail before the worker died, and before the worker recorded it. The resent mail then
  carries the same ``Message-ID`` (and the ``.eml`` file the same name, written once), so
  the recipient's system sees one message twice, not two messages.
- Several workers at once are safe: claims lock rows with ``SKIP LOCKED`` on PostgreSQL
  (SQLite has one writer), and an outcome is recorded only under the claim that counted
  the attempt, so a late worker never overwrites a newer claim's result.
- Retries back off exponentially (``mail_retry_seconds`` doubled per attempt); a refusal the
  server calls permanent (5xx), or the last attempt, makes the row a dead letter the room
  admin sees (``GET /cases/{id}/mail-dead-letters``).
- Logs name mail ids and codes only, never an address, a caption or a server reply.
- The embedded worker (the thread of ``start``, run by ``settleroom serve``) yields to the
  requests of its process: it shares their interpreter lock, so while any request is in
  flight it claims small batches and rests after each step ``YIELD_RATIO`` times as long
  as the step took. Yielding only delays; what is claimed is leased and recorded as
  always. ``drain`` and ``settleroom worker`` never rest.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from app.auth import service as auth_service
from app.cases import service as case_service
from app.config import Settings
from app.deadlines.rules import DEFAULT_TIMEZONE
from app.kernel.tokens import capability_token
from app.keyfiles import hmac_secret
from app.models.base import utcnow
from app.models.cases import Case
from app.models.notifications import AddressMail, MailOutbox
from app.notifications import digests
from app.notifications import repository as repo
from app.notifications.digests import DigestLetter
from app.notifications.mail import Letter, compose, compose_digest
from app.notifications.repository import MAIL_WRITTEN
from app.notifications.transport import DeliveryFailed, Transport, transport_from_settings
from app.observability import MAIL_FAILURES

logger = logging.getLogger("settleroom.notifications.worker")

# A domain's reminder firing: in the given transaction, turn its due reminders into
# notifications (or drop those whose item was resolved); returns how many fired.
ReminderSource = Callable[[Session, datetime], int]

BATCH = 50
THREAD_NAME = "settleroom-mail-worker"
# The in-process worker shares the interpreter's lock with the requests it runs beside.
# While requests are in flight it works in small batches and, after each step, rests
# YIELD_RATIO times as long as the step took: then at most 1 / (1 + YIELD_RATIO) of the
# time is the worker's. With no request in flight it runs at full speed.
YIELD_BATCH = 10
YIELD_RATIO = 4.0


class Busy(Protocol):
    def busy(self) -> bool: ...


class DeliveryWorker:
    def __init__(self, factory: sessionmaker[Session], settings: Settings, *,
                 transport: Transport | None = None,
                 clock: Callable[[], datetime] = utcnow,
                 reminder_sources: Sequence[ReminderSource] = (),
                 secret: bytes | None = None, requests: Busy | None = None) -> None:
        self._factory = factory
        # The key capability tokens are derived with (the services' ``hmac_key``).
        self._secret = secret if secret is not None else hmac_secret(settings)
        self._reminder_sources = tuple(reminder_sources)
        self._settings = settings
        self.transport = transport or transport_from_settings(settings)
        self._clock = clock
        # Requests this process serves; the thread of ``start`` yields to them.
        self._requests = requests
        self._yielding = False
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # --- one pass ---------------------------------------------------------------------

    def run_once(self, limit: int = BATCH) -> int:
        """Fire the due reminders (they become notifications and mails), then lease the due
        mails (up to ``limit``) and hand each over; return how many mails were attempted.

        The claim and everything the mails are made of are read in one transaction; each
        mail then costs its hand-over and the one short transaction that records it."""
        started = time.perf_counter()
        self.fire_reminders()
        self.gather_digests()
        if self._yielding and self._requests is not None and self._requests.busy():
            limit = min(limit, YIELD_BATCH)
        with self._factory() as session, session.begin():
            claimed = repo.claim_due(session, self._clock(),
                                     timedelta(seconds=self._settings.mail_lease_seconds),
                                     limit)
            claims = [(row.id, row.attempts) for row in claimed]
            letters: dict[uuid.UUID, Letter | DigestLetter] = {
                **self._letters(session, claimed), **digests.letters(session, claimed,
                                                      partial(_active_addresses, session))}
        self._yield(time.perf_counter() - started)
        with self.transport.batch():
            for mail_id, attempt in claims:
                started = time.perf_counter()
                self._deliver(mail_id, attempt, letters.get(mail_id))
                self._yield(time.perf_counter() - started)
        return len(claims)

    def _yield(self, worked: float) -> None:
        """In the thread of ``start`` only: let the requests in flight run (see
        ``YIELD_RATIO``); else just give up the interpreter's lock for a moment."""
        if not self._yielding:
            return
        if self._requests is not None and self._requests.busy():
            self._stopping.wait(worked * YIELD_RATIO)
        else:
            time.sleep(0)

    def fire_reminders(self) -> int:
        """Each domain's due reminders, in a transaction of its own: a reminder becomes its
        notifications and mails, or is dropped when its item was resolved, atomically."""
        fired = 0
        for source in self._reminder_sources:
            with self._factory() as session, session.begin():
                fired += source(session, self._clock())
        return fired

    def gather_digests(self) -> int:
        """The daily digests that are due, in one transaction (see ``digests``)."""
        with self._factory() as session, session.begin():
            return digests.gather(session, self._clock())

    def drain(self) -> int:
        """Deliver everything due now (tests, ``settleroom worker --once``)."""
        total = 0
        while done := self.run_once():
            total += done
        return total

    def _deliver(self, mail_id: uuid.UUID, attempt: int,
                 letter: Letter | DigestLetter | None) -> None:
        try:
            if letter is None:  # the recipient or the case is gone: nobody to tell
                raise DeliveryFailed("no_recipient", permanent=True)
            make = compose_digest if isinstance(letter, DigestLetter) else compose
            message = make(letter, mail_from=self._settings.mail_from,  # type: ignore[arg-type]
                           public_url=self._settings.public_url, now=self._clock())
            self.transport.send(mail_id, message)
        except DeliveryFailed as failure:
            self._failed(mail_id, attempt, failure)
            return
        with self._factory() as session, session.begin():
            if not repo.mark_sent(session, mail_id, attempt, self._clock()):
                logger.warning("mail %s was claimed again before it was recorded as sent",
                               mail_id)

    def _letters(self, session: Session, mails: list[MailOutbox]) -> dict[uuid.UUID, Letter]:
        """Each mail's letter, in five queries whatever the batch; none for a mail whose
        recipient is gone or inactive."""
        notes = repo.notifications_by_id(
            session, {m.notification_id for m in mails if m.notification_id is not None})
        addressed = repo.address_mails_by_id(
            session, {m.address_mail_id for m in mails if m.address_mail_id is not None})
        users = auth_service.user_rows(session, {n.user_id for n in notes.values()})
        cases = case_service.case_rows(
            session, {n.case_id for n in [*notes.values(), *addressed.values()]
                      if n.case_id is not None})
        prefs = repo.preferences_of(session, set(users))
        letters = {}
        for mail in mails:
            if mail.digest_id is not None:
                continue  # see ``digests.letters``
            if mail.address_mail_id is not None:
                letter = self._address_letter(mail.id, addressed.get(mail.address_mail_id),
                                              cases)
                if letter is not None:
                    letters[mail.id] = letter
                continue
            note = notes.get(mail.notification_id)  # type: ignore[arg-type]
            user = users.get(note.user_id) if note is not None else None
            if note is None or user is None or not user.is_active:
                continue
            case = cases.get(note.case_id) if note.case_id is not None else None
            pref = prefs.get(user.id)
            named = case is not None and (pref is None or pref.caption_in_mail)
            letters[mail.id] = Letter(
                mail_id=mail.id, to=user.email, kind=note.kind, link=note.link,
                due_at=note.due_at,
                caption=case.caption if named and case is not None else None,
                docket_number=case.docket_number if named and case is not None else None,
                court_timezone=case.court_timezone if case is not None else DEFAULT_TIMEZONE)
        return letters

    def _address_letter(self, mail_id: uuid.UUID, row: AddressMail | None,
                        cases: Mapping[uuid.UUID, Case]) -> Letter | None:
        """A mail to an address; its capability token, if any, derived now (never stored)."""
        if row is None:
            return None
        link = row.link
        if row.token_purpose is not None:
            if row.token_nonce is None:  # sent before, or dead: the token is gone
                return None
            link = link.replace("{token}", capability_token(
                self._secret, row.token_purpose, row.object_id, row.token_nonce))
        case = cases.get(row.case_id) if row.case_id is not None else None
        if case is not None and case.destroyed_at is not None:
            return None  # nobody is invited into a destroyed room
        return Letter(mail_id=mail_id, to=row.to_address, kind=row.kind, link=link,
                      due_at=row.due_at,
                      caption=case.caption if case is not None else None,
                      docket_number=case.docket_number if case is not None else None,
                      court_timezone=(case.court_timezone if case is not None
                                      else DEFAULT_TIMEZONE))

    def _failed(self, mail_id: uuid.UUID, attempt: int, failure: DeliveryFailed) -> None:
        last = failure.permanent or attempt >= self._settings.mail_max_attempts
        retry_at = None if last else self._clock() + timedelta(
            seconds=self._settings.mail_retry_seconds * 2 ** (attempt - 1))
        MAIL_FAILURES.labels(failure.code).inc()
        with self._factory() as session, session.begin():
            repo.mark_failed(session, mail_id, attempt, code=failure.code, retry_at=retry_at)
        logger.warning("mail %s attempt %d failed (%s)%s", mail_id, attempt, failure.code,
                       "; dead letter" if last else "; will retry")

    # --- the thread -------------------------------------------------------------------

    def start(self) -> None:
        """Deliver in a thread of this process, woken by every commit that wrote a mail."""
        if self._thread is not None:
            return
        event.listen(self._factory, "after_commit", self._after_commit)
        self._stopping.clear()
        self._yielding = True
        self._thread = threading.Thread(target=self._run, name=THREAD_NAME, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """End the loop (a thread's, or ``run_forever``'s after its current pass)."""
        self._stopping.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._yielding = False
        event.remove(self._factory, "after_commit", self._after_commit)
        thread.join(timeout)

    def wake(self) -> None:
        self._wake.set()

    def _after_commit(self, session: Session) -> None:
        if session.info.pop(MAIL_WRITTEN, False):
            self._wake.set()

    def run_forever(self) -> None:
        """``settleroom worker``: the loop in the calling thread, until ``stop``."""
        self._stopping.clear()
        self._run()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                busy = self.run_once() > 0
            except Exception:  # noqa: BLE001 - keep delivering; rows stay pending
                logger.exception("mail delivery pass failed; retrying")
                busy = False
            if not busy:
                self._wake.wait(self._settings.mail_poll_seconds)
                self._wake.clear()


def _active_addresses(session: Session, user_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    return {u.id: u.email for u in auth_service.user_rows(session, user_ids).values()
            if u.is_active}
