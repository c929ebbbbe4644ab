"""Posting a message to an ENE channel (joint or a party's caucus)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz import policy_ene as pol
from app.context import CaseContext
from app.ene import repository as repo
from app.ene.reads import (
    Loaded,
    channel_of,
    load,
    message_item,
    message_read,
    require_open,
)
from app.ene.schemas import (
    MessageCreate,
    MessageRead,
)
from app.ene.service.notices import sees_item, tell
from app.models.base import new_id
from app.models.ene import (
    MESSAGE_OBJECT,
    EneMessage,
)
from app.refusals import refuse_unless
from app.runtime import Services
from app.sealing import seal_bytes


def _author_role(loaded: Loaded, home: uuid.UUID | None) -> tuple[str, uuid.UUID | None]:
    if pol.is_evaluator(loaded.viewer, loaded.facts):
        return "neutral", None
    mine = pol.acting_parties(loaded.viewer, loaded.facts)
    party = home if home in mine else (next(iter(mine)) if len(mine) == 1 else None)
    roles = sorted(m.role.value for m in loaded.viewer.memberships
                   if m.party_id is not None and m.party_id == party)
    return (roles[0] if roles else "counsel"), party


def post_message(session: Session, ctx: CaseContext, svc: Services, *,
                 session_id: uuid.UUID, data: MessageCreate) -> MessageRead:
    action = "ene.message.post"
    home = channel_of(data.channel)
    loaded = load(session, ctx, session_id, action)
    decision = pol.can_use_channel(loaded.viewer, loaded.facts, home)
    refuse_unless(session, ctx, action, "ene_session", session_id, decision,
                  not_found_code="channel_not_found")
    require_open(session, ctx, loaded, action)
    role, party = _author_role(loaded, home)
    msg_id = new_id()
    sealed = seal_bytes(svc.key_provider, case_id=ctx.case_id, object_type=MESSAGE_OBJECT,
                        object_id=msg_id, plaintext=data.body.encode())
    msg = EneMessage(id=msg_id, session_id=session_id, case_id=ctx.case_id,
                     channel_party_id=home, author_user_id=ctx.user_id, author_role=role,
                     author_party_id=party, body_sealed=sealed, created_at=svc.now())
    repo.add(session, msg)
    record(session, ctx, action, "ene_message", msg.id,
           {"session_id": session_id, "channel": data.channel, "size": len(sealed)})
    tell(session, ctx, svc, kind="ene.message", object_type="ene_message", object_id=msg.id,
         session_id=session_id, may_see=sees_item(loaded.facts, message_item(msg, {})))
    return message_read(loaded, msg, svc, set())
