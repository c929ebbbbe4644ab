"""The evaluator's evaluation: writing it (a new sealed version each time) and sharing it
with chosen parties."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz import policy_ene as pol
from app.context import CaseContext
from app.ene import repository as repo
from app.ene.reads import (
    Loaded,
    evaluation_read,
    load,
    require_open,
)
from app.ene.schemas import (
    EvaluationRead,
    EvaluationShare,
    EvaluationWrite,
)
from app.ene.service.notices import acts_for, tell
from app.errors import Invalid, NotFound
from app.models.base import new_id
from app.models.ene import (
    EVALUATION_OBJECT,
    EneEvaluation,
    EneEvaluationShare,
)
from app.refusals import refuse, refuse_unless
from app.runtime import Services
from app.sealing import seal_bytes


def _require_evaluator(session: Session, ctx: CaseContext, loaded: Loaded, action: str) -> None:
    decision = pol.can_evaluate(loaded.viewer, loaded.facts)
    refuse_unless(session, ctx, action, "ene_session", loaded.row.id, decision)


def _share(session: Session, ctx: CaseContext, svc: Services, loaded: Loaded,
           evaluation: EneEvaluation, party_ids: list[uuid.UUID]) -> None:
    if any(p not in loaded.facts.party_ids for p in party_ids):
        raise Invalid("The evaluation can be shared only with participating parties.",
                      code="not_a_participant")
    already = repo.evaluation_shares(session, evaluation.id)
    new = [p for p in dict.fromkeys(party_ids) if p not in already]
    now = svc.now()
    for party_id in new:
        repo.add(session, EneEvaluationShare(evaluation_id=evaluation.id, party_id=party_id,
                                             shared_by=ctx.user_id, shared_at=now))
    if new:
        record(session, ctx, "ene.evaluation.share", "ene_evaluation", evaluation.id,
               {"session_id": loaded.row.id, "party_ids": new})
        tell(session, ctx, svc, kind="ene.evaluation_shared", object_type="ene_evaluation",
             object_id=evaluation.id, session_id=loaded.row.id,
             may_see=acts_for(loaded.facts, set(new)))


def write_evaluation(session: Session, ctx: CaseContext, svc: Services, *,
                     session_id: uuid.UUID, data: EvaluationWrite) -> EvaluationRead:
    action = "ene.evaluation.write"
    loaded = load(session, ctx, session_id, action, lock=True)
    _require_evaluator(session, ctx, loaded, action)
    require_open(session, ctx, loaded, action)
    evaluation = repo.get_evaluation(session, session_id)
    now = svc.now()
    if evaluation is None:
        evaluation = EneEvaluation(id=new_id(), session_id=session_id, case_id=ctx.case_id,
                                   version=1, written_by=ctx.user_id, written_at=now,
                                   created_at=now, body_sealed=b"")
    else:
        evaluation.version += 1
        evaluation.written_at, evaluation.written_by = now, ctx.user_id
    evaluation.body_sealed = seal_bytes(
        svc.key_provider, case_id=ctx.case_id, object_type=EVALUATION_OBJECT,
        object_id=evaluation.id, plaintext=data.body.encode(), version=evaluation.version)
    repo.add(session, evaluation)
    record(session, ctx, action, "ene_evaluation", evaluation.id,
           {"session_id": session_id, "version": evaluation.version,
            "size": len(evaluation.body_sealed)})
    _share(session, ctx, svc, loaded, evaluation, data.share_with_party_ids)
    return evaluation_read(session, loaded, evaluation, svc)


def share_evaluation(session: Session, ctx: CaseContext, svc: Services, *,
                     session_id: uuid.UUID, data: EvaluationShare) -> EvaluationRead:
    action = "ene.evaluation.share"
    loaded = load(session, ctx, session_id, action, lock=True)
    _require_evaluator(session, ctx, loaded, action)
    require_open(session, ctx, loaded, action)
    evaluation = repo.get_evaluation(session, session_id)
    if evaluation is None:
        refuse(session, ctx, action, "ene_session", session_id,
               NotFound("No evaluation has been written.", code="evaluation_not_found"))
    _share(session, ctx, svc, loaded, evaluation, data.party_ids)
    return evaluation_read(session, loaded, evaluation, svc)
