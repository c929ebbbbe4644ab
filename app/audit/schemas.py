import uuid
from datetime import datetime
from typing import Any

from app.kernel.schemas import Schema


class TreeHeadRead(Schema):
    tree_size: int
    root_hash: str
    timestamp: datetime
    signature: str
    key_id: str
    algorithm: str = "Ed25519"
    checkpoint: str


class PublicKeyRead(Schema):
    key_id: str
    algorithm: str
    public_key_pem: str
    note_verifier_key: str


class AuditEventRead(Schema):
    """An event as its hashed entry says (``app.audit.authentic``)."""

    leaf_index: int
    timestamp: datetime
    case_id: uuid.UUID | None
    # The event's number within its case (1, 2, 3...): a gap means a missing event. None for
    # events logged before the counter existed.
    case_seq: int | None
    actor_user_id: uuid.UUID | None
    actor_party_id: uuid.UUID | None
    action: str
    outcome: str
    object_type: str
    object_id: str | None
    details: dict[str, Any]
    # True when this answer checked the entry's inclusion in the latest tree head signed by
    # the service's key; False for an event sequenced after that head.
    verified: bool


class InclusionProofRead(Schema):
    leaf_index: int
    tree_size: int
    leaf_hash: str
    proof: list[str]


class ConsistencyProofRead(Schema):
    first: int
    second: int
    proof: list[str]
