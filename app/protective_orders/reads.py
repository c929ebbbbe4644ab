"""Read models of the protective order and what its use cases share: the case's court
calendar, the current order, a document the caller may see, and the reads of challenges
and clawbacks.

Invariants:
- every read of sealed content (the order's text, a challenge's reason, a clawback's
  basis) is an audit event naming ids only;
- a challenge's reason and a clawback's basis are shown only to members who may see the
  document; the room admin and the auditor see a clawback's status (who certified, who is
  late) as they see download records, without its basis; a member of another side sees
  only its own side's recipients (who downloaded is the downloader's side's business);
- a document the caller may neither see nor trace answers 404 like an unknown id.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz import policy_documents as doc_pol
from app.authz.permissions import PARTY_ROLES
from app.authz.policy import Denial, parties_acting_as
from app.authz.policy_ene import Viewer
from app.cases import service as case_service
from app.context import CaseContext
from app.deadlines import service as deadline_service
from app.deadlines.rules import Deadline
from app.documents import service as documents
from app.models.cases import Case
from app.models.protective_orders import (
    CHALLENGE_REASON_OBJECT_TYPE,
    CLAWBACK_BASIS_OBJECT_TYPE,
    ORDER_CONTENT_OBJECT_TYPE,
    Clawback,
    ClawbackCertification,
    DesignationChallenge,
    OrderAcknowledgment,
    ProtectiveOrder,
)
from app.protective_orders import exhibit_a, rules
from app.protective_orders import repository as repo
from app.protective_orders.errors import AcknowledgmentNotFound, ClawbackNotFound, no_order
from app.protective_orders.schemas import (
    AcknowledgmentRead,
    ChallengeRead,
    ClawbackRead,
    DeadlineLine,
    OrderRead,
    RecipientRead,
    TierRead,
)
from app.refusals import refuse
from app.runtime import Services
from app.sealing import open_bytes


def court_of(session: Session, case: Case) -> rules.Court:
    """The case's calendar, with the closures recorded for its district."""
    closed = deadline_service.court_days(session, case.district)
    return rules.Court(state=case.court_state, timezone=case.court_timezone,
                       district=case.district, extra_holidays=closed.extra_holidays,
                       inaccessible_days=closed.inaccessible_days)


def case_of(session: Session, ctx: CaseContext, *, lock: bool = False) -> Case:
    case = case_service.case_row(session, ctx.case_id, lock=lock)
    assert case is not None  # the guard found the membership
    return case


def current_order(session: Session, ctx: CaseContext, action: str) -> ProtectiveOrder:
    order = repo.current_order(session, ctx.case_id)
    if order is None:
        refuse(session, ctx, action, "protective_order", None, no_order())
    return order


def line(deadline: Deadline) -> DeadlineLine:
    return DeadlineLine(deadline=deadline.date, ends_at=deadline.ends_at,
                        explanation=deadline.explanation)


def order_read(order: ProtectiveOrder, *, acknowledged: bool) -> OrderRead:
    return OrderRead(
        id=order.id, case_id=order.case_id, sha256=order.sha256, media_type=order.media_type,
        size=order.size, entered_on=order.entered_on,
        tiers=[TierRead(name=t["name"], designation=t["designation"],
                        audience=list(t["audience"]),
                        room_roles=sorted(doc_pol.tier_roles(t["designation"],
                                                             frozenset(t["audience"]))))
               for t in order.tiers],
        meet_confer_days=order.meet_confer_days, motion_days=order.motion_days,
        motion_days_after_impasse=order.motion_days_after_impasse,
        clawback_days=order.clawback_days, recorded_at=order.created_at,
        acknowledged=acknowledged)


def get_order(session: Session, ctx: CaseContext) -> OrderRead:
    order = current_order(session, ctx, "protective_order.read")
    signed = repo.acknowledgment_of(session, order.id, ctx.user_id) is not None
    return order_read(order, acknowledged=signed)


@dataclass(frozen=True)
class OrderFile:
    content: bytes
    media_type: str
    headers: dict[str, str]


def order_content(session: Session, ctx: CaseContext, svc: Services) -> OrderFile:
    """The order's text or PDF, as recorded (a court order: not watermarked). Text is shown
    inline; a PDF is sent as a file, never rendered in the room's origin."""
    action = "protective_order.content.read"
    order = current_order(session, ctx, action)
    content = open_bytes(svc.key_provider, order.content_sealed, case_id=order.case_id,
                         object_type=ORDER_CONTENT_OBJECT_TYPE, object_id=order.id)
    record(session, ctx, action, "protective_order", order.id,
           {"order_id": order.id, "order_sha256": order.sha256})
    text = order.media_type.startswith("text/")
    return OrderFile(content, order.media_type + ("; charset=utf-8" if text else ""), {
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
        "Content-Disposition": "inline" if text else
        'attachment; filename="protective-order.pdf"'})


