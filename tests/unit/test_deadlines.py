"""FRCP 6 deadline vectors.

Every expected date below was worked out by hand from the rule text and checked
against a printed calendar (python's `calendar` module), not produced by the engine.
Weekdays are noted in the comments so a reader can re-check them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.deadlines.rules import (
    Deadline,
    DeadlineInputError,
    compute_deadline,
    is_legal_holiday,
)

D = dt.date.fromisoformat


class Case(NamedTuple):
    trigger: str
    days: int
    direction: str
    expected: str
    skipped: tuple[str, ...] = ()  # days the explanation must name as skipped, in order
    state: str | None = None
    service: str = "electronic"
    extra: tuple[str, ...] = ()
    inaccessible: tuple[str, ...] = ()


# The executive-order closures of December 2025, as a deployment would configure them.
EO_2025 = ("2025-12-24", "2025-12-26")

CASES: dict[str, Case] = {
    # --- plain counting, FRCP 6(a)(1) -------------------------------------------------
    "no roll: Mon + 14 = Mon": Case("2025-06-02", 14, "after", "2025-06-16"),
    "21 days, no roll": Case("2026-02-02", 21, "after", "2026-02-23"),
    "30 days across the new year": Case("2025-12-15", 30, "after", "2026-01-14"),
    "lands on Saturday -> Monday": Case(
        "2025-06-21", 14, "after", "2025-07-07", ("2025-07-05", "2025-07-06")
    ),
    "lands on Sunday -> Monday": Case("2026-03-01", 14, "after", "2026-03-16", ("2026-03-15",)),
    # --- each federal holiday, FRCP 6(a)(6)(A) -----------------------------------------
    # Thu 2026-01-01 New Year's Day -> Fri.
    "New Year's Day 2026": Case("2025-12-18", 14, "after", "2026-01-02", ("2026-01-01",)),
    # Mon 2026-01-19 MLK Day -> Tue.
    "MLK Day 2026": Case("2026-01-05", 14, "after", "2026-01-20", ("2026-01-19",)),
    # Mon 2027-01-18 MLK Day -> Tue.
    "MLK Day 2027": Case("2027-01-04", 14, "after", "2027-01-19", ("2027-01-18",)),
    # Mon 2025-02-17 Washington's Birthday -> Tue.
    "Washington's Birthday 2025": Case("2025-02-03", 14, "after", "2025-02-18", ("2025-02-17",)),
    # Mon 2027-05-31 Memorial Day -> Tue 06-01.
    "Memorial Day 2027": Case("2027-05-17", 14, "after", "2027-06-01", ("2027-05-31",)),
    # Thu 2025-06-19 Juneteenth -> Fri.
    "Juneteenth 2025": Case("2025-06-05", 14, "after", "2025-06-20", ("2025-06-19",)),
    # Fri 2025-07-04, then Sat, Sun -> Mon 07-07.
    "Independence Day 2025": Case(
        "2025-06-20", 14, "after", "2025-07-07", ("2025-07-04", "2025-07-05", "2025-07-06")
    ),
    # Mon 2026-09-07 Labor Day -> Tue.
    "Labor Day 2026": Case("2026-08-24", 14, "after", "2026-09-08", ("2026-09-07",)),
    # Mon 2027-09-06 Labor Day -> Tue.
    "Labor Day 2027": Case("2027-08-23", 14, "after", "2027-09-07", ("2027-09-06",)),
    # Mon 2025-10-13 Columbus Day -> Tue.
    "Columbus Day 2025": Case("2025-09-29", 14, "after", "2025-10-14", ("2025-10-13",)),
    # Tue 2025-11-11 Veterans Day -> Wed.
    "Veterans Day 2025": Case("2025-10-28", 14, "after", "2025-11-12", ("2025-11-11",)),
    # Wed 2026-11-11 Veterans Day -> Thu.
    "Veterans Day 2026": Case("2026-10-28", 14, "after", "2026-11-12", ("2026-11-11",)),
    # Thu 2025-11-27 Thanksgiving -> Fri (no state holidays without a court state).
    "Thanksgiving 2025": Case("2025-11-13", 14, "after", "2025-11-28", ("2025-11-27",)),
    # Fri 2026-12-25 Christmas, Sat, Sun -> Mon 12-28.
    "Christmas 2026": Case(
        "2026-12-11", 14, "after", "2026-12-28", ("2026-12-25", "2026-12-26", "2026-12-27")
    ),
    # --- holidays observed on another day ------------------------------------------
    # Juneteenth 2027 is a Saturday, observed Fri 06-18; Sat, Sun -> Mon 06-21.
    "Juneteenth 2027 observed Friday": Case(
        "2027-06-04", 14, "after", "2027-06-21", ("2027-06-18", "2027-06-19", "2027-06-20")
    ),
    # July 4, 2026 is a Saturday, observed Fri 07-03 -> Mon 07-06.
    "Independence Day 2026 observed Friday": Case(
        "2026-06-19", 14, "after", "2026-07-06", ("2026-07-03", "2026-07-04", "2026-07-05")
    ),
    "one day onto an observed holiday": Case(
        "2026-07-02", 1, "after", "2026-07-06", ("2026-07-03", "2026-07-04", "2026-07-05")
    ),
    # July 4, 2027 is a Sunday, observed Mon 07-05 -> Tue 07-06.
    "Independence Day 2027 observed Monday": Case(
        "2027-06-21", 14, "after", "2027-07-06", ("2027-07-05",)
    ),
    # Christmas 2027 is a Saturday, observed Fri 12-24 -> Mon 12-27.
    "Christmas 2027 observed Friday": Case(
        "2027-12-10", 14, "after", "2027-12-27", ("2027-12-24", "2027-12-25", "2027-12-26")
    ),
    # New Year's Day 2028 is a Saturday, observed Fri 2027-12-31 -> Mon 2028-01-03.
    "New Year's Day 2028 observed on 2027-12-31": Case(
        "2027-12-17", 14, "after", "2028-01-03", ("2027-12-31", "2028-01-01", "2028-01-02")
    ),
    # --- backward periods roll backward, FRCP 6(a)(5) --------------------------------
    "before: no roll": Case("2026-06-15", 14, "before", "2026-06-01"),
    # Sun 03-15 -> Sat 03-14 -> Fri 03-13.
    "before: Sunday rolls back to Friday": Case(
        "2026-03-29", 14, "before", "2026-03-13", ("2026-03-15", "2026-03-14")
    ),
    # Sun 07-06, Sat 07-05, Fri 07-04 holiday -> Thu 07-03.
    "before: weekend then Independence Day": Case(
        "2025-07-20", 14, "before", "2025-07-03", ("2025-07-06", "2025-07-05", "2025-07-04")
    ),
    # Mon 09-01 Labor Day, Sun, Sat -> Fri 08-29.
    "before: Labor Day 2025": Case(
        "2025-09-15", 14, "before", "2025-08-29", ("2025-09-01", "2025-08-31", "2025-08-30")
    ),
    # Thu 11-26 Thanksgiving -> Wed 11-25.
    "before: Thanksgiving 2026": Case("2026-12-10", 14, "before", "2026-11-25", ("2026-11-26",)),
    # Fri 2027-12-31 (New Year's 2028 observed) -> Thu 12-30.
    "before: New Year's Day 2028 observed": Case(
        "2028-01-14", 14, "before", "2027-12-30", ("2027-12-31",)
    ),
    # Fri 2027-12-24 (Christmas observed) -> Thu 12-23.
    "before: Christmas 2027 observed": Case(
        "2028-01-07", 14, "before", "2027-12-23", ("2027-12-24",)
    ),
    # --- state holidays count forward only, FRCP 6(a)(6)(C) --------------------------
    "CA Cesar Chavez Day forward": Case(
        "2026-03-17", 14, "after", "2026-04-01", ("2026-03-31",), state="CA"
    ),
    "Cesar Chavez Day without a court state": Case("2026-03-17", 14, "after", "2026-03-31"),
    "CA Cesar Chavez Day ignored backward": Case(
        "2026-04-14", 14, "before", "2026-03-31", state="CA"
    ),
    "MA Patriots' Day forward (lower-case code)": Case(
        "2027-04-05", 14, "after", "2027-04-20", ("2027-04-19",), state="ma"
    ),
    "MA Patriots' Day ignored backward": Case("2027-05-03", 14, "before", "2027-04-19", state="MA"),
    # CA does not keep Columbus Day, but the federal holiday still counts.
    "CA court keeps the federal Columbus Day": Case(
        "2025-09-29", 14, "after", "2025-10-14", ("2025-10-13",), state="CA"
    ),
    # Thu 11-27 federal, Fri 11-28 CA Day After Thanksgiving, Sat, Sun -> Mon 12-01.
    "CA Thanksgiving and the day after": Case(
        "2025-11-13",
        14,
        "after",
        "2025-12-01",
        ("2025-11-27", "2025-11-28", "2025-11-29", "2025-11-30"),
        state="CA",
    ),
    "CA day after Thanksgiving ignored backward": Case(
        "2025-12-12", 14, "before", "2025-11-28", state="CA"
    ),
    # --- days declared by the President or Congress, FRCP 6(a)(6)(B) -----------------
    # Wed 12-24 EO, Thu 12-25 Christmas, Fri 12-26 EO, Sat, Sun -> Mon 12-29.
    "EO closures December 2025": Case(
        "2025-12-10",
        14,
        "after",
        "2025-12-29",
        ("2025-12-24", "2025-12-25", "2025-12-26", "2025-12-27", "2025-12-28"),
        extra=EO_2025,
    ),
    # The same closures come from the curated calendar without any configuration.
    "built-in EO closures December 2025": Case(
        "2025-12-10",
        14,
        "after",
        "2025-12-29",
        ("2025-12-24", "2025-12-25", "2025-12-26", "2025-12-27", "2025-12-28"),
    ),
    # A day the curated list lacks, declared by a deployment: Thu 2026-12-24 -> Mon 12-28.
    "declared day the list lacks": Case(
        "2026-12-10",
        14,
        "after",
        "2026-12-28",
        ("2026-12-24", "2026-12-25", "2026-12-26", "2026-12-27"),
        extra=("2026-12-24",),
    ),
    "no declared day without configuration": Case("2026-12-10", 14, "after", "2026-12-24"),
    # Fri 12-26 EO, Thu 12-25, Wed 12-24 EO -> Tue 12-23.
    "before: EO closures December 2025": Case(
        "2026-01-09",
        14,
        "before",
        "2025-12-23",
        ("2025-12-26", "2025-12-25", "2025-12-24"),
        extra=EO_2025,
    ),
    # --- 3 added days, FRCP 6(d) ------------------------------------------------------
    # Mon 06-16 + 3 = Thu 06-19 Juneteenth -> Fri 06-20.
    "mail: +3 lands on Juneteenth": Case(
        "2025-06-02", 14, "after", "2025-06-20", ("2025-06-19",), service="mail"
    ),
    # Sat 07-05 rolls to Mon 07-07 first; +3 = Thu 07-10.
    "mail: +3 after the weekend roll": Case(
        "2025-06-21", 14, "after", "2025-07-10", ("2025-07-05", "2025-07-06"), service="mail"
    ),
    # Fri 07-04 rolls to Mon 07-07; +3 = Thu 07-10 (17 bare days would give Mon 07-07).
    "mail: added after the holiday roll, not as 17 days": Case(
        "2025-06-20",
        14,
        "after",
        "2025-07-10",
        ("2025-07-04", "2025-07-05", "2025-07-06"),
        service="mail",
    ),
    # Wed 03-18 + 3 = Sat 03-21 -> Mon 03-23.
    "mail: +3 lands on a Saturday": Case(
        "2026-03-04", 14, "after", "2026-03-23", ("2026-03-21", "2026-03-22"), service="mail"
    ),
    "clerk: same as mail": Case(
        "2026-03-04", 14, "after", "2026-03-23", ("2026-03-21", "2026-03-22"), service="clerk"
    ),
    # Tue 12-21 + 3 = Fri 12-24 Christmas observed, Sat, Sun -> Mon 12-27.
    "other consented means: +3 onto Christmas observed": Case(
        "2027-12-07",
        14,
        "after",
        "2027-12-27",
        ("2027-12-24", "2027-12-25", "2027-12-26"),
        service="other",
    ),
    "electronic adds nothing": Case("2026-03-04", 14, "after", "2026-03-18"),
    "personal adds nothing": Case("2026-03-04", 14, "after", "2026-03-18", service="personal"),
    "mail adds nothing to a backward period": Case(
        "2026-06-15", 14, "before", "2026-06-01", service="mail"
    ),
    # --- clerk's office inaccessible, FRCP 6(a)(3) ----------------------------------
    "inaccessible last day -> next day": Case(
        "2025-06-02", 14, "after", "2025-06-17", inaccessible=("2025-06-16",)
    ),
    "inaccessible two days": Case(
        "2025-06-02", 14, "after", "2025-06-18", inaccessible=("2025-06-16", "2025-06-17")
    ),
    "inaccessible Friday -> Monday": Case(
        "2025-06-06",
        14,
        "after",
        "2025-06-23",
        ("2025-06-21", "2025-06-22"),
        inaccessible=("2025-06-20",),
    ),
    "inaccessible intermediate day has no effect": Case(
        "2025-06-02", 14, "after", "2025-06-16", inaccessible=("2025-06-10",)
    ),
    # Backward to Thu 07-03, inaccessible: forward past Fri 07-04, Sat, Sun -> Mon 07-07.
    "before: inaccessibility still extends forward": Case(
        "2025-07-20",
        14,
        "before",
        "2025-07-07",
        ("2025-07-06", "2025-07-05", "2025-07-04", "2025-07-04", "2025-07-05", "2025-07-06"),
        inaccessible=("2025-07-03",),
    ),
    # Mon 06-16 inaccessible -> Tue 06-17 ends 6(a); +3 = Fri 06-20.
    "mail after inaccessibility": Case(
        "2025-06-02", 14, "after", "2025-06-20", service="mail", inaccessible=("2025-06-16",)
    ),
}

SKIP_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2}) is ")


def _compute(case: Case, **overrides: object) -> Deadline:
    kwargs: dict[str, object] = {
        "court_state": case.state,
        "service_method": case.service,
        "extra_holidays": [D(d) for d in case.extra],
        "inaccessible_days": [D(d) for d in case.inaccessible],
    }
    kwargs.update(overrides)
    return compute_deadline(D(case.trigger), case.days, case.direction, **kwargs)  # type: ignore[arg-type]


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 40
    years = {D(c.trigger).year for c in CASES.values()} | {
        D(c.expected).year for c in CASES.values()
    }
    assert {2025, 2026, 2027} <= years


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_deadline(case: Case) -> None:
    result = _compute(case)
    assert result.date == D(case.expected)
    assert result.date.weekday() < 5


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_explanation_names_each_skipped_day(case: Case) -> None:
    lines = _compute(case).explanation
    named = tuple(m.group(1) for line in lines if (m := SKIP_LINE.match(line)))
    assert named == case.skipped
    assert (
        lines[0] == f"The day of the triggering event, {case.trigger}, is excluded: FRCP 6(a)(1)(A)"
    )
    assert lines[-1].startswith(f"The last day is {case.expected} ")


@pytest.mark.parametrize(
    ("case", "line"),
    [
        (CASES["lands on Saturday -> Monday"], "2025-07-05 is a Saturday: FRCP 6(a)(1)(C)"),
        (CASES["lands on Sunday -> Monday"], "2026-03-15 is a Sunday: FRCP 6(a)(1)(C)"),
        (
            CASES["Thanksgiving 2025"],
            "2025-11-27 is a legal holiday (Thanksgiving Day): FRCP 6(a)(6)(A)",
        ),
        (
            CASES["Juneteenth 2027 observed Friday"],
            "2027-06-18 is a legal holiday (Juneteenth National Independence Day, observed): "
            "FRCP 6(a)(6)(A)",
        ),
        (
            CASES["New Year's Day 2028 observed on 2027-12-31"],
            "2027-12-31 is a legal holiday (New Year's Day, observed): FRCP 6(a)(6)(A)",
        ),
        (
            CASES["CA Cesar Chavez Day forward"],
            "2026-03-31 is a legal holiday in CA (Cesar Chavez Day; Cal. Gov. Code 6700(a); "
            "Cal. Code Civ. Proc. 135): FRCP 6(a)(6)(C)",
        ),
        (
            CASES["MA Patriots' Day forward (lower-case code)"],
            "2027-04-19 is a legal holiday in MA (Patriots' Day; "
            "Mass. Gen. Laws ch. 4, 7, cl. 18): FRCP 6(a)(6)(C)",
        ),
        (
            CASES["EO closures December 2025"],
            "2025-12-24 is a day the President closed federal offices (Christmas Eve closure of "
            "executive departments; Executive order of December 18, 2025): FRCP 6(a)(6)(B)",
        ),
        (
            CASES["declared day the list lacks"],
            "2026-12-24 is a day declared a holiday by the President or Congress: FRCP 6(a)(6)(B)",
        ),
        (CASES["mail: +3 lands on Juneteenth"], "+3 days for service by mail: FRCP 6(d)"),
        (
            CASES["clerk: same as mail"],
            "+3 days for service by leaving with the clerk: FRCP 6(d)",
        ),
        (
            CASES["other consented means: +3 onto Christmas observed"],
            "+3 days for service by other means consented to: FRCP 6(d)",
        ),
        (
            CASES["inaccessible last day -> next day"],
            "The clerk's office is inaccessible on 2025-06-16: FRCP 6(a)(3)(A)",
        ),
        (
            CASES["before: Sunday rolls back to Friday"],
            "The period runs to 2026-03-13 (Friday), the next day counting backward that is "
            "not a Saturday, Sunday or legal holiday: FRCP 6(a)(5)",
        ),
    ],
)
def test_explanation_lines(case: Case, line: str) -> None:
    assert line in _compute(case).explanation


def test_mail_service_explains_the_order_of_steps() -> None:
    result = _compute(CASES["mail: +3 after the weekend roll"])
    text = result.explanation
    expire = text.index("The period would otherwise expire on 2025-07-07: FRCP 6(a)")
    assert text[expire + 1] == "+3 days for service by mail: FRCP 6(d)"
    assert "FRCP 6(d)" in result.rules
    assert result.counted_date == D("2025-07-05")


def test_no_service_days_before_an_event_is_explained() -> None:
    text = _compute(CASES["mail adds nothing to a backward period"]).explanation
    assert any(line.startswith("No days added for service by mail") for line in text)


@pytest.mark.parametrize(
    ("trigger", "zone", "expected_date", "ends_at"),
    [
        # EDT (UTC-4): midnight after Mon 2025-07-07 is 04:00Z on 07-08.
        ("2025-06-20", "America/New_York", "2025-07-07", "2025-07-08T04:00:00+00:00"),
        # PST (UTC-8) in January.
        ("2026-01-05", "America/Los_Angeles", "2026-01-20", "2026-01-21T08:00:00+00:00"),
        # HST (UTC-10), no daylight saving.
        ("2025-06-02", "Pacific/Honolulu", "2025-06-16", "2025-06-17T10:00:00+00:00"),
        # EST (UTC-5) in December.
        ("2025-12-18", "America/New_York", "2026-01-02", "2026-01-03T05:00:00+00:00"),
    ],
)
def test_ends_at_is_local_midnight_in_utc(
    trigger: str, zone: str, expected_date: str, ends_at: str
) -> None:
    result = compute_deadline(D(trigger), 14, "after", court_timezone=zone)
    assert result.date == D(expected_date)
    assert result.ends_at == dt.datetime.fromisoformat(ends_at)
    assert result.ends_at.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(
    ("day", "kwargs", "expected"),
    [
        ("2026-01-01", {}, "a legal holiday (New Year's Day): FRCP 6(a)(6)(A)"),
        ("2026-01-19", {}, "a legal holiday (Martin Luther King Jr. Day): FRCP 6(a)(6)(A)"),
        ("2026-02-16", {}, "a legal holiday (Washington's Birthday): FRCP 6(a)(6)(A)"),
        ("2026-05-25", {}, "a legal holiday (Memorial Day): FRCP 6(a)(6)(A)"),
        (
            "2026-06-19",
            {},
            "a legal holiday (Juneteenth National Independence Day): FRCP 6(a)(6)(A)",
        ),
        ("2026-07-03", {}, "a legal holiday (Independence Day, observed): FRCP 6(a)(6)(A)"),
        ("2026-09-07", {}, "a legal holiday (Labor Day): FRCP 6(a)(6)(A)"),
        ("2026-10-12", {}, "a legal holiday (Columbus Day): FRCP 6(a)(6)(A)"),
        ("2026-11-11", {}, "a legal holiday (Veterans Day): FRCP 6(a)(6)(A)"),
        ("2026-11-26", {}, "a legal holiday (Thanksgiving Day): FRCP 6(a)(6)(A)"),
        ("2026-12-25", {}, "a legal holiday (Christmas Day): FRCP 6(a)(6)(A)"),
        ("2027-12-31", {}, "a legal holiday (New Year's Day, observed): FRCP 6(a)(6)(A)"),
        ("2025-03-17", {}, None),
        ("2025-06-21", {}, None),  # a Saturday, but weekends are not holidays
        ("2026-12-24", {}, None),
        (
            "2026-12-24",
            {"extra_holidays": [D("2026-12-24")]},
            "a day declared a holiday by the President or Congress: FRCP 6(a)(6)(B)",
        ),
        (
            "2026-12-24",
            {"extra_holidays": [D("2026-12-24")], "forward": False},
            "a day declared a holiday by the President or Congress: FRCP 6(a)(6)(B)",
        ),
        (
            "2025-01-09",
            {"forward": False},
            "a day the President closed federal offices (National day of mourning for President "
            "Jimmy Carter; Executive Order 14133, 90 Fed. Reg. 187 (2025)): FRCP 6(a)(6)(B)",
        ),
        (
            "2025-03-31",
            {"court_state": "CA"},
            "a legal holiday in CA (Cesar Chavez Day; Cal. Gov. Code 6700(a); "
            "Cal. Code Civ. Proc. 135): FRCP 6(a)(6)(C)",
        ),
        ("2025-03-31", {"court_state": "CA", "forward": False}, None),
        ("2025-03-31", {"court_state": "NY"}, None),
        (
            "2026-12-24",
            {"court_state": "TX"},
            "a legal holiday in TX (Christmas Eve; Tex. Gov't Code 662.003(b)): FRCP 6(a)(6)(C)",
        ),
        # A federal holiday stays one in a backward period with a court state.
        (
            "2025-11-27",
            {"court_state": "CA", "forward": False},
            "a legal holiday (Thanksgiving Day): FRCP 6(a)(6)(A)",
        ),
    ],
)
def test_is_legal_holiday(day: str, kwargs: dict[str, object], expected: str | None) -> None:
    assert is_legal_holiday(D(day), **kwargs) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((D("2025-06-02"), -1, "after"), {}, "must not be negative"),
        ((D("2025-06-02"), 0, "after"), {}, "between 1 and"),
        ((D("2025-06-02"), 100_000, "after"), {}, "between 1 and"),
        ((D("2025-06-02"), True, "after"), {}, "must be an integer"),
        ((D("2025-06-02"), 14.0, "after"), {}, "must be an integer"),
        ((D("2025-06-02"), 14, "sideways"), {}, "direction"),
        ((dt.datetime(2025, 6, 2, 9, 0), 14, "after"), {}, "trigger must be a calendar date"),
        (("2025-06-02", 14, "after"), {}, "trigger must be a calendar date"),
        ((D("2025-06-02"), 14, "after"), {"court_state": "ZZ"}, "unknown court_state 'ZZ'"),
        ((D("2025-06-02"), 14, "after"), {"court_state": "California"}, "unknown court_state"),
        ((D("2025-06-02"), 14, "after"), {"service_method": "fax"}, "unknown service_method"),
        ((D("2025-06-02"), 14, "after"), {"service_method": "MAIL"}, "unknown service_method"),
        ((D("2025-06-02"), 14, "after"), {"court_timezone": "Mars/Olympus"}, "court_timezone"),
        ((D("2025-06-02"), 14, "after"), {"court_timezone": "America"}, "court_timezone"),
        ((D("2025-06-02"), 14, "after"), {"court_timezone": "../etc"}, "court_timezone"),
        ((D("2025-06-02"), 14, "after"), {"court_timezone": ""}, "court_timezone"),
        ((D("2025-06-02"), 14, "after"), {"extra_holidays": ["2025-12-24"]}, "extra_holidays"),
        ((D("2025-06-02"), 14, "after"), {"extra_holidays": "2025-12-24"}, "extra_holidays"),
        (
            (D("2025-06-02"), 14, "after"),
            {"inaccessible_days": [dt.datetime(2025, 6, 16)]},
            "inaccessible_days",
        ),
        ((dt.date(9999, 12, 1), 60, "after"), {}, "trigger must be between 1971 and 2199"),
        ((dt.date(1970, 12, 1), 14, "after"), {}, "trigger must be between 1971 and 2199"),
    ],
)
def test_invalid_input(args: tuple[object, ...], kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(DeadlineInputError, match=re.escape(message)):
        compute_deadline(*args, **kwargs)  # type: ignore[arg-type]


def test_input_error_is_a_value_error() -> None:
    assert issubclass(DeadlineInputError, ValueError)
    with pytest.raises(ValueError):
        is_legal_holiday(D("2025-01-01"), court_state="XX")


STATES = st.sampled_from([None, "CA", "MA", "NY", "TX", "DC"])
METHODS = st.sampled_from(["electronic", "personal", "mail", "clerk", "other"])
TRIGGERS = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2028, 12, 31))


@given(TRIGGERS, st.integers(1, 120), STATES, METHODS)
def test_forward_deadline_properties(
    trigger: dt.date, days: int, state: str | None, method: str
) -> None:
    result = compute_deadline(trigger, days, "after", court_state=state, service_method=method)
    counted = trigger + dt.timedelta(days=days)
    assert result.counted_date == counted
    assert result.date >= counted
    assert result.date.weekday() < 5
    assert is_legal_holiday(result.date, court_state=state, forward=True) is None
    plain = compute_deadline(trigger, days, "after", court_state=state)
    if method in {"mail", "clerk", "other"}:
        assert result.date >= plain.date + dt.timedelta(days=3)
    else:
        assert result.date == plain.date


@given(TRIGGERS, st.integers(1, 120), STATES, METHODS)
def test_backward_deadline_properties(
    trigger: dt.date, days: int, state: str | None, method: str
) -> None:
    result = compute_deadline(trigger, days, "before", court_state=state, service_method=method)
    assert result.date <= trigger - dt.timedelta(days=days)
    assert result.date.weekday() < 5
    assert is_legal_holiday(result.date, forward=False) is None
    # State holidays and 6(d) play no part in a backward period.
    assert result.date == compute_deadline(trigger, days, "before").date


def test_a_state_without_a_curated_calendar_says_so(monkeypatch) -> None:
    # Every district's state and territory has an entry today; the engine must still
    # say so, not guess, if the table ever names one that has none.
    from app.deadlines import holiday_calendar

    monkeypatch.setattr(holiday_calendar, "covers_state", lambda state: state != "MP")
    result = compute_deadline(dt.date(2026, 1, 29), 14, "after", court_state="MP")
    assert any(line.startswith("No curated holiday calendar for MP yet")
               for line in result.explanation)
    covered = compute_deadline(dt.date(2026, 1, 29), 14, "after", court_state="GU")
    assert not any(line.startswith("No curated holiday calendar") for line in covered.explanation)
