"""Pure rules of California Code of Civil Procedure section 998 offers to compromise.

Plain values in and out: no database, no web framework, no clock (`now` is a parameter).

Invariants (statute text checked; see README "Two regimes"):
- any party may serve an offer on any other party (998(b)) not less than 10 days before
  trial: the last day is counted backward from the trial date, which is excluded (CCP 12,
  12c(a)); the trial day is not moved and no service time is added to this lead;
- the offer is deemed withdrawn if not accepted before trial or within 30 days after it is
  made, whichever occurs first (998(b)(2)); the 30 days are counted under CCP 12 from the
  day of service, extended for the manner of service (CCP 1013(a): 5 calendar days by mail
  within California, 10 outside it, 20 outside the United States, Poster v. Southern Cal.
  Rapid Transit Dist. (1990) 52 Cal.3d 266; CCP 1013(c): 2 court days by overnight
  delivery; CCP 1010.6(a)(3)(B): 2 court days by electronic service), and a last day that is
  a holiday moves to the next court day (CCP 12a);
- an electronic service on a day that is not a court day counts as made on the next court
  day (CCP 1010.6(a)(3)(B));
- the acceptance window closes at the start of the trial day when trial comes first: the
  hour trial commences is not known ahead, so the room closes it at the earliest moment;
- an offer may be revoked until it is accepted (T.M. Cobb Co. v. Superior Court (1984)
  36 Cal.3d 273); an unaccepted offer is no bar to a later one (998(b)(2));
- "more favorable" is strict: a judgment equal to the offer is not more favorable to the
  party who refused it; post-offer costs are left out of the comparison (998(c)(2)(A)).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Final, Literal
from zoneinfo import ZoneInfo

from app.ccp998 import judicial_calendar as calendar
from app.ccp998.judicial_calendar import ONE_DAY, CalendarInputError

MIN_DAYS_BEFORE_TRIAL: Final = 10
OPEN_DAYS: Final = 30
TIMEZONE: Final = "America/Los_Angeles"

ServiceMethod = Literal["personal", "electronic", "mail", "mail_outside_california",
                        "mail_outside_us", "overnight"]
METHODS: Final[frozenset[str]] = frozenset(ServiceMethod.__args__)  # type: ignore[attr-defined]
# method -> (calendar days, court days, citation)
EXTENSIONS: Final[dict[str, tuple[int, int, str]]] = {
    "personal": (0, 0, ""),
    "mail": (5, 0, "Cal. Code Civ. Proc. 1013(a) (mail within California)"),
    "mail_outside_california": (10, 0, "Cal. Code Civ. Proc. 1013(a) (mail outside California)"),
    "mail_outside_us": (20, 0, "Cal. Code Civ. Proc. 1013(a) (mail outside the United States)"),
    "overnight": (0, 2, "Cal. Code Civ. Proc. 1013(c) (overnight delivery)"),
    "electronic": (0, 2, "Cal. Code Civ. Proc. 1010.6(a)(3)(B) (electronic service)"),
}
Status = Literal["open", "accepted", "revoked", "expired"]


class Ccp998InputError(ValueError):
    """An argument the 998 rules cannot work with; the message says which and why."""


@dataclass(frozen=True)
class Window:
    """The acceptance window: the last day, the first instant after it (court time, in
    UTC), whether trial cuts it short, and the explanation line by line with citations."""

    last_day: dt.date
    ends_at: dt.datetime
    explanation: list[str]
    made_on: dt.date
    cut_by_trial: bool = False
    rules: list[str] = field(default_factory=list)


def _day(value: object, name: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise Ccp998InputError(f"{name} must be a calendar date, got {value!r}")
    return value


def _end_instant(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + ONE_DAY, dt.time(0), tzinfo=ZoneInfo(TIMEZONE)
                               ).astimezone(dt.UTC)


def _why(day: dt.date, extra: Collection[dt.date]) -> str:
    return calendar.holiday_reason(day, extra) or "a court day"


def made_on(served_on: dt.date, method: str,
            extra_holidays: Collection[dt.date] = ()) -> dt.date:
    """The day the offer counts as made: the service day, or for electronic service on a
    day that is not a court day the next court day (CCP 1010.6(a)(3)(B))."""
    served_on = _day(served_on, "served_on")
    if method not in METHODS:
        raise Ccp998InputError(f"unknown service method {method!r}")
    try:
        if method == "electronic":
            return calendar.next_court_day(served_on, extra_holidays)
        return served_on
    except CalendarInputError as exc:
        raise Ccp998InputError(str(exc)) from None


def latest_service_date(trial_date: dt.date) -> dt.date:
    """The last day an offer may be served: 10 days before trial, the trial day excluded
    (998(b); CCP 12 and 12c(a), counting backward)."""
    return _day(trial_date, "trial_date") - dt.timedelta(days=MIN_DAYS_BEFORE_TRIAL)


def too_close_to_trial(served_on: dt.date, trial_date: dt.date | None) -> bool:
    """True when an offer served on `served_on` is less than 10 days before trial."""
    served_on = _day(served_on, "served_on")
    return trial_date is not None and served_on > latest_service_date(trial_date)


def acceptance_window(served_on: dt.date, method: str = "personal", *,
                      trial_date: dt.date | None = None,
                      extra_holidays: Collection[dt.date] = ()) -> Window:
    """When the 998(b)(2) acceptance window ends (see the module invariants)."""
    served_on = _day(served_on, "served_on")
    try:
        return _window(served_on, method, trial_date, extra_holidays)
    except CalendarInputError as exc:
        raise Ccp998InputError(str(exc)) from None


def _window(served_on: dt.date, method: str, trial_date: dt.date | None,
            extra: Collection[dt.date]) -> Window:
    start = made_on(served_on, method, extra)
    lines = [f"An offer under Cal. Code Civ. Proc. 998(b) that is not accepted within "
             f"{OPEN_DAYS} days after it is made, or before trial if that comes first, "
             "is deemed withdrawn (998(b)(2))."]
    if start != served_on:
        lines.append(f"Served electronically on {served_on:%A, %B %-d, %Y}, "
                     f"{_why(served_on, extra)}: deemed served on the next court day, "
                     f"{start:%A, %B %-d, %Y} (Cal. Code Civ. Proc. 1010.6(a)(3)(B)).")
    counted = start + dt.timedelta(days=OPEN_DAYS)
    lines.append(f"Counting {OPEN_DAYS} days from {start:%B %-d, %Y}, the first day excluded "
                 f"(Cal. Code Civ. Proc. 12), lands on {counted:%A, %B %-d, %Y}.")
    last = _extend_and_roll(counted, method, extra, lines)
    if trial_date is not None and trial_date <= last:
        lines.append(f"Trial is set for {trial_date:%A, %B %-d, %Y}, before that: the offer "
                     "can be accepted only before trial begins (998(b)(2)), so the window "
                     "closes at the start of the trial day.")
        last_day = trial_date - ONE_DAY
        return Window(last_day=last_day, ends_at=_end_instant(last_day), explanation=lines,
                      made_on=start, cut_by_trial=True)
    lines.append(f"Last day to accept: {last:%A, %B %-d, %Y}, until 11:59 pm Pacific time.")
    return Window(last_day=last, ends_at=_end_instant(last), explanation=lines, made_on=start)


def _extend_and_roll(counted: dt.date, method: str, extra: Collection[dt.date],
                     lines: list[str]) -> dt.date:
    """A forward period's last day: the service time added (CCP 1013, 1010.6), then a last
    day that is no court day extended to the next court day (CCP 12a)."""
    days, court_days, citation = EXTENSIONS[method]
    last = counted
    if days:
        last = counted + dt.timedelta(days=days)
        lines.append(f"Plus {days} calendar days for service by this method ({citation}): "
                     f"{last:%A, %B %-d, %Y}.")
    elif court_days:
        last = calendar.add_court_days(counted, court_days, extra)
        lines.append(f"Plus {court_days} court days for service by this method ({citation}): "
                     f"{last:%A, %B %-d, %Y}.")
    if not calendar.is_court_day(last, extra):
        rolled = calendar.next_court_day(last, extra)
        lines.append(f"{last:%A, %B %-d, %Y} is {_why(last, extra)}, so the period extends "
                     f"to the next court day, {rolled:%A, %B %-d, %Y} "
                     "(Cal. Code Civ. Proc. 12a).")
        last = rolled
    return last


@dataclass(frozen=True)
class Period:
    """A California state-court period in days (CCP 12, 12a, 12c): its last day, the first
    instant after it (Pacific, in UTC), where the bare count landed, the explanation, and
    two readings where the law is unsettled (``deadline`` is then the earlier)."""

    last_day: dt.date
    ends_at: dt.datetime
    counted: dt.date
    explanation: list[str]
    readings: tuple[dt.date, dt.date, list[str]] | None = None


def state_period(trigger: dt.date, days: int, direction: str = "after",
                 method: str = "personal",
                 extra_holidays: Collection[dt.date] = ()) -> Period:
    """A period of `days` days after an event (CCP 12: the first day excluded, the last
    included; service time; CCP 12a) or before a hearing (CCP 12c: counted backward, the
    hearing day excluded, service time counted backward too)."""
    trigger = _day(trigger, "trigger")
    if method not in METHODS:
        raise Ccp998InputError(f"unknown service method {method!r}")
    if not 1 <= days <= 3650:
        raise Ccp998InputError("days must be between 1 and 3650")
    try:
        if direction == "after":
            return _forward(trigger, days, method, extra_holidays)
        if direction == "before":
            return _backward(trigger, days, method, extra_holidays)
    except CalendarInputError as exc:
        raise Ccp998InputError(str(exc)) from None
    raise Ccp998InputError(f"unknown direction {direction!r}")


def _forward(trigger: dt.date, days: int, method: str, extra: Collection[dt.date]) -> Period:
    start = made_on(trigger, method, extra)
    lines = []
    if start != trigger:
        lines.append(f"Served electronically on {trigger:%A, %B %-d, %Y}, "
                     f"{_why(trigger, extra)}: deemed served on the next court day, "
                     f"{start:%A, %B %-d, %Y} (Cal. Code Civ. Proc. 1010.6(a)(3)(B)).")
    counted = start + dt.timedelta(days=days)
    lines.append(f"Counting {days} days from {start:%B %-d, %Y}, the first day excluded and "
                 f"the last included (Cal. Code Civ. Proc. 12), lands on "
                 f"{counted:%A, %B %-d, %Y}.")
    last = _extend_and_roll(counted, method, extra, lines)
    lines.append(f"Last day: {last:%A, %B %-d, %Y}, until 11:59 pm Pacific time.")
    return Period(last, _end_instant(last), counted, lines)


def _backward(hearing: dt.date, days: int, method: str, extra: Collection[dt.date]) -> Period:
    counted = hearing - dt.timedelta(days=days)
    lines = [f"Counting {days} days back from the hearing on {hearing:%A, %B %-d, %Y}, the "
             f"hearing day excluded (Cal. Code Civ. Proc. 12c(a)), lands on "
             f"{counted:%A, %B %-d, %Y}."]
    extra_days, court_days, citation = EXTENSIONS[method]
    last = counted
    if extra_days:
        last = counted - dt.timedelta(days=extra_days)
    elif court_days:
        last = calendar.subtract_court_days(counted, court_days, extra)
    if last != counted:
        lines.append(f"The time added for this manner of service ({citation}) is counted "
                     f"backward too (Cal. Code Civ. Proc. 12c(b)): {last:%A, %B %-d, %Y}.")
    if calendar.is_court_day(last, extra):
        lines.append(f"Last day: {last:%A, %B %-d, %Y}, until 11:59 pm Pacific time.")
        return Period(last, _end_instant(last), counted, lines)
    earliest = calendar.previous_court_day(last, extra)
    latest = calendar.next_court_day(last, extra)
    why = [f"{last:%A, %B %-d, %Y} is {_why(last, extra)}.",
           "Cal. Code Civ. Proc. 12a extends a period whose last day is a holiday to the next "
           "court day; applied to a period counted backward from a hearing it would shorten "
           "the notice the period exists to give, and courts commonly require the act on "
           "the court day before. The earlier day is the safe one.",
           f"Earlier reading: {earliest:%A, %B %-d, %Y}; later reading: "
           f"{latest:%A, %B %-d, %Y}."]
    lines += why
    return Period(earliest, _end_instant(earliest), counted, lines, (earliest, latest, why))


def offer_status(ends_at: dt.datetime, now: dt.datetime, *, accepted: bool,
                 revoked: bool) -> Status:
    """Accepted and revoked are final; otherwise open until `ends_at` (exclusive), then
    expired (deemed withdrawn, 998(b)(2))."""
    for name, value in (("ends_at", ends_at), ("now", now)):
        if not isinstance(value, dt.datetime) or value.utcoffset() is None:
            raise Ccp998InputError(f"{name} must be a timezone-aware datetime")
    if accepted:
        return "accepted"
    if revoked:
        return "revoked"
    return "open" if now < ends_at else "expired"


# --- 998(c)-(e) cost consequences ----------------------------------------------------

OfferorSide = Literal["plaintiff", "defendant"]


@dataclass(frozen=True)
class CostOutcome:
    """What 998(c)-(e) does after a refused offer. `consequences` are stable codes:
    ``plaintiff_pays_defendant_costs_from_offer``, ``plaintiff_recovers_no_post_offer_costs``,
    ``court_may_award_expert_fees_to_defendant`` (998(c)(1)),
    ``court_may_award_expert_fees_to_plaintiff`` (998(d)), ``costs_offset_against_damages``
    (998(e)). Amounts are in cents."""

    applicable: bool
    more_favorable: bool | None
    consequences: list[str]
    explanation: list[str]
    compared_judgment_cents: int | None = None
    net_to_plaintiff_cents: int | None = None
    net_to_defendant_cents: int | None = None


def format_usd(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    return f"{sign}${dollars:,}.{rest:02d}"


def _cents(name: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        # Amounts are confidential: the message names the field, never the value.
        raise Ccp998InputError(f"{name} must be a non-negative integer number of cents")
    return value


def compare_costs(*, offeror_side: str, offer_amount_cents: int, judgment_for: str,
                  judgment_amount_cents: int, pre_offer_costs_cents: int = 0,
                  defendant_post_offer_costs_cents: int = 0) -> CostOutcome:
    """The 998(c)-(e) consequences of a refused offer.

    `offeror_side`: the side of the party that made the offer. `judgment_for`: "plaintiff"
    or "defendant". `judgment_amount_cents`: what the plaintiff recovered (0 when judgment
    is for the defendant); `pre_offer_costs_cents`: the plaintiff's costs before the offer,
    counted with the judgment while post-offer costs are left out (998(c)(2)(A));
    `defendant_post_offer_costs_cents`: the defendant's costs from the time of the offer, for
    the 998(e) offset.
    """
    offer = _cents("offer_amount_cents", offer_amount_cents)
    recovered = _cents("judgment_amount_cents", judgment_amount_cents)
    pre = _cents("pre_offer_costs_cents", pre_offer_costs_cents)
    post = _cents("defendant_post_offer_costs_cents", defendant_post_offer_costs_cents)
    if judgment_for not in ("plaintiff", "defendant"):
        raise Ccp998InputError("judgment_for must be 'plaintiff' or 'defendant'")
    if judgment_for == "defendant":
        recovered = 0
    compared = recovered + pre if recovered else 0
    if offeror_side == "defendant":
        return _defendant_offer(offer, recovered, pre, compared, post)
    if offeror_side == "plaintiff":
        return _plaintiff_offer(offer, compared, recovered, pre)
    return CostOutcome(applicable=False, more_favorable=None, consequences=[], explanation=[
        "Section 998(c) and (d) speak of offers by a plaintiff or by a defendant; the "
        "consequences of an offer by or to another party are for the court to decide."])


def _compared_line(recovered: int, pre: int, compared: int) -> str:
    if not recovered:
        return "The plaintiff recovered nothing."
    return (f"The plaintiff's judgment of {format_usd(recovered)} plus the plaintiff's costs "
            f"incurred before the offer ({format_usd(pre)}) makes {format_usd(compared)}; "
            "costs after the offer are left out (998(c)(2)(A)).")


def _defendant_offer(offer: int, recovered: int, pre: int, compared: int,
                     post: int) -> CostOutcome:
    lines = [f"The defendant offered {format_usd(offer)}.", _compared_line(recovered, pre,
                                                                          compared)]
    better = compared > offer
    if better:
        lines.append(f"{format_usd(compared)} is more than the offer: the plaintiff obtained a "
                     "more favorable judgment, so section 998(c) changes nothing.")
        return CostOutcome(applicable=True, more_favorable=True, consequences=[],
                           explanation=lines, compared_judgment_cents=compared)
    lines.append(
        f"{format_usd(compared)} is {'equal to' if compared == offer else 'less than'} the "
        "offer: the plaintiff did not obtain a more favorable judgment (998(c)(1)).")
    lines.append("The plaintiff recovers no costs incurred after the offer and pays the "
                 "defendant's costs from the time of the offer; the court may also order the "
                 "plaintiff to pay the defendant's reasonable expert witness costs after the "
                 "offer (998(c)(1)).")
    codes = ["plaintiff_recovers_no_post_offer_costs",
             "plaintiff_pays_defendant_costs_from_offer",
             "court_may_award_expert_fees_to_defendant"]
    net_plaintiff = net_defendant = None
    if recovered:
        codes.append("costs_offset_against_damages")
        net = recovered - post
        net_plaintiff, net_defendant = max(net, 0), max(-net, 0)
        lines.append(
            f"Those costs ({format_usd(post)}) are deducted from the damages awarded "
            f"(998(e)): {format_usd(net_plaintiff)} to the plaintiff"
            + (f", and the excess of {format_usd(net_defendant)} is awarded to the defendant."
               if net_defendant else "."))
    return CostOutcome(applicable=True, more_favorable=False, consequences=codes,
                       explanation=lines, compared_judgment_cents=compared,
                       net_to_plaintiff_cents=net_plaintiff,
                       net_to_defendant_cents=net_defendant)


def _plaintiff_offer(offer: int, compared: int, recovered: int, pre: int) -> CostOutcome:
    lines = [f"The plaintiff offered to settle for {format_usd(offer)}.",
             _compared_line(recovered, pre, compared)]
    if compared < offer:
        lines.append(f"{format_usd(compared)} is less than the offer: the defendant obtained a "
                     "more favorable judgment, so section 998(d) changes nothing.")
        return CostOutcome(applicable=True, more_favorable=True, consequences=[],
                           explanation=lines, compared_judgment_cents=compared)
    lines.append(
        f"{format_usd(compared)} is {'equal to' if compared == offer else 'more than'} the "
        "offer: the defendant did not obtain a more favorable judgment (998(d)).")
    lines.append("The court may require the defendant to pay the plaintiff's reasonable "
                 "expert witness costs incurred after the offer (998(d)); in a personal "
                 "injury action, Civil Code 3291 interest may also run from the offer.")
    return CostOutcome(applicable=True, more_favorable=False,
                       consequences=["court_may_award_expert_fees_to_plaintiff"],
                       explanation=lines, compared_judgment_cents=compared)
