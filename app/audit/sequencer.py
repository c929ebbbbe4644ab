"""The sequencer: moves committed audit events into the Merkle log, in batches.

Design, as transparency logs integrate entries (Trillian's log signer, Tessera's
integrator):
- An action's transaction writes its event to ``audit_pending`` with one INSERT and waits
  for no shared lock (``app.audit.service.record``). The event commits or rolls back with
  the action: no action commits without its event; a rolled-back action leaves none.
- One sequencer at a time assigns leaf indices: the holder of a transaction-scoped
  PostgreSQL advisory lock (on SQLite the same code runs under the database's single write
  lock, which a sequencing transaction takes at BEGIN IMMEDIATE, as every writer does). In
  one transaction per batch it reads the oldest pending events, builds their entries with
  the next indices, inserts the leaves and the subtree hashes they complete, deletes the
  pending rows, moves the size row and, when one is due, signs a tree head; then it
  commits once.
- The app runs a ``Sequencer`` thread, started and stopped with the app and woken by every
  commit that wrote an event (and polling every ``POLL_SECONDS`` for events committed by
  other processes). Callers that must show a proof of an event they just recorded
  (traces, destruction certificates, audit exports, a fresh tree head) call
  ``sequence_in`` in their own transaction: they hold the lock until they commit, which
  serialises them with the sequencer but not with ordinary actions.

Invariants:
- Per case, gapless too: each event of a case gets the case's next number (``case_seq``,
  in its entry), read from the log under the lock in the same transaction.
- Gapless: indices come from the size row, read and written only under the lock in the
  same transaction as the leaves. A second sequencer waits for the lock (or, asked not to
  wait, does nothing) and then starts from the size the first one committed.
- Never lost: a crash between an action's commit and sequencing leaves its event pending;
  a crash inside a batch rolls the whole batch back and frees the lock with the
  connection, and the next sequencer does the batch again. The database refuses to delete
  a pending row whose leaf is missing, and to sequence one twice (``pending_id`` unique).
- Sequenced leaves stay immutable: the append-only triggers of ``audit_events``,
  ``audit_subtrees``, ``tree_heads`` and ``signing_keys`` are unchanged.
- Ordering: leaf order is the order in which committed events became visible to the
  sequencer (by pending id within a batch), not a claim about wall-clock order; the
  entry's timestamp is the time of the action. Two events closer together than the
  sequencing delay may be logged in either order.
- Heads: a head is signed when the log grew and the latest head is older than the
  interval, checked after every batch and on every idle poll, so every event is covered
  by a signed head within the interval plus one poll. The first head by a key the log
  does not know is preceded by an ``audit.signing_key_added`` event.

Threats: pending events are in no signed head yet. The triggers stop the application
from editing or dropping them, not a database superuser, who could delete one during the
sequencing delay (well under a second under load), as one could already edit the tail of
the log before the next head. A sequencer that is down delays integration and heads; it
loses nothing, and ``settleroom audit sequence`` or any other process catches up.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.audit import log, repository
from app.audit.entry import build_entry, clean_details
from app.errors import database_unavailable
from app.models.audit import SigningKey, TreeHead
from app.models.base import utcnow
from crypto import merkle, signing

logger = logging.getLogger("settleroom.audit.sequencer")

BATCH = 1000  # events per sequencing transaction
POLL_SECONDS = 0.25  # idle check for other processes' events and for a due head
# After a wake, wait this long for more commits: one batch then carries the events of
# many requests (a batch costs about as much as a request's own commit).
GATHER_SECONDS = 0.1
_PENDING_FLAG = "settleroom.audit_pending"
_SEQUENCE_ON_RELEASE = "settleroom.audit_sequence_on_release"


def mark_pending(session: Session) -> None:
    """Note that this session wrote an event: its commit wakes the sequencer."""
    session.info[_PENDING_FLAG] = True


@dataclass(frozen=True)
class Sequenced:
    count: int  # events sequenced
    tree_size: int  # after the batch
    head: TreeHead | None  # the head signed now, or with ``fresh_head`` the covering one
    oldest: datetime | None  # timestamp of the oldest event sequenced


def _build(frontier: merkle.Frontier, leaves: Sequence[repository.PendingEvent],
           case_seqs: dict[Any, int]
           ) -> tuple[merkle.Frontier, list[dict[str, Any]], list[tuple[int, int, bytes]]]:
    """Entries, leaf hashes and completed subtrees for ``leaves`` appended in order; each
    event of a case gets the case's next number (``case_seqs``, updated in place)."""
    events, nodes = [], []
    for item in leaves:
        index = frontier.size
        fields, case_id = item.fields, item.fields["case_id"]
        if case_id is not None:
            case_seqs[case_id] += 1
            fields = {**fields, "case_seq": case_seqs[case_id]}
        entry = build_entry(index, item.timestamp, fields)
        leaf = merkle.leaf_hash(entry)
        completed, frontier = merkle.append_leaf(frontier, leaf)
        nodes.extend(completed)
        events.append({"leaf_index": index, "timestamp": item.timestamp, "case_seq": None,
                       **fields, "entry": entry, "leaf_hash": leaf,
                       "pending_id": item.id or None})
    return frontier, events, nodes


