"""Releasing one message or statement to one more party, by its discloser's consent."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz import policy_ene as pol
from app.context import CaseContext
from app.ene import repository as repo
from app.ene.reads import (
    load,
    message_item,
    release_read,
    require_open,
    statement_item,
    visible_message,
    visible_statement,
)
from app.ene.schemas import (
    ReleaseRead,
)
from app.ene.service.notices import acts_for, tell
from app.models.ene import (
    EneRelease,
)
from app.refusals import refuse_unless
from app.runtime import Services


def release_item(session: Session, ctx: CaseContext, svc: Services, *, session_id: uuid.UUID,
                 item_type: str, item_id: uuid.UUID, to_party_id: uuid.UUID) -> ReleaseRead:
    """The disclosing party's consent to show exactly this item to exactly that party."""
    action = "ene.release"
    loaded = load(session, ctx, session_id, action, lock=True)
    if item_type == "message":
        msg, released = visible_message(session, ctx, loaded, item_id, action)
        item = message_item(msg, {item_id: released})
    else:
        st, released = visible_statement(session, ctx, loaded, item_id, action)
        item = statement_item(st, {item_id: released})
    decision = pol.can_release(loaded.viewer, loaded.facts, item, to_party_id)
    refuse_unless(session, ctx, action, f"ene_{item_type}", item_id, decision,
                  not_found_code=f"{item_type}_not_found")
    require_open(session, ctx, loaded, action)
    assert item.home_party_id is not None
    rel = EneRelease(session_id=session_id, case_id=ctx.case_id, item_type=item_type,
                     item_id=item_id, from_party_id=item.home_party_id,
                     to_party_id=to_party_id, released_by=ctx.user_id, created_at=svc.now())
    repo.add(session, rel)
    record(session, ctx, action, f"ene_{item_type}", item_id,
           {"session_id": session_id, "item_type": item_type, f"{item_type}_id": item_id,
            "from_party_id": item.home_party_id, "to_party_id": to_party_id})
    tell(session, ctx, svc, kind="ene.released", object_type=f"ene_{item_type}",
         object_id=item_id, session_id=session_id, may_see=acts_for(loaded.facts, {to_party_id}))
    return release_read(rel)
