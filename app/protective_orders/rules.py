"""The order's periods, counted by the FRCP 6 engine. Pure: dates and numbers in, deadlines
out; the court's calendar (state, zone, district, recorded closures) is a parameter.

The model values are those of the N.D. Cal. Model Stipulated Protective Order for Standard
Litigation: section 6.2, the challenging party gives written notice and the parties begin
to meet and confer within 14 days of service of the notice; section 6.3, the designating
party moves to retain confidentiality within 21 days of the initial notice of challenge
or within 14 days of the parties agreeing that meeting and conferring will not resolve
the dispute, whichever is earlier, failing which the designation is waived. The room
never changes a designation on its own: past that day without a recorded motion it shows
that the designation may be treated as withdrawn, and the parties or the court act.

Clawback: FRCP 26(b)(5)(B) (which the model order adopts for inadvertently produced
privileged material) requires a notified party to "promptly" return, sequester or destroy
the information; it names no number of days, so the order's own number is used and the
room's default is 10 days.

Notices in the room are served electronically: FRCP 6(d) adds no days.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime

from app.deadlines.rules import Deadline, compute_deadline

MODEL_MEET_CONFER_DAYS = 14
MODEL_MOTION_DAYS = 21
MODEL_MOTION_DAYS_AFTER_IMPASSE = 14
DEFAULT_CLAWBACK_DAYS = 10


@dataclass(frozen=True)
class Court:
    """The calendar a case's periods are counted in."""

    state: str | None
    timezone: str
    district: str | None
    extra_holidays: frozenset[date] = frozenset()
    inaccessible_days: frozenset[date] = frozenset()


def _after(trigger: date, days: int, court: Court, *, filing: bool, why: str,
           rule: str) -> Deadline:
    """``days`` after ``trigger``; clerk's-office closures count only for a filing."""
    deadline = compute_deadline(
        trigger, days, "after", court_state=court.state, service_method="electronic",
        extra_holidays=court.extra_holidays,
        inaccessible_days=court.inaccessible_days if filing else (),
        court_timezone=court.timezone, district=court.district)
    return dataclasses.replace(deadline, explanation=[f"{why} ({rule})", *deadline.explanation])


def meet_and_confer(noticed_on: date, days: int, court: Court) -> Deadline:
    return _after(noticed_on, days, court, filing=False, rule="protective order, section 6.2",
                  why=f"The parties begin to meet and confer within {days} days of service "
                      "of the notice of challenge")


def motion(noticed_on: date, days: int, court: Court, *, impasse_on: date | None = None,
           days_after_impasse: int = MODEL_MOTION_DAYS_AFTER_IMPASSE) -> Deadline:
    """The designating party's last day to move to retain the designation: the earlier of
    ``days`` after the notice and ``days_after_impasse`` after an agreed impasse."""
    rule = "protective order, section 6.3"
    by_notice = _after(noticed_on, days, court, filing=True, rule=rule,
                       why=f"The designating party moves to retain the designation within "
                           f"{days} days of the initial notice of challenge")
    if impasse_on is None:
        return by_notice
    by_impasse = _after(impasse_on, days_after_impasse, court, filing=True, rule=rule,
                        why=f"or within {days_after_impasse} days of the parties agreeing "
                            "that meeting and conferring will not resolve the challenge, "
                            "whichever is earlier")
    return by_impasse if by_impasse.date < by_notice.date else by_notice


def may_be_treated_as_withdrawn(now: datetime, motion_ends_at: datetime,
                                motion_filed_on: date | None) -> bool:
    """Past the motion deadline with no motion recorded. The room only says so."""
    return motion_filed_on is None and now >= motion_ends_at


def certification(noticed_on: date, days: int, court: Court) -> Deadline:
    return _after(noticed_on, days, court, filing=False,
                  rule="FRCP 26(b)(5)(B); FRE 502(b), (d); the protective order",
                  why=f"Each recipient of a copy certifies its sequestration or destruction "
                      f"within {days} days of the clawback notice")
