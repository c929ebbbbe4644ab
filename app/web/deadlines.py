"""The next deadline of a case for the member looking at it, from the same service reads
the case pages use (so a deadline is listed only to those who may see its offer)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.authz.permissions import Permission
from app.context import CaseContext
from app.ene import service as ene_service
from app.offers import service as offer_service
from app.rule68 import service as rule68_service
from app.runtime import Services
from app.web.room import Deadline


def _rule68(session: Session, ctx: CaseContext, svc: Services) -> list[Deadline]:
    offers = rule68_service.list_offers(session, ctx, svc=svc, offset=0, limit=200)
    return [Deadline("Rule 68 offer: last moment to accept", o.acceptance_deadline_ends_at,
                     o.deadline_explanation) for o in offers if o.status == "open"]


def _offers(session: Session, ctx: CaseContext, svc: Services) -> list[Deadline]:
    offers = offer_service.list_offers(session, ctx, svc=svc, offset=0, limit=200)
    return [Deadline("Settlement offer expires", o.expires_at, [])
            for o in offers if o.status == "open" and o.expires_at]


def _ene(session: Session, ctx: CaseContext) -> list[Deadline]:
    out = []
    for s in ene_service.list_sessions(session, ctx, offset=0, limit=200):
        if s.status == "closed":
            continue
        out.append(Deadline("ENE written statements due", s.statement_due_at, []))
        out.append(Deadline("ENE session", s.scheduled_at, []))
    return out


def next_deadline(session: Session, ctx: CaseContext, svc: Services, *,
                  trial_date: object, court_timezone: str) -> Deadline | None:
    now = svc.now()
    found: list[Deadline] = []
    if ctx.can(Permission.RULE68_READ):
        found += _rule68(session, ctx, svc)
    if ctx.can(Permission.OFFER_READ):
        found += _offers(session, ctx, svc)
    found += _ene(session, ctx)
    if trial_date is not None:
        start = datetime.combine(trial_date, time(9), ZoneInfo(court_timezone))  # type: ignore[arg-type]
        found.append(Deadline("Trial begins", start.astimezone(UTC), []))
    upcoming = [d for d in found if d.at > now]
    return min(upcoming, key=lambda d: d.at) if upcoming else None
