"""Publishing every signed tree head to the witnesses, off the request path.

Heads are signed by the sequencer in its own transactions (or a request's, for a fresh
head) and are never published there: ``tree_heads`` is append-only, so each witness's
cursor (the last head it was given) is the whole queue. A publisher thread in the app, or
``settleroom audit publish``, gives each witness the heads after its cursor in order,
one ``add-checkpoint`` each, with the consistency proof from the size the witness last
cosigned; it stores the returned cosignature once it verifies with the witness's key and
then moves the cursor. No transaction is open while a witness answers.

Invariants:
- Never lost: the cursor moves only past a head the witness cosigned (or one older than
  what the witness already holds); a failure leaves it in place and is retried with
  exponential backoff, so every head is offered until a witness takes it.
- A witness that answers 409 is given its own size back as the old size (at most twice
  per head: a third is a failure). A 422, or a witness holding more entries than the log,
  means the witness saw a tree this log does not extend (entries deleted or rewritten):
  the head stays unpublished and the failure is logged at error level.
- Publishers in several processes may overlap: cursors only move forward and each
  cosignature is stored once (``witness_store``).
- Logs name the witness and a status code only.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from app.audit import log, witness_store
from app.audit.witnesses import WitnessConfig, WitnessUnreachable, submit
from app.models.audit import TreeHead
from app.models.base import utcnow
from crypto import signing
from crypto import witness as wire

if TYPE_CHECKING:
    import httpx

logger = logging.getLogger("settleroom.audit.publisher")

MAX_BACKOFF_SECONDS = 300.0
_MAX_CONFLICTS = 2


class PublishFailed(Exception):  # noqa: N818 - carries the code that is recorded
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def own_cosignature(checkpoint: str, answer: str, witness: WitnessConfig) -> tuple[str, int]:
    """The witness's verified cosignature line in its answer, and its timestamp."""
    for line in answer.split("\n"):
        if not line.startswith(f"\u2014 {witness.name} "):
            continue
        try:
            return line, wire.verify_cosignature(f"{checkpoint}{line}\n",
                                                 witness.verifier_key)
        except signing.InvalidSignature:
            continue
    raise PublishFailed("bad_cosignature")


def _next_request(session: Session, witness: WitnessConfig
                  ) -> tuple[TreeHead, bytes | None, int] | None:
    """The next head for the witness and its request (None: the witness holds more)."""
    last_id, old = witness_store.cursor(session, witness.verifier_key)
    size = log.current_size(session)
    head = witness_store.next_head(session, last_id)
    if head is None:
        # Nothing after the cursor. Ids are only reused (SQLite) once heads were deleted:
        # the latest head is then offered anyway, so the witness refuses it out loud.
        head = log.latest_head(session)
        if head is None or (head.tree_size <= old <= size):
            return None
    if old > head.tree_size:
        if old > size:  # the witness cosigned entries the log no longer holds
            raise PublishFailed("witness_ahead_of_log")
        return head, None, old
    proof = log.consistency_proof(session, old, head.tree_size) if old else []
    return head, wire.encode_add_checkpoint(old, proof, head.checkpoint), old


def publish_to(factory: sessionmaker[Session], witness: WitnessConfig, client: httpx.Client,
               *, clock: Callable[[], datetime] = utcnow) -> int:
    """Give ``witness`` every head after its cursor; return how many it cosigned. Raises
    ``WitnessUnreachable`` or ``PublishFailed`` at the first head it did not take."""
    key, done, conflicts = witness.verifier_key, 0, 0
    while True:
        with factory() as session:
            found = _next_request(session, witness)
            if found is None:
                return done
            head, request, old = found
            head_id, size, checkpoint = head.id, head.tree_size, head.checkpoint
        if request is None:  # a later head of ours was cosigned meanwhile (or entries lost)
            with factory() as session, session.begin():
                witness_store.advance(session, key, head_id, old, clock())
            continue
        status, answer = submit(client, witness, request)
        if status == 409 and conflicts < _MAX_CONFLICTS:
            conflicts += 1
            try:
                their_size = wire.parse_size_body(answer)
            except ValueError:
                raise PublishFailed("bad_409_body") from None
            with factory() as session, session.begin():
                witness_store.set_witness_size(session, key, their_size, clock())
            continue
        if status != 200:
            raise PublishFailed(f"http_{status}")
        line, timestamp = own_cosignature(checkpoint, answer, witness)
        with factory() as session, session.begin():
            stored = session.get(TreeHead, head_id)
            assert stored is not None  # tree_heads is append-only
            witness_store.add_cosignature(
                session, head=stored, witness_key=key, line=line,
                cosigned_at=datetime.fromtimestamp(timestamp, UTC), now=clock())
            witness_store.advance(session, key, head_id, size, clock())
        done, conflicts = done + 1, 0


def publish_all(factory: sessionmaker[Session], witnesses: Sequence[WitnessConfig],
                client: httpx.Client, *, clock: Callable[[], datetime] = utcnow
                ) -> tuple[int, dict[str, str]]:
    """Publish to every witness; the cosignatures gained and each failed witness's code."""
    total, failed = 0, {}
    for witness in witnesses:
        try:
            total += publish_to(factory, witness, client, clock=clock)
        except (WitnessUnreachable, PublishFailed) as exc:
            code = exc.code if isinstance(exc, PublishFailed) else "unreachable"
            failed[witness.name] = code
            with factory() as session, session.begin():
                witness_store.record_failure(session, witness.verifier_key, code, clock())
            alarming = code in ("http_422", "witness_ahead_of_log")
            level = logging.ERROR if alarming else logging.WARNING
            logger.log(level, "witness %s did not cosign the next head: %s", witness.name,
                       code)
    return total, failed


class WitnessPublisher:
    """The app's publisher thread: polls for new heads, backs off per failing witness."""

    def __init__(self, factory: sessionmaker[Session], witnesses: Sequence[WitnessConfig], *,
                 poll_seconds: float, timeout_seconds: float) -> None:
        self._factory = factory
        self._witnesses = tuple(witnesses)
        self._poll = poll_seconds
        self._timeout = timeout_seconds
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None or not self._witnesses:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="settleroom-witness-publisher",
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stopping.set()
            thread.join(timeout)

    def _run(self) -> None:
        waits = dict.fromkeys((w.name for w in self._witnesses), 0.0)
        failures = dict.fromkeys(waits, 0)
        import httpx  # imported where used: a server without witnesses never needs it

        with httpx.Client(timeout=self._timeout) as client:
            while not self._stopping.wait(self._poll):
                for witness in self._witnesses:
                    waits[witness.name] -= self._poll
                    if waits[witness.name] > 0:
                        continue
                    try:
                        _, failed = publish_all(self._factory, [witness], client)
                    except Exception:  # noqa: BLE001 - keep the thread; heads stay queued
                        logger.exception("publishing to witness %s failed", witness.name)
                        failed = {witness.name: "error"}
                    failures[witness.name] = failures[witness.name] + 1 if failed else 0
                    waits[witness.name] = (min(self._poll * 2 ** failures[witness.name],
                                               MAX_BACKOFF_SECONDS) if failed else 0.0)
