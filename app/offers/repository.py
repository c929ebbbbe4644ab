"""SQL for settlement offers. Lists go through ``visible_offers``, the one scoping helper;
state changes lock the offer row first (SELECT ... FOR UPDATE; SQLite serialises every
transaction with BEGIN IMMEDIATE instead)."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session

from app.authz.policy_negotiation import AEO, OfferScope
from app.models.offers import SettlementOffer


def add(session: Session, obj: object) -> None:
    session.add(obj)
    session.flush()


def get_offer(session: Session, case_id: uuid.UUID, offer_id: uuid.UUID) -> SettlementOffer | None:
    offer = session.get(SettlementOffer, offer_id)
    return offer if offer is not None and offer.case_id == case_id else None


def lock_offer(session: Session, case_id: uuid.UUID,
               offer_id: uuid.UUID) -> SettlementOffer | None:
    """The row lock every transition takes: concurrent accepts/withdraws queue here and
    each re-reads the committed status (populate_existing) once it holds the lock."""
    return session.execute(
        select(SettlementOffer)
        .where(SettlementOffer.id == offer_id, SettlementOffer.case_id == case_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def _scope_filter(scope: OfferScope) -> ColumnElement[bool]:
    ends = (SettlementOffer.from_party_id, SettlementOffer.to_party_id)
    clauses: list[ColumnElement[bool]] = []
    if scope.full:
        clauses += [end.in_(list(scope.full)) for end in ends]
    if scope.non_aeo:
        clauses += [
            (end.in_(list(scope.non_aeo))) & (SettlementOffer.designation != AEO) for end in ends
        ]
    if scope.neutral:
        clauses.append(SettlementOffer.share_with_neutral.is_(True))
    return or_(*clauses) if clauses else false()


def visible_offers(session: Session, case_id: uuid.UUID, scope: OfferScope, *,
                   offset: int = 0, limit: int = 1000) -> list[SettlementOffer]:
    """The one scoping helper: offers of the case that ``scope`` may see (policy_negotiation)."""
    stmt = (
        select(SettlementOffer)
        .where(SettlementOffer.case_id == case_id, _scope_filter(scope))
        .order_by(SettlementOffer.created_at, SettlementOffer.id)
        .offset(offset).limit(limit)
    )
    return list(session.execute(stmt).scalars())


