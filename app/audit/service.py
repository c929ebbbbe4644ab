"""``record()``: the one way to append an audit event.

Invariants:
- The event is written in the caller's transaction: no action commits without its event,
  and a rolled-back action leaves no event. Refusals use ``record_denied``, which survives
  the rollback of the failed request (see ``app.db.defer_after_rollback``).
- Sequence numbers come from one locked counter row, so they have no gaps.
- ``details`` holds ids, actions, codes, designations, hashes and sizes only. Keys are
  checked against an allow-list and values must be short scalars, so content (amounts,
  terms, bodies, filenames, document text) cannot slip in by accident.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.audit import log, repository
from app.context import Actor, CaseContext, Principal
from app.db import defer_after_rollback
from app.models.base import utcnow
from crypto.canonical import canonical_json
from crypto.merkle import leaf_hash

ENTRY_FORMAT = 1
SIGNER_KEY = "settleroom.log_signer"  # session.info entry holding the LogSigner
MAX_DETAIL_STRING = 100
DETAIL_KEYS = frozenset(
    {
        "reason", "role", "party_id", "user_id", "member_id", "claim_id", "designation",
        "status", "version", "size", "sha256", "terms_sha256", "kek_version", "channel",
        "to_party_id", "from_party_id", "offer_id", "replies_to", "method", "count",
        "download_id", "document_id", "session_id", "statement_id", "message_id", "outcome",
        "verdict", "matches", "permission", "layers", "media_type", "fields", "key_id",
        "tree_size", "fingerprints", "idempotent_replay", "offeree_party_ids", "served_at",
        "evidence_sha256", "trace_id", "case_id", "totp", "family_id",
        "late", "item_type", "party_ids",
    }
)


class AuditDetailError(ValueError):
    """A programming error: details would carry something that is not an id or a code."""


def _clean_value(key: str, value: Any) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        if len(value) > MAX_DETAIL_STRING:
            raise AuditDetailError(f"audit detail {key!r} is too long to be an id or code")
        return value
    if isinstance(value, list | tuple | set | frozenset):
        items = [_clean_value(key, v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    raise AuditDetailError(f"audit detail {key!r} has an unsupported type")


def clean_details(details: Mapping[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in (details or {}).items():
        if key not in DETAIL_KEYS:
            raise AuditDetailError(f"audit detail key {key!r} is not allowed")
        out[key] = _clean_value(key, value)
    return out


def _actor_fields(actor: Actor, party_id: uuid.UUID | None) -> dict[str, uuid.UUID | None]:
    if isinstance(actor, CaseContext):
        return {"case_id": actor.case_id, "actor_user_id": actor.user_id,
                "actor_party_id": party_id or actor.party_id}
    if isinstance(actor, Principal):
        return {"case_id": None, "actor_user_id": actor.user_id, "actor_party_id": party_id}
    return {"case_id": None, "actor_user_id": None, "actor_party_id": party_id}


def build_entry(
    leaf_index: int, timestamp: datetime, fields: Mapping[str, Any]
) -> bytes:
    """The canonical JSON leaf the Merkle log hashes (RFC 9162 entry)."""
    doc = {
        "v": ENTRY_FORMAT,
        "leaf_index": leaf_index,
        "timestamp": timestamp.isoformat().replace("+00:00", "Z"),
        **{k: (str(v) if isinstance(v, uuid.UUID) else v) for k, v in fields.items()},
    }
    return canonical_json(doc)


def record(
    session: Session,
    ctx: Actor,
    action: str,
    object_type: str,
    object_id: uuid.UUID | str | None,
    details: Mapping[str, Any] | None = None,
    *,
    outcome: str = "ok",
    party_id: uuid.UUID | None = None,
    case_id: uuid.UUID | None = None,
    sign_heads: bool = True,
) -> int:
    """Append one event in the current transaction and return its leaf index.

    The event's leaf is added to the Merkle tree in the same transaction; when the session
    carries a log signer and the latest signed head is older than its interval, a new
    head is signed too.
    """
    fields: dict[str, Any] = _actor_fields(ctx, party_id)
    if case_id is not None:
        fields["case_id"] = case_id
    fields.update(
        action=action, outcome=outcome, object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        details=clean_details(details),
    )
    timestamp = utcnow()
    index = repository.reserve_leaf_index(session)
    entry = build_entry(index, timestamp, fields)
    leaf = leaf_hash(entry)
    repository.insert_event(
        session, leaf_index=index, timestamp=timestamp, entry=entry, leaf_hash=leaf,
        fields=fields,
    )
    log.append_leaf_nodes(session, index, leaf)
    signer = session.info.get(SIGNER_KEY)
    if sign_heads and signer is not None:
        log.maybe_issue_head(session, signer, timestamp)
    return index


def record_denied(
    session: Session,
    ctx: Actor,
    action: str,
    object_type: str,
    object_id: uuid.UUID | str | None,
    reason: str,
    details: Mapping[str, Any] | None = None,
    *,
    case_id: uuid.UUID | None = None,
) -> None:
    """Record a refused attempt so that it persists even though the request fails."""
    merged = {**(details or {}), "reason": reason}
    clean_details(merged)  # fail now, in the caller, not after the rollback

    def write(s: Session) -> None:
        record(s, ctx, action, object_type, object_id, merged, outcome="denied", case_id=case_id)

    defer_after_rollback(session, write)
