"""ENE content: channel messages, written statements and releases by consent.

Threats: a party reading another party's caucus or unshared statement; the evaluator
relaying caucus content; content leaking through audit events, errors or the database.

Invariants:
- bodies are sealed under the case key, bound to (case, object type, row id, version),
  before the row is written; they are opened only after policy allowed the reader;
- whether an object exists is told only to those who may see it (404 otherwise);
- lists go through ``policy_ene.visible`` and nowhere else;
- a replaced statement stays in the history as its own sealed version;
- a release is one row per (item, party), never updated or deleted.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz import policy_ene as pol
from app.context import CaseContext
from app.ene import repository as repo
from app.ene.rules import EneRuleError, channel_name, is_late, parse_channel
from app.ene.schemas import (
    MessageCreate,
    MessageRead,
    ReleaseRead,
    StatementCreate,
    StatementRead,
)
from app.ene.service import Loaded, load, require_open
from app.errors import Invalid
from app.models.base import new_id
from app.models.ene import (
    MESSAGE_OBJECT,
    STATEMENT_OBJECT,
    EneMessage,
    EneRelease,
    EneStatement,
)
from app.refusals import refuse
from app.runtime import Services
from app.sealing import open_bytes, seal_bytes

R = TypeVar("R", EneMessage, EneStatement)
Released = dict[uuid.UUID, set[uuid.UUID]]  # item id -> parties it was released to


def _channel(channel: str) -> uuid.UUID | None:
    try:
        return parse_channel(channel)
    except EneRuleError as exc:
        raise Invalid(str(exc), code=exc.code) from None


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
    home = _channel(data.channel)
    loaded = load(session, ctx, session_id, action)
    decision = pol.can_use_channel(loaded.viewer, loaded.facts, home)
    if not decision:
        refuse(session, ctx, action, "ene_session", session_id, decision,
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
    return _message_read(loaded, msg, svc, set())


def _message_item(msg: EneMessage, released: dict[uuid.UUID, set[uuid.UUID]]) -> pol.Item:
    return pol.Item(home_party_id=msg.channel_party_id,
                    released_to=frozenset(released.get(msg.id, ())))


def _message_read(loaded: Loaded, msg: EneMessage, svc: Services,
                  released: set[uuid.UUID]) -> MessageRead:
    body = open_bytes(svc.key_provider, msg.body_sealed, case_id=msg.case_id,
                      object_type=MESSAGE_OBJECT, object_id=msg.id).decode()
    return MessageRead(
        id=msg.id, session_id=msg.session_id, channel=channel_name(msg.channel_party_id),
        author_user_id=msg.author_user_id, author_role=msg.author_role,  # type: ignore[arg-type]
        author_party_id=msg.author_party_id, body=body, created_at=msg.created_at,
        released_to_party_ids=pol.visible_releases(
            loaded.viewer, loaded.facts, msg.channel_party_id, released))


def _shown_messages(session: Session, loaded: Loaded, svc: Services, *,
                    channel: str | None, home: uuid.UUID | None) -> list[MessageRead]:
    released = repo.releases_of(session, loaded.row.id, "message")
    rows = repo.list_messages(session, loaded.row.id, channel_known=channel is not None,
                              home=home)
    shown = pol.visible(loaded.viewer, loaded.facts, rows, lambda m: _message_item(m, released))
    return [_message_read(loaded, m, svc, released.get(m.id, set())) for m in shown]


def list_messages(session: Session, ctx: CaseContext, svc: Services, *,
                  session_id: uuid.UUID, channel: str | None) -> list[MessageRead]:
    """The caller's visible messages, of one channel or of all. A channel the caller can
    neither use nor holds a release from answers 404, like a channel that does not exist."""
    action = "ene.message.read"
    home = _channel(channel) if channel is not None else None
    loaded = load(session, ctx, session_id, action)
    shown = _shown_messages(session, loaded, svc, channel=channel, home=home)
    if channel is not None and not shown:
        decision = pol.can_use_channel(loaded.viewer, loaded.facts, home)
        if not decision:
            refuse(session, ctx, action, "ene_session", session_id, decision,
                   not_found_code="channel_not_found")
    record(session, ctx, action, "ene_session", session_id,
           {"session_id": session_id, "channel": channel, "count": len(shown),
            "message_ids": [m.id for m in shown]})
    return shown


def get_message(session: Session, ctx: CaseContext, svc: Services, *,
                session_id: uuid.UUID, message_id: uuid.UUID) -> MessageRead:
    action = "ene.message.read"
    loaded = load(session, ctx, session_id, action)
    msg, released = _visible_message(session, ctx, loaded, message_id, action)
    record(session, ctx, action, "ene_message", message_id,
           {"session_id": session_id, "message_id": message_id})
    return _message_read(loaded, msg, svc, released)


def _visible(session: Session, ctx: CaseContext, loaded: Loaded, item_type: str,
             row: R | None, item_id: uuid.UUID, to_item: Callable[[R, Released], pol.Item],
             action: str) -> tuple[R, set[uuid.UUID]]:
    """``row`` (a message or statement of this session, or None) if the viewer may see it,
    with the parties it was released to; otherwise the refusal (404 before 403, audited)."""
    released = repo.releases_of(session, loaded.row.id, item_type)
    decision = (pol.can_see_item(loaded.viewer, loaded.facts, to_item(row, released))
                if row is not None else pol.Denial.not_visible(f"No such {item_type}."))
    if row is None or not decision:
        refuse(session, ctx, action, f"ene_{item_type}", item_id, decision,  # type: ignore[arg-type]
               not_found_code=f"{item_type}_not_found")
    assert row is not None
    return row, released.get(item_id, set())


def _visible_message(session: Session, ctx: CaseContext, loaded: Loaded,
                     message_id: uuid.UUID, action: str) -> tuple[EneMessage, set[uuid.UUID]]:
    return _visible(session, ctx, loaded, "message",
                    repo.get_message(session, loaded.row.id, message_id), message_id,
                    _message_item, action)


def submit_statement(session: Session, ctx: CaseContext, svc: Services, *,
                     session_id: uuid.UUID, data: StatementCreate) -> StatementRead:
    """A new version of the party's statement; the previous one stays, marked superseded."""
    action = "ene.statement.submit"
    loaded = load(session, ctx, session_id, action, lock=True)
    decision = pol.can_submit_statement(loaded.viewer, loaded.facts, data.party_id)
    if not decision:
        refuse(session, ctx, action, "ene_session", session_id, decision,
               not_found_code="session_not_found")
    require_open(session, ctx, loaded, action)
    now = svc.now()
    previous = repo.current_statement(session, session_id, data.party_id)
    version = 1 if previous is None else previous.version + 1
    if previous is not None:
        previous.superseded_at = now
    st_id = new_id()
    sealed = seal_bytes(svc.key_provider, case_id=ctx.case_id, object_type=STATEMENT_OBJECT,
                        object_id=st_id, plaintext=data.body.encode(), version=version)
    late = is_late(now, loaded.row.statement_due_at)
    st = EneStatement(id=st_id, session_id=session_id, case_id=ctx.case_id,
                      party_id=data.party_id, version=version, late=late,
                      shared_with_parties=data.share_with_parties, submitted_by=ctx.user_id,
                      body_sealed=sealed, created_at=now)
    repo.add(session, st)
    record(session, ctx, action, "ene_statement", st.id,
           {"session_id": session_id, "statement_id": st.id, "party_id": data.party_id,
            "version": version, "late": late, "size": len(sealed)})
    return _statement_read(loaded, st, svc, set(), current=True)


