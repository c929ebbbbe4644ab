"""The Merkle log over audit events (RFC 9162): roots, signed tree heads, proofs.

Invariants:
- Leaf i is the canonical JSON entry of event i. Appending leaf i stores every perfect
  subtree ending at i + 1, so any root or proof needs O(log n) row reads; stored subtrees
  never change, so a root or proof for a size already reached can be read at any time.
- A tree head is signed with the audit Ed25519 key over (size, root, time) and kept as a
  C2SP checkpoint too. Heads are issued by the sequencer (``app.audit.sequencer``), which
  also logs a key the log does not know yet before its first head.

This module appends nothing and knows nothing of pending events or of ``record()``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import repository
from app.audit.store import DbSubtreeStore
from app.models.audit import TreeHead
from crypto import merkle, signing

T = TypeVar("T")


@dataclass(frozen=True)
class LogSigner:
    key: Ed25519PrivateKey
    origin: str
    interval_seconds: int


def current_size(session: Session) -> int:
    """The number of sequenced leaves (pending events are not counted)."""
    return repository.tree_size(session)


def frontier_at(session: Session, size: int) -> merkle.Frontier:
    store = DbSubtreeStore(session)
    store.preload(merkle.frontier_ranges(size))
    return merkle.store_frontier(store, size)


def root_at(session: Session, size: int) -> bytes:
    return frontier_at(session, size).root()


def latest_head(session: Session) -> TreeHead | None:
    return session.execute(
        select(TreeHead).order_by(TreeHead.id.desc()).limit(1)
    ).scalar_one_or_none()


def sign_head(session: Session, signer: LogSigner, size: int, root: bytes,
              now: datetime | None = None) -> TreeHead:
    """Store a signed head of (size, root). The caller holds the sequencer lock, so heads
    are stored in the order of the sizes they cover."""
    now = now or datetime.now(UTC)
    signed = signing.sign_tree_head(signer.key, size, root, int(now.timestamp() * 1000))
    head = TreeHead(
        tree_size=size, root_hash=root, timestamp_ms=signed.timestamp_ms,
        key_id=signed.key_id, signature=signed.signature,
        checkpoint=signing.make_checkpoint(signer.origin, size, root, signer.key,
                                           signer.origin),
    )
    session.add(head)
    session.flush()
    return head


class _RangeRecorder:
    """Learns which subtrees a proof will read: the ranges depend on sizes only."""

    def __init__(self) -> None:
        self.ranges: list[tuple[int, int]] = []

    def subtree_hash(self, start: int, end: int) -> bytes:
        self.ranges.append((start, end))
        return bytes(merkle.HASH_SIZE)


def _in_one_query(session: Session, compute: Callable[[merkle.SubtreeStore], T]) -> T:
    """Run ``compute`` against the database with every subtree it needs read in one query."""
    recorder = _RangeRecorder()
    compute(recorder)
    store = DbSubtreeStore(session)
    store.preload(recorder.ranges)
    return compute(store)


def inclusion_proof(session: Session, index: int, size: int) -> list[bytes]:
    return _in_one_query(session, lambda st: merkle.store_inclusion_proof(st, index, size))


def inclusion_proofs(session: Session, indexes: list[int], size: int) -> dict[int, list[bytes]]:
    """Proofs of several leaves in one tree, every subtree they need read in one query."""
    def compute(st: merkle.SubtreeStore) -> dict[int, list[bytes]]:
        return {i: merkle.store_inclusion_proof(st, i, size) for i in indexes}

    return _in_one_query(session, compute)


def consistency_proof(session: Session, first: int, second: int) -> list[bytes]:
    return _in_one_query(session, lambda st: merkle.store_consistency_proof(st, first, second))