def _case_seqs(session: Session, view: repository.SequencerView,
               leaves: Sequence[repository.PendingEvent]) -> dict[Any, int]:
    """The last number of every case in ``leaves``: the view's, and for cases it missed (a
    later batch, or rows committed between the pipeline's statements) one more lookup
    with one pending event per case."""
    seqs = dict(view.case_seqs)
    missing: dict[Any, int] = {}
    for item in leaves:
        case_id = item.fields["case_id"]
        if case_id is not None and case_id not in seqs:
            missing.setdefault(case_id, item.id)
    if missing:
        seqs.update(repository.last_case_seqs(session, list(missing.values())))
    return seqs


def _key_event(session: Session, signer: log.LogSigner,
               now: datetime) -> repository.PendingEvent | None:
    """The event that logs a key the log does not know yet (id 0: no pending row)."""
    kid = signing.key_id(signer.key)
    if session.get(SigningKey, kid) is not None:
        return None
    session.add(SigningKey(
        key_id=kid, algorithm=signing.ALGORITHM, note_name=signer.origin,
        public_key_pem=signing.public_key_to_pem(signer.key.public_key()).decode(),
        created_at=now,
    ))
    session.flush()
    return repository.PendingEvent(0, now, {
        "case_id": None, "actor_user_id": None, "actor_party_id": None,
        "action": "audit.signing_key_added", "outcome": "ok", "object_type": "signing_key",
        "object_id": kid[:64], "details": clean_details({"key_id": kid[:64]})})


def _head_due(latest: tuple[int, int] | None, size: int, now: datetime,
              interval_seconds: int, fresh: bool) -> bool:
    if latest is not None and latest[0] == size:
        return False
    if fresh:
        return True
    if size == 0:
        return False
    return latest is None or now.timestamp() * 1000 - latest[1] >= interval_seconds * 1000


def sequence_in(session: Session, signer: log.LogSigner, *, fresh_head: bool = False,
                wait: bool = True, limit: int | None = None,
                now: datetime | None = None) -> Sequenced | None:
    """Sequence the pending events visible to this transaction (other transactions'
    committed ones and its own) and sign a head if due, in the caller's transaction.

    Takes the sequencer lock until the caller commits or rolls back; returns None when
    ``wait`` is off and another sequencer holds it. Without ``limit`` every visible
    pending event is sequenced. With ``fresh_head`` the result's head covers the whole
    log, this transaction's own events included. Never commits.
    """
    want = BATCH if limit is None else min(BATCH, limit)
    view = repository.read_for_sequencing(session, limit=want, wait=wait)
    if view is None:
        return None
    now = now or utcnow()
    leaves = list(view.pending)
    while limit is None and leaves and len(leaves) % want == 0:
        more = repository.oldest_pending(session, want, after=leaves[-1].id)
        if not more:
            break
        leaves.extend(more)
    size = view.frontier.size + len(leaves)
    due = _head_due(view.head, size, now, signer.interval_seconds, fresh_head)
    if due and (key_event := _key_event(session, signer, now)) is not None:
        leaves.append(key_event)
    frontier, events, nodes = _build(view.frontier, leaves, _case_seqs(session, view, leaves))
    if leaves:
        repository.append_batch(session, events=events, nodes=nodes,
                                moved=[item.id for item in leaves if item.id],
                                size=frontier.size)
    head = None
    if due:
        head = log.sign_head(session, signer, frontier.size, frontier.root(), now)
    elif fresh_head:
        head = log.latest_head(session)
    moved = [item for item in leaves if item.id]
    oldest = min((item.timestamp for item in moved), default=None)
    return Sequenced(len(moved), frontier.size, head, oldest)


def head_covering_all(session: Session, signer: log.LogSigner,
                      now: datetime | None = None) -> TreeHead:
    """A signed head that covers every event visible to this transaction, its own
    included: what a proof of an event recorded just now needs."""
    done = sequence_in(session, signer, fresh_head=True, now=now)
    assert done is not None and done.head is not None  # waited for the lock; fresh head
    return done.head


@dataclass
class Stats:
    """What a sequencer did, for the benchmark and operators."""

    events: int = 0
    batches: int = 0
    # Worst seen, to the commit of the batch: from the action's timestamp (includes the
    # rest of the action's own transaction), and from the action's commit (in-process).
    max_delay_seconds: float = 0.0
    max_commit_delay_seconds: float = 0.0
    errors: int = 0


