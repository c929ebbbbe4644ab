"""Reminders of an offer's expiry, to the counsel or pro se party of the party it was made
to: scheduled when an offer with an expiry is made, fired by the delivery worker, dropped
once the offer is accepted, rejected, countered, withdrawn or expired. At the expiry itself,
if the offer was still open, everyone who may see it is told that it expired."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.authz.policy_negotiation import may_see_offer
from app.cases import service as case_service
from app.models.notifications import Reminder
from app.models.offers import SettlementOffer
from app.notifications import service as notifications
from app.offers import repository as repo
from app.offers.reads import OBJECT, effective_status, facts


def schedule(session: Session, offer: SettlementOffer, now: datetime) -> None:
    if offer.expires_at is None:
        return
    case = case_service.case_row(session, offer.case_id)
    assert case is not None
    notifications.schedule_reminders(
        session, case_id=offer.case_id, object_type=OBJECT, object_id=offer.id,
        due_at=offer.expires_at, court_timezone=case.court_timezone, now=now)
    notifications.schedule_end_notice(session, case_id=offer.case_id, object_type=OBJECT,
                                      object_id=offer.id, due_at=offer.expires_at, now=now)


def fire_reminders(session: Session, now: datetime) -> int:
    def remind(reminder: Reminder) -> bool:
        offer = repo.get_offer(session, reminder.case_id, reminder.object_id)
        if offer is not None and notifications.is_end_notice(reminder):
            return _expired(session, offer, now)
        if offer is None or effective_status(offer, now) != "open":
            return False
        notifications.notify(
            session, offer.case_id, kind="reminder.offer", object_type=OBJECT,
            object_id=offer.id, link=f"/cases/{offer.case_id}/offers",
            recipients=notifications.speaking_for(session, offer.case_id,
                                                 [offer.to_party_id]),
            now=now, due_at=offer.expires_at)
        return True

    return notifications.fire_due(session, OBJECT, now, remind)


def _expired(session: Session, offer: SettlementOffer, now: datetime) -> bool:
    """Tell everyone who may see the offer that it expired, if it did (an offer answered
    before its expiry has no such notice)."""
    if effective_status(offer, now) != "expired":
        return False
    offer_facts = facts(offer)
    notifications.notify(
        session, offer.case_id, kind="offer.expired", object_type=OBJECT, object_id=offer.id,
        link=f"/cases/{offer.case_id}/offers",
        recipients=notifications.audience(
            session, offer.case_id,
            lambda viewer: may_see_offer(viewer.memberships, offer_facts), actor=None),
        now=now)
    return True