def _statement_item(st: EneStatement, released: dict[uuid.UUID, set[uuid.UUID]]) -> pol.Item:
    return pol.Item(home_party_id=st.party_id, shared=st.shared_with_parties,
                    released_to=frozenset(released.get(st.id, ())))


def _statement_read(loaded: Loaded, st: EneStatement, svc: Services,
                    released: set[uuid.UUID], *, current: bool) -> StatementRead:
    body = open_bytes(svc.key_provider, st.body_sealed, case_id=st.case_id,
                      object_type=STATEMENT_OBJECT, object_id=st.id, version=st.version)
    return StatementRead(
        id=st.id, session_id=st.session_id, party_id=st.party_id, version=st.version,
        current=current, shared_with_parties=st.shared_with_parties, late=st.late,
        submitted_by=st.submitted_by, submitted_at=st.created_at,
        superseded_at=st.superseded_at, body=body.decode(),
        released_to_party_ids=pol.visible_releases(
            loaded.viewer, loaded.facts, st.party_id, released))


def _shown_statements(session: Session, loaded: Loaded, svc: Services) -> list[StatementRead]:
    released = repo.releases_of(session, loaded.row.id, "statement")
    rows = repo.list_statements(session, loaded.row.id)
    latest = {r.party_id: r.version for r in rows}
    shown = pol.visible(loaded.viewer, loaded.facts, rows, lambda s: _statement_item(s, released))
    return [_statement_read(loaded, s, svc, released.get(s.id, set()),
                            current=latest[s.party_id] == s.version) for s in shown]


