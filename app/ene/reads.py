"""Read models of Early Neutral Evaluation, and what every ENE use case shares: loading a
session (404 for a session of another case or none), refusing writes to a closed one, and
deciding which messages, statements, releases and evaluation a viewer may see.

Threats: a party reading another party's caucus or unshared statement; the evaluator's
evaluation seen before it is shared; content leaking through audit events or errors.

Invariants:
- whether an object exists is told only to those who may see it (404 otherwise);
- lists go through ``policy_ene.visible`` and nowhere else; bodies are opened only after
  the policy allowed the reader;
- a content read is one audit event per request naming ids only; session metadata
  (dates, attendance, outcome) is content-free and read without one;
- the evaluator sees every share of the evaluation, a party only that it was shared with
  it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import Session

from app.audit.service import record, record_denied
from app.authz import policy_ene as pol
from app.authz.permissions import Role
from app.authz.policy import NOT_VISIBLE
from app.context import CaseContext
from app.ene import repository as repo
from app.ene.errors import (
    SessionClosed,
    SessionNotFound,
)
from app.ene.rules import EneRuleError, channel_name, parse_channel
from app.ene.schemas import (
    AttendanceRead,
    ChangesRead,
    EvaluationRead,
    EvaluationState,
    EvaluatorConfirmationRead,
    EvaluatorDecisionRead,
    MessageRead,
    ReleaseRead,
    ReportRead,
    SessionRead,
    StatementRead,
)
from app.errors import Invalid
from app.models.ene import (
    EVALUATION_OBJECT,
    MESSAGE_OBJECT,
    STATEMENT_OBJECT,
    EneAttendance,
    EneEvaluation,
    EneEvaluatorDecision,
    EneMessage,
    EneRelease,
    EneSession,
    EneStatement,
)
from app.refusals import refuse, refuse_unless
from app.runtime import Services
from app.sealing import open_bytes

CLOSED = "closed"


@dataclass(frozen=True)
class Loaded:
    row: EneSession
    viewer: pol.Viewer
    facts: pol.SessionFacts

    @property
    def closed(self) -> bool:
        return self.row.status == CLOSED


def load(session: Session, ctx: CaseContext, session_id: uuid.UUID, action: str, *,
         lock: bool = False) -> Loaded:
    row = repo.get_session(session, ctx.case_id, session_id, lock=lock)
    if row is None:
        refuse(session, ctx, action, "ene_session", session_id,
               SessionNotFound("No such ENE session."))
    parties = repo.participants(session, [row.id])[row.id]
    return Loaded(
        row=row,
        viewer=pol.Viewer(user_id=ctx.user_id, memberships=ctx.memberships),
        facts=session_facts(row, parties, repo.evaluator_decisions(session, [row])[row.id]),
    )


def session_facts(row: EneSession, parties: Collection[uuid.UUID],
                  decisions: Mapping[uuid.UUID, EneEvaluatorDecision]) -> pol.SessionFacts:
    """What the ENE policy knows of a session: its evaluator, its parties, and whether every
    party confirmed that evaluator."""
    return pol.SessionFacts(
        evaluator_user_id=row.evaluator_user_id, party_ids=frozenset(parties),
        evaluator_confirmed=pol.evaluator_confirmed(
            {p: d.decision for p, d in decisions.items()}, parties))


def require_open(session: Session, ctx: CaseContext, loaded: Loaded, action: str) -> None:
    if loaded.closed:
        refuse(session, ctx, action, "ene_session", loaded.row.id,
               SessionClosed("The session is closed; nothing can be added or released."),
               details={"session_id": loaded.row.id})


def session_read(row: EneSession, parties: list[uuid.UUID]) -> SessionRead:
    return SessionRead(
        id=row.id, case_id=row.case_id, evaluator_user_id=row.evaluator_user_id,
        participating_party_ids=sorted(parties), scheduled_at=row.scheduled_at,
        court_timezone=row.court_timezone, statement_due_date=row.statement_due_date,
        statement_due_at=row.statement_due_at,
        statement_due_days_before=row.statement_due_days_before, status=row.status,
        outcome=row.outcome, closed_at=row.closed_at, created_at=row.created_at,  # type: ignore[arg-type]
    )


def list_sessions(session: Session, ctx: CaseContext, *, offset: int,
                  limit: int) -> list[SessionRead]:
    """Session metadata is content-free (as the report): every member may list it, and
    listing it is no audited read of content."""
    rows = repo.list_sessions(session, ctx.case_id, offset=offset, limit=limit)
    parties = repo.participants(session, [r.id for r in rows])
    # No audit event: a list of dates and ids reads no content (pages list it as chrome).
    return [session_read(r, parties[r.id]) for r in rows]


def get_session(session: Session, ctx: CaseContext, *, session_id: uuid.UUID) -> SessionRead:
    loaded = load(session, ctx, session_id, "ene.session.read")
    record(session, ctx, "ene.session.read", "ene_session", session_id,
           {"session_id": session_id})
    return session_read(loaded.row, sorted(loaded.facts.party_ids))


def attendance_read(a: EneAttendance) -> AttendanceRead:
    return AttendanceRead(user_id=a.user_id, role=Role(a.role), party_id=a.party_id,
                          checked_in_at=a.checked_in_at)


def report(session: Session, ctx: CaseContext, *, session_id: uuid.UUID) -> ReportRead:
    """Dates, attendance and outcome: never a body, a statement or the evaluation."""
    loaded = load(session, ctx, session_id, "ene.report.read")
    record(session, ctx, "ene.report.read", "ene_session", session_id,
           {"session_id": session_id})
    return _report(session, loaded)


def overview(session: Session, ctx: CaseContext, *,
             session_id: uuid.UUID) -> tuple[SessionRead, ReportRead]:
    """A session page's frame: its metadata and report, both content-free, from one load
    and without an audit event (the page records its one content read separately)."""
    loaded = load(session, ctx, session_id, "ene.session.read")
    return session_read(loaded.row, sorted(loaded.facts.party_ids)), _report(session, loaded)


def _report(session: Session, loaded: Loaded) -> ReportRead:
    row = loaded.row
    return ReportRead(
        session_id=row.id, case_id=row.case_id, evaluator_user_id=row.evaluator_user_id,
        participating_party_ids=sorted(loaded.facts.party_ids), scheduled_at=row.scheduled_at,
        court_timezone=row.court_timezone, statement_due_date=row.statement_due_date,
        status=row.status, outcome=row.outcome, closed_at=row.closed_at,  # type: ignore[arg-type]
        attendance=[attendance_read(a) for a in repo.attendance(session, row.id)],
    )


def confirmation_read(row: EneSession, parties: Collection[uuid.UUID],
                      decisions: Mapping[uuid.UUID, EneEvaluatorDecision]
                      ) -> EvaluatorConfirmationRead:
    answers = {p: d.decision for p, d in decisions.items()}
    return EvaluatorConfirmationRead(
        session_id=row.id, evaluator_user_id=row.evaluator_user_id,
        status=pol.evaluator_status(answers, parties),  # type: ignore[arg-type]
        parties=[EvaluatorDecisionRead(
            party_id=p, decision=answers.get(p),  # type: ignore[arg-type]
            decided_by=decisions[p].decided_by if p in decisions else None,
            decided_at=decisions[p].decided_at if p in decisions else None)
            for p in sorted(parties, key=str)])


def evaluator_confirmation(session: Session, ctx: CaseContext, *,
                           session_id: uuid.UUID) -> EvaluatorConfirmationRead:
    """Who confirmed or objected to the session's evaluator: metadata, as the report, read
    by every member without an audit event."""
    loaded = load(session, ctx, session_id, "ene.evaluator.read")
    return confirmation_read(loaded.row, loaded.facts.party_ids,
                             repo.evaluator_decisions(session, [loaded.row])[loaded.row.id])


# --- lookups for other domains ------------------------------------------------------


@dataclass(frozen=True)
class SessionSummary:
    """What another domain may know of an ENE session: who takes part, and whether closed."""

    facts: pol.SessionFacts
    closed: bool


def session_summary(session: Session, case_id: uuid.UUID, session_id: uuid.UUID, *,
                    lock: bool = False) -> SessionSummary | None:
    """``lock``: hold the session row until commit, so that a write attached to the
    session (an exhibit) cannot slip past a concurrent close."""
    row = repo.get_session(session, case_id, session_id, lock=lock)
    if row is None:
        return None
    parties = repo.participants(session, [row.id])[row.id]
    return SessionSummary(
        facts=session_facts(row, parties, repo.evaluator_decisions(session, [row])[row.id]),
        closed=row.status == CLOSED)


def case_session_summaries(session: Session, case_id: uuid.UUID) -> dict[uuid.UUID, SessionSummary]:
    """Every ENE session of a case, summarised in three queries (a whole document list)."""
    rows = repo.list_sessions(session, case_id, offset=0, limit=None)
    parties = repo.participants(session, [r.id for r in rows])
    decisions = repo.evaluator_decisions(session, rows)
    return {r.id: SessionSummary(facts=session_facts(r, parties[r.id], decisions[r.id]),
                                 closed=r.status == CLOSED) for r in rows}


def upcoming_dates(case_ids: Collection[uuid.UUID], now: datetime
                   ) -> tuple[Select[tuple[uuid.UUID, datetime]],
                              Select[tuple[uuid.UUID, datetime]]]:
    """(case id, earliest date) of the open sessions' statement due times and of their
    start times, as statements another read combines with its own (metadata only)."""
    return repo.upcoming_dates(case_ids, now)


# --- content: messages, statements, releases, the evaluation ------------------------


R = TypeVar("R", EneMessage, EneStatement)


Released = dict[uuid.UUID, set[uuid.UUID]]  # item id -> parties it was released to


def channel_of(channel: str) -> uuid.UUID | None:
    try:
        return parse_channel(channel)
    except EneRuleError as exc:
        raise Invalid(str(exc), code=exc.code) from None


def message_item(msg: EneMessage, released: dict[uuid.UUID, set[uuid.UUID]]) -> pol.Item:
    return pol.Item(home_party_id=msg.channel_party_id,
                    released_to=frozenset(released.get(msg.id, ())))


def message_read(loaded: Loaded, msg: EneMessage, svc: Services,
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
    shown = pol.visible(loaded.viewer, loaded.facts, rows, lambda m: message_item(m, released))
    return [message_read(loaded, m, svc, released.get(m.id, set())) for m in shown]


def list_messages(session: Session, ctx: CaseContext, svc: Services, *,
                  session_id: uuid.UUID, channel: str | None) -> list[MessageRead]:
    """The caller's visible messages, of one channel or of all. A channel the caller can
    neither use nor holds a release from answers 404, like a channel that does not exist."""
    action = "ene.message.read"
    home = channel_of(channel) if channel is not None else None
    loaded = load(session, ctx, session_id, action)
    shown = _shown_messages(session, loaded, svc, channel=channel, home=home)
    if channel is not None and not shown:
        decision = pol.can_use_channel(loaded.viewer, loaded.facts, home)
        refuse_unless(session, ctx, action, "ene_session", session_id, decision,
                      not_found_code="channel_not_found")
    record(session, ctx, action, "ene_session", session_id,
           {"session_id": session_id, "channel": channel, "count": len(shown),
            "message_ids": [m.id for m in shown]})
    return shown


def get_message(session: Session, ctx: CaseContext, svc: Services, *,
                session_id: uuid.UUID, message_id: uuid.UUID) -> MessageRead:
    action = "ene.message.read"
    loaded = load(session, ctx, session_id, action)
    msg, released = visible_message(session, ctx, loaded, message_id, action)
    record(session, ctx, action, "ene_message", message_id,
           {"session_id": session_id, "message_id": message_id})
    return message_read(loaded, msg, svc, released)


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


def visible_message(session: Session, ctx: CaseContext, loaded: Loaded,
                     message_id: uuid.UUID, action: str) -> tuple[EneMessage, set[uuid.UUID]]:
    return _visible(session, ctx, loaded, "message",
                    repo.get_message(session, loaded.row.id, message_id), message_id,
                    message_item, action)


def statement_item(st: EneStatement, released: dict[uuid.UUID, set[uuid.UUID]]) -> pol.Item:
    return pol.Item(home_party_id=st.party_id, shared=st.shared_with_parties,
                    released_to=frozenset(released.get(st.id, ())))


def statement_read(loaded: Loaded, st: EneStatement, svc: Services,
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
    shown = pol.visible(loaded.viewer, loaded.facts, rows, lambda s: statement_item(s, released))
    return [statement_read(loaded, s, svc, released.get(s.id, set()),
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
                    session_id: uuid.UUID
                    ) -> tuple[list[MessageRead], list[StatementRead], list[ReleaseRead]]:
    """What a session's page shows: every message and statement the caller may read, and
    the releases it may learn of (who released which item from which party, to whom), from
    one load of the session and recorded as one content read naming their ids."""
    action = "ene.content.read"
    loaded = load(session, ctx, session_id, action)
    messages = _shown_messages(session, loaded, svc, channel=None, home=None)
    statements = _shown_statements(session, loaded, svc)
    releases = _shown_releases(session, loaded)
    record(session, ctx, action, "ene_session", session_id, {
        "session_id": session_id, "count": len(messages) + len(statements),
        "message_ids": [m.id for m in messages], "statement_ids": [s.id for s in statements]})
    return messages, statements, [release_read(r) for r in releases]


def visible_statement(session: Session, ctx: CaseContext, loaded: Loaded,
                       statement_id: uuid.UUID, action: str
                       ) -> tuple[EneStatement, set[uuid.UUID]]:
    return _visible(session, ctx, loaded, "statement",
                    repo.get_statement(session, loaded.row.id, statement_id), statement_id,
                    statement_item, action)


def get_statement(session: Session, ctx: CaseContext, svc: Services, *,
                  session_id: uuid.UUID, statement_id: uuid.UUID) -> StatementRead:
    action = "ene.statement.read"
    loaded = load(session, ctx, session_id, action)
    st, released = visible_statement(session, ctx, loaded, statement_id, action)
    current = repo.current_statement(session, session_id, st.party_id)
    record(session, ctx, action, "ene_statement", statement_id,
           {"session_id": session_id, "statement_id": statement_id})
    return statement_read(loaded, st, svc, released,
                           current=current is not None and current.id == st.id)


def _shown_releases(session: Session, loaded: Loaded) -> list[EneRelease]:
    """Releases the viewer may learn of: the evaluator all; a party those from or to it."""
    rows = repo.list_release_rows(session, loaded.row.id)
    return pol.visible(loaded.viewer, loaded.facts, rows, lambda r: pol.Item(
        home_party_id=r.from_party_id, released_to=frozenset({r.to_party_id})))


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
    shown = _shown_releases(session, loaded)
    record(session, ctx, action, "ene_session", session_id,
           {"session_id": session_id, "count": len(shown)})
    return [release_read(r) for r in shown]


def get_evaluation(session: Session, ctx: CaseContext, svc: Services, *,
                   session_id: uuid.UUID) -> EvaluationRead:
    action = "ene.evaluation.read"
    loaded = load(session, ctx, session_id, action)
    evaluation = repo.get_evaluation(session, session_id)
    shared = repo.evaluation_shares(session, evaluation.id) if evaluation else set()
    decision = pol.can_see_evaluation(loaded.viewer, loaded.facts, frozenset(shared))
    if evaluation is None or not decision:
        denial = (decision if isinstance(decision, pol.Denial)
                  else pol.Denial.not_visible("No such evaluation."))
        refuse(session, ctx, action, "ene_session", session_id, denial,
               not_found_code="evaluation_not_found")
    assert evaluation is not None
    record(session, ctx, action, "ene_evaluation", evaluation.id,
           {"session_id": session_id, "version": evaluation.version})
    return evaluation_read(session, loaded, evaluation, svc)


def evaluation_read(session: Session, loaded: Loaded, evaluation: EneEvaluation,
          svc: Services) -> EvaluationRead:
    """The evaluator sees every share; a party sees only that it was shared with it."""
    shared = repo.evaluation_shares(session, evaluation.id)
    if not pol.is_evaluator(loaded.viewer, loaded.facts):
        shared &= pol.acting_parties(loaded.viewer, loaded.facts)
    body = open_bytes(svc.key_provider, evaluation.body_sealed, case_id=evaluation.case_id,
                      object_type=EVALUATION_OBJECT, object_id=evaluation.id,
                      version=evaluation.version)
    return EvaluationRead(id=evaluation.id, session_id=evaluation.session_id,
                          version=evaluation.version, written_at=evaluation.written_at,
                          body=body.decode(), shared_with_party_ids=sorted(shared))


@dataclass(frozen=True)
class FilingText:
    """ENE content the caller may read, for the filing check: it is never to be filed."""

    kind: str  # ene_statement | ene_message
    id: uuid.UUID
    party_id: uuid.UUID | None
    text: str


def filing_texts(session: Session, ctx: CaseContext, svc: Services) -> list[FilingText]:
    """Every statement version and message of every session of the case that the caller
    may read (released items included), decrypted for comparison only. Sessions the caller
    takes no part in contribute nothing. Not an audited read: the check's own audit event
    names counts only, and nothing of these bodies leaves the check."""
    out: list[FilingText] = []
    viewer = pol.Viewer(user_id=ctx.user_id, memberships=ctx.memberships)
    rows = repo.list_sessions(session, ctx.case_id, offset=0, limit=None)
    parties = repo.participants(session, [r.id for r in rows])
    decisions = repo.evaluator_decisions(session, rows) if rows else {}
    for row in rows:
        loaded = Loaded(row=row, viewer=viewer,
                        facts=session_facts(row, parties[row.id], decisions[row.id]))
        for m in _shown_messages(session, loaded, svc, channel=None, home=None):
            out.append(FilingText("ene_message", m.id, m.author_party_id, m.body))
        for s in _shown_statements(session, loaded, svc):
            out.append(FilingText("ene_statement", s.id, s.party_id, s.body))
    return out


# --- what a viewer may be told without reading: the evaluation's state, the change feed --


def _evaluation_state(loaded: Loaded, mark: tuple[uuid.UUID, int] | None,
                      shared: Collection[uuid.UUID]) -> EvaluationState:
    """What the viewer is told of the evaluation when it does not read it.

    The evaluator's choice to share the evaluation with some parties only is something the
    others may learn (an ENE program's parties know who heard the evaluation), so a party
    left out is told "not shared with you", never the text, the version or with whom.
    Before any share a party is told "not shared yet" whether or not the evaluator has
    written one: the evaluator's drafting is its own. Whoever acts for no participating
    party (auditor, room admin as such, an evaluator not yet confirmed) is told only that
    the evaluation is not for them, whatever its state.
    """
    if pol.can_see_evaluation(loaded.viewer, loaded.facts, frozenset(shared)):
        return "readable" if mark is not None else "not_written"
    if not pol.acting_parties(loaded.viewer, loaded.facts):
        return "not_for_you"
    return "not_shared_with_you" if mark is not None and shared else "not_shared_yet"


def evaluation_view(session: Session, ctx: CaseContext, svc: Services, *,
                    session_id: uuid.UUID) -> EvaluationRead | EvaluationState:
    """The evaluation page: the evaluation if the viewer may read it (an audited content
    read), else what the viewer may be told of it (``_evaluation_state``). A viewer left
    out is recorded as a refused read, as the API's 404 is."""
    action = "ene.evaluation.read"
    loaded = load(session, ctx, session_id, action)
    mark = repo.evaluation_mark(session, session_id)
    shared = repo.evaluation_shares(session, mark[0]) if mark else set()
    state = _evaluation_state(loaded, mark, shared)
    if state == "readable":
        evaluation = repo.get_evaluation(session, session_id)
        assert evaluation is not None
        record(session, ctx, action, "ene_evaluation", evaluation.id,
               {"session_id": session_id, "version": evaluation.version})
        return evaluation_read(session, loaded, evaluation, svc)
    if state != "not_written":
        record_denied(session, ctx, action, "ene_session", session_id, NOT_VISIBLE, None)
    return state


def changes(session: Session, ctx: CaseContext, *, session_id: uuid.UUID,
            since: str | None) -> ChangesRead:
    """The change feed a session page polls: a cursor over exactly what the viewer may see.

    Threat: timing. A cursor that moved on another party's caucus message, unshared
    statement or release would tell a party *when* the other side talks to the evaluator.
    So the cursor is a digest of the viewer's own view only: the session's metadata
    (status, times, evaluator, confirmations, attendance: what every member sees), the ids
    of the messages and statements the policy lets this viewer see, the releases it may
    learn of, and what it may be told of the evaluation. No body is read and nothing is
    recorded (a poll reads no content; the page's own load is the audited read).
    """
    loaded = load(session, ctx, session_id, "ene.changes.read")
    viewer, facts, row = loaded.viewer, loaded.facts, loaded.row
    msg_released = repo.releases_of(session, row.id, "message")
    st_released = repo.releases_of(session, row.id, "statement")
    messages = [i for i, home in repo.message_marks(session, row.id)
                if pol.can_see_item(viewer, facts, pol.Item(
                    home_party_id=home, released_to=frozenset(msg_released.get(i, ()))))]
    statements = [i for i, party, shared in repo.statement_marks(session, row.id)
                  if pol.can_see_item(viewer, facts, pol.Item(
                      home_party_id=party, shared=shared,
                      released_to=frozenset(st_released.get(i, ()))))]
    releases = [(r.item_id, r.to_party_id, r.released_by)
                for r in _shown_releases(session, loaded)]
    mark = repo.evaluation_mark(session, row.id)
    shared = repo.evaluation_shares(session, mark[0]) if mark else set()
    state = _evaluation_state(loaded, mark, shared)
    decisions = repo.evaluator_decisions(session, [row])[row.id]
    attendance = repo.attendance(session, row.id)
    view = {
        "session": [row.status, row.outcome, str(row.scheduled_at), str(row.statement_due_at),
                    str(row.evaluator_user_id)],
        "decisions": sorted((str(p), d.decision, str(d.decided_by))
                            for p, d in decisions.items()),
        "attendance": sorted((str(a.user_id), a.role, str(a.party_id)) for a in attendance),
        "messages": [str(i) for i in messages],
        "statements": [str(i) for i in statements],
        "releases": sorted((str(i), str(t), str(b)) for i, t, b in releases),
        "evaluation": [state, mark[1] if state == "readable" and mark else None,
                       sorted(str(p) for p in shared) if pol.is_evaluator(viewer, facts)
                       and state == "readable" else None],
    }
    cursor = hashlib.sha256(json.dumps(view, sort_keys=True).encode()).hexdigest()[:32]
    return ChangesRead(cursor=cursor, changed=since != cursor, status=row.status,
                       messages=len(messages), statements=len(statements),
                       releases=len(releases), attendance=len(attendance), evaluation=state)
