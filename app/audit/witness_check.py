"""``audit verify`` against a witness's own record of the log (c2sp.org/tlog-witness).

Signed heads in the database prove nothing against whoever can rewrite the database: an
insider can truncate the log and delete the later heads, or rewrite history and delete
every head. The witness keeps, outside the database and under its own key, the latest
checkpoint it cosigned after checking that it extends every earlier one. So the log must
hold at least that many entries, its first ``size`` entries must hash to that root, and
the head itself must still be among the stored heads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.audit import TreeHead
from crypto import signing
from crypto import witness as wire


@dataclass(frozen=True)
class WitnessRecord:
    """What one witness said: its cosigner verifier key and the checkpoint it serves (None:
    it never cosigned this log)."""

    verifier_key: str
    note: str | None


Fail = Callable[[int | None, str], None]


def check_witness(session: Session, record: WitnessRecord, *, origin: str, entries: int,
                  heads: int, root_at: Callable[[int], bytes], fail: Fail) -> str | None:
    """Check the log against one witness; return a line for the report when it holds."""
    name, _ = wire.parse_cosigner_verifier_key(record.verifier_key)
    if record.note is None:
        if heads:
            fail(None, f"witness {name} has no checkpoint of this log although {heads} tree "
                       "heads were signed (never published, or its record is elsewhere)")
            return None
        return f"witness {name}: nothing cosigned yet, and no head to cosign"
    try:
        timestamp = wire.verify_cosignature(record.note, record.verifier_key)
        text, _ = signing.split_note(record.note)
        checkpoint = wire.parse_checkpoint_text(text)
    except signing.InvalidSignature:
        fail(None, f"witness {name}: its checkpoint carries no valid cosignature by its key")
        return None
    when = datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")
    size, root = checkpoint.tree_size, checkpoint.root_hash
    if checkpoint.origin != origin:
        fail(None, f"witness {name}: its checkpoint is of another log ({checkpoint.origin})")
    elif size > entries:
        fail(entries, f"witness {name} cosigned {size} entries at {when}; the log holds "
                      f"{entries}: entries {entries}..{size - 1} were deleted")
    elif root_at(size) != root:
        fail(None, f"witness {name} cosigned a different root for the first {size} entries "
                   f"at {when}: history was rewritten")
    elif not _head_stored(session, size, root):
        fail(None, f"witness {name} cosigned the head of size {size} at {when}, but it is "
                   "no longer among the stored tree heads (heads were deleted)")
    else:
        return f"witness {name} cosigned size {size} at {when}; the log extends it"
    return None


def _head_stored(session: Session, size: int, root: bytes) -> bool:
    roots = session.execute(select(TreeHead.root_hash).where(TreeHead.tree_size == size)
                            ).scalars()
    return any(bytes(r) == root for r in roots)
