"""The Merkle log over audit events (RFC 9162): appends, signed tree heads, proofs.

Invariants:
- Leaf i is the canonical JSON entry of event i; sequence numbers come from the locked
  counter row, so the tree grows without gaps and concurrent appends are serialised.
- Appending leaf i stores every perfect subtree ending at i + 1, so any root or proof
  needs O(log n) row reads.
- A tree head is signed with the audit Ed25519 key over (size, root, time) and kept as a
  C2SP checkpoint too. A new head is issued on demand and, while events arrive, whenever
  the latest is older than the configured interval (checked in the appending transaction).
- The first head signed by a key that the log does not know yet is preceded by a
  ``audit.signing_key_added`` event, so every key change is itself in the log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.store import DbSubtreeStore, insert_subtrees
from app.models.audit import AuditLogState, SigningKey, TreeHead
from crypto import merkle, signing

T = TypeVar("T")


@dataclass(frozen=True)
class LogSigner:
    key: Ed25519PrivateKey
    origin: str
    interval_seconds: int


def current_size(session: Session) -> int:
    return int(session.execute(
        select(AuditLogState.tree_size).where(AuditLogState.id == 1)
    ).scalar_one())


def append_leaf_nodes(session: Session, index: int, leaf: bytes) -> bytes:
    """Store the subtrees that leaf ``index`` completes; return the new root."""
    store = DbSubtreeStore(session)
    ranges = merkle.frontier_ranges(index)
    store.preload(ranges)
    frontier = merkle.store_frontier(store, index)
    nodes, new_frontier = merkle.append_leaf(frontier, leaf)
    insert_subtrees(session, nodes)
    return new_frontier.root()


def root_at(session: Session, size: int) -> bytes:
    store = DbSubtreeStore(session)
    store.preload(merkle.frontier_ranges(size))
    return merkle.store_root(store, size)


def latest_head(session: Session) -> TreeHead | None:
    return session.execute(
        select(TreeHead).order_by(TreeHead.id.desc()).limit(1)
    ).scalar_one_or_none()


def _ensure_key_known(session: Session, signer: LogSigner) -> None:
    from app.audit.service import record  # the key change is an event of the same log

    kid = signing.key_id(signer.key)
    if session.get(SigningKey, kid) is not None:
        return
    session.add(SigningKey(
        key_id=kid, algorithm=signing.ALGORITHM, note_name=signer.origin,
        public_key_pem=signing.public_key_to_pem(signer.key.public_key()).decode(),
        created_at=datetime.now(UTC),
    ))
    session.flush()
    record(session, None, "audit.signing_key_added", "signing_key", kid[:64],
           {"key_id": kid[:64]}, sign_heads=False)


def issue_head(session: Session, signer: LogSigner, now: datetime | None = None) -> TreeHead:
    """Sign the current tree and store the head."""
    _ensure_key_known(session, signer)
    size = current_size(session)
    root = root_at(session, size)
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


def head_for_now(session: Session, signer: LogSigner) -> TreeHead:
    """The latest head if it covers the whole log, else a fresh one."""
    head = latest_head(session)
    if head is not None and head.tree_size == current_size(session):
        return head
    return issue_head(session, signer)


def maybe_issue_head(session: Session, signer: LogSigner, now: datetime) -> None:
    head = latest_head(session)
    if head is None or now.timestamp() * 1000 - head.timestamp_ms >= (
        signer.interval_seconds * 1000
    ):
        issue_head(session, signer, now)


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


def consistency_proof(session: Session, first: int, second: int) -> list[bytes]:
    return _in_one_query(session, lambda st: merkle.store_consistency_proof(st, first, second))
