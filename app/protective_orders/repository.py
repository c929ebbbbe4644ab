"""SQL of protective orders, acknowledgments, challenges, clawbacks and public texts."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.protective_orders import (
    Clawback,
    ClawbackCertification,
    DesignationChallenge,
    OrderAcknowledgment,
    ProtectiveOrder,
    PublicText,
)


def add(session: Session, *objs: object) -> None:
    session.add_all(objs)
    session.flush()


def current_order(session: Session, case_id: uuid.UUID) -> ProtectiveOrder | None:
    return session.execute(
        select(ProtectiveOrder)
        .where(ProtectiveOrder.case_id == case_id, ProtectiveOrder.replaced_at.is_(None))
        .order_by(ProtectiveOrder.created_at.desc()).limit(1)).scalar_one_or_none()


def orders(session: Session, order_ids: Collection[uuid.UUID]
           ) -> dict[uuid.UUID, ProtectiveOrder]:
    if not order_ids:
        return {}
    rows = session.execute(select(ProtectiveOrder).where(
        ProtectiveOrder.id.in_(list(order_ids)))).scalars()
    return {r.id: r for r in rows}


def acknowledgment_of(session: Session, order_id: uuid.UUID,
                      user_id: uuid.UUID) -> OrderAcknowledgment | None:
    return session.execute(select(OrderAcknowledgment).where(
        OrderAcknowledgment.order_id == order_id,
        OrderAcknowledgment.user_id == user_id)).scalar_one_or_none()


def acknowledgment(session: Session, case_id: uuid.UUID,
                   acknowledgment_id: uuid.UUID) -> OrderAcknowledgment | None:
    return session.execute(select(OrderAcknowledgment).where(
        OrderAcknowledgment.id == acknowledgment_id,
        OrderAcknowledgment.case_id == case_id)).scalar_one_or_none()


def acknowledgments(session: Session, case_id: uuid.UUID) -> list[OrderAcknowledgment]:
    return list(session.execute(
        select(OrderAcknowledgment).where(OrderAcknowledgment.case_id == case_id)
        .order_by(OrderAcknowledgment.acknowledged_at, OrderAcknowledgment.id)).scalars())


def challenges_of(session: Session, document_id: uuid.UUID) -> list[DesignationChallenge]:
    return list(session.execute(
        select(DesignationChallenge).where(DesignationChallenge.document_id == document_id)
        .order_by(DesignationChallenge.noticed_at, DesignationChallenge.id)).scalars())


def challenge(session: Session, document_id: uuid.UUID, challenge_id: uuid.UUID, *,
              lock: bool = False) -> DesignationChallenge | None:
    stmt = select(DesignationChallenge).where(DesignationChallenge.id == challenge_id,
                                              DesignationChallenge.document_id == document_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.execute(stmt).scalar_one_or_none()


def clawback_of(session: Session, document_id: uuid.UUID, *,
                lock: bool = False) -> Clawback | None:
    stmt = select(Clawback).where(Clawback.document_id == document_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.execute(stmt).scalar_one_or_none()


def is_clawed_back(session: Session, document_id: uuid.UUID) -> bool:
    return session.execute(select(Clawback.id).where(
        Clawback.document_id == document_id)).first() is not None


def certifications(session: Session, clawback_id: uuid.UUID) -> list[ClawbackCertification]:
    return list(session.execute(
        select(ClawbackCertification).where(ClawbackCertification.clawback_id == clawback_id)
        .order_by(ClawbackCertification.certified_at, ClawbackCertification.id)).scalars())


def challenges_of_case(session: Session, case_id: uuid.UUID) -> list[DesignationChallenge]:
    return list(session.execute(
        select(DesignationChallenge).where(DesignationChallenge.case_id == case_id)
        .order_by(DesignationChallenge.noticed_at, DesignationChallenge.id)).scalars())


def clawbacks_of_case(session: Session, case_id: uuid.UUID) -> list[Clawback]:
    return list(session.execute(
        select(Clawback).where(Clawback.case_id == case_id)
        .order_by(Clawback.noticed_at, Clawback.id)).scalars())


def public_texts(session: Session, case_id: uuid.UUID, *,
                 parties: Collection[uuid.UUID] | None = None) -> list[PublicText]:
    """The case's public texts; with ``parties``, only those registered for them."""
    stmt = select(PublicText).where(PublicText.case_id == case_id)
    if parties is not None:
        if not parties:
            return []
        stmt = stmt.where(PublicText.party_id.in_(list(parties)))
    return list(session.execute(
        stmt.order_by(PublicText.created_at, PublicText.id)).scalars())


def public_text(session: Session, case_id: uuid.UUID,
                public_text_id: uuid.UUID) -> PublicText | None:
    return session.execute(select(PublicText).where(
        PublicText.id == public_text_id, PublicText.case_id == case_id)).scalar_one_or_none()
