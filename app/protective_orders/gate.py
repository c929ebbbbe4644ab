"""What the documents domain asks of the protective order before it shows or serves a
document: the order's tiers (who sees what), and whether the caller may open a document
now (Exhibit A signed, not clawed back). It imports no other domain, so documents may
import it without a cycle; the decisions are the policy's (``policy_protective_orders``).
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.authz import policy_protective_orders as pol
from app.authz.policy_documents import DocumentFacts, OrderFacts
from app.context import CaseContext
from app.models.protective_orders import ProtectiveOrder
from app.protective_orders import repository as repo
from app.refusals import refuse_unless


def facts_of_order(order: ProtectiveOrder) -> OrderFacts:
    return OrderFacts(tiers={t["designation"]: frozenset(t["audience"]) for t in order.tiers})


def order_facts(session: Session, case_id: uuid.UUID) -> OrderFacts | None:
    order = repo.current_order(session, case_id)
    return None if order is None else facts_of_order(order)


def refuse_unless_open(session: Session, ctx: CaseContext, action: str,
                       document_id: uuid.UUID, facts: DocumentFacts) -> None:
    """409 ``clawed_back`` or 409 ``acknowledgment_required`` (audited), else nothing. The
    caller has already checked that ``ctx`` may see the document."""
    clawed_back = repo.is_clawed_back(session, document_id)
    refuse_unless(session, ctx, action, "document", document_id,
                  pol.may_open_clawed_back(ctx.memberships, facts, clawed_back=clawed_back))
    if not pol.is_designated(facts):
        return
    order = repo.current_order(session, ctx.case_id)
    signed = order is not None and repo.acknowledgment_of(
        session, order.id, ctx.user_id) is not None
    refuse_unless(session, ctx, action, "document", document_id,
                  pol.may_open(ctx.memberships, facts, acknowledged=signed))
