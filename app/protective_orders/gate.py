"""What the documents domain asks of the protective order before it shows or serves a
document: the order's tiers (who sees what), whether the caller may open a document now
(Exhibit A signed, not clawed back), and the legend each page of a copy carries. It imports
no other domain, so documents may import it without a cycle; the decisions are the
policy's (``policy_protective_orders``).
"""

from __future__ import annotations

import re
import unicodedata
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


# Page legends (N.D. Cal. model order 5.2(a): the Producing Party affixes the tier's legend,
# "CONFIDENTIAL" or "HIGHLY CONFIDENTIAL - ATTORNEYS' EYES ONLY", to each page that contains
# protected material). The room adds what the material is subject to, as producing parties
# commonly stamp it; a tier name longer than MAX_TIER_CHARS is cut at a word so the legend
# fits one line of a letter-width margin.
LEGEND_SUFFIX = "SUBJECT TO PROTECTIVE ORDER"
MAX_TIER_CHARS = 60
_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                       "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",
                       "\u2014": "-", "\u2015": "-", "\u2212": "-"})


def legend_text(tier_name: str) -> str:
    """The legend of a tier, in capitals and plain ASCII (the mark's fonts are WinAnsi):
    "CONFIDENTIAL - SUBJECT TO PROTECTIVE ORDER". A name that already says it is subject
    to the order is not said twice."""
    folded = unicodedata.normalize("NFKC", tier_name.translate(_FOLD))
    name = " ".join(folded.encode("ascii", "ignore").decode().split()).upper()
    if len(name) > MAX_TIER_CHARS:
        name = name[:MAX_TIER_CHARS].rsplit(" ", 1)[0].rstrip(" -")
    if not name:
        name = "CONFIDENTIAL"
    if re.search(r"PROTECTIVE ORDER$", name):
        return name
    return f"{name} - {LEGEND_SUFFIX}"


def page_legend(session: Session, case_id: uuid.UUID, designation: str) -> str:
    """The legend every page of a copy of a `designation` document carries: the current
    order's tier mapped to that designation, else "" (no order, or no tier for it: an ENE
    document, or a designation the order does not name)."""
    order = repo.current_order(session, case_id)
    if order is None:
        return ""
    for tier in order.tiers:
        if tier["designation"] == designation:
            return legend_text(str(tier["name"]))
    return ""
