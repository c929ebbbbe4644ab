"""The append-only audit log: one row per event, sequence numbers without gaps.

Rows hold ids, actions and outcomes only: never content. ``entry`` is the canonical JSON
leaf that the log's hashes cover; the other columns are a queryable copy of it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_case_leaf", "case_id", "leaf_index"),)

    leaf_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    timestamp: Mapped[datetime]
    case_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    actor_party_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    action: Mapped[str] = mapped_column(String(80))
    outcome: Mapped[str] = mapped_column(String(20))  # ok | denied
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64), default=None)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    entry: Mapped[bytes] = mapped_column(LargeBinary)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditLogState(Base):
    """A single row; updating it serialises appends, so sequence numbers have no gaps."""

    __tablename__ = "audit_log_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    tree_size: Mapped[int] = mapped_column(BigInteger, default=0)
