"""Exhibit A: a member agrees to be bound by the order now in force.

The member names the hash of the order they read (as an offer's acceptance names its
terms' hash): an order replaced between reading and signing answers 409 ``order_mismatch``
instead of binding the signer to a text they did not see. The audit event records that
user X acknowledged order H, by ids and hash; the typed name stays out of it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.audit.service import record
from app.context import CaseContext
from app.errors import Conflict
from app.models.protective_orders import OrderAcknowledgment
from app.protective_orders import repository as repo
from app.protective_orders.errors import order_mismatch
from app.protective_orders.reads import acknowledgment_read, case_of, current_order
from app.protective_orders.schemas import AcknowledgmentCreate, AcknowledgmentRead
from app.refusals import refuse
from app.runtime import Services

ACTION = "protective_order.acknowledge"


def acknowledge(session: Session, ctx: CaseContext, svc: Services, *,
                data: AcknowledgmentCreate) -> AcknowledgmentRead:
    case_of(session, ctx, lock=True)  # a replacement of the order waits for this signature
    order = current_order(session, ctx, ACTION)
    if data.order_sha256 != order.sha256:
        refuse(session, ctx, ACTION, "protective_order", order.id, order_mismatch())
    if repo.acknowledgment_of(session, order.id, ctx.user_id) is not None:
        refuse(session, ctx, ACTION, "protective_order", order.id, Conflict(
            "You already acknowledged this order.", code="already_acknowledged"))
    row = OrderAcknowledgment(case_id=ctx.case_id, order_id=order.id, user_id=ctx.user_id,
                              typed_name=data.typed_name, acknowledged_at=svc.now())
    repo.add(session, row)
    record(session, ctx, ACTION, "order_acknowledgment", row.id, {
        "acknowledgment_id": row.id, "order_id": order.id, "order_sha256": order.sha256,
        "user_id": ctx.user_id})
    return acknowledgment_read(row, order, order)
