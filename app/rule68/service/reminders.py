"""Reminders of a Rule 68 acceptance window, to the counsel or pro se party of each offeree
that has not accepted: scheduled when the offer is served, fired by the delivery worker,
dropped once the offer is accepted or its window has ended. At the window's end, if the
offer lapsed unaccepted, everyone who may see it is told (68(b): considered withdrawn)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.authz.policy_negotiation import may_see_rule68
from app.models.notifications import Reminder
from app.models.rule68 import Rule68Offer
from app.notifications import service as notifications
from app.rule68 import repository as repo
from app.rule68.reads import OBJECT, facts, status_of


def schedule(session: Session, offer: Rule68Offer, court_timezone: str, now: datetime) -> None:
    notifications.schedule_reminders(
        session, case_id=offer.case_id, object_type=OBJECT, object_id=offer.id,
        due_at=offer.acceptance_ends_at, court_timezone=court_timezone, now=now)
    notifications.schedule_end_notice(
        session, case_id=offer.case_id, object_type=OBJECT, object_id=offer.id,
        due_at=offer.acceptance_ends_at, now=now)


def fire_reminders(session: Session, now: datetime) -> int:
    def remind(reminder: Reminder) -> bool:
        offer = repo.get_offer(session, reminder.case_id, reminder.object_id)
        if offer is not None and notifications.is_end_notice(reminder):
            return _lapsed(session, offer, now)
        if offer is None or status_of(offer, now) != "open":
            return False
        waiting = [o.party_id for o in repo.offerees(session, offer.id) if o.accepted_at is None]
        notifications.notify(
            session, offer.case_id, kind="reminder.rule68", object_type=OBJECT,
            object_id=offer.id, link=f"/cases/{offer.case_id}/rule68",
            recipients=notifications.speaking_for(session, offer.case_id, waiting),
            now=now, due_at=offer.acceptance_ends_at)
        return True

    return notifications.fire_due(session, OBJECT, now, remind)


def _lapsed(session: Session, offer: Rule68Offer, now: datetime) -> bool:
    """Tell both sides that the offer lapsed unaccepted, if it did."""
    if status_of(offer, now) != "withdrawn":
        return False
    offer_facts = facts(offer, repo.offerees(session, offer.id))
    notifications.notify(
        session, offer.case_id, kind="rule68.lapsed", object_type=OBJECT, object_id=offer.id,
        link=f"/cases/{offer.case_id}/rule68",
        recipients=notifications.audience(
            session, offer.case_id,
            lambda viewer: may_see_rule68(viewer.memberships, offer_facts), actor=None),
        now=now)
    return True
