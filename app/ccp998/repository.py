"""SQL for section 998 offers. Lists go through ``visible_offers``; transitions lock the
offer row; serving locks the case row so that service is checked against the trial date of
the moment."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.cases import Party
from app.models.ccp998 import Ccp998Offer


def add(session: Session, obj: object) -> None:
    session.add(obj)
    session.flush()


def get_offer(session: Session, case_id: uuid.UUID, offer_id: uuid.UUID, *,
              lock: bool = False) -> Ccp998Offer | None:
    stmt = select(Ccp998Offer).where(Ccp998Offer.id == offer_id, Ccp998Offer.case_id == case_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.execute(stmt).scalar_one_or_none()


def visible_offers(session: Session, case_id: uuid.UUID, parties: Collection[uuid.UUID], *,
                   offset: int = 0, limit: int = 1000) -> list[Ccp998Offer]:
    """The one scoping helper: offers whose offeror or offeree is one of ``parties``."""
    if not parties:
        return []
    ids = list(parties)
    return list(session.execute(
        select(Ccp998Offer)
        .where(Ccp998Offer.case_id == case_id,
               Ccp998Offer.offeror_party_id.in_(ids) | Ccp998Offer.offeree_party_id.in_(ids))
        .order_by(Ccp998Offer.served_at, Ccp998Offer.id).offset(offset).limit(limit)
    ).scalars())


def parties(session: Session, case_id: uuid.UUID) -> dict[uuid.UUID, Party]:
    return {p.id: p for p in session.execute(
        select(Party).where(Party.case_id == case_id)).scalars()}
