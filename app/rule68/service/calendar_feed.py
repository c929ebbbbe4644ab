"""The case deadline calendar (RFC 5545): open settlement offers' expiry, Rule 68
acceptance deadlines, and ENE sessions with their statements' due dates, limited to what
the caller may see.

The offer lists come from the same scoping helpers as the list endpoints, so the calendar
can never show more than they do; ENE dates are session metadata every member may list.
Events say what is due in words, with dates only: no amounts, no terms, no names and no
ids (a calendar is synced to third-party services). Each event's UID is derived from its
object and never changes, so a subscribed calendar updates an event instead of adding a
second one; each carries display alarms (a day before, and two hours before).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz.policy_negotiation import rule68_scope
from app.context import CaseContext
from app.ene import service as ene_service
from app.kernel.timefmt import rfc3339
from app.offers import service as offers_service
from app.rule68 import repository as repo
from app.rule68.reads import status_of
from app.runtime import Services

if TYPE_CHECKING:
    from icalendar import Event

PRODID = "-//settleroom//deadlines//EN"
MAX_EVENTS = 10_000
ALARMS = (timedelta(days=1), timedelta(hours=2))
ENE_LENGTH = timedelta(hours=3)  # a calendar block for the session; ENEs take half a day


def _event(uid: str, now: datetime, start: date | datetime, end: date | datetime | None,
           summary: str, description: str) -> Event:
    """One event with the display alarms; ``summary`` is also the alarms' text."""
    from icalendar import Alarm, Event  # slow to import: on first use

    event = Event()
    event.add("uid", f"{uid}@settleroom")
    event.add("dtstamp", now)
    event.add("dtstart", start)
    if end is not None:
        event.add("dtend", end)
    event.add("summary", summary)
    event.add("description", description)
    for before in ALARMS:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", -before)
        event.add_component(alarm)
    return event


def _offer_events(session: Session, ctx: CaseContext, svc: Services) -> list[Event]:
    now = svc.now()
    return [_event(f"offer-expiry-{offer_id}", now, expires_at, None,
                   "A settlement offer expires",
                   f"An open settlement offer in this case expires at {rfc3339(expires_at)}; "
                   "after that it cannot be accepted.")
            for offer_id, expires_at in offers_service.open_expiries(session, ctx, svc=svc,
                                                                     limit=MAX_EVENTS)]


def _rule68_events(session: Session, ctx: CaseContext, svc: Services) -> list[Event]:
    now = svc.now()
    return [_event(f"rule68-deadline-{offer.id}", now, offer.acceptance_deadline,
                   offer.acceptance_deadline + timedelta(days=1),
                   "Last day to accept a Rule 68 offer of judgment",
                   "Last day to accept a Rule 68 offer of judgment in writing (FRCP 68(a)); "
                   f"the period ends at {rfc3339(offer.acceptance_ends_at)}. Status: "
                   f"{status_of(offer, now)}.")
            for offer in repo.visible_offers(session, ctx.case_id,
                                             rule68_scope(ctx.memberships), limit=MAX_EVENTS)]


def _ene_events(session: Session, ctx: CaseContext, svc: Services) -> list[Event]:
    now = svc.now()
    events = []
    for ene in ene_service.list_sessions(session, ctx, offset=0, limit=MAX_EVENTS):
        if ene.status == "closed":
            continue
        events.append(_event(
            f"ene-session-{ene.id}", now, ene.scheduled_at, ene.scheduled_at + ENE_LENGTH,
            "Early Neutral Evaluation session",
            "The Early Neutral Evaluation session begins; the room has its channels and the "
            "evaluator's report."))
        events.append(_event(
            f"ene-statements-{ene.id}", now, ene.statement_due_date,
            ene.statement_due_date + timedelta(days=1), "ENE written statements due",
            "Written statements for the Early Neutral Evaluation are due by "
            f"{rfc3339(ene.statement_due_at)}; a later one is marked late."))
    return events


def deadlines_ics(session: Session, ctx: CaseContext, *, svc: Services) -> bytes:
    from icalendar import Calendar  # slow to import: on first use

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "settleroom deadlines")
    events = (_offer_events(session, ctx, svc) + _rule68_events(session, ctx, svc)
              + _ene_events(session, ctx, svc))
    for event in events:
        calendar.add_component(event)
    record(session, ctx, "calendar.read", "case", ctx.case_id, {"count": len(events)})
    return calendar.to_ical()
