"""The case deadline calendar (RFC 5545): open settlement offers' expiry and Rule 68
acceptance deadlines, limited to the offers the caller may see.

Both lists come from the same scoping helpers as the list endpoints, so the calendar can
never show more than they do. Events carry ids and dates only: no amounts, no terms, no
names (a calendar is synced to third-party services).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz.policy_negotiation import rule68_scope
from app.context import CaseContext
from app.kernel.timefmt import rfc3339
from app.offers import service as offers_service
from app.rule68 import repository as repo
from app.rule68.reads import status_of
from app.runtime import Services

if TYPE_CHECKING:
    from icalendar import Event

PRODID = "-//settleroom//deadlines//EN"
MAX_EVENTS = 10_000


def _offer_events(session: Session, ctx: CaseContext, svc: Services) -> list[Event]:
    from icalendar import Event  # slow to import: on first use

    events = []
    now = svc.now()
    for offer_id, expires_at in offers_service.open_expiries(session, ctx, svc=svc,
                                                             limit=MAX_EVENTS):
        event = Event()
        event.add("uid", f"offer-expiry-{offer_id}@settleroom")
        event.add("dtstamp", now)
        event.add("dtstart", expires_at)
        event.add("summary", "Settlement offer expires")
        event.add("description", f"Settlement offer {offer_id} expires at "
                                 f"{rfc3339(expires_at)}.")
        events.append(event)
    return events


def _rule68_events(session: Session, ctx: CaseContext, svc: Services) -> list[Event]:
    from icalendar import Event  # slow to import: on first use

    events = []
    now = svc.now()
    for offer in repo.visible_offers(session, ctx.case_id, rule68_scope(ctx.memberships),
                                     limit=MAX_EVENTS):
        event = Event()
        event.add("uid", f"rule68-deadline-{offer.id}@settleroom")
        event.add("dtstamp", now)
        event.add("dtstart", offer.acceptance_deadline)
        event.add("dtend", offer.acceptance_deadline + timedelta(days=1))
        event.add("summary", "Rule 68 acceptance deadline")
        event.add("description", f"Last day to accept Rule 68 offer {offer.id} (FRCP 68(a)); "
                                 f"the period ends at {rfc3339(offer.acceptance_ends_at)}. "
                                 f"Status: {status_of(offer, now)}.")
        events.append(event)
    return events


def deadlines_ics(session: Session, ctx: CaseContext, *, svc: Services) -> bytes:
    from icalendar import Calendar  # slow to import: on first use

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    events = _offer_events(session, ctx, svc) + _rule68_events(session, ctx, svc)
    for event in events:
        calendar.add_component(event)
    record(session, ctx, "calendar.read", "case", ctx.case_id, {"count": len(events)})
    return calendar.to_ical()
