"""``record()``: the one way to append an audit event.

Invariants:
- The event is written in the caller's transaction, to the pending queue: no action
  commits without its event, and a rolled-back action leaves no event. Refusals use
  ``record_denied``, which survives the rollback of the failed request (see
  ``app.db.defer_after_rollback``).
- Recording takes no shared lock: the sequencer (``app.audit.sequencer``) gives committed
  events their gapless leaf indices, in batches, and signs the tree heads. Callers that need
  the event's proof at once call ``sequencer.sequence_in`` in the same transaction.
- ``details`` holds ids, actions, codes, designations, hashes and sizes only (checked
  against an allow-list in ``app.audit.entry``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from app.audit import repository
from app.audit.entry import AuditDetailError, clean_details
from app.audit.sequencer import mark_pending
from app.context import Actor, CaseContext, Principal
from app.db import defer_after_rollback
from app.models.base import utcnow
from app.observability import AUDIT_APPENDS

__all__ = ["AuditDetailError", "clean_details", "record", "record_denied"]


def _actor_fields(actor: Actor, party_id: uuid.UUID | None) -> dict[str, uuid.UUID | None]:
    if isinstance(actor, CaseContext):
        return {"case_id": actor.case_id, "actor_user_id": actor.user_id,
                "actor_party_id": party_id or actor.party_id}
    if isinstance(actor, Principal):
        return {"case_id": None, "actor_user_id": actor.user_id, "actor_party_id": party_id}
    return {"case_id": None, "actor_user_id": None, "actor_party_id": party_id}


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
) -> None:
    """Append one event to the pending queue in the current transaction.

    The event has no leaf index yet: the sequencer assigns one once the transaction has
    committed (within a second under load).
    """
    fields: dict[str, Any] = _actor_fields(ctx, party_id)
    if case_id is not None:
        fields["case_id"] = case_id
    fields.update(
        action=action, outcome=outcome, object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        details=clean_details(details),
    )
    repository.insert_pending(session, timestamp=utcnow(), fields=fields)
    mark_pending(session)
    AUDIT_APPENDS.inc()


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