def acknowledgment_read(row: OrderAcknowledgment, order: ProtectiveOrder,
                        current: ProtectiveOrder | None) -> AcknowledgmentRead:
    return AcknowledgmentRead(
        id=row.id, order_id=row.order_id, order_sha256=order.sha256, user_id=row.user_id,
        typed_name=row.typed_name, acknowledged_at=row.acknowledged_at,
        current=current is not None and current.id == row.order_id)


def list_acknowledgments(session: Session, ctx: CaseContext) -> list[AcknowledgmentRead]:
    """Every Exhibit A signed in the room, for the current order and the replaced ones."""
    rows = repo.acknowledgments(session, ctx.case_id)
    orders = repo.orders(session, {r.order_id for r in rows})
    current = repo.current_order(session, ctx.case_id)
    return [acknowledgment_read(r, orders[r.order_id], current) for r in rows]


def acknowledgment_pdf(session: Session, ctx: CaseContext, *,
                       acknowledgment_id: uuid.UUID) -> bytes:
    """Exhibit A as a PDF for the court: caption, typed name, time in the court's zone,
    the order's date and hash."""
    action = "protective_order.acknowledgment.export"
    row = repo.acknowledgment(session, ctx.case_id, acknowledgment_id)
    if row is None:
        refuse(session, ctx, action, "order_acknowledgment", acknowledgment_id,
               AcknowledgmentNotFound("No such acknowledgment."))
    order = repo.orders(session, {row.order_id})[row.order_id]
    case = case_of(session, ctx)
    record(session, ctx, action, "order_acknowledgment", row.id,
           {"acknowledgment_id": row.id, "order_id": order.id, "user_id": row.user_id})
    return exhibit_a.render(exhibit_a.Signed(
        caption=case.caption, court=case.court, docket_number=case.docket_number,
        court_timezone=case.court_timezone, typed_name=row.typed_name,
        acknowledged_at=row.acknowledged_at, entered_on=order.entered_on,
        order_sha256=order.sha256))


# --- documents: challenges and clawbacks ------------------------------------------------


def noticed_on(at: datetime, court: rules.Court) -> date:
    """The day a notice was given, in the court's time zone (the period's trigger)."""
    return at.astimezone(ZoneInfo(court.timezone)).date()


def challenge_deadlines(row: DesignationChallenge, order: ProtectiveOrder,
                        court: rules.Court) -> tuple[Deadline, Deadline]:
    """(meet and confer, motion), counted with the order the challenge was made under."""
    day = noticed_on(row.noticed_at, court)
    return (rules.meet_and_confer(day, order.meet_confer_days, court),
            rules.motion(day, order.motion_days, court, impasse_on=row.impasse_on,
                         days_after_impasse=order.motion_days_after_impasse))


def challenge_read(svc: Services, row: DesignationChallenge, order: ProtectiveOrder,
                   court: rules.Court) -> ChallengeRead:
    meet, motion = challenge_deadlines(row, order, court)
    reason = open_bytes(svc.key_provider, row.reason_sealed, case_id=row.case_id,
                        object_type=CHALLENGE_REASON_OBJECT_TYPE, object_id=row.id).decode()
    return ChallengeRead(
        id=row.id, document_id=row.document_id, designation=row.designation,
        challenger_party_id=row.challenger_party_id,
        designating_party_id=row.designating_party_id, reason=reason,
        noticed_at=row.noticed_at, meet_confer=line(meet), motion=line(motion),
        impasse_on=row.impasse_on, motion_filed_on=row.motion_filed_on,
        may_be_treated_as_withdrawn=rules.may_be_treated_as_withdrawn(
            svc.now(), motion.ends_at, row.motion_filed_on))


def list_challenges(session: Session, ctx: CaseContext, svc: Services, *,
                    document_id: uuid.UUID) -> list[ChallengeRead]:
    """The challenges of a document, for members who may see it (a reason may describe
    the document)."""
    action = "designation.challenges.read"
    documents.load_visible(session, ctx, document_id, action)
    rows = repo.challenges_of(session, document_id)
    orders = repo.orders(session, {r.order_id for r in rows})
    court = court_of(session, case_of(session, ctx))
    record(session, ctx, action, "document", document_id,
           {"document_id": document_id, "count": len(rows)})
    return [challenge_read(svc, r, orders[r.order_id], court) for r in rows]


def visible_or_traced(session: Session, ctx: CaseContext, document_id: uuid.UUID,
                      action: str) -> tuple[documents.Loaded, bool]:
    """(the document, whether the caller may see it); 404 for a caller who may neither see
    nor trace it, exactly like an unknown id."""
    found = documents.find(session, ctx.case_id, document_id)
    sees = found is not None and bool(doc_pol.can_see_document(
        Viewer(ctx.user_id, ctx.memberships), found.facts))
    traces = found is not None and bool(doc_pol.can_trace_document(ctx.memberships,
                                                                   found.facts))
    if found is None or not (sees or traces):
        refuse(session, ctx, action, "document", document_id,
               Denial.not_visible("No such document."))
    return found, sees


