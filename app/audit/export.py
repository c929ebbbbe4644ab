"""Building a case's audit bundle (see ``bundle.py`` for the format and its checks)."""

from __future__ import annotations

import base64

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import log, sequencer
from app.audit.bundle import BUNDLE_FORMAT
from app.audit.queries import public_keys
from app.audit.service import record
from app.context import CaseContext
from app.models.audit import AuditEvent
from app.models.base import utcnow
from crypto import signing
from crypto.canonical import canonical_json


def build_bundle(session: Session, ctx: CaseContext, signer: log.LogSigner) -> bytes:
    record(session, ctx, "audit.export", "case", ctx.case_id)
    # Sequence in this transaction: the head covers every event of the case, the export
    # event itself included.
    head = sequencer.head_covering_all(session, signer)
    events = session.execute(
        select(AuditEvent.leaf_index, AuditEvent.entry)
        .where(AuditEvent.case_id == ctx.case_id, AuditEvent.leaf_index < head.tree_size)
        .order_by(AuditEvent.leaf_index)
    ).all()
    payload = {
        "format": BUNDLE_FORMAT,
        "origin": signer.origin,
        "case_id": str(ctx.case_id),
        "exported_at": utcnow().isoformat().replace("+00:00", "Z"),
        "tree_head": {
            "tree_size": head.tree_size, "root_hash": head.root_hash.hex(),
            "timestamp_ms": head.timestamp_ms, "key_id": head.key_id,
            "signature": base64.b64encode(head.signature).decode(),
            "checkpoint": head.checkpoint,
        },
        "public_keys": [k.model_dump() for k in public_keys(session)],
        "events": [
            {
                "leaf_index": index,
                "entry": bytes(entry).decode(),
                "inclusion_proof": [p.hex() for p in
                                    log.inclusion_proof(session, index, head.tree_size)],
            }
            for index, entry in events
        ],
    }
    return canonical_json(signing.sign_document(payload, signer.key))
