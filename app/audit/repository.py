"""SQL for the audit log. The counter row's UPDATE is the lock that orders appends."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.models.audit import AuditEvent, AuditLogState

STATE_ROW_ID = 1


def reserve_leaf_index(session: Session) -> int:
    """Take the next sequence number under the counter row's lock (released at commit)."""
    new_size = session.execute(
        update(AuditLogState)
        .where(AuditLogState.id == STATE_ROW_ID)
        .values(tree_size=AuditLogState.tree_size + 1)
        .returning(AuditLogState.tree_size)
    ).scalar_one()
    return int(new_size) - 1


def insert_event(
    session: Session, *, leaf_index: int, timestamp: datetime, entry: bytes, leaf_hash: bytes,
    fields: dict[str, Any],
) -> None:
    session.add(
        AuditEvent(
            leaf_index=leaf_index, timestamp=timestamp, entry=entry, leaf_hash=leaf_hash,
            **fields,
        )
    )
    session.flush()
