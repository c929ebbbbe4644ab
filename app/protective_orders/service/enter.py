"""Recording (or replacing) the case's protective order: its text or PDF sealed under the
case key, its SHA-256, the date entered, its tiers and its periods.

Invariants: one order in force per case (the case row lock serialises two recordings);
a replaced order keeps its row and its acknowledgments, and nobody's earlier
acknowledgment counts for the new order; the members who may open documents are told,
never what the order says.
"""

from __future__ import annotations

import hashlib
import uuid

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz.permissions import Permission
from app.authz.policy import has_permission
from app.context import CaseContext
from app.documents import service as documents
from app.documents.multipart import FilePart
from app.errors import UnsupportedMediaType
from app.models.protective_orders import ORDER_CONTENT_OBJECT_TYPE, ProtectiveOrder
from app.notifications import service as notifications
from app.protective_orders import repository as repo
from app.protective_orders.reads import case_of, order_read
from app.protective_orders.schemas import OrderFields, OrderRead
from app.refusals import refuse
from app.runtime import Services
from app.sealing import seal_bytes

ACTION = "protective_order.enter"
PDF = "application/pdf"
MAX_ORDER_BYTES = 20 * 1024 * 1024


def _pdf(session: Session, ctx: CaseContext, part: FilePart) -> bytes:
    """The order's PDF, inspected like any upload (parsed in a limited child process)."""
    if part.size > MAX_ORDER_BYTES or documents.inspect_file(
            part.path, part.head, mode="upload") != PDF:
        refuse(session, ctx, ACTION, "protective_order", None, UnsupportedMediaType(
            "The order is sent as a PDF file of at most 20 MiB, or as JSON text.",
            code="order_must_be_pdf"))
    return part.path.read_bytes()


def enter_order(session: Session, ctx: CaseContext, svc: Services, *, fields: OrderFields,
                text: str | None = None, part: FilePart | None = None) -> OrderRead:
    case_of(session, ctx, lock=True)
    if part is not None:
        content, media_type = _pdf(session, ctx, part), PDF
    else:
        assert text is not None
        content, media_type = text.encode(), "text/plain"
    now = svc.now()
    previous = repo.current_order(session, ctx.case_id)
    if previous is not None:
        previous.replaced_at = now
    order_id = uuid.uuid4()
    order = ProtectiveOrder(
        id=order_id, case_id=ctx.case_id, sha256=hashlib.sha256(content).hexdigest(),
        media_type=media_type, size=len(content), entered_on=fields.entered_on,
        tiers=[t.model_dump() for t in fields.tiers],
        meet_confer_days=fields.meet_confer_days, motion_days=fields.motion_days,
        motion_days_after_impasse=fields.motion_days_after_impasse,
        clawback_days=fields.clawback_days, recorded_by=ctx.user_id, created_at=now,
        content_sealed=seal_bytes(svc.key_provider, case_id=ctx.case_id,
                                  object_type=ORDER_CONTENT_OBJECT_TYPE, object_id=order_id,
                                  plaintext=content))
    repo.add(session, order)
    record(session, ctx, ACTION, "protective_order", order.id, {
        "order_id": order.id, "order_sha256": order.sha256, "media_type": media_type,
        "size": order.size, "entered_on": fields.entered_on.isoformat(),
        "replaces": previous.id if previous else None,
        "designation": sorted(t.designation for t in fields.tiers)})
    notifications.notify_case_members(
        session, ctx, kind="protective_order.entered", object_type="protective_order",
        object_id=order.id, link=f"/cases/{ctx.case_id}/protective-order",
        may_see=lambda viewer: has_permission(viewer.memberships,
                                              Permission.ORDER_ACKNOWLEDGE), now=now)
    return order_read(order, acknowledged=False)
