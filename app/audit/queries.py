"""Read-side use cases of the audit log: heads, keys, events, proofs."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.audit import log, repository, sequencer, witness_store
from app.audit.authentic import authentic_events
from app.audit.schemas import (
    AuditEventRead,
    ConsistencyProofRead,
    InclusionProofRead,
    PublicKeyRead,
    TreeHeadRead,
)
from app.errors import Invalid, NotFound
from app.models.audit import AuditEvent, SigningKey, TreeHead
from crypto import merkle, signing


def head_read(head: TreeHead) -> TreeHeadRead:
    return TreeHeadRead(
        tree_size=head.tree_size, root_hash=head.root_hash.hex(),
        timestamp=datetime.fromtimestamp(head.timestamp_ms / 1000, UTC),
        signature=base64.b64encode(head.signature).decode(), key_id=head.key_id,
        checkpoint=head.checkpoint,
    )


def current_head(session: Session, signer: log.LogSigner) -> TreeHeadRead:
    """The latest head when it covers every event so far; otherwise the pending events are
    sequenced in this transaction and a fresh head is signed."""
    head = log.latest_head(session)
    if (head is None or head.tree_size != log.current_size(session)
            or repository.has_pending(session)):
        head = sequencer.head_covering_all(session, signer)
    return head_read(head)


def witnessed_checkpoint(session: Session) -> str:
    """The newest head a witness cosigned, as a C2SP checkpoint with the log's signature
    and every witness cosignature stored for it (``NotFound`` before the first)."""
    found = witness_store.latest_witnessed(session)
    if found is None:
        raise NotFound("No tree head has been cosigned by a witness yet.",
                       code="checkpoint_not_witnessed")
    head, lines = found
    return head.checkpoint + "".join(f"{line}\n" for line in lines)


def public_keys(session: Session) -> list[PublicKeyRead]:
    rows = session.execute(select(SigningKey).order_by(SigningKey.created_at)).scalars()
    out = []
    for row in rows:
        public = signing.load_public_key_pem(row.public_key_pem.encode())
        out.append(PublicKeyRead(
            key_id=row.key_id, algorithm=row.algorithm, public_key_pem=row.public_key_pem,
            note_verifier_key=signing.note_verifier_key(row.note_name, public),
        ))
    return out


# Action names are dotted lower-case words ("offer.accept"); a trailing dot is a family.
ACTION_PATTERN = r"^[a-z0-9_]+(\.[a-z0-9_]+)*\.?$"


@dataclass(frozen=True)
class EventFilter:
    """What an auditor narrows a case's events to; every field optional.

    The filter reads the stored columns to choose rows; each event it lets through is still
    checked against its hashed entry and the signed head before it is shown. A filter only
    ever hides events from a listing: the bundle and ``audit verify`` see the whole log.
    ``action`` is an exact action or, ending in ".", every action of that family
    ("offer."); ``until`` is exclusive.
    """

    actor_user_id: uuid.UUID | None = None
    action: str | None = None
    object_id: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def apply(self, stmt: Select[tuple[AuditEvent]]) -> Select[tuple[AuditEvent]]:
        if self.actor_user_id is not None:
            stmt = stmt.where(AuditEvent.actor_user_id == self.actor_user_id)
        if self.action:
            stmt = stmt.where(AuditEvent.action.startswith(self.action, autoescape=True)
                              if self.action.endswith(".")
                              else AuditEvent.action == self.action)
        if self.object_id:
            stmt = stmt.where(AuditEvent.object_id == self.object_id)
        if self.outcome:
            stmt = stmt.where(AuditEvent.outcome == self.outcome)
        if self.since is not None:
            stmt = stmt.where(AuditEvent.timestamp >= self.since.astimezone(UTC))
        if self.until is not None:
            stmt = stmt.where(AuditEvent.timestamp < self.until.astimezone(UTC))
        return stmt


EVERY_EVENT = EventFilter()


def case_actions(session: Session, case_id: uuid.UUID) -> list[str]:
    """The actions that occur in a case's log (for a filter's choices)."""
    return list(session.execute(
        select(AuditEvent.action).where(AuditEvent.case_id == case_id).distinct()
        .order_by(AuditEvent.action)).scalars())


def case_events(session: Session, signer: log.LogSigner, case_id: uuid.UUID, *,
                after: int | None, limit: int,
                where: EventFilter = EVERY_EVENT) -> list[AuditEventRead]:
    """A case's events as their entries say, proven against the signed head (raises
    ``AuditLogDamaged`` rather than show a tampered one)."""
    stmt = where.apply(select(AuditEvent).where(AuditEvent.case_id == case_id))
    if after is not None:
        stmt = stmt.where(AuditEvent.leaf_index > after)
    stmt = stmt.order_by(AuditEvent.leaf_index).limit(limit)
    rows = list(session.execute(stmt).scalars())
    return authentic_events(session, signer, rows, case_id=case_id)


def leaf_indexes_of(session: Session, *, object_type: str, action: str,
                    object_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Each object's ``action`` event in the log; an object missing from the answer has its
    event still pending (every audited object's event commits with the object)."""
    return repository.leaf_indexes_of(session, object_type=object_type, action=action,
                                      object_ids=object_ids)


def get_event(session: Session, leaf_index: int) -> AuditEvent:
    event = session.get(AuditEvent, leaf_index)
    if event is None:
        raise NotFound("No such audit event.", code="event_not_found")
    return event


def _check_size(session: Session, size: int | None, at_least: int) -> int:
    current = log.current_size(session)
    size = current if size is None else size
    if size < at_least or size > current:
        raise Invalid(f"tree_size must be between {at_least} and {current}.",
                      code="invalid_tree_size")
    return size


def inclusion(session: Session, event: AuditEvent, tree_size: int | None) -> InclusionProofRead:
    """The leaf hash is recomputed from the entry: the stored copy is not trusted."""
    size = _check_size(session, tree_size, event.leaf_index + 1)
    proof = log.inclusion_proof(session, event.leaf_index, size)
    return InclusionProofRead(leaf_index=event.leaf_index, tree_size=size,
                              leaf_hash=merkle.leaf_hash(bytes(event.entry)).hex(),
                              proof=[p.hex() for p in proof])


def consistency(session: Session, first: int, second: int) -> ConsistencyProofRead:
    second = _check_size(session, second, 1)
    if not 1 <= first <= second:
        raise Invalid("first must be between 1 and second.", code="invalid_tree_size")
    proof = log.consistency_proof(session, first, second)
    return ConsistencyProofRead(first=first, second=second, proof=[p.hex() for p in proof])