def list_statements(session: Session, ctx: CaseContext, svc: Services, *,
                    session_id: uuid.UUID) -> list[StatementRead]:
    """Every visible version, oldest first per party; ``current`` marks the latest."""
    action = "ene.statement.read"
    loaded = load(session, ctx, session_id, action)
    shown = _shown_statements(session, loaded, svc)
    record(session, ctx, action, "ene_session", session_id,
           {"session_id": session_id, "count": len(shown),
            "statement_ids": [s.id for s in shown]})
    return shown


def session_content(session: Session, ctx: CaseContext, svc: Services, *,
                    session_id: uuid.UUID) -> tuple[list[MessageRead], list[StatementRead]]:
    """What a session's page shows: every message and statement the caller may read, from
    one load of the session and recorded as one content read naming their ids."""
    action = "ene.content.read"
    loaded = load(session, ctx, session_id, action)
    messages = _shown_messages(session, loaded, svc, channel=None, home=None)
    statements = _shown_statements(session, loaded, svc)
    record(session, ctx, action, "ene_session", session_id, {
        "session_id": session_id, "count": len(messages) + len(statements),
        "message_ids": [m.id for m in messages], "statement_ids": [s.id for s in statements]})
    return messages, statements


def _visible_statement(session: Session, ctx: CaseContext, loaded: Loaded,
                       statement_id: uuid.UUID, action: str
                       ) -> tuple[EneStatement, set[uuid.UUID]]:
    return _visible(session, ctx, loaded, "statement",
                    repo.get_statement(session, loaded.row.id, statement_id), statement_id,
                    _statement_item, action)


def get_statement(session: Session, ctx: CaseContext, svc: Services, *,
                  session_id: uuid.UUID, statement_id: uuid.UUID) -> StatementRead:
    action = "ene.statement.read"
    loaded = load(session, ctx, session_id, action)
    st, released = _visible_statement(session, ctx, loaded, statement_id, action)
    current = repo.current_statement(session, session_id, st.party_id)
    record(session, ctx, action, "ene_statement", statement_id,
           {"session_id": session_id, "statement_id": statement_id})
    return _statement_read(loaded, st, svc, released,
                           current=current is not None and current.id == st.id)


def release_item(session: Session, ctx: CaseContext, svc: Services, *, session_id: uuid.UUID,
                 item_type: str, item_id: uuid.UUID, to_party_id: uuid.UUID) -> ReleaseRead:
    """The disclosing party's consent to show exactly this item to exactly that party."""
    action = "ene.release"
    loaded = load(session, ctx, session_id, action, lock=True)
    if item_type == "message":
        msg, released = _visible_message(session, ctx, loaded, item_id, action)
        item = _message_item(msg, {item_id: released})
    else:
        st, released = _visible_statement(session, ctx, loaded, item_id, action)
        item = _statement_item(st, {item_id: released})
    decision = pol.can_release(loaded.viewer, loaded.facts, item, to_party_id)
    if not decision:
        refuse(session, ctx, action, f"ene_{item_type}", item_id, decision,
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
    return release_read(rel)


def release_read(rel: EneRelease) -> ReleaseRead:
    return ReleaseRead(id=rel.id, session_id=rel.session_id, item_type=rel.item_type,  # type: ignore[arg-type]
                       item_id=rel.item_id, from_party_id=rel.from_party_id,
                       to_party_id=rel.to_party_id, released_by=rel.released_by,
                       released_at=rel.created_at)


def list_releases(session: Session, ctx: CaseContext, *,
                  session_id: uuid.UUID) -> list[ReleaseRead]:
    """Releases the caller may learn of: the evaluator all; a party those from or to it."""
    action = "ene.release.read"
    loaded = load(session, ctx, session_id, action)
    rows = repo.list_release_rows(session, session_id)
    shown = pol.visible(loaded.viewer, loaded.facts, rows, lambda r: pol.Item(
        home_party_id=r.from_party_id, released_to=frozenset({r.to_party_id})))
    record(session, ctx, action, "ene_session", session_id,
           {"session_id": session_id, "count": len(shown)})
    return [release_read(r) for r in shown]
