"""SQL for Rule 68 offers, consents to electronic service and 68(c) hearings.

Lists go through ``visible_offers``, the one scoping helper. Transitions lock the offer
row; serving locks the case row so that offers are served one after the other.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from app.models.cases import Member, Party
from app.models.rule68 import (
    LiabilityHearing,
    OtherMeansConsent,
    Rule68Certificate,
    Rule68Offer,
    Rule68Offeree,
    ServiceConsent,
)
from app.models.users import User


def add(session: Session, obj: object) -> None:
    session.add(obj)
    session.flush()


def get_offer(session: Session, case_id: uuid.UUID, offer_id: uuid.UUID) -> Rule68Offer | None:
    offer = session.get(Rule68Offer, offer_id)
    return offer if offer is not None and offer.case_id == case_id else None


def lock_offer(session: Session, case_id: uuid.UUID, offer_id: uuid.UUID) -> Rule68Offer | None:
    return session.execute(
        select(Rule68Offer)
        .where(Rule68Offer.id == offer_id, Rule68Offer.case_id == case_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def offerees(session: Session, offer_id: uuid.UUID) -> list[Rule68Offeree]:
    return list(session.execute(
        select(Rule68Offeree).where(Rule68Offeree.offer_id == offer_id)
        .order_by(Rule68Offeree.party_id)
        .execution_options(populate_existing=True)
    ).scalars())


def offerees_of(session: Session,
                offer_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[Rule68Offeree]]:
    """The offerees of many offers in one query (a list page never asks offer by offer)."""
    out: dict[uuid.UUID, list[Rule68Offeree]] = {offer_id: [] for offer_id in offer_ids}
    if out:
        for row in session.execute(
            select(Rule68Offeree).where(Rule68Offeree.offer_id.in_(list(out)))
            .order_by(Rule68Offeree.offer_id, Rule68Offeree.party_id)
            .execution_options(populate_existing=True)
        ).scalars():
            out[row.offer_id].append(row)
    return out


def _visible_to(parties: Collection[uuid.UUID]) -> ColumnElement[bool]:
    """Offers whose offeror or an offeree is one of ``parties`` (policy's ``rule68_scope``)."""
    as_offeree = select(Rule68Offeree.offer_id).where(Rule68Offeree.party_id.in_(list(parties)))
    return Rule68Offer.offeror_party_id.in_(list(parties)) | Rule68Offer.id.in_(as_offeree)


def visible_offers(session: Session, case_id: uuid.UUID, parties: Collection[uuid.UUID], *,
                   offset: int = 0, limit: int = 1000) -> list[Rule68Offer]:
    """The one scoping helper: offers whose offeror or an offeree is one of ``parties``."""
    if not parties:
        return []
    stmt = (
        select(Rule68Offer)
        .where(Rule68Offer.case_id == case_id, _visible_to(parties))
        .order_by(Rule68Offer.served_at, Rule68Offer.id)
        .offset(offset).limit(limit)
    )
    return list(session.execute(stmt).scalars())


def upcoming_deadlines(scopes: Mapping[uuid.UUID, Collection[uuid.UUID]],
                       now: datetime) -> Select[tuple[uuid.UUID, datetime]]:
    """(case id, earliest end of an acceptance window) of the open offers each case's party
    scope may see: a statement to combine with others (no content column is read).

    One statement shape for any number of cases: a party id belongs to one case and an
    offer's offeror and offerees to the offer's case, so the union of the cases' scopes
    selects in each case exactly what that case's own scope selects.
    """
    parties = frozenset().union(*scopes.values())
    return (
        select(Rule68Offer.case_id, func.min(Rule68Offer.acceptance_ends_at))
        .where(Rule68Offer.case_id.in_(list(scopes)), _visible_to(parties),
               Rule68Offer.status == "open", Rule68Offer.acceptance_ends_at > now)
        .group_by(Rule68Offer.case_id)
    )


def certificates_of(session: Session,
                    offer_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[Rule68Certificate]]:
    """The certificates of service of many offers in one query, oldest first."""
    out: dict[uuid.UUID, list[Rule68Certificate]] = {offer_id: [] for offer_id in offer_ids}
    if out:
        for row in session.execute(
            select(Rule68Certificate).where(Rule68Certificate.offer_id.in_(list(out)))
            .order_by(Rule68Certificate.offer_id, Rule68Certificate.recorded_at,
                      Rule68Certificate.id)
        ).scalars():
            out[row.offer_id].append(row)
    return out


def speakers_of(session: Session, case_id: uuid.UUID,
                party_id: uuid.UUID) -> list[tuple[str, str]]:
    """(user name, role) of the counsel and pro se members of a party: who is served."""
    rows = session.execute(
        select(User.name, Member.role).join(User, User.id == Member.user_id)
        .where(Member.case_id == case_id, Member.party_id == party_id,
               Member.role.in_(["counsel", "pro_se"]))
        .order_by(User.name)
    ).all()
    return [(name, role) for name, role in rows]


def user_name(session: Session, user_id: uuid.UUID | None) -> str:
    user = session.get(User, user_id) if user_id else None
    return user.name if user else "unknown"


def parties(session: Session, case_id: uuid.UUID) -> dict[uuid.UUID, Party]:
    return {p.id: p for p in session.execute(
        select(Party).where(Party.case_id == case_id)).scalars()}


def get_consent(session: Session, case_id: uuid.UUID,
                party_id: uuid.UUID) -> ServiceConsent | None:
    return session.get(ServiceConsent, (case_id, party_id))


def get_other_consent(session: Session, case_id: uuid.UUID,
                      party_id: uuid.UUID) -> OtherMeansConsent | None:
    return session.get(OtherMeansConsent, (case_id, party_id))


def list_other_consents(session: Session, case_id: uuid.UUID) -> list[OtherMeansConsent]:
    return list(session.execute(
        select(OtherMeansConsent).where(OtherMeansConsent.case_id == case_id)
        .order_by(OtherMeansConsent.consented_at, OtherMeansConsent.party_id)
    ).scalars())


def list_consents(session: Session, case_id: uuid.UUID) -> list[ServiceConsent]:
    return list(session.execute(
        select(ServiceConsent).where(ServiceConsent.case_id == case_id)
        .order_by(ServiceConsent.consented_at, ServiceConsent.party_id)
    ).scalars())


def get_hearing(session: Session, case_id: uuid.UUID) -> LiabilityHearing | None:
    return session.get(LiabilityHearing, case_id)


def delete(session: Session, obj: object) -> None:
    session.delete(obj)
    session.flush()
