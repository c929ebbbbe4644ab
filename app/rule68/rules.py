"""Pure rules of FRCP 68 (offers of judgment).

Plain values in and out: no database, no web framework, no clock (`now` is a
parameter). Party ids are any hashable values (UUIDs in the service layer).

Invariants:
- an offer may be accepted until the end of the 14th day after service, computed by
  the FRCP 6 engine (so FRCP 6(d) adds 3 days after service by mail) (68(a));
- an offer must be served at least 14 days before the date set for trial (68(a)) or,
  once liability is determined, before the hearing on its extent (68(c)); the count is
  a backward period, so a weekend or holiday moves the last day earlier;
- an unaccepted offer is considered withdrawn once the acceptance window ends (68(b));
- only a party defending a claim brought by the offeree may serve an offer on it;
- the 68(d) comparison is like with like, and a judgment equal to the offer is not
  more favorable than the offer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal, NamedTuple, TypeVar

from app.deadlines.rules import DEFAULT_TIMEZONE, Deadline, compute_deadline

OFFER_WINDOW_DAYS: Final = 14
"""Days to accept after service (68(a)) and the minimum lead before trial (68(a), 68(c))."""

OfferStatus = Literal["open", "accepted", "withdrawn"]
CostsMode = Literal["plus_accrued", "included"]
JudgmentFor = Literal["offeree", "offeror"]
TimingProblem = Literal["too_close_to_trial", "too_close_to_hearing"]
PartyId = TypeVar("PartyId", bound=Hashable)
# Pre-offer attorney's fees and interest (cents), whether fees are costs, the fees term.
_PreOffer = tuple[int, int, bool, str] | None
SIDES: Final[frozenset[str]] = frozenset({"plaintiff", "defendant", "third_party"})


class Rule68InputError(ValueError):
    """An argument the Rule 68 rules cannot work with; the message says which and why."""


def _with_preamble(deadline: Deadline, line: str, rule: str) -> Deadline:
    rules = [rule, *(r for r in deadline.rules if r != rule)]
    return dataclasses.replace(
        deadline, explanation=[f"{line}: {rule}", *deadline.explanation], rules=rules
    )


# --- time limits -----------------------------------------------------------------


def acceptance_deadline(
    served_on: dt.date,
    service_method: str = "electronic",
    *,
    court_state: str | None = None,
    extra_holidays: Collection[dt.date] = (),
    court_timezone: str = DEFAULT_TIMEZONE,
    district: str | None = None,
    inaccessible_days: Collection[dt.date] = (),
) -> Deadline:
    """The last day the offeree may serve written notice accepting the offer (68(a)).

    `inaccessible_days` are the closure days recorded for the court (FRCP 6(a)(3)); the
    service passes them so that every computation of the room counts the same days.
    Raises DeadlineInputError on invalid input.
    """
    deadline = compute_deadline(
        served_on,
        OFFER_WINDOW_DAYS,
        "after",
        court_state=court_state,
        service_method=service_method,
        extra_holidays=extra_holidays,
        inaccessible_days=inaccessible_days,
        court_timezone=court_timezone,
        district=district,
    )
    return _with_preamble(
        deadline,
        f"The offer may be accepted within {OFFER_WINDOW_DAYS} days after being served",
        "FRCP 68(a)",
    )


def latest_service_date(
    event_date: dt.date,
    *,
    event: Literal["trial", "hearing"] = "trial",
    extra_holidays: Collection[dt.date] = (),
    court_timezone: str = DEFAULT_TIMEZONE,
    district: str | None = None,
) -> Deadline:
    """The last day an offer may be served before trial (68(a)) or the 68(c) hearing.

    A backward period: state holidays do not count (FRCP 6(a)(6)(C)) and FRCP 6(d)
    adds nothing (the offeror serves; it does not act after being served). Service is
    not a filing, so clerk's-office inaccessibility is not taken into account. 68(c)
    also asks for "a reasonable time"; that judgment is left to the court.
    """
    if event == "trial":
        line = f"An offer must be served at least {OFFER_WINDOW_DAYS} days before trial"
        rule = "FRCP 68(a)"
    elif event == "hearing":
        line = (
            f"An offer after liability is determined must be served at least "
            f"{OFFER_WINDOW_DAYS} days before the hearing on the extent of liability"
        )
        rule = "FRCP 68(c)"
    else:
        raise Rule68InputError(f"event must be 'trial' or 'hearing', got {event!r}")
    deadline = compute_deadline(
        event_date,
        OFFER_WINDOW_DAYS,
        "before",
        extra_holidays=extra_holidays,
        court_timezone=court_timezone,
        district=district,
    )
    return _with_preamble(deadline, line, rule)


def check_service_timing(
    served_on: dt.date,
    trial_date: dt.date | None = None,
    damages_hearing_date: dt.date | None = None,
    *,
    extra_holidays: Collection[dt.date] = (),
    court_timezone: str = DEFAULT_TIMEZONE,
    district: str | None = None,
) -> TimingProblem | None:
    """None when service on `served_on` is early enough, else a stable reason code.

    When a hearing on the extent of liability is set, liability has been determined
    and 68(c) governs: the offer is measured against that hearing only, so a trial
    date already past does not bar it. Otherwise it is measured against the trial
    date; with neither date set there is no limit yet.
    """
    if not isinstance(served_on, dt.date) or isinstance(served_on, dt.datetime):
        raise Rule68InputError(f"served_on must be a calendar date, got {served_on!r}")
    if damages_hearing_date is not None:
        latest = latest_service_date(
            damages_hearing_date,
            event="hearing",
            extra_holidays=extra_holidays,
            court_timezone=court_timezone,
            district=district,
        )
        return "too_close_to_hearing" if served_on > latest.date else None
    if trial_date is not None:
        latest = latest_service_date(
            trial_date, extra_holidays=extra_holidays, court_timezone=court_timezone,
            district=district,
        )
        return "too_close_to_trial" if served_on > latest.date else None
    return None


def offer_status(
    acceptance_deadline: Deadline | dt.datetime, now: dt.datetime, *, accepted: bool
) -> OfferStatus:
    """The offer's status: accepted, else open until the window ends, then withdrawn (68(b)).

    The window ends at `Deadline.ends_at` (or the aware datetime given), exclusive.
    The service layer must record an acceptance only while the status is "open".
    """
    ends_at = (
        acceptance_deadline.ends_at
        if isinstance(acceptance_deadline, Deadline)
        else acceptance_deadline
    )
    for name, value in (("acceptance_deadline", ends_at), ("now", now)):
        if not isinstance(value, dt.datetime) or value.utcoffset() is None:
            raise Rule68InputError(f"{name} must be a timezone-aware datetime, got {value!r}")
    if accepted:
        return "accepted"
    return "open" if now < ends_at else "withdrawn"


# --- who may serve ----------------------------------------------------------------


class Claim(NamedTuple):
    """A claim by one party against the parties defending it; a plain 2-tuple works too."""

    claimant_party_id: Hashable
    defending_party_ids: Collection[Hashable]


def implied_claims(sides: Mapping[PartyId, str]) -> list[Claim]:
    """The claims of a case with none recorded: every plaintiff against every defendant.

    Third parties bring and defend no implied claim.
    """
    for party, side in sides.items():
        if side not in SIDES:
            known = ", ".join(sorted(SIDES))
            raise Rule68InputError(f"party {party!r} has unknown side {side!r}: expected {known}")
    defendants = frozenset(p for p, side in sides.items() if side == "defendant")
    if not defendants:
        return []
    return [Claim(p, defendants) for p, side in sides.items() if side == "plaintiff"]


def may_serve(
    offeror_party_id: Hashable,
    offeree_party_id: Hashable,
    claims: Iterable[tuple[Hashable, Collection[Hashable]]],
    *,
    sides: Mapping[PartyId, str] | None = None,
) -> bool:
    """True iff the offeror defends at least one claim brought by the offeree (68(a)).

    Counterclaims and crossclaims are claims like any other: a plaintiff defending a
    defendant's counterclaim may serve an offer on that defendant. When `claims` is
    empty the case is treated as every plaintiff claiming against every defendant,
    which needs `sides` (party id -> "plaintiff" | "defendant" | "third_party").
    """
    recorded = list(claims)
    if not recorded:
        if sides is None:
            raise Rule68InputError("sides are required when the case has no recorded claim")
        recorded = list(implied_claims(sides))
    if offeror_party_id == offeree_party_id:
        return False
    return any(
        claimant == offeree_party_id and offeror_party_id in defenders
        for claimant, defenders in recorded
    )



def defends_claims_of(
    offeror_party_id: Hashable,
    offeree_party_ids: Iterable[Hashable],
    claims: Iterable[tuple[Hashable, Collection[Hashable]]],
    *,
    sides: Mapping[PartyId, str] | None = None,
) -> bool:
    """True iff `may_serve` holds for every offeree (a joint offer needs each of them)."""
    recorded = list(claims)
    offerees = list(offeree_party_ids)
    return bool(offerees) and all(
        may_serve(offeror_party_id, o, recorded, sides=sides) for o in offerees)

# --- 68(d) costs --------------------------------------------------------------------


@dataclass(frozen=True)
class CostComparison:
    """Outcome of the 68(d) comparison.

    `offeree_pays_post_offer_costs` is None exactly when `applicable` is False. The
    compared values are in cents, both sides measured the same way.
    """

    offeree_pays_post_offer_costs: bool | None
    applicable: bool
    explanation: list[str]
    judgment_value_cents: int | None = None
    offer_value_cents: int | None = None


def format_usd(cents: int) -> str:
    """Whole cents as dollars, e.g. 1250000 -> "$12,500.00"."""
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    return f"{sign}${dollars:,}.{rest:02d}"


def _check_cents(name: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        # Amounts are confidential: the message names the field, never the value.
        raise Rule68InputError(f"{name} must be an integer number of cents")
    if value < 0:
        raise Rule68InputError(f"{name} must not be negative")
    return value


def _fees_in_amount(mode: str, attorney_fees: str) -> bool:
    """Whether the offered amount itself covers the offeree's pre-offer attorney's fees.

    Stated terms govern; an offer silent on fees covers them when it includes costs and the
    statute defines fees as costs (Marek v. Chesny, 473 U.S. 1 (1985))."""
    return attorney_fees == "included" or (attorney_fees == "silent" and mode == "included")


def _compared_values(
    mode: str, offer: int, judgment: int, pre_offer_costs: int,
    extras: _PreOffer = None,
) -> tuple[int, int, list[str]]:
    fees, interest, fees_are_costs, attorney_fees = extras or (0, 0, False, "silent")
    if mode not in ("plus_accrued", "included"):
        raise Rule68InputError(f"costs_mode must be 'plus_accrued' or 'included', got {mode!r}")
    lines: list[str] = []
    got = judgment
    if interest:
        got += interest
        lines.append(
            f"Prejudgment interest accrued up to the offer ({format_usd(interest)}) is part of "
            "what the offeree obtained and is added to the judgment; interest accrued after "
            "the offer is not.")
    if mode == "plus_accrued":
        lines[:0] = [
            f"The offer was {format_usd(offer)} plus the costs then accrued.",
            f"Like is compared with like: the costs incurred before the offer "
            f"({format_usd(pre_offer_costs)}) stand on both sides, so the judgment of "
            f"{format_usd(judgment)} is compared with the offer of {format_usd(offer)}.",
        ]
    else:
        got += pre_offer_costs
        lines[:0] = [
            f"The offer was a lump sum of {format_usd(offer)} including costs "
            "(Marek v. Chesny, 473 U.S. 1 (1985)).",
            f"Like is compared with like: the judgment of {format_usd(judgment)} plus the "
            f"costs incurred before the offer ({format_usd(pre_offer_costs)}) makes "
            f"{format_usd(judgment + pre_offer_costs)}, which is compared with the lump sum "
            f"of {format_usd(offer)}.",
        ]
    if fees and not fees_are_costs:
        lines.append(
            f"The pre-offer attorney's fees ({format_usd(fees)}) are left out: they count "
            "only where the statute defines fees as part of costs (Marek v. Chesny).")
    elif fees and _fees_in_amount(mode, attorney_fees):
        got += fees
        lines.append(
            f"The statute counts attorney's fees as costs and the offer covers them, so the "
            f"pre-offer fees ({format_usd(fees)}) are added to the judgment side "
            "(Marek v. Chesny).")
    elif fees:
        lines.append(
            f"The statute counts attorney's fees as costs and the offer leaves them on top, "
            f"so the pre-offer fees ({format_usd(fees)}) stand on both sides.")
    if got != judgment and (interest or fees):
        lines.append(f"Compared value of the judgment: {format_usd(got)}.")
    return got, offer, lines


def compare_costs(
    *,
    offer_amount_cents: int,
    costs_mode: CostsMode,
    judgment_amount_cents: int,
    pre_offer_costs_cents: int,
    judgment_for: JudgmentFor,
    pre_offer_fees_cents: int = 0,
    pre_offer_interest_cents: int = 0,
    fees_are_costs: bool = False,
    attorney_fees: str = "silent",
) -> CostComparison:
    """Whether the offeree must pay the costs incurred after the offer (68(d)).

    `judgment_amount_cents` is the judgment without costs; `pre_offer_costs_cents` the
    offeree's costs accrued when the offer was made (including attorney's fees only
    where the underlying statute defines fees as costs). "More favorable" is strict:
    a judgment equal to the offer is not more favorable.

    Pre-offer attorney's fees and prejudgment interest are separate inputs: the interest
    accrued up to the offer is always part of what the offeree obtained; the fees count only
    when `fees_are_costs` (the statute defines them as costs, Marek), on the judgment side
    when the offered amount covers them (`attorney_fees`, see `_fees_in_amount`).
    """
    offer = _check_cents("offer_amount_cents", offer_amount_cents)
    judgment = _check_cents("judgment_amount_cents", judgment_amount_cents)
    pre_offer = _check_cents("pre_offer_costs_cents", pre_offer_costs_cents)
    extras: _PreOffer = (
        _check_cents("pre_offer_fees_cents", pre_offer_fees_cents),
        _check_cents("pre_offer_interest_cents", pre_offer_interest_cents),
        bool(fees_are_costs), attorney_fees)
    if attorney_fees not in ("included", "excluded", "silent"):
        raise Rule68InputError("attorney_fees must be 'included', 'excluded' or 'silent'")
    if judgment_for == "offeror":
        _compared_values(costs_mode, offer, judgment, pre_offer)  # validates the mode
        return CostComparison(
            offeree_pays_post_offer_costs=None,
            applicable=False,
            explanation=[
                "Judgment was entered for the offeror, so Rule 68(d) does not apply: it "
                "reaches only a judgment the offeree obtains (Delta Air Lines, Inc. v. "
                "August, 450 U.S. 346 (1981)). Costs follow Rule 54(d)(1) instead."
            ],
        )
    if judgment_for != "offeree":
        raise Rule68InputError(f"judgment_for must be 'offeree' or 'offeror', got {judgment_for!r}")
    got, offered, lines = _compared_values(costs_mode, offer, judgment, pre_offer, extras)
    pays = got <= offered
    if got == offered:
        lines.append(
            f"The judgment ({format_usd(got)}) equals the offer ({format_usd(offered)}); "
            "a judgment equal to the offer is not more favorable than the offer."
        )
    else:
        relation = "less" if got < offered else "more"
        verdict = "not more favorable" if pays else "more favorable"
        lines.append(
            f"The judgment ({format_usd(got)}) is {relation} than the offer "
            f"({format_usd(offered)}), so it is {verdict} than the offer."
        )
    lines.append(
        "Under Rule 68(d) the offeree must pay the costs incurred after the offer was made."
        if pays
        else "Rule 68(d) does not shift the costs incurred after the offer."
    )
    return CostComparison(
        offeree_pays_post_offer_costs=pays,
        applicable=True,
        explanation=lines,
        judgment_value_cents=got,
        offer_value_cents=offered,
    )
