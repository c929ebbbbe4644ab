"""``settleroom keys rotate``: a new KEK version per case, every data key rewrapped.

Content is never re-encrypted: only the wrapped DEK in each sealed blob's header changes
(``crypto.envelope.rewrap``). The target version is recorded in ``key_rotations`` before
any blob is touched and blobs are rewrapped in committed batches, so a run killed midway
is resumed by running the command again: it finds the unfinished rotation, keeps its
target version, and rewraps what is left (rewrapping a current blob is a no-op).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.models.base import utcnow
from app.models.cases import Case, KeyRotation
from app.runtime import build_services
from app.sealing import SEALED_COLUMNS, SealedColumn
from crypto import envelope
from crypto.keys import KeyProvider

BATCH = 200
ProgressFactory = Callable[[int, str], Any]


def _start(session: Session, provider: KeyProvider, case_id: uuid.UUID) -> KeyRotation:
    pending = session.execute(
        select(KeyRotation).where(KeyRotation.case_id == case_id,
                                  KeyRotation.finished_at.is_(None))
    ).scalar_one_or_none()
    if pending is not None:
        return pending  # resume: same target version
    rotation = KeyRotation(case_id=case_id, target_version=provider.rotate_kek(str(case_id)),
                           started_at=utcnow())
    session.add(rotation)
    session.flush()
    return rotation


def _stale_rows(session: Session, col: SealedColumn, case_id: uuid.UUID,
                target: int) -> list[Any]:
    rows = session.execute(select(col.model).where(col.model.case_id == case_id)).scalars()
    out = []
    for row in rows:
        blob = getattr(row, col.column)
        if blob and envelope.header_info(blob).wrap_kek_version < target:
            out.append(row)
    return out


def _rewrap_case(factory: sessionmaker[Session], provider: KeyProvider, case_id: uuid.UUID,
                 target: int, progress: ProgressFactory) -> None:
    for col in SEALED_COLUMNS:
        with factory() as session:
            total = len(_stale_rows(session, col, case_id, target))
        with progress(total, f"{col.object_type} {case_id}") as bar:
            while True:
                with factory.begin() as session:
                    batch = _stale_rows(session, col, case_id, target)[:BATCH]
                    for row in batch:
                        setattr(row, col.column, envelope.rewrap(
                            provider, getattr(row, col.column), case_id=str(case_id),
                            object_type=col.object_type, object_id=str(col.object_id(row)),
                            content_version=col.version(row), new_version=target))
                if not batch:
                    break
                bar.update(len(batch))


def rotate(settings: Settings, factory: sessionmaker[Session], *, case_id: str | None,
           progress: ProgressFactory) -> int:
    """Rotate one case (``case_id``) or every live case; returns how many were rotated."""
    provider = build_services(settings).key_provider
    with factory() as session:
        stmt = select(Case.id).where(Case.destroyed_at.is_(None))
        if case_id is not None:
            stmt = stmt.where(Case.id == uuid.UUID(case_id))
        case_ids = list(session.execute(stmt).scalars())
    for cid in case_ids:
        with factory.begin() as session:
            target = _start(session, provider, cid).target_version
        _rewrap_case(factory, provider, cid, target, progress)
        with factory.begin() as session:
            for rotation in session.execute(select(KeyRotation).where(
                    KeyRotation.case_id == cid, KeyRotation.finished_at.is_(None))).scalars():
                rotation.finished_at = utcnow()
    return len(case_ids)
