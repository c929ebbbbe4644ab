"""SQL for witnessing: the heads to publish, each witness's cursor, the cosignatures.

Cursors only move forward (``advance`` ignores an older head), and a cosignature is stored
once per (head, witness), so publishers in several processes may overlap safely.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models.audit import TreeHead, WitnessCosignature, WitnessCursor


def cursor(session: Session, witness_key: str) -> tuple[int, int]:
    """(last head id given, size the witness last cosigned); (0, 0) for a new witness."""
    row = session.get(WitnessCursor, witness_key)
    return (0, 0) if row is None else (row.last_head_id, row.witness_size)


def next_head(session: Session, after_id: int) -> TreeHead | None:
    return session.execute(select(TreeHead).where(TreeHead.id > after_id)
                           .order_by(TreeHead.id).limit(1)).scalar_one_or_none()


def _row(session: Session, witness_key: str, now: datetime) -> WitnessCursor:
    row = session.get(WitnessCursor, witness_key, with_for_update=True)
    if row is None:
        row = WitnessCursor(witness_key=witness_key, last_head_id=0, witness_size=0,
                            failures=0, updated_at=now)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # another publisher created it first
            row = session.get(WitnessCursor, witness_key, with_for_update=True,
                              populate_existing=True)
            assert row is not None
    return row


def advance(session: Session, witness_key: str, head_id: int, size: int,
            now: datetime) -> None:
    """The witness has (or has a later one than) head ``head_id`` of ``size``."""
    row = _row(session, witness_key, now)
    row.last_head_id = max(row.last_head_id, head_id)
    row.witness_size = max(row.witness_size, size)
    row.failures, row.last_error, row.updated_at = 0, None, now


def set_witness_size(session: Session, witness_key: str, size: int, now: datetime) -> None:
    """What the witness says it last cosigned (its 409 answer)."""
    row = _row(session, witness_key, now)
    row.witness_size, row.updated_at = size, now


def record_failure(session: Session, witness_key: str, code: str, now: datetime) -> int:
    row = _row(session, witness_key, now)
    row.failures += 1
    row.last_error, row.updated_at = code[:40], now
    return row.failures


def add_cosignature(session: Session, *, head: TreeHead, witness_key: str, line: str,
                    cosigned_at: datetime, now: datetime) -> None:
    exists = session.execute(select(WitnessCosignature.id).where(
        WitnessCosignature.tree_head_id == head.id,
        WitnessCosignature.witness_key == witness_key)).first()
    if exists:
        return
    try:
        with session.begin_nested():
            session.add(WitnessCosignature(
                tree_head_id=head.id, witness_key=witness_key, tree_size=head.tree_size,
                cosigned_at=cosigned_at, signature_line=line, received_at=now))
    except IntegrityError:
        pass  # stored meanwhile by another publisher: the same statement, kept once


def latest_witnessed(session: Session) -> tuple[TreeHead, list[str]] | None:
    """The newest head at least one witness cosigned, with every cosignature line of it."""
    head_id = session.execute(select(func.max(WitnessCosignature.tree_head_id))
                              ).scalar_one_or_none()
    if head_id is None:
        return None
    head = session.get(TreeHead, head_id)
    if head is None:
        return None
    lines = session.execute(select(WitnessCosignature.signature_line)
                            .where(WitnessCosignature.tree_head_id == head_id)
                            .order_by(WitnessCosignature.id)).scalars()
    return head, list(lines)