def recipient_rows(row: Clawback, certified: Mapping[uuid.UUID, ClawbackCertification],
                   now: datetime) -> list[RecipientRead]:
    out = []
    for r in row.recipients:
        user_id = uuid.UUID(r["user_id"])
        cert = certified.get(user_id)
        late = cert.late if cert is not None else now >= row.certify_ends_at
        out.append(RecipientRead(
            user_id=user_id, party_id=uuid.UUID(r["party_id"]) if r["party_id"] else None,
            certified=cert is not None, action=cert.action if cert else None,
            certified_at=cert.certified_at if cert else None, late=late))
    return out


def _shown(ctx: CaseContext, facts: doc_pol.DocumentFacts, rows: list[RecipientRead]
           ) -> list[RecipientRead]:
    """All recipients for the document's tracers; to anyone else, their own side's."""
    if doc_pol.can_trace_document(ctx.memberships, facts):
        return rows
    mine = parties_acting_as(ctx.memberships, PARTY_ROLES)
    return [r for r in rows if r.user_id == ctx.user_id or r.party_id in mine]


def clawback_read(session: Session, ctx: CaseContext, svc: Services, loaded: documents.Loaded,
                  row: Clawback, *, sees: bool) -> ClawbackRead:
    case = case_of(session, ctx)
    court = court_of(session, case)
    deadline = rules.certification(noticed_on(row.noticed_at, court), row.certify_days, court)
    certified = {c.user_id: c for c in repo.certifications(session, row.id)}
    basis = open_bytes(svc.key_provider, row.basis_sealed, case_id=row.case_id,
                       object_type=CLAWBACK_BASIS_OBJECT_TYPE,
                       object_id=row.id).decode() if sees else None
    return ClawbackRead(
        id=row.id, document_id=row.document_id, producing_party_id=row.producing_party_id,
        basis=basis, noticed_at=row.noticed_at, certify_days=row.certify_days,
        certify=line(deadline),
        recipients=_shown(ctx, loaded.facts, recipient_rows(row, certified, svc.now())))


def get_clawback(session: Session, ctx: CaseContext, svc: Services, *,
                 document_id: uuid.UUID) -> ClawbackRead:
    action = "clawback.read"
    loaded, sees = visible_or_traced(session, ctx, document_id, action)
    row = repo.clawback_of(session, document_id)
    if row is None:
        refuse(session, ctx, action, "document", document_id,
               ClawbackNotFound("This document was not clawed back."))
    record(session, ctx, action, "clawback", row.id,
           {"clawback_id": row.id, "document_id": document_id})
    return clawback_read(session, ctx, svc, loaded, row, sees=sees)


@dataclass(frozen=True)
class RoomStatus:
    """The protective order page: the order, who signed it, and the challenges and
    clawbacks of the documents the caller may see (clawbacks: or trace)."""

    order: OrderRead | None
    acknowledgments: list[AcknowledgmentRead]
    challenges: list[ChallengeRead]
    clawbacks: list[ClawbackRead]


def room_status(session: Session, ctx: CaseContext, svc: Services) -> RoomStatus:
    order = repo.current_order(session, ctx.case_id)
    signed = order is not None and repo.acknowledgment_of(
        session, order.id, ctx.user_id) is not None
    me = Viewer(ctx.user_id, ctx.memberships)
    court = court_of(session, case_of(session, ctx))
    challenges, clawbacks, shown = [], [], set()
    rows = repo.challenges_of_case(session, ctx.case_id)
    orders = repo.orders(session, {r.order_id for r in rows})
    for row in rows:
        found = documents.find(session, ctx.case_id, row.document_id)
        if found is not None and doc_pol.can_see_document(me, found.facts):
            challenges.append(challenge_read(svc, row, orders[row.order_id], court))
            shown.add(row.document_id)
    for back in repo.clawbacks_of_case(session, ctx.case_id):
        found = documents.find(session, ctx.case_id, back.document_id)
        if found is None:
            continue
        sees = bool(doc_pol.can_see_document(me, found.facts))
        if sees or doc_pol.can_trace_document(ctx.memberships, found.facts):
            clawbacks.append(clawback_read(session, ctx, svc, found, back, sees=sees))
            shown.add(back.document_id)
    record(session, ctx, "protective_order.status.read", "case", ctx.case_id,
           {"count": len(challenges) + len(clawbacks), "document_ids": sorted(shown, key=str)})
    return RoomStatus(order=order_read(order, acknowledged=signed) if order else None,
                      acknowledgments=list_acknowledgments(session, ctx),
                      challenges=challenges, clawbacks=clawbacks)
