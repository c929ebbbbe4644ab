"""Rule 68 vectors. Expected dates are worked out by hand from the rules and a calendar."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from app.deadlines.rules import DeadlineInputError
from app.rule68.rules import (
    Claim,
    Rule68InputError,
    acceptance_deadline,
    check_service_timing,
    compare_costs,
    format_usd,
    implied_claims,
    latest_service_date,
    may_serve,
    offer_status,
)

D = dt.date.fromisoformat
UTC = dt.UTC
EO_2025 = (D("2025-12-24"), D("2025-12-26"))

# --- acceptance deadline, 68(a) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("served_on", "method", "state", "expected"),
    [
        ("2025-06-02", "electronic", None, "2025-06-16"),  # Mon + 14 = Mon
        ("2025-06-02", "personal", None, "2025-06-16"),
        ("2025-06-02", "mail", None, "2025-06-20"),  # Mon 06-16 + 3 = Thu Juneteenth -> Fri
        ("2025-06-21", "electronic", None, "2025-07-07"),  # Sat 07-05 -> Mon 07-07
        ("2025-06-21", "mail", None, "2025-07-10"),  # Mon 07-07 + 3 = Thu 07-10
        ("2025-11-13", "electronic", None, "2025-11-28"),  # Thanksgiving Thu -> Fri
        ("2025-11-13", "electronic", "CA", "2025-12-01"),  # and CA's day after -> Mon
        ("2026-03-17", "electronic", "CA", "2026-04-01"),  # Cesar Chavez Day Tue -> Wed
        # Fri 2027-12-31 (New Year's observed), weekend -> Mon 01-03; + 3 = Thu 2028-01-06.
        ("2027-12-17", "clerk", None, "2028-01-06"),
    ],
)
def test_acceptance_deadline(served_on: str, method: str, state: str | None, expected: str) -> None:
    deadline = acceptance_deadline(D(served_on), method, court_state=state)
    assert deadline.date == D(expected)
    assert deadline.explanation[0] == (
        "The offer may be accepted within 14 days after being served: FRCP 68(a)"
    )
    assert deadline.rules[0] == "FRCP 68(a)"


def test_acceptance_deadline_with_declared_holidays() -> None:
    # Wed 12-24 EO, Thu Christmas, Fri 12-26 EO, weekend -> Mon 12-29.
    deadline = acceptance_deadline(D("2025-12-10"), extra_holidays=EO_2025)
    assert deadline.date == D("2025-12-29")


def test_acceptance_deadline_rejects_bad_input() -> None:
    with pytest.raises(DeadlineInputError, match="unknown service_method"):
        acceptance_deadline(D("2025-06-02"), "carrier pigeon")
    with pytest.raises(DeadlineInputError, match="unknown court_state"):
        acceptance_deadline(D("2025-06-02"), court_state="XX")


# --- latest service date before trial or hearing, 68(a) and 68(c) ----------------------


@pytest.mark.parametrize(
    ("event_date", "kwargs", "expected"),
    [
        ("2026-06-16", {}, "2026-06-02"),  # Tue - 14 = Tue
        ("2025-07-21", {}, "2025-07-07"),  # Mon - 14 = Mon
        ("2025-07-18", {}, "2025-07-03"),  # Fri 07-04 holiday -> Thu 07-03
        ("2025-09-15", {}, "2025-08-29"),  # Mon 09-01 Labor Day, Sun, Sat -> Fri 08-29
        ("2026-03-30", {}, "2026-03-16"),  # Mon - 14 = Mon (Cesar Chavez Day not in play)
        ("2026-04-14", {}, "2026-03-31"),  # Tue 03-31: a CA holiday, but backward periods ignore it
        ("2026-01-09", {"extra_holidays": EO_2025}, "2025-12-23"),  # 26 EO, 25, 24 EO -> 23
        # The curated calendar knows the December 2025 closures without configuration.
        ("2026-01-09", {}, "2025-12-23"),
        ("2027-01-08", {}, "2026-12-24"),  # no closure declared for 2026
    ],
)
def test_latest_service_date(event_date: str, kwargs: dict[str, object], expected: str) -> None:
    deadline = latest_service_date(D(event_date), **kwargs)  # type: ignore[arg-type]
    assert deadline.date == D(expected)
    assert deadline.explanation[0].endswith(": FRCP 68(a)")


def test_latest_service_date_before_hearing_cites_68c() -> None:
    deadline = latest_service_date(D("2025-07-18"), event="hearing")
    assert deadline.date == D("2025-07-03")
    assert deadline.explanation[0].endswith(": FRCP 68(c)")
    with pytest.raises(Rule68InputError, match="event must be"):
        latest_service_date(D("2025-07-18"), event="deposition")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("served_on", "trial", "hearing", "expected"),
    [
        ("2025-08-29", "2025-09-15", None, None),  # the last permitted day
        ("2025-08-01", "2025-09-15", None, None),
        ("2025-08-30", "2025-09-15", None, "too_close_to_trial"),  # Sat after the last day
        ("2025-09-01", "2025-09-15", None, "too_close_to_trial"),  # exactly 14 days: a holiday
        ("2026-06-02", "2026-06-16", None, None),  # exactly 14 days before
        ("2026-06-03", "2026-06-16", None, "too_close_to_trial"),  # 13 days before
        ("2026-06-16", "2026-06-16", None, "too_close_to_trial"),  # the day of trial
        ("2026-06-20", "2026-06-16", None, "too_close_to_trial"),  # after trial began
        ("2025-07-03", None, "2025-07-18", None),
        ("2025-07-07", None, "2025-07-18", "too_close_to_hearing"),
        # Liability tried in May; the damages hearing governs (68(c)).
        ("2025-06-30", "2025-05-01", "2025-07-18", None),
        ("2025-07-10", "2025-05-01", "2025-07-18", "too_close_to_hearing"),
        ("2025-07-10", None, None, None),  # no date set yet
    ],
)
def test_check_service_timing(
    served_on: str, trial: str | None, hearing: str | None, expected: str | None
) -> None:
    result = check_service_timing(
        D(served_on), D(trial) if trial else None, D(hearing) if hearing else None
    )
    assert result == expected


def test_check_service_timing_rejects_a_timestamp() -> None:
    with pytest.raises(Rule68InputError, match="served_on"):
        check_service_timing(dt.datetime(2025, 7, 1, 12, 0), D("2025-09-15"))


# --- status, 68(b) --------------------------------------------------------------------

# Served Mon 2025-06-02 electronically: last day Mon 06-16, ending 2025-06-17T04:00Z (EDT).
WINDOW = acceptance_deadline(D("2025-06-02"))
NEW_YORK = dt.timezone(dt.timedelta(hours=-4))


@pytest.mark.parametrize(
    ("now", "accepted", "expected"),
    [
        (dt.datetime(2025, 6, 2, 15, 0, tzinfo=UTC), False, "open"),
        (dt.datetime(2025, 6, 17, 3, 59, 59, 999999, tzinfo=UTC), False, "open"),
        (dt.datetime(2025, 6, 16, 23, 59, tzinfo=NEW_YORK), False, "open"),
        (dt.datetime(2025, 6, 17, 4, 0, tzinfo=UTC), False, "withdrawn"),
        (dt.datetime(2025, 6, 17, 0, 0, tzinfo=NEW_YORK), False, "withdrawn"),
        (dt.datetime(2025, 7, 1, tzinfo=UTC), False, "withdrawn"),
        (dt.datetime(2025, 6, 10, tzinfo=UTC), True, "accepted"),
        (dt.datetime(2025, 7, 1, tzinfo=UTC), True, "accepted"),
    ],
)
def test_offer_status(now: dt.datetime, accepted: bool, expected: str) -> None:
    assert WINDOW.ends_at == dt.datetime(2025, 6, 17, 4, 0, tzinfo=UTC)
    assert offer_status(WINDOW, now, accepted=accepted) == expected
    assert offer_status(WINDOW.ends_at, now, accepted=accepted) == expected


def test_offer_status_needs_aware_datetimes() -> None:
    with pytest.raises(Rule68InputError, match="now must be a timezone-aware"):
        offer_status(WINDOW, dt.datetime(2025, 6, 10), accepted=False)
    with pytest.raises(Rule68InputError, match="acceptance_deadline must be"):
        offer_status(dt.datetime(2025, 6, 17), dt.datetime.now(UTC), accepted=False)


# --- who may serve -------------------------------------------------------------------

# P1 sues D1 and D2; D1 counterclaims against P1; D2 crossclaims against D1.
CLAIMS = [
    Claim("P1", frozenset({"D1", "D2"})),
    Claim("D1", frozenset({"P1"})),
    ("D2", ["D1"]),  # a plain tuple works too
]


@pytest.mark.parametrize(
    ("offeror", "offeree", "expected"),
    [
        ("D1", "P1", True),  # defends P1's claim
        ("D2", "P1", True),
        ("P1", "D1", True),  # defends D1's counterclaim
        ("P1", "D2", False),  # D2 brings no claim against P1
        ("D1", "D2", True),  # defends D2's crossclaim
        ("D2", "D1", False),  # D1 brings no claim against D2
        ("P1", "P1", False),
        ("X9", "P1", False),  # not a party to any claim
    ],
)
def test_may_serve_with_recorded_claims(offeror: str, offeree: str, expected: bool) -> None:
    assert may_serve(offeror, offeree, CLAIMS) is expected


SIDES = {"P1": "plaintiff", "P2": "plaintiff", "D1": "defendant", "T1": "third_party"}


@pytest.mark.parametrize(
    ("offeror", "offeree", "expected"),
    [
        ("D1", "P1", True),
        ("D1", "P2", True),
        ("P1", "D1", False),  # no counterclaim is implied
        ("P1", "P2", False),
        ("T1", "P1", False),
        ("D1", "T1", False),
    ],
)
def test_may_serve_without_claims(offeror: str, offeree: str, expected: bool) -> None:
    assert may_serve(offeror, offeree, [], sides=SIDES) is expected


def test_implied_claims() -> None:
    assert implied_claims(SIDES) == [
        Claim("P1", frozenset({"D1"})),
        Claim("P2", frozenset({"D1"})),
    ]
    assert implied_claims({"P1": "plaintiff"}) == []


def test_may_serve_input_errors() -> None:
    with pytest.raises(Rule68InputError, match="sides are required"):
        may_serve("D1", "P1", [])
    with pytest.raises(Rule68InputError, match="unknown side 'intervenor'"):
        may_serve("D1", "P1", [], sides={"P1": "intervenor"})


# --- 68(d) costs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "offer", "judgment", "pre_offer", "pays", "compared"),
    [
        # "plus costs then accrued": judgment against offer; pre-offer costs cancel out.
        ("plus_accrued", 1_000_000, 900_000, 150_000, True, (900_000, 1_000_000)),
        ("plus_accrued", 1_000_000, 1_000_000, 150_000, True, (1_000_000, 1_000_000)),
        ("plus_accrued", 1_000_000, 1_000_001, 150_000, False, (1_000_001, 1_000_000)),
        ("plus_accrued", 1_000_000, 900_000, 5_000_000, True, (900_000, 1_000_000)),
        ("plus_accrued", 1_500_000, 1_250_000, 300_000, True, (1_250_000, 1_500_000)),
        # Lump sum including costs (Marek): judgment + pre-offer costs against the lump sum.
        ("included", 1_500_000, 1_250_000, 150_000, True, (1_400_000, 1_500_000)),
        ("included", 1_500_000, 1_350_000, 150_000, True, (1_500_000, 1_500_000)),
        ("included", 1_500_000, 1_350_001, 150_000, False, (1_500_001, 1_500_000)),
        ("included", 1_500_000, 1_250_000, 300_000, False, (1_550_000, 1_500_000)),
        ("included", 1_500_000, 0, 0, True, (0, 1_500_000)),
    ],
)
def test_compare_costs(
    mode: str, offer: int, judgment: int, pre_offer: int, pays: bool, compared: tuple[int, int]
) -> None:
    result = compare_costs(
        offer_amount_cents=offer,
        costs_mode=mode,  # type: ignore[arg-type]
        judgment_amount_cents=judgment,
        pre_offer_costs_cents=pre_offer,
        judgment_for="offeree",
    )
    assert result.applicable is True
    assert result.offeree_pays_post_offer_costs is pays
    assert (result.judgment_value_cents, result.offer_value_cents) == compared
    last = result.explanation[-1]
    assert ("must pay the costs incurred after the offer" in last) is pays


def test_compare_costs_explains_with_money() -> None:
    plus = compare_costs(
        offer_amount_cents=1_500_000,
        costs_mode="plus_accrued",
        judgment_amount_cents=1_250_000,
        pre_offer_costs_cents=300_000,
        judgment_for="offeree",
    )
    assert plus.explanation == [
        "The offer was $15,000.00 plus the costs then accrued.",
        "Like is compared with like: the costs incurred before the offer ($3,000.00) stand "
        "on both sides, so the judgment of $12,500.00 is compared with the offer of "
        "$15,000.00.",
        "The judgment ($12,500.00) is less than the offer ($15,000.00), so it is not more "
        "favorable than the offer.",
        "Under Rule 68(d) the offeree must pay the costs incurred after the offer was made.",
    ]
    lump = compare_costs(
        offer_amount_cents=1_500_000,
        costs_mode="included",
        judgment_amount_cents=1_250_000,
        pre_offer_costs_cents=300_000,
        judgment_for="offeree",
    )
    assert "Marek v. Chesny, 473 U.S. 1 (1985)" in lump.explanation[0]
    assert (
        "makes $15,500.00, which is compared with the lump sum of $15,000.00"
        in (lump.explanation[1])
    )
    assert lump.explanation[-1] == "Rule 68(d) does not shift the costs incurred after the offer."


def test_compare_costs_equal_is_not_more_favorable() -> None:
    result = compare_costs(
        offer_amount_cents=1_000_000,
        costs_mode="plus_accrued",
        judgment_amount_cents=1_000_000,
        pre_offer_costs_cents=0,
        judgment_for="offeree",
    )
    assert result.offeree_pays_post_offer_costs is True
    assert (
        "The judgment ($10,000.00) equals the offer ($10,000.00); a judgment equal to the "
        "offer is not more favorable than the offer."
    ) in result.explanation


@pytest.mark.parametrize("mode", ["plus_accrued", "included"])
def test_compare_costs_judgment_for_offeror_is_not_applicable(mode: str) -> None:
    result = compare_costs(
        offer_amount_cents=1_000_000,
        costs_mode=mode,  # type: ignore[arg-type]
        judgment_amount_cents=0,
        pre_offer_costs_cents=100_000,
        judgment_for="offeror",
    )
    assert result.applicable is False
    assert result.offeree_pays_post_offer_costs is None
    assert "Delta Air Lines, Inc. v. August, 450 U.S. 346 (1981)" in result.explanation[0]


GOOD = {
    "offer_amount_cents": 1_000_000,
    "costs_mode": "plus_accrued",
    "judgment_amount_cents": 900_000,
    "pre_offer_costs_cents": 10_000,
    "judgment_for": "offeree",
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("offer_amount_cents", -1, "offer_amount_cents must not be negative"),
        ("judgment_amount_cents", -100, "judgment_amount_cents must not be negative"),
        ("pre_offer_costs_cents", -5, "pre_offer_costs_cents must not be negative"),
        ("offer_amount_cents", 10.5, "offer_amount_cents must be an integer"),
        ("judgment_amount_cents", True, "judgment_amount_cents must be an integer"),
        ("costs_mode", "excluded", "costs_mode must be"),
        ("judgment_for", "nobody", "judgment_for must be"),
    ],
)
def test_compare_costs_rejects_bad_input(field: str, value: object, message: str) -> None:
    with pytest.raises(Rule68InputError, match=re.escape(message)):
        compare_costs(**{**GOOD, field: value})  # type: ignore[arg-type]
    assert issubclass(Rule68InputError, ValueError)


def test_compare_costs_rejects_bad_mode_even_for_offeror() -> None:
    with pytest.raises(Rule68InputError, match="costs_mode must be"):
        compare_costs(**{**GOOD, "costs_mode": "excluded", "judgment_for": "offeror"})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cents", "text"),
    [(0, "$0.00"), (5, "$0.05"), (1_250_000, "$12,500.00"), (123_456_789, "$1,234,567.89")],
)
def test_format_usd(cents: int, text: str) -> None:
    assert format_usd(cents) == text
