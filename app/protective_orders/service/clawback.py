"""Clawback of a produced document (FRE 502(b) and (d); FRCP 26(b)(5)(B)), and the
recipients' certifications that they sequestered or destroyed their copies.

Threats: a recipient who keeps using a privileged document after notice; a party clawing
back another party's production. Invariants: from the clawback's commit on, no member but
the producing party's gets a copy (409 ``clawed_back``, in ``gate``); the recipients are
fixed at notice (everyone outside the producing party with a download record) and each is
notified, by kind and deadline only (the basis may describe the document and is sealed);
each step (clawback, certification, refused attempts) is an audit event.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz import policy_protective_orders as pol
from app.context import CaseContext
from app.documents import service as documents
from app.errors import Conflict
from app.models.protective_orders import (
    CLAWBACK_BASIS_OBJECT_TYPE,
    Clawback,
    ClawbackCertification,
)
from app.notifications import service as notifications
from app.protective_orders import repository as repo
from app.protective_orders import rules
from app.protective_orders.errors import ClawbackNotFound
from app.protective_orders.reads import case_of, clawback_read, court_of, noticed_on
from app.protective_orders.schemas import CertificationCreate, ClawbackCreate, ClawbackRead
from app.refusals import refuse, refuse_unless
from app.runtime import Services
from app.sealing import seal_bytes


def claw_back(session: Session, ctx: CaseContext, svc: Services, *, document_id: uuid.UUID,
              data: ClawbackCreate) -> ClawbackRead:
    action = "clawback"
    case = case_of(session, ctx, lock=True)  # two clawbacks of one document: one wins, 409
    loaded = documents.load_visible(session, ctx, document_id, action)
    refuse_unless(session, ctx, action, "document", document_id,
                  pol.can_claw_back(ctx.memberships, loaded.facts))
    if repo.clawback_of(session, document_id) is not None:
        refuse(session, ctx, action, "document", document_id, Conflict(
            "This document is already clawed back.", code="already_clawed_back"))
    order = repo.current_order(session, ctx.case_id)
    days = order.clawback_days if order is not None else rules.DEFAULT_CLAWBACK_DAYS
    court = court_of(session, case)
    now = svc.now()
    deadline = rules.certification(noticed_on(now, court), days, court)
    producer = loaded.doc.uploader_party_id
    recipients = [{"user_id": str(u), "party_id": str(p) if p else None}
                  for u, p in documents.downloaders(session, document_id) if p != producer]
    row_id = uuid.uuid4()
    row = Clawback(
        id=row_id, case_id=ctx.case_id, document_id=document_id,
        order_id=order.id if order else None, producing_party_id=producer,
        clawed_back_by=ctx.user_id, noticed_at=now, certify_days=days,
        certify_due=deadline.date, certify_ends_at=deadline.ends_at, recipients=recipients,
        basis_sealed=seal_bytes(svc.key_provider, case_id=ctx.case_id,
                                object_type=CLAWBACK_BASIS_OBJECT_TYPE, object_id=row_id,
                                plaintext=data.basis.encode()))
    repo.add(session, row)
    users = sorted({uuid.UUID(r["user_id"]) for r in recipients}, key=str)
    record(session, ctx, action, "clawback", row.id, {
        "clawback_id": row.id, "document_id": document_id, "party_id": producer,
        "designation": loaded.doc.designation, "count": len(users),
        "due_on": deadline.date.isoformat()}, party_id=producer)
    notifications.notify(
        session, ctx.case_id, kind="document.clawed_back", object_type="document",
        object_id=document_id, link=f"/cases/{ctx.case_id}/protective-order",
        recipients=users, now=now, due_at=deadline.ends_at)
    return clawback_read(session, ctx, svc, loaded, row, sees=True)


def certify(session: Session, ctx: CaseContext, svc: Services, *, document_id: uuid.UUID,
            data: CertificationCreate) -> ClawbackRead:
    """A recipient certifies that every copy it held is sequestered or destroyed; a
    certification after the deadline is recorded as late, never refused."""
    action = "clawback.certify"
    loaded = documents.load_visible(session, ctx, document_id, action)
    row = repo.clawback_of(session, document_id, lock=True)
    if row is None:
        refuse(session, ctx, action, "document", document_id,
               ClawbackNotFound("This document was not clawed back."))
    recipients = {uuid.UUID(r["user_id"]): r["party_id"] for r in row.recipients}
    refuse_unless(session, ctx, action, "clawback", row.id,
                  pol.can_certify(ctx.user_id, recipients))
    if any(c.user_id == ctx.user_id for c in repo.certifications(session, row.id)):
        refuse(session, ctx, action, "clawback", row.id, Conflict(
            "You already certified for this clawback.", code="already_certified"))
    now = svc.now()
    party = recipients[ctx.user_id]
    cert = ClawbackCertification(
        clawback_id=row.id, case_id=ctx.case_id, user_id=ctx.user_id,
        party_id=uuid.UUID(party) if party else None, action=data.action, certified_at=now,
        late=now >= row.certify_ends_at)
    repo.add(session, cert)
    record(session, ctx, action, "clawback", row.id, {
        "clawback_id": row.id, "document_id": document_id, "disposition": data.action,
        "late": cert.late})
    return clawback_read(session, ctx, svc, loaded, row, sees=True)
