"""Rule 68 as practiced, pure: 68(c) coverage, consents FRCP 5(b)(2) asks for, backdating,
warnings, and fees and interest in the 68(d) comparison."""

from __future__ import annotations

import datetime as dt

import pytest

from app.rule68.practice import (
    MAX_BACKDATE_DAYS,
    consent_needed,
    is_backdated,
    liability_covers,
    offer_warnings,
    too_far_back,
)
from app.rule68.rules import Rule68InputError, compare_costs

D = dt.date.fromisoformat


@pytest.mark.parametrize(("offeror", "claim", "liable", "claims", "expected"), [
    ("d1", None, None, None, True),  # rows from before the parties were named
    ("d1", None, ["d1"], None, True),
    ("d2", None, ["d1"], None, False),  # not held liable: 68(a) still applies
    ("d1", "c1", ["d1"], ["c1"], True),
    ("d1", "c2", ["d1"], ["c1"], False),  # a claim the determination does not cover
    ("d1", None, ["d1"], ["c1"], False),  # an offer on the whole case is not covered
    ("d1", "c2", ["d1"], [], True),  # no claims named: all of them
])
def test_liability_covers(offeror, claim, liable, claims, expected) -> None:
    assert liability_covers(offeror, claim, liable, claims) is expected


@pytest.mark.parametrize(("method", "needed"), [
    ("electronic", "electronic"), ("other", "other"), ("mail", None), ("personal", None),
    ("clerk", None),
])
def test_consent_needed(method: str, needed: str | None) -> None:
    assert consent_needed(method) == needed


def test_backdating_and_its_bound() -> None:
    assert not is_backdated(D("2026-11-20"), D("2026-11-20"))
    assert is_backdated(D("2026-11-19"), D("2026-11-20"))
    last = D("2026-11-20") - dt.timedelta(days=MAX_BACKDATE_DAYS)
    assert not too_far_back(last, D("2026-11-20"))
    assert too_far_back(last - dt.timedelta(days=1), D("2026-11-20"))


def test_offer_warnings() -> None:
    assert offer_warnings(offeree_count=1, apportioned=False, attorney_fees="included") == []
    codes = [c for c, _ in offer_warnings(offeree_count=2, apportioned=False,
                                          attorney_fees="silent")]
    assert codes == ["unapportioned_joint_offer", "attorney_fees_silent"]
    assert offer_warnings(offeree_count=2, apportioned=True, attorney_fees="excluded") == []


BASE = {"offer_amount_cents": 1_000_000, "judgment_amount_cents": 900_000,
        "pre_offer_costs_cents": 50_000, "judgment_for": "offeree"}


@pytest.mark.parametrize(("mode", "fees_term", "fees_are_costs", "interest", "value"), [
    ("plus_accrued", "silent", False, 0, 900_000),
    ("plus_accrued", "silent", False, 30_000, 930_000),  # interest to the offer counts
    ("plus_accrued", "included", True, 0, 960_000),  # fees inside the amount
    ("plus_accrued", "excluded", True, 0, 900_000),
    ("included", "silent", True, 0, 1_010_000),  # Marek: costs include fees
    ("included", "excluded", True, 0, 950_000),
    ("included", "included", False, 0, 950_000),  # fees are not costs: left out
])
def test_compare_costs_with_fees_and_interest(mode, fees_term, fees_are_costs, interest,
                                              value) -> None:
    result = compare_costs(**BASE, costs_mode=mode, pre_offer_fees_cents=60_000,
                           pre_offer_interest_cents=interest, fees_are_costs=fees_are_costs,
                           attorney_fees=fees_term)
    assert result.judgment_value_cents == value
    assert result.offeree_pays_post_offer_costs is (value <= 1_000_000)


def test_compare_costs_rejects_bad_fees_input() -> None:
    with pytest.raises(Rule68InputError, match="pre_offer_fees_cents"):
        compare_costs(**BASE, costs_mode="included", pre_offer_fees_cents=-1)
    with pytest.raises(Rule68InputError, match="attorney_fees"):
        compare_costs(**BASE, costs_mode="included", attorney_fees="maybe")
