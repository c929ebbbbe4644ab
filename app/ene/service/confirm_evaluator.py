"""The parties' confirmation of a session's evaluator, and naming another one.

ENE rules let each party object to the evaluator (a conflict of interest, a prior
engagement); the evaluator may act only once every participating party has accepted them.
So each participating party's counsel (or the party acting for itself) answers ``confirm``
or ``object``; until every party confirmed, the evaluator can open no channel, read no
statement, write, share or close (409 ``evaluator_not_confirmed``, ``app.authz.policy_ene``).

Flow (the smallest one that keeps a party's objection effective):
- a party may change its answer while the session is open: an objection raised later (a
  conflict found after confirming) stops the evaluator again;
- an objection stands until the room admin names another evaluator (``name_evaluator``):
  answers are kept per evaluator, so the new one starts with none and must be confirmed
  afresh, and the old one's confirmations never carry over to the new one;
- an answer carries no reasons: reasons for an objection go to the court's ADR staff, not
  into a room the evaluator and the other side read.

Threats: an evaluator acting (reading caucuses) before the parties accepted them; the
room admin, a client, the other side or the evaluator answering for a party; an answer for
one evaluator counting for another. The audit events name ids and the answer only.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz import policy_ene as pol
from app.authz.permissions import Role
from app.context import CaseContext
from app.ene import repository as repo
from app.ene.errors import EvaluatorNotNeutral
from app.ene.reads import confirmation_read, load, require_open, session_read
from app.ene.schemas import (
    EvaluatorConfirmationRead,
    EvaluatorDecisionCreate,
    EvaluatorName,
    SessionRead,
)
from app.errors import Conflict
from app.models.ene import EneEvaluatorDecision
from app.refusals import refuse, refuse_unless
from app.runtime import Services

DECIDE = "ene.evaluator.decide"
NAME = "ene.evaluator.name"


def decide_evaluator(session: Session, ctx: CaseContext, svc: Services, *,
                     session_id: uuid.UUID,
                     data: EvaluatorDecisionCreate) -> EvaluatorConfirmationRead:
    """Record the answer of every party the caller answers for (one row per party and
    evaluator, replaced by a later answer)."""
    loaded = load(session, ctx, session_id, DECIDE, lock=True)
    require_open(session, ctx, loaded, DECIDE)
    parties = pol.evaluator_deciders(loaded.viewer, loaded.facts, data.party_id)
    if isinstance(parties, pol.Denial):
        refuse(session, ctx, DECIDE, "ene_session", session_id, parties,
               details={"session_id": session_id, "party_id": data.party_id})
    row = loaded.row
    decisions = repo.evaluator_decisions(session, [row])[row.id]
    now = svc.now()
    for party_id in sorted(parties, key=str):
        answer = decisions.get(party_id)
        if answer is None:
            answer = EneEvaluatorDecision(session_id=row.id, party_id=party_id,
                                          evaluator_user_id=row.evaluator_user_id,
                                          decision=data.decision)
            decisions[party_id] = answer
        answer.decision, answer.decided_by, answer.decided_at = (
            data.decision, ctx.user_id, now)
        repo.add(session, answer)
        record(session, ctx, DECIDE, "ene_session", row.id,
               {"session_id": row.id, "party_id": party_id,
                "user_id": row.evaluator_user_id, "status": data.decision})
    return confirmation_read(row, loaded.facts.party_ids, decisions)


def name_evaluator(session: Session, ctx: CaseContext, svc: Services, *,
                   session_id: uuid.UUID, data: EvaluatorName) -> SessionRead:
    """The room admin names another evaluator (a neutral of the case) for an open session;
    its confirmations start afresh."""
    loaded = load(session, ctx, session_id, NAME, lock=True)
    refuse_unless(session, ctx, NAME, "ene_session", session_id,
                  pol.can_name_evaluator(ctx.memberships),
                  details={"session_id": session_id})
    require_open(session, ctx, loaded, NAME)
    if not repo.has_role(session, ctx.case_id, data.evaluator_user_id,
                         Role.NEUTRAL.value):
        raise EvaluatorNotNeutral("The evaluator must be a member of the case with the "
                                  "neutral role.")
    if data.evaluator_user_id == loaded.row.evaluator_user_id:
        refuse(session, ctx, NAME, "ene_session", session_id, Conflict(
            "This neutral is already the session's evaluator.", code="same_evaluator"),
            details={"session_id": session_id})
    loaded.row.evaluator_user_id = data.evaluator_user_id
    session.flush()
    record(session, ctx, NAME, "ene_session", session_id,
           {"session_id": session_id, "user_id": data.evaluator_user_id})
    return session_read(loaded.row, sorted(loaded.facts.party_ids))
