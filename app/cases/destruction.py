"""Crypto-shredding a case.

Order matters because key destruction cannot be rolled back: the database work is done
and flushed first, then every KEK version is destroyed in the key provider and checked
gone, then the ciphertext blobs are deleted (already unreadable: deleting them is
hygiene, not the guarantee), then the certificate is signed. If the commit fails after
the keys are gone, a retry completes the destruction (destroying keys is idempotent and
returns the same fingerprints). The audit log keeps every event: it never held content.
"""

from __future__ import annotations

import base64
import logging
import uuid

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from app.audit import sequencer
from app.audit.service import record
from app.blobs import BlobStoreUnavailable
from app.cases import repository as repo
from app.cases.certificate import make_certificate
from app.context import CaseContext
from app.errors import Invalid
from app.models.cases import CaseDestruction
from app.refusals import refuse
from app.runtime import Services
from app.sealing import KEYED_TABLES, SEALED_COLUMNS, IntegrityFailure

logger = logging.getLogger("settleroom.cases")


def _erase_sealed(session: Session, ctx: CaseContext) -> None:
    """Overwrite every sealed value of the case: the wrapped data keys go with them. Rows
    of values keyed by the case key (the trace index) are deleted."""
    for col in SEALED_COLUMNS:
        session.execute(
            update(col.model).where(col.model.case_id == ctx.case_id).values({col.column: b""})
        )
    for model in KEYED_TABLES:
        session.execute(delete(model).where(model.case_id == ctx.case_id))


def _delete_blobs(svc: Services, case_id: uuid.UUID) -> None:
    """Delete the case's ciphertext blobs, after its keys: crypto-shredding has already made
    them unreadable, so a store that cannot be reached now does not hold the destruction
    back. What it still holds is removed by ``settleroom blobs sweep``, which deletes the
    blobs of destroyed cases whatever their age."""
    try:
        svc.blob_store.delete_case(case_id)
    except BlobStoreUnavailable:
        logger.warning("case destruction: blobs left for the sweep (store unavailable)")


def destroy_case(session: Session, ctx: CaseContext, svc: Services, *,
                 confirm_caption: str) -> dict[str, object]:
    case = repo.lock_case(session, ctx.case_id)
    assert case is not None
    if confirm_caption != case.caption:
        refuse(session, ctx, "case.destroy", "case", case.id, Invalid(
            "confirm_caption does not match the case caption.", code="caption_mismatch"))
    now = svc.now()
    _erase_sealed(session, ctx)
    case.destroyed_at = now
    session.flush()
    case_key = str(case.id)
    fingerprints = svc.key_provider.destroy_case(case_key)
    if svc.key_provider.has_keys(case_key):
        raise IntegrityFailure("The key store still holds keys of this case.")
    _delete_blobs(svc, case.id)
    svc.originals.drop_case(case.id)  # decrypted originals and all derived from them
    record(session, ctx, "case.destroy", "case", case.id, {"fingerprints": fingerprints})
    # The certificate's head must cover the destruction event: sequence it now, in this
    # transaction (the sequencer lock is held until the destruction commits).
    head = sequencer.head_covering_all(session, svc.log_signer, now)
    certificate = make_certificate(
        svc.audit_key, case_id=case_key, destroyed_at=now.isoformat().replace("+00:00", "Z"),
        fingerprints=fingerprints,
        tree_head={"tree_size": head.tree_size, "root_hash": head.root_hash.hex(),
                   "timestamp_ms": head.timestamp_ms, "key_id": head.key_id,
                   "signature": base64.b64encode(head.signature).decode(),
                   "checkpoint": head.checkpoint},
    )
    session.add(CaseDestruction(case_id=case.id, destroyed_at=now, certificate=certificate))
    return certificate
