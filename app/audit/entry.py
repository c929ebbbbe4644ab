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
- Format 2: an event of a case also names its number within the case (``case_seq``: 1, 2,
  3... in leaf order, without gaps), so a case's events read without the log around them
  (an exported bundle) show a missing event as a gap. Format 1 entries, written before the
  counter, have none; a case's first numbered event continues from the number of its
  format 1 events (``first_case_seq``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from crypto.canonical import canonical_json

ENTRY_FORMAT = 2
COUNTED_FORMAT = 2  # the first format whose case events carry ``case_seq``
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
        "district", "closure_date", "kind", "invitation_id", "via", "backdated",
        "order_id", "order_sha256", "acknowledgment_id", "challenge_id", "clawback_id",
        "entered_on", "due_on", "disposition", "replaces", "download_ids", "confidence",
        "pages", "ocr_pages",
        "folder_id", "production_id", "version_ids", "first_number", "last_number",
        "format", "folder_ids",
        "public_text_id", "public_text_sha256", "public_texts", "words",
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


def first_case_seq(uncounted_before: int) -> int:
    """The number of a case's first counted event: its uncounted (format 1) events come first
    and count too, so the numbers of a case's events are their ranks in leaf order."""
    return uncounted_before + 1


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


class EntryError(ValueError):
    """A stored entry is not an audit entry of any known format (it was tampered with)."""


@dataclass(frozen=True)
class Entry:
    """What a hashed entry says: the only authentic copy of an event. The ``audit_events``
    columns beside it are a queryable copy that an insider can edit without touching the
    hashes, so what is served, shown or checked is read from here."""

    v: int
    leaf_index: int
    timestamp: datetime
    case_id: uuid.UUID | None
    actor_user_id: uuid.UUID | None
    actor_party_id: uuid.UUID | None
    action: str
    outcome: str
    object_type: str
    object_id: str | None
    details: dict[str, Any]
    case_seq: int | None


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise EntryError(f"the entry's {name} is not an integer")
    return value


def _text(value: Any, name: str, *, optional: bool = False) -> Any:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise EntryError(f"the entry's {name} is not text")
    return value


def _id(value: Any, name: str) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(_text(value, name))


def parse_entry(entry: bytes) -> Entry:
    """The event an entry names. Raises ``EntryError`` for anything but a well-formed entry
    of format 1 or 2 (a format 2 event of a case without a positive ``case_seq`` too)."""
    try:
        doc = json.loads(entry)
        if not isinstance(doc, dict):
            raise EntryError("the entry is not an object")
        v = _int(doc.get("v"), "format")
        if v not in (1, ENTRY_FORMAT):
            raise EntryError(f"unknown entry format {v}")
        timestamp = datetime.fromisoformat(_text(doc.get("timestamp"), "timestamp"))
        if timestamp.tzinfo is None:
            raise EntryError("the entry's timestamp has no time zone")
        details = doc.get("details", {})
        if not isinstance(details, dict):
            raise EntryError("the entry's details are not an object")
        case_id = _id(doc.get("case_id"), "case_id")
        seq = doc.get("case_seq")
        if v >= COUNTED_FORMAT and case_id is not None:
            seq = _int(seq, "case_seq")
            if seq < 1:
                raise EntryError("the entry's case_seq is not positive")
        elif seq is not None:
            raise EntryError("the entry has a case_seq its format does not carry")
        return Entry(
            v=v, leaf_index=_int(doc.get("leaf_index"), "leaf_index"),
            timestamp=timestamp.astimezone(UTC), case_id=case_id,
            actor_user_id=_id(doc.get("actor_user_id"), "actor_user_id"),
            actor_party_id=_id(doc.get("actor_party_id"), "actor_party_id"),
            action=_text(doc.get("action"), "action"),
            outcome=_text(doc.get("outcome"), "outcome"),
            object_type=_text(doc.get("object_type"), "object_type"),
            object_id=_text(doc.get("object_id"), "object_id", optional=True),
            details=details, case_seq=seq,
        )
    except EntryError:
        raise
    except (ValueError, TypeError, AttributeError, UnicodeError):
        raise EntryError("the entry is malformed") from None
