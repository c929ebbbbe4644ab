"""Events as served and shown: read from their hashed entries, proven against a signed head.

Threat: an insider with database rights (a superuser, who can bypass the append-only
triggers) edits the queryable columns of ``audit_events`` (actor, timestamp, details,
outcome...) to re-attribute a download or rewrite a denial reason. Those columns are copies
that no hash covers. So what the API and the audit page show comes from the entry alone,
and every entry shown is checked here, on each request:

- it names the leaf it is stored at and the case it is listed under;
- its leaf hash, recomputed from the entry (never the stored ``leaf_hash``), is included
  in the latest tree head signed by this service's own key (the key it signs with, not
  one read from the database, where a forged key and head could be inserted).

An event sequenced after that head is served from its entry with ``verified`` false (the
next head covers it within the head interval). Any failed check refuses the whole answer
with ``audit_log_damaged`` (409): a tampered event is never shown as authentic, and the
operator runs ``settleroom audit verify --deep`` to find every damaged leaf.

The columns still choose which rows to look at (case and leaf order); a row whose
``case_id`` column was edited to hide it from its case leaves a gap in the case's event
numbers (``case_seq``), which the served events carry.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import log
from app.audit.entry import Entry, EntryError, parse_entry
from app.audit.schemas import AuditEventRead
from app.errors import Conflict
from app.models.audit import AuditEvent, TreeHead
from crypto import merkle, signing

logger = logging.getLogger("settleroom.audit")

# Plain content digests that events written before keyed hashes (``terms_mac``,
# ``content_mac``) still hold: the log is append-only and hashed, so they stay in the
# entries, but the events served to overseers (API and audit page) leave them out.
LEGACY_PLAIN_DIGESTS = frozenset({"terms_sha256", "sha256"})


class AuditLogDamaged(Conflict):
    code, title = "audit_log_damaged", "The audit log fails verification"


def _damaged(leaf: int, why: str) -> AuditLogDamaged:
    # Ids, positions and fixed reasons only: no entry text reaches the log or the answer.
    logger.error("audit log damaged at leaf %d: %s", leaf, why)
    return AuditLogDamaged(
        f"The audit log fails verification at leaf {leaf} ({why}): its events cannot be "
        "shown as authentic. The operator should run `settleroom audit verify --deep`.",
        extra={"leaf_index": leaf})


def trusted_head(session: Session, signer: log.LogSigner) -> TreeHead | None:
    """The latest head signed by this service's key, its signature checked with that key;
    None if it has signed none yet (a new key: its first head comes with the next event)."""
    public = signer.key.public_key()
    head = session.execute(
        select(TreeHead).where(TreeHead.key_id == signing.key_id(public))
        .order_by(TreeHead.id.desc()).limit(1)
    ).scalar_one_or_none()
    if head is None:
        return None
    try:
        signing.verify_tree_head(signing.TreeHead(
            head.tree_size, head.root_hash, head.timestamp_ms, head.key_id, head.signature),
            public)
    except signing.InvalidSignature:
        raise _damaged(head.tree_size, f"tree head #{head.id} does not verify") from None
    return head


def _entry_of(row: AuditEvent, case_id: uuid.UUID | None) -> Entry:
    try:
        parsed = parse_entry(bytes(row.entry))
    except EntryError as exc:
        raise _damaged(row.leaf_index, str(exc)) from None
    if parsed.leaf_index != row.leaf_index:
        raise _damaged(row.leaf_index, "the entry names another leaf")
    if case_id is not None and parsed.case_id != case_id:
        raise _damaged(row.leaf_index, "the entry names another case")
    return parsed


def _check_included(session: Session, rows: Sequence[AuditEvent], head: TreeHead) -> None:
    covered = [r for r in rows if r.leaf_index < head.tree_size]
    try:
        proofs = log.inclusion_proofs(session, [r.leaf_index for r in covered],
                                      head.tree_size)
    except LookupError:
        raise _damaged(covered[0].leaf_index, "a subtree hash is missing") from None
    for row in covered:
        try:
            merkle.verify_inclusion(merkle.leaf_hash(bytes(row.entry)), row.leaf_index,
                                    head.tree_size, proofs[row.leaf_index], head.root_hash)
        except merkle.ProofError:
            raise _damaged(row.leaf_index, "the entry is not in the tree head signed by "
                           "this service; it or a subtree hash was edited") from None


def _read(parsed: Entry, verified: bool) -> AuditEventRead:
    details = {k: v for k, v in parsed.details.items() if k not in LEGACY_PLAIN_DIGESTS}
    return AuditEventRead(
        leaf_index=parsed.leaf_index, timestamp=parsed.timestamp, case_id=parsed.case_id,
        case_seq=parsed.case_seq, actor_user_id=parsed.actor_user_id,
        actor_party_id=parsed.actor_party_id, action=parsed.action, outcome=parsed.outcome,
        object_type=parsed.object_type, object_id=parsed.object_id, details=details,
        verified=verified)


def authentic_events(session: Session, signer: log.LogSigner, rows: Sequence[AuditEvent], *,
                     case_id: uuid.UUID | None) -> list[AuditEventRead]:
    """``rows`` as their entries say, each proven against the trusted head when it covers
    it; raises ``AuditLogDamaged`` if any entry fails (see the module docstring)."""
    parsed = [_entry_of(row, case_id) for row in rows]
    head = trusted_head(session, signer) if rows else None
    if head is not None:
        _check_included(session, rows, head)
    size = 0 if head is None else head.tree_size
    return [_read(p, p.leaf_index < size) for p in parsed]


def authentic_case_id(event: AuditEvent) -> uuid.UUID | None:
    """The case an event belongs to, as its entry says (who may see its proof)."""
    return _entry_of(event, None).case_id
