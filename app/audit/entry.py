"""The content of an audit event: allow-listed details and the canonical leaf entry.

Invariants:
- ``details`` holds ids, actions, codes, designations, hashes and sizes only. Keys are
  checked against an allow-list and values must be short scalars, so content (amounts,
  terms, bodies, filenames, document text) cannot slip in by accident.
- a hash of confidential content is keyed per case (``terms_mac``, ``content_mac``, see
  ``app.sealing.content_mac``): the readers of audit events may not see the content, and a
  plain SHA-256 would let them confirm guesses of it. There is no key for a plain
  ``sha256`` or ``terms_sha256`` here, so one cannot be written by mistake.
- The leaf entry is canonical JSON (sorted keys, no spaces) naming its own leaf index, so
  an entry moved to another position no longer verifies. It is built by the sequencer,
  the only code that knows the index.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from crypto.canonical import canonical_json

ENTRY_FORMAT = 1
MAX_DETAIL_STRING = 100
DETAIL_KEYS = frozenset(
    {
        "reason", "role", "party_id", "user_id", "member_id", "claim_id", "designation",
        "status", "version", "size", "content_mac", "terms_mac", "kek_version", "channel",
        "to_party_id", "from_party_id", "offer_id", "replies_to", "method", "count",
        "download_id", "document_id", "session_id", "statement_id", "message_id", "outcome",
        "verdict", "matches", "permission", "layers", "media_type", "fields", "key_id",
        "tree_size", "fingerprints", "idempotent_replay", "offeree_party_ids", "served_at",
        "evidence_sha256", "trace_id", "case_id", "totp", "family_id",
        "late", "item_type", "party_ids", "detector_errors", "error_kinds",
        "offer_ids", "document_ids", "message_ids", "statement_ids",
        "district", "closure_date", "kind",
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
