"""The one refusal path: every refused attempt is audited, then answered by its kind.

A refusal is either a ``Denial`` from the pure policy layer (its ``kind`` says how it is
answered) or a domain ``AppError`` (its class says so). ``refuse`` records the attempt with
``record_denied`` (the event survives the request's rollback) and raises the error, so no
caller can audit without refusing or refuse without auditing.

Invariants:
- an object the caller may not see is answered exactly like an unknown id: 404 with the
  object's own not-found code, audited with the one reason ``not_visible``;
- the audit event holds the action, the object's type and id and the reason code only,
  never the denial's message (messages are for people and may name what was asked for).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, NoReturn

from sqlalchemy.orm import Session

from app.audit.service import record_denied
from app.authz.policy import NOT_VISIBLE, Denial, DenialKind
from app.context import Actor
from app.errors import AppError, Conflict, Forbidden, Gone, Invalid, NotFound

_ERROR_OF_KIND: dict[DenialKind, type[AppError]] = {
    DenialKind.NOT_VISIBLE: NotFound,
    DenialKind.NOT_ALLOWED: Forbidden,
    DenialKind.INVALID: Invalid,
    DenialKind.CONFLICT: Conflict,
    DenialKind.DESTROYED: Gone,
}

# The 404 code an invisible object of each type answers with (the API's stable codes).
NOT_FOUND_CODES: dict[str, str] = {
    "case": "case_not_found",
    "member": "member_not_found",
    "settlement_offer": "offer_not_found",
    "rule68_offer": "offer_not_found",
    "document": "document_not_found",
    "ene_session": "session_not_found",
    "audit_event": "event_not_found",
}


def error_of(denial: Denial, object_type: str, not_found_code: str | None = None) -> AppError:
    """The error a denial is answered with (no audit: callers use ``refuse``)."""
    if denial.kind is DenialKind.NOT_VISIBLE:
        return NotFound(denial.detail,
                        code=not_found_code or NOT_FOUND_CODES.get(object_type, "not_found"))
    return _ERROR_OF_KIND[denial.kind](denial.detail, code=denial.code)


def refuse(
    session: Session,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: uuid.UUID | str | None,
    reason: Denial | AppError,
    *,
    not_found_code: str | None = None,
    details: Mapping[str, Any] | None = None,
    case_id: uuid.UUID | None = None,
    audit_reason: str | None = None,
) -> NoReturn:
    """Audit the refused attempt and raise the error that answers it.

    ``audit_reason`` is for refusals whose answer must say less than the record: a failed
    sign-in tells the caller only that it failed, the audit log says why.
    """
    if isinstance(reason, Denial):
        error = error_of(reason, object_type, not_found_code)
        code = NOT_VISIBLE if reason.kind is DenialKind.NOT_VISIBLE else reason.code
    else:
        error, code = reason, reason.code
    record_denied(session, actor, action, object_type, object_id, audit_reason or code,
                  details, case_id=case_id)
    raise error


def refuse_unless(
    session: Session,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: uuid.UUID | str | None,
    decision: bool | Denial,
    **kwargs: Any,
) -> None:
    """``refuse`` when a policy decision is a denial; nothing otherwise."""
    if isinstance(decision, Denial):
        refuse(session, actor, action, object_type, object_id, decision, **kwargs)
