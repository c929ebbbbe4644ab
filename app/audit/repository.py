"""SQL for the audit log: pending events, the sequencer's lock, batch appends, lookups.

Only the sequencer, holding ``lock_sequencer``, reads the pending queue for sequencing
and writes ``audit_events``, ``audit_subtrees``, ``tree_heads`` and the size row.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, exists, func, insert, select, update
from sqlalchemy.orm import Session

from app.models.audit import AuditEvent, AuditLogState, AuditPending

STATE_ROW_ID = 1
# The PostgreSQL advisory lock that elects the sequencer (any constant every process shares).
SEQUENCER_LOCK_KEY = 0x5E77_1E00_A0D1


def insert_pending(session: Session, *, timestamp: datetime, fields: dict[str, Any]) -> None:
    """One INSERT and no lock: concurrent actions do not wait for each other here."""
    session.execute(insert(AuditPending).values(timestamp=timestamp, **fields))


def lock_sequencer(session: Session, *, wait: bool) -> bool:
    """Take the sequencer lock for the rest of this transaction; False if ``wait`` is off and
    another transaction holds it.

    PostgreSQL: a transaction-scoped advisory lock, released by commit or rollback, so a
    crashed sequencer never keeps it. SQLite: every transaction begins IMMEDIATE (see
    ``app.db``) and so already holds the database's single write lock.
    """
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return True
    if wait:
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%(k)s)", {"k": SEQUENCER_LOCK_KEY})
        return True
    got = conn.exec_driver_sql("SELECT pg_try_advisory_xact_lock(%(k)s)",
                               {"k": SEQUENCER_LOCK_KEY}).scalar_one()
    return bool(got)


def tree_size(session: Session) -> int:
    return int(session.execute(
        select(AuditLogState.tree_size).where(AuditLogState.id == STATE_ROW_ID)
    ).scalar_one())


def set_tree_size(session: Session, size: int) -> None:
    session.execute(
        update(AuditLogState).where(AuditLogState.id == STATE_ROW_ID).values(tree_size=size)
    )


_PENDING_COLUMNS = (AuditPending.id, AuditPending.timestamp, AuditPending.case_id,
                    AuditPending.actor_user_id, AuditPending.actor_party_id,
                    AuditPending.action, AuditPending.outcome, AuditPending.object_type,
                    AuditPending.object_id, AuditPending.details)


def oldest_pending(session: Session, limit: int) -> Sequence[Row[Any]]:
    """Committed pending events (and this transaction's own), oldest id first."""
    return session.execute(
        select(*_PENDING_COLUMNS).order_by(AuditPending.id).limit(limit)
    ).all()


def has_pending(session: Session) -> bool:
    return bool(session.execute(select(exists().select_from(AuditPending))).scalar_one())


def count_pending(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(AuditPending)).scalar_one())


def insert_events(session: Session, rows: list[dict[str, Any]]) -> None:
    session.execute(insert(AuditEvent), rows)


def delete_pending(session: Session, ids: list[int]) -> None:
    """The database refuses this for an id whose sequenced copy is missing."""
    session.execute(delete(AuditPending).where(AuditPending.id.in_(ids)))


def leaf_indexes_of(session: Session, *, object_type: str, action: str,
                    object_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    """The leaf of each object's ``action`` event, for objects whose event is in the log."""
    if not object_ids:
        return {}
    rows = session.execute(
        select(AuditEvent.object_id, AuditEvent.leaf_index).where(
            AuditEvent.object_id.in_([str(i) for i in object_ids]),
            AuditEvent.object_type == object_type, AuditEvent.action == action)
    ).all()
    return {uuid.UUID(object_id): int(leaf) for object_id, leaf in rows}
