"""The append-only audit log: one row per event, sequence numbers without gaps.

Rows hold ids, actions and outcomes only: never content. ``entry`` is the canonical JSON
leaf that the log's hashes cover; the other columns are a queryable copy of it.

An action's transaction writes its event to ``audit_pending``; the sequencer
(``app.audit.sequencer``) moves committed pending events into ``audit_events`` with the
next leaf indices. Both tables refuse UPDATE in the database; a pending row can only be
deleted once its sequenced copy (``audit_events.pending_id``) exists.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.models.base import METADATA, TYPE_ANNOTATION_MAP


class AuditBase(DeclarativeBase):
    """The registry of this aggregate's mappers (``app.models.base.Base`` says why)."""

    metadata = METADATA
    type_annotation_map = TYPE_ANNOTATION_MAP


class AuditEvent(AuditBase):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_case_leaf", "case_id", "leaf_index"),
        Index("ix_audit_events_pending_id", "pending_id", unique=True),
        Index("ix_audit_events_case_seq", "case_id", "case_seq", unique=True),
    )

    leaf_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    timestamp: Mapped[datetime]
    case_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    actor_party_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    action: Mapped[str] = mapped_column(String(80))
    outcome: Mapped[str] = mapped_column(String(20))  # ok | denied
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    entry: Mapped[bytes] = mapped_column(LargeBinary)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    # The ``audit_pending.id`` this leaf was sequenced from (None for events logged before
    # sequencing was asynchronous). Unique: no pending event becomes two leaves.
    pending_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # The event's number within its case (1, 2, 3... in leaf order), also in the entry; None
    # for events without a case and for events logged before the counter existed.
    case_seq: Mapped[int | None] = mapped_column(BigInteger, default=None)


class AuditPending(AuditBase):
    """An event committed with its action but not yet in the Merkle log.

    ``id`` orders pending events and is never reused (AUTOINCREMENT on SQLite, a sequence
    on PostgreSQL), so ``audit_events.pending_id`` names one event for good.
    """

    __tablename__ = "audit_pending"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    timestamp: Mapped[datetime]
    case_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    actor_party_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    action: Mapped[str] = mapped_column(String(80))
    outcome: Mapped[str] = mapped_column(String(20))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64), default=None)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AuditLogState(AuditBase):
    """A single row: the log's size. Only the sequencer, under its lock, updates it."""

    __tablename__ = "audit_log_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    tree_size: Mapped[int] = mapped_column(BigInteger, default=0)


class AuditSubtree(AuditBase):
    """Hash of a perfect, aligned subtree [start, end) of the log: proofs read O(log n) rows.

    Leaves are the subtrees (i, i + 1); appending leaf i stores every subtree that ends at
    i + 1 and whose size is a power of two dividing i + 1.
    """

    __tablename__ = "audit_subtrees"

    start: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    end: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class TreeHead(AuditBase):
    """A signed tree head, also kept as a C2SP checkpoint (signed note)."""

    __tablename__ = "tree_heads"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    tree_size: Mapped[int] = mapped_column(BigInteger, index=True)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    timestamp_ms: Mapped[int] = mapped_column(BigInteger)
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))
    checkpoint: Mapped[str] = mapped_column(Text)


class SigningKey(AuditBase):
    """Public half of every key that ever signed a tree head or certificate."""

    __tablename__ = "signing_keys"

    key_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    algorithm: Mapped[str] = mapped_column(String(20))
    public_key_pem: Mapped[str] = mapped_column(Text)
    note_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class WitnessCosignature(AuditBase):
    """A witness's cosignature of a signed tree head (C2SP tlog-cosignature): the signature
    line its ``add-checkpoint`` returned, kept only once verified with the witness's key.

    Evidence for readers of the log, not its proof: an insider can delete these rows, so
    ``audit verify`` asks the witness itself for the checkpoint it last cosigned.
    """

    __tablename__ = "witness_cosignatures"
    __table_args__ = (UniqueConstraint("tree_head_id", "witness_key"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    tree_head_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("tree_heads.id"),
                                              index=True)
    witness_key: Mapped[str] = mapped_column(String(200))  # the cosigner verifier key
    tree_size: Mapped[int] = mapped_column(BigInteger)
    cosigned_at: Mapped[datetime]  # the witness's timestamp, inside its signature
    signature_line: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]


class WitnessCursor(AuditBase):
    """How far each witness has been given the log's heads: the last head it cosigned
    (by ``tree_heads.id``) and the size it last cosigned as far as we know."""

    __tablename__ = "witness_cursors"

    witness_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    last_head_id: Mapped[int] = mapped_column(BigInteger, default=0)
    witness_size: Mapped[int] = mapped_column(BigInteger, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(40), default=None)
    updated_at: Mapped[datetime]