def sequence_pending(factory: sessionmaker[Session], signer: log.LogSigner, *,
                     wait: bool = True, stats: Stats | None = None) -> int:
    """Sequence every pending event, one committed transaction per batch; return how many.

    This is infrastructure, not a service: it commits. It sees the events committed
    before each batch starts, so a caller that committed an event and then calls this
    finds it in the log afterwards."""
    total = 0
    while True:
        with factory() as session, session.begin():
            done = sequence_in(session, signer, wait=wait, limit=BATCH)
        if done is None:
            return total
        total += done.count
        if stats is not None and done.count:
            stats.events += done.count
            stats.batches += 1
            if done.oldest is not None:
                delay = (utcnow() - done.oldest).total_seconds()
                stats.max_delay_seconds = max(stats.max_delay_seconds, delay)
        if done.count < BATCH:
            return total


class Sequencer:
    """The app's sequencer thread: owns the log signer and a session factory.

    ``start`` hooks the factory's commits: a commit that wrote an event wakes the thread
    (``background``) or, with ``on_commit``, is sequenced before ``commit()`` returns.
    ``stop`` unhooks and joins. Any number of these may run in any number of processes:
    the lock lets one work at a time.
    """

    def __init__(self, factory: sessionmaker[Session], signer: log.LogSigner, *,
                 on_commit: bool = False, poll_seconds: float = POLL_SECONDS,
                 gather_seconds: float = GATHER_SECONDS) -> None:
        self._factory = factory
        self._signer = signer
        self._on_commit = on_commit
        self._poll = poll_seconds
        self._gather = gather_seconds
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._woken_at: float | None = None  # the first commit not yet served
        self._database_lost = False  # said once per outage, not at every poll
        self.stats = Stats()

    @property
    def signer(self) -> log.LogSigner:
        return self._signer

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        event.listen(self._factory, "after_commit", self._after_commit)
        event.listen(self._factory, "after_transaction_end", self._after_release)
        self._thread = threading.Thread(target=self._run, name="settleroom-audit-sequencer",
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        event.remove(self._factory, "after_commit", self._after_commit)
        event.remove(self._factory, "after_transaction_end", self._after_release)
        self._stopping.set()
        self._wake.set()
        thread.join(timeout)

    def wake(self) -> None:
        self._wake.set()

    def sequence_pending(self) -> int:
        """Sequence everything committed so far, now, in the calling thread."""
        return sequence_pending(self._factory, self._signer, stats=self.stats)

    def _after_commit(self, session: Session) -> None:
        if not session.info.pop(_PENDING_FLAG, False):
            return
        if not self._on_commit:
            if self._woken_at is None:
                self._woken_at = time.monotonic()
            # Already set: the thread has yet to clear it, and the batch it runs after
            # clearing it begins after this commit, so it sees this commit's events.
            if not self._wake.is_set():
                self._wake.set()  # takes a lock and notifies: not on every commit
            return
        # Sequenced once the committed transaction has handed its connection back
        # (``_after_release``): sequencing here, while the request still holds one, makes
        # every concurrent request wait for a second connection from the same pool.
        session.info[_SEQUENCE_ON_RELEASE] = True

    def _after_release(self, session: Session, transaction: Any) -> None:
        if transaction.parent is not None or not session.info.pop(_SEQUENCE_ON_RELEASE, False):
            return
        try:
            self.sequence_pending()
        except Exception as exc:  # noqa: BLE001 - the action has committed; the thread retries
            self.stats.errors += 1
            if isinstance(exc, DBAPIError) and database_unavailable(exc):
                logger.warning("sequencing after commit failed: the database is unavailable; "
                               "the sequencer thread retries")
            else:
                logger.exception("sequencing after commit failed; the sequencer thread "
                                 "retries")
            self._wake.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            if self._wake.wait(self._poll) and self._gather:
                self._stopping.wait(self._gather)
            self._wake.clear()
            if self._stopping.is_set():
                return
            woken_at, self._woken_at = self._woken_at, None
            try:
                self.sequence_pending()
                if woken_at is not None:
                    self.stats.max_commit_delay_seconds = max(
                        self.stats.max_commit_delay_seconds, time.monotonic() - woken_at)
            except Exception as exc:  # noqa: BLE001 - keep the thread alive; events stay pending
                self.stats.errors += 1
                self._failed(exc)
                time.sleep(self._poll)
            else:
                if self._database_lost:
                    self._database_lost = False
                    logger.warning("audit sequencing resumed: the database is back")

    def _failed(self, exc: Exception) -> None:
        """A lost database is one warning per outage (the thread polls it every
        ``POLL_SECONDS``); any other failure is logged in full each time."""
        if isinstance(exc, DBAPIError) and database_unavailable(exc):
            if not self._database_lost:
                self._database_lost = True
                logger.warning("audit sequencing paused: the database is unavailable; "
                               "events stay pending and are sequenced when it is back")
            return
        logger.error("audit sequencing failed; retrying", exc_info=exc)
