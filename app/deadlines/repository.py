"""SQL for closure days of the district courts and the orders that set a case's deadlines."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.cases import Case
from app.models.courts import CourtClosure, DeadlineOrder
from app.models.rule68 import Rule68Offer, Rule68Offeree


def closures(session: Session, district: str) -> list[CourtClosure]:
    return list(session.execute(
        select(CourtClosure).where(CourtClosure.district == district)
        .order_by(CourtClosure.day)).scalars())


def find(session: Session, district: str, day: date) -> CourtClosure | None:
    return session.execute(select(CourtClosure).where(
        CourtClosure.district == district, CourtClosure.day == day)).scalar_one_or_none()


def add(session: Session, row: CourtClosure) -> None:
    session.add(row)
    session.flush()


def orders(session: Session, case_id: uuid.UUID) -> list[DeadlineOrder]:
    return list(session.execute(
        select(DeadlineOrder).where(DeadlineOrder.case_id == case_id)
        .order_by(DeadlineOrder.order_date, DeadlineOrder.created_at)).scalars())


def add_order(session: Session, row: DeadlineOrder) -> None:
    session.add(row)
    session.flush()


def case_court(session: Session, case_id: uuid.UUID) -> tuple[str, str | None, str]:
    """(state, district, time zone) of the case's court."""
    row = session.execute(select(Case.court_state, Case.district, Case.court_timezone)
                          .where(Case.id == case_id)).one()
    return row[0], row[1], row[2]


def rule68_offer(session: Session, case_id: uuid.UUID,
                 offer_id: uuid.UUID) -> Rule68Offer | None:
    """The case's Rule 68 offer, locked for update: an order moves its time to accept.

    The deadlines domain reads and moves only the offer's dated fields (never its sealed
    content): the court's order is what sets them."""
    return session.execute(select(Rule68Offer).where(
        Rule68Offer.id == offer_id, Rule68Offer.case_id == case_id)
        .with_for_update()).scalar_one_or_none()


def rule68_parties(session: Session, offer: Rule68Offer) -> frozenset[uuid.UUID]:
    """The offeror and every offeree of the offer."""
    offerees = session.execute(select(Rule68Offeree.party_id)
                               .where(Rule68Offeree.offer_id == offer.id)).scalars()
    return frozenset({offer.offeror_party_id, *offerees})


def rule68_offer_parties(session: Session, case_id: uuid.UUID) -> dict[uuid.UUID,
                                                                       frozenset[uuid.UUID]]:
    """For each Rule 68 offer of the case: its offeror and offerees."""
    found: dict[uuid.UUID, set[uuid.UUID]] = {}
    for offer_id, offeror in session.execute(select(Rule68Offer.id, Rule68Offer.offeror_party_id)
                                             .where(Rule68Offer.case_id == case_id)):
        found.setdefault(offer_id, set()).add(offeror)
    for offer_id, party in session.execute(
            select(Rule68Offeree.offer_id, Rule68Offeree.party_id)
            .join(Rule68Offer, Rule68Offer.id == Rule68Offeree.offer_id)
            .where(Rule68Offer.case_id == case_id)):
        found.setdefault(offer_id, set()).add(party)
    return {k: frozenset(v) for k, v in found.items()}
