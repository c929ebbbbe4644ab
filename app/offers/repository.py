"""SQL for settlement offers. Lists go through ``visible_offers``, the one scoping helper;
state changes lock the offer row first (SELECT ... FOR UPDATE; SQLite serialises every
transaction with BEGIN IMMEDIATE instead). What settles a pair of parties (an acceptance)
and what would reopen it (a new offer, a counter) also take the pair's lock first, so a
settled pair can neither receive an offer nor settle twice, however the requests race."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import ColumnElement, Select, false, func, or_, select
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


def lock_pair(session: Session, case_id: uuid.UUID, one: uuid.UUID, other: uuid.UUID) -> None:
    """The negotiation lock of two parties of a case, either way round, held until the
    transaction ends: on PostgreSQL a transaction-scoped advisory lock keyed by the case and
    the pair; on SQLite nothing more is needed (a writing transaction holds the database's
    write lock from BEGIN IMMEDIATE). Taken before any offer row lock, by every path that
    takes both, so two paths never wait on each other in opposite orders."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return
    first, second = sorted((one.bytes, other.bytes))
    digest = hashlib.blake2b(b"settleroom.offer-pair" + case_id.bytes + first + second,
                             digest_size=8).digest()
    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%(k)s)",
                         {"k": int.from_bytes(digest, "big", signed=True)})


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


def settled_between(session: Session, case_id: uuid.UUID, one: uuid.UUID,
                    other: uuid.UUID) -> bool:
    """Whether an offer between the two parties, either way, was accepted. Read without a
    visibility scope: a settlement binds the pair whoever may read its terms, and only a
    speaker for one of the two parties ever asks (no content column is read)."""
    pair = [one, other]
    stmt = select(SettlementOffer.id).where(
        SettlementOffer.case_id == case_id, SettlementOffer.status == "accepted",
        SettlementOffer.from_party_id.in_(pair), SettlementOffer.to_party_id.in_(pair),
    ).limit(1)
    return session.execute(stmt).first() is not None


def upcoming_expiries(scopes: Mapping[uuid.UUID, OfferScope],
                      now: datetime) -> Select[tuple[uuid.UUID, datetime]]:
    """(case id, earliest expiry) of the open, unexpired offers each case's ``scope`` may
    see: a statement to combine with others (no content column is read).

    One statement shape for any number of cases: a party id belongs to one case and an
    offer's parties to the offer's case, so the union of the cases' party scopes selects
    in each case exactly what that case's own scope selects. Only the neutral's right is
    per case, so it is matched by case id.
    """
    merged = OfferScope(full=frozenset().union(*(s.full for s in scopes.values())),
                        non_aeo=frozenset().union(*(s.non_aeo for s in scopes.values())),
                        neutral=False)
    neutral_cases = [case_id for case_id, scope in scopes.items() if scope.neutral]
    visible = or_(_scope_filter(merged),
                  SettlementOffer.case_id.in_(neutral_cases)
                  & SettlementOffer.share_with_neutral.is_(True))
    return (
        select(SettlementOffer.case_id, func.min(SettlementOffer.expires_at))
        .where(SettlementOffer.case_id.in_(list(scopes)), visible,
               SettlementOffer.status == "open", SettlementOffer.expires_at.is_not(None),
               SettlementOffer.expires_at > now)
        .group_by(SettlementOffer.case_id)
    )


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


