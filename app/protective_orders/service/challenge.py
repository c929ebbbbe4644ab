"""Challenging a designation (the order's challenge process), and recording what moves
its deadlines: an agreed impasse of the meet and confer, the designating party's motion.

Threats: the reason may describe the document, so it is sealed and never leaves the room
(the designating party's mail names the event and the motion deadline only); a party
challenging its own designation, or one side recording the other side's motion.
Invariants: the periods are counted by the FRCP 6 engine in the court's calendar with the
order in force when notice was given; the designation itself never changes here.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz import policy_protective_orders as pol
from app.authz.policy import Denial
from app.context import CaseContext
from app.documents import service as documents
from app.errors import Conflict, Invalid
from app.models.protective_orders import (
    CHALLENGE_REASON_OBJECT_TYPE,
    DesignationChallenge,
    ProtectiveOrder,
)
from app.notifications import service as notifications
from app.protective_orders import repository as repo
from app.protective_orders import rules
from app.protective_orders.errors import ChallengeNotFound
from app.protective_orders.reads import (
    case_of,
    challenge_deadlines,
    challenge_read,
    court_of,
    current_order,
    noticed_on,
)
from app.protective_orders.schemas import (
    ChallengeCreate,
    ChallengeRead,
    ImpasseRecord,
    MotionRecord,
)
from app.refusals import refuse, refuse_unless
from app.runtime import Services
from app.sealing import seal_bytes


def challenge_designation(session: Session, ctx: CaseContext, svc: Services, *,
                          document_id: uuid.UUID, data: ChallengeCreate) -> ChallengeRead:
    action = "designation.challenge"
    loaded = documents.load_visible(session, ctx, document_id, action)
    party = pol.challenging_party(ctx.memberships, loaded.facts, data.party_id)
    if isinstance(party, Denial):
        refuse(session, ctx, action, "document", document_id, party)
    assert isinstance(party, uuid.UUID)
    order = current_order(session, ctx, action)
    court = court_of(session, case_of(session, ctx))
    now = svc.now()
    row_id = uuid.uuid4()
    row = DesignationChallenge(
        id=row_id, case_id=ctx.case_id, document_id=document_id, order_id=order.id,
        challenger_party_id=party, designating_party_id=loaded.doc.uploader_party_id,
        designation=loaded.doc.designation, challenged_by=ctx.user_id, noticed_at=now,
        reason_sealed=seal_bytes(svc.key_provider, case_id=ctx.case_id,
                                 object_type=CHALLENGE_REASON_OBJECT_TYPE, object_id=row_id,
                                 plaintext=data.reason.encode()))
    _store_deadlines(row, order, court)
    repo.add(session, row)
    record(session, ctx, action, "designation_challenge", row.id, {
        "challenge_id": row.id, "document_id": document_id, "party_id": party,
        "designation": row.designation, "due_on": row.motion_due.isoformat()},
        party_id=party)
    notifications.notify(
        session, ctx.case_id, kind="designation.challenged", object_type="document",
        object_id=document_id, link=f"/cases/{ctx.case_id}/protective-order",
        recipients=notifications.speaking_for(session, ctx.case_id,
                                              [row.designating_party_id]),
        now=now, due_at=row.motion_ends_at)
    return challenge_read(svc, row, order, court)


def _store_deadlines(row: DesignationChallenge, order: ProtectiveOrder,
                     court: rules.Court) -> None:
    """Keep the computed days on the row (the notification's due time, queries of what is
    late); reads count them again, so a closure day recorded later still counts."""
    meet, motion = challenge_deadlines(row, order, court)
    row.meet_confer_due, row.meet_confer_ends_at = meet.date, meet.ends_at
    row.motion_due, row.motion_ends_at = motion.date, motion.ends_at


def _load(session: Session, ctx: CaseContext, document_id: uuid.UUID,
          challenge_id: uuid.UUID, action: str) -> DesignationChallenge:
    documents.load_visible(session, ctx, document_id, action)
    row = repo.challenge(session, document_id, challenge_id, lock=True)
    if row is None:
        refuse(session, ctx, action, "designation_challenge", challenge_id,
               ChallengeNotFound("No such challenge."))
    return row


def record_impasse(session: Session, ctx: CaseContext, svc: Services, *,
                   document_id: uuid.UUID, challenge_id: uuid.UUID,
                   data: ImpasseRecord) -> ChallengeRead:
    """The parties agreed that meeting and conferring will not resolve the challenge: the
    motion is then due within the order's shorter period of that day, if earlier."""
    action = "designation.challenge.impasse"
    row = _load(session, ctx, document_id, challenge_id, action)
    refuse_unless(session, ctx, action, "designation_challenge", row.id,
                  pol.can_record_impasse(ctx.memberships,
                                         [row.challenger_party_id, row.designating_party_id]))
    court = court_of(session, case_of(session, ctx))
    order = repo.orders(session, {row.order_id})[row.order_id]
    if not noticed_on(row.noticed_at, court) <= data.agreed_on <= noticed_on(svc.now(), court):
        refuse(session, ctx, action, "designation_challenge", row.id, Invalid(
            "agreed_on lies between the notice of challenge and today.",
            code="invalid_impasse_date"))
    if row.impasse_on is not None:
        refuse(session, ctx, action, "designation_challenge", row.id, Conflict(
            "An impasse is already recorded for this challenge.", code="impasse_recorded"))
    row.impasse_on = data.agreed_on
    _store_deadlines(row, order, court)
    session.flush()
    record(session, ctx, action, "designation_challenge", row.id, {
        "challenge_id": row.id, "document_id": document_id,
        "due_on": row.motion_due.isoformat()})
    return challenge_read(svc, row, order, court)


def record_motion(session: Session, ctx: CaseContext, svc: Services, *,
                  document_id: uuid.UUID, challenge_id: uuid.UUID,
                  data: MotionRecord) -> ChallengeRead:
    """The designating party records the day it filed its motion to retain the designation
    (the court decides it; the room only stops saying the designation may be withdrawn)."""
    action = "designation.challenge.motion"
    row = _load(session, ctx, document_id, challenge_id, action)
    refuse_unless(session, ctx, action, "designation_challenge", row.id,
                  pol.can_record_motion(ctx.memberships, row.designating_party_id))
    court = court_of(session, case_of(session, ctx))
    if not noticed_on(row.noticed_at, court) <= data.filed_on <= noticed_on(svc.now(), court):
        refuse(session, ctx, action, "designation_challenge", row.id, Invalid(
            "filed_on lies between the notice of challenge and today.",
            code="invalid_motion_date"))
    if row.motion_filed_on is not None:
        refuse(session, ctx, action, "designation_challenge", row.id, Conflict(
            "A motion is already recorded for this challenge.", code="motion_recorded"))
    row.motion_filed_on = data.filed_on
    row.motion_recorded_by = ctx.user_id
    session.flush()
    record(session, ctx, action, "designation_challenge", row.id, {
        "challenge_id": row.id, "document_id": document_id,
        "late": data.filed_on > row.motion_due})
    order = repo.orders(session, {row.order_id})[row.order_id]
    return challenge_read(svc, row, order, court)
