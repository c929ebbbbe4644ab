"""Idempotency-Key: a retried request returns the first successful answer, once.

Only successes are stored: a failed request rolls back its transaction, so a retry runs
again. The caller must hold the row lock of the object the request changes before calling
``replay`` so that two concurrent retries with one key serialise on it and the second sees
the first's stored answer. The stored body can carry offer content, so it is sealed.
A key reused for a different request is refused (422 ``idempotency_key_reused``). Requests
that change different objects do not serialise on one lock: two of them sent with one key
at once both find no stored answer and meet at the key's unique index, where the later
one is refused (409 ``idempotency_key_in_use``) and its change rolled back.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.context import CaseContext
from app.errors import Conflict, Invalid
from app.models.offers import IDEMPOTENT_OBJECT_TYPE, IdempotentResponse
from app.refusals import refuse
from app.runtime import Services
from app.sealing import open_json, seal_json
from crypto.canonical import canonical_json


class IdempotencyKeyReused(Invalid):
    code = "idempotency_key_reused"


class IdempotencyKeyInUse(Conflict):
    code = "idempotency_key_in_use"


def fingerprint(action: str, object_id: uuid.UUID, body: dict[str, Any]) -> str:
    doc = {"action": action, "object_id": str(object_id), "body": body}
    return hashlib.sha256(canonical_json(doc)).hexdigest()


def replay(session: Session, ctx: CaseContext, svc: Services, *, key: str | None,
           request_sha256: str) -> dict[str, Any] | None:
    if key is None:
        return None
    row = session.execute(select(IdempotentResponse).where(
        IdempotentResponse.user_id == ctx.user_id, IdempotentResponse.key == key)
    ).scalar_one_or_none()
    if row is None:
        return None
    if row.request_sha256 != request_sha256 or row.case_id != ctx.case_id:
        raise IdempotencyKeyReused("This Idempotency-Key was used for a different request.")
    body: dict[str, Any] = open_json(svc.key_provider, row.body, case_id=row.case_id,
                                     object_type=IDEMPOTENT_OBJECT_TYPE, object_id=row.id)
    return body


def remember(session: Session, ctx: CaseContext, svc: Services, *, key: str | None,
             request_sha256: str, status_code: int, body: dict[str, Any], action: str,
             object_type: str, object_id: uuid.UUID) -> None:
    """Store the answer under ``key``; ``action`` on the object is refused (and rolled
    back) if a concurrent request stored the key first."""
    if key is None:
        return
    row_id = uuid.uuid4()
    blob = seal_json(svc.key_provider, body, case_id=ctx.case_id,
                     object_type=IDEMPOTENT_OBJECT_TYPE, object_id=row_id)
    try:
        # A savepoint: the unique violation must leave the session usable for the refusal.
        with session.begin_nested():
            session.add(IdempotentResponse(
                id=row_id, user_id=ctx.user_id, key=key, case_id=ctx.case_id,
                request_sha256=request_sha256, status_code=status_code, body=blob,
                created_at=svc.now(),
            ))
    except IntegrityError:
        refuse(session, ctx, action, object_type, object_id, IdempotencyKeyInUse(
            "This Idempotency-Key is in use by another request; send a new key with a "
            "different request."))
