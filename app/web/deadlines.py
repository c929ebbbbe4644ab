"""The next deadline of each of a member's cases: the home page's column and a room's
overview. A read that spans the offers, Rule 68 and ENE domains, so it lives with the
pages and reaches each domain through its service functions.

Invariants:
- content-free: only plain date columns are read (an offer's expiry, the end of a Rule 68
  acceptance window, an ENE session's statement due time and start, the trial date).
  Nothing is decrypted and no audit event is appended: a date is not confidential content
  (amounts and terms are, and they stay sealed);
- one statement for any number of cases (UNION ALL, grouped per case), plus one for the
  memberships when the caller does not hold them: the cost does not grow with the cases;
- each case is scoped by the policy's own rules (``has_permission`` and the scopes
  ``offer_scope`` / ``rule68_scope`` that the list endpoints use), so a member is shown
  the deadline of an offer only if it may see that offer;
- cases whose keys were destroyed show none; a deadline already past is not "next".
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.authz.permissions import Permission
from app.authz.policy import Membership, has_permission
from app.authz.policy_negotiation import offer_scope, rule68_scope
from app.cases import service as case_service
from app.cases.schemas import CaseRead
from app.context import Principal
from app.ene import service as ene_service
from app.offers import service as offer_service
from app.rule68 import service as rule68_service

# In this order a tie is broken (the earlier kind is shown).
LABELS = {
    "rule68": "Rule 68 offer: last moment to accept",
    "offer": "Settlement offer expires",
    "ene_statement": "ENE written statements due",
    "ene_session": "ENE session",
    "trial": "Trial begins",
}
TRIAL_STARTS = time(9)


@dataclass(frozen=True)
class Deadline:
    label: str
    at: datetime
    explanation: list[str] = field(default_factory=list)


def _trial(case: CaseRead) -> datetime | None:
    if case.trial_date is None:
        return None
    start = datetime.combine(case.trial_date, TRIAL_STARTS, ZoneInfo(case.court_timezone))
    return start.astimezone(UTC)


def next_deadlines(
    session: Session, principal: Principal, *, cases: Sequence[CaseRead], now: datetime,
    memberships: Mapping[uuid.UUID, frozenset[Membership]] | None = None,
) -> dict[uuid.UUID, Deadline | None]:
    """The earliest deadline after ``now`` that the principal may see, per case.

    ``memberships`` (the principal's, per case) is loaded in one query unless given.
    """
    ids = [c.id for c in cases]
    if memberships is None:
        memberships = case_service.memberships_by_case(session, principal.user_id, ids)

    def scoped(permission: Permission) -> dict[uuid.UUID, frozenset[Membership]]:
        return {c: ms for c, ms in memberships.items() if has_permission(ms, permission)}

    statements, sessions = ene_service.upcoming_dates(list(scoped(Permission.ENE_REPORT_READ)),
                                                   now)
    rows = case_service.earliest_per_case(session, {
        "rule68": rule68_service.upcoming_deadlines(
            {c: rule68_scope(ms) for c, ms in scoped(Permission.RULE68_READ).items()}, now),
        "offer": offer_service.upcoming_expiries(
            {c: offer_scope(ms) for c, ms in scoped(Permission.OFFER_READ).items()}, now),
        "ene_statement": statements,
        "ene_session": sessions,
    })
    found: dict[uuid.UUID, dict[str, datetime]] = {c: {} for c in ids}
    for case_id, kind, at in rows:
        found[case_id][kind] = at
    for case in cases:
        trial = _trial(case)
        if trial is not None and trial > now:
            found[case.id]["trial"] = trial
    order = list(LABELS)
    out: dict[uuid.UUID, Deadline | None] = {}
    for case_id, times in found.items():
        kinds = sorted(times, key=lambda k: (times[k], order.index(k)))
        out[case_id] = Deadline(LABELS[kinds[0]], times[kinds[0]]) if kinds else None
    return out


def cases_with_deadlines(session: Session, principal: Principal, *, now: datetime,
                         offset: int, limit: int) -> list[tuple[CaseRead, Deadline | None]]:
    """The principal's cases, each with its next deadline: a constant number of queries."""
    rows = case_service.cases_with_memberships(session, principal, offset=offset, limit=limit)
    deadlines = next_deadlines(session, principal, cases=[case for case, _ in rows], now=now,
                               memberships={case.id: ms for case, ms in rows})
    return [(case, deadlines[case.id]) for case, _ in rows]
