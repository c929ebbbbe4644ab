"""California section 998 dates computed by hand from the statutes, each with its citation.

Every expected date below was worked out on a printed calendar from the text of Code Civ.
Proc. 12, 12a, 135, 998(b), 1010.6(a)(3)(B), 1013(a) and (c), Gov. Code 6700 and Cal. Rules
of Court, rule 1.11, never by running the code under test. Judicial holidays used:
2026: Jan 1, Jan 19, Feb 12, Feb 16, Mar 31, May 25, Jun 19, Jul 3 (Jul 4 is a Saturday),
Sep 7, Sep 25, Nov 11, Nov 26, Nov 27, Dec 25. 2027: Jan 1, Jan 18, Feb 12, Feb 15, Mar 31,
May 31, Jun 18 (Jun 19 is a Saturday), Jul 5 (Jul 4 is a Sunday), Sep 6, Sep 24, Nov 11,
Nov 25, Nov 26, Dec 24 (Dec 25 is a Saturday), Dec 31 (New Year's Day 2028 is a Saturday).
"""

from __future__ import annotations

import datetime as dt

import pytest

from app.ccp998 import judicial_calendar as calendar
from app.ccp998 import rules
from app.ccp998.rules import Ccp998InputError, acceptance_window, compare_costs

D = dt.date.fromisoformat

# (served on, method, trial date or None, last day to accept, cut by trial, citation)
WINDOWS = [
    ("2026-01-05", "personal", None, "2026-02-04", False, "CCP 12; 998(b)(2)"),
    ("2026-01-13", "personal", None, "2026-02-13", False, "CCP 12a; CCP 135 Lincoln Day"),
    ("2026-01-17", "personal", None, "2026-02-17", False, "CCP 12a; Gov. Code 6700 3rd Mon Feb"),
    ("2026-01-08", "mail", None, "2026-02-13", False,
     "CCP 1013(a) +5 from Sat Feb 7 (no roll before) = Lincoln Day; CCP 12a"),
    ("2026-03-01", "personal", None, "2026-04-01", False, "CCP 135 Cesar Chavez Day; 12a"),
    ("2026-02-26", "mail", None, "2026-04-02", False, "CCP 1013(a) +5 after Sat Mar 28"),
    ("2026-05-20", "personal", None, "2026-06-22", False, "Juneteenth (Gov. Code 6700, AB 1655)"),
    ("2026-06-03", "personal", None, "2026-07-06", False, "Jul 4 Sat kept Fri Jul 3 (CRC 1.11)"),
    ("2026-08-26", "personal", None, "2026-09-28", False, "Native American Day (AB 855)"),
    ("2026-08-10", "personal", None, "2026-09-09", False, "Admission Day excepted by CCP 135"),
    ("2026-09-12", "personal", None, "2026-10-12", False, "Columbus Day excepted (AB 855)"),
    ("2026-10-12", "personal", None, "2026-11-12", False, "Veterans Day; CCP 12a"),
    ("2026-10-27", "personal", None, "2026-11-30", False,
     "Thanksgiving and the day after (CCP 135), then the weekend"),
    ("2027-09-29", "personal", None, "2027-10-29", False, "Diwali no judicial holiday (AB 268)"),
    ("2026-11-25", "personal", None, "2026-12-28", False, "Christmas Day; CCP 12a"),
    ("2026-12-02", "personal", None, "2027-01-04", False, "New Year's Day 2027; CCP 12a"),
    ("2026-11-25", "electronic", None, "2026-12-29", False,
     "CCP 1010.6(a)(3)(B) +2 court days after Dec 25: Dec 28, Dec 29"),
    ("2026-11-26", "electronic", None, "2027-01-04", False,
     "e-served on Thanksgiving: deemed Mon Nov 30; +30 = Dec 30; +2 court days: Dec 31, Jan 4"),
    ("2026-03-07", "electronic", None, "2026-04-10", False,
     "e-served on a Saturday: deemed Mon Mar 9; +30 = Apr 8; +2 court days"),
    ("2026-03-06", "personal", None, "2026-04-06", False, "Sunday Apr 5; CCP 12a"),
    ("2026-05-01", "mail_outside_california", None, "2026-06-10", False, "CCP 1013(a) +10"),
    ("2026-05-01", "mail_outside_us", None, "2026-06-22", False,
     "CCP 1013(a) +20 = Sat Jun 20; CCP 12a"),
    ("2026-05-01", "overnight", None, "2026-06-02", False, "CCP 1013(c) +2 court days"),
    ("2026-06-12", "mail", None, "2026-07-17", False, "CCP 1013(a) +5 after Sun Jul 12"),
    ("2027-05-19", "personal", None, "2027-06-21", False, "Jun 19 Sat kept Fri Jun 18"),
    ("2027-06-04", "personal", None, "2027-07-06", False, "Jul 4 Sun kept Mon Jul 5"),
    ("2027-11-24", "personal", None, "2027-12-27", False, "Dec 25 Sat kept Fri Dec 24"),
    ("2027-12-01", "personal", None, "2028-01-03", False,
     "New Year's Day 2028 (Sat) kept Fri Dec 31, 2027 (CRC 1.11)"),
    ("2027-08-25", "personal", None, "2027-09-27", False, "Native American Day 2027"),
    ("2027-09-11", "personal", None, "2027-10-11", False, "Columbus Day 2027 is a court day"),
    ("2027-03-01", "personal", None, "2027-04-01", False, "Cesar Chavez Day 2027"),
    ("2027-01-13", "personal", None, "2027-02-16", False,
     "Lincoln Day Fri, weekend, Presidents' Day Mon"),
    ("2026-03-25", "personal", None, "2026-04-24", False,
     "Genocide Remembrance Day excepted by CCP 135"),
    ("2026-01-18", "personal", None, "2026-02-17", False, "Lunar New Year excepted by CCP 135"),
    ("2026-03-04", "personal", None, "2026-04-03", False,
     "Good Friday: a holiday noon-3 pm only (Gov. Code 6700), not a full day"),
    ("2026-01-05", "personal", "2026-01-26", "2026-01-25", True,
     "998(b)(2): before trial, whichever first"),
    ("2026-01-05", "personal", "2026-02-04", "2026-02-03", True,
     "trial on the 30th day: closes at the start of the trial day"),
    ("2026-01-05", "personal", "2026-02-05", "2026-02-04", False, "trial after the window"),
]


@pytest.mark.parametrize(("served", "method", "trial", "last", "cut", "why"), WINDOWS,
                         ids=[f"{w[0]}-{w[1]}" + (f"-trial{w[2]}" if w[2] else "")
                              for w in WINDOWS])
def test_acceptance_window_by_hand(served, method, trial, last, cut, why):
    window = acceptance_window(D(served), method, trial_date=D(trial) if trial else None)
    assert (window.last_day, window.cut_by_trial) == (D(last), cut), why
    assert window.explanation and "998(b)" in window.explanation[0]


def test_the_table_has_at_least_thirty_cases():
    assert len(WINDOWS) >= 30


def test_window_ends_at_midnight_pacific():
    winter = acceptance_window(D("2026-01-05"))
    assert winter.ends_at == dt.datetime(2026, 2, 5, 8, 0, tzinfo=dt.UTC)
    summer = acceptance_window(D("2026-05-20"))
    assert summer.ends_at == dt.datetime(2026, 6, 23, 7, 0, tzinfo=dt.UTC)
    cut = acceptance_window(D("2026-01-05"), trial_date=D("2026-01-26"))
    assert cut.ends_at == dt.datetime(2026, 1, 26, 8, 0, tzinfo=dt.UTC)


def test_explanation_names_the_roll_and_the_extension():
    lines = acceptance_window(D("2026-01-08"), "mail").explanation
    assert any("1013(a)" in line for line in lines)
    assert any("Lincoln Day" in line and "12a" in line for line in lines)
    lines = acceptance_window(D("2026-11-26"), "electronic").explanation
    assert any("deemed served" in line and "1010.6" in line for line in lines)


# (trial date, last day to serve) counted backward, trial day excluded (998(b); CCP 12, 12c)
LEADS = [("2026-06-15", "2026-06-05"), ("2026-07-06", "2026-06-26"),
         ("2026-03-02", "2026-02-20"), ("2027-01-04", "2026-12-25")]


@pytest.mark.parametrize(("trial", "latest"), LEADS)
def test_ten_days_before_trial(trial, latest):
    assert rules.latest_service_date(D(trial)) == D(latest)
    assert not rules.too_close_to_trial(D(latest), D(trial))
    assert rules.too_close_to_trial(D(latest) + dt.timedelta(days=1), D(trial))
    assert not rules.too_close_to_trial(D(latest), None)


def test_judicial_holidays_2026_are_the_courts_list():
    assert sorted(calendar.judicial_holidays(2026)) == [D(d) for d in (
        "2026-01-01", "2026-01-19", "2026-02-12", "2026-02-16", "2026-03-31", "2026-05-25",
        "2026-06-19", "2026-07-03", "2026-09-07", "2026-09-25", "2026-11-11", "2026-11-26",
        "2026-11-27", "2026-12-25")]


def test_judicial_holidays_2027_carry_new_years_day_2028():
    days = calendar.judicial_holidays(2027)
    assert days[D("2027-12-31")].name == "New Year's Day, observed"
    assert "rule 1.11" in days[D("2027-12-31")].citation
    assert D("2027-10-11") not in days and D("2027-09-09") not in days
    assert D("2027-10-29") not in days  # Diwali


def test_juneteenth_is_not_a_judicial_holiday_in_2022():
    assert D("2022-06-20") not in calendar.judicial_holidays(2022)
    assert D("2023-06-19") in calendar.judicial_holidays(2023)


def test_unsupported_year_and_bad_input_are_refused():
    with pytest.raises(Ccp998InputError):
        acceptance_window(D("2019-05-01"))
    with pytest.raises(Ccp998InputError):
        acceptance_window(D("2026-05-01"), "pigeon")
    with pytest.raises(Ccp998InputError):
        acceptance_window(dt.datetime(2026, 5, 1))  # type: ignore[arg-type]


def test_status_accepted_revoked_open_expired():
    ends = dt.datetime(2026, 2, 5, 8, tzinfo=dt.UTC)
    before, after = ends - dt.timedelta(seconds=1), ends
    assert rules.offer_status(ends, before, accepted=False, revoked=False) == "open"
    assert rules.offer_status(ends, after, accepted=False, revoked=False) == "expired"
    assert rules.offer_status(ends, after, accepted=True, revoked=False) == "accepted"
    assert rules.offer_status(ends, before, accepted=False, revoked=True) == "revoked"


# --- 998(c)-(e), computed by hand ------------------------------------------------------

def test_defendant_offer_beaten_by_less_pays_and_offsets():
    out = compare_costs(offeror_side="defendant", offer_amount_cents=10_000_000,
                        judgment_for="plaintiff", judgment_amount_cents=8_000_000,
                        pre_offer_costs_cents=500_000,
                        defendant_post_offer_costs_cents=1_200_000)
    assert out.more_favorable is False and out.compared_judgment_cents == 8_500_000
    assert out.consequences == ["plaintiff_recovers_no_post_offer_costs",
                                "plaintiff_pays_defendant_costs_from_offer",
                                "court_may_award_expert_fees_to_defendant",
                                "costs_offset_against_damages"]
    assert (out.net_to_plaintiff_cents, out.net_to_defendant_cents) == (6_800_000, 0)


def test_equal_judgment_is_not_more_favorable():
    out = compare_costs(offeror_side="defendant", offer_amount_cents=10_000_000,
                        judgment_for="plaintiff", judgment_amount_cents=9_500_000,
                        pre_offer_costs_cents=500_000)
    assert out.more_favorable is False and "equal to" in out.explanation[2]
    out = compare_costs(offeror_side="plaintiff", offer_amount_cents=5_000_000,
                        judgment_for="plaintiff", judgment_amount_cents=5_000_000)
    assert out.consequences == ["court_may_award_expert_fees_to_plaintiff"]


def test_more_favorable_judgments_change_nothing():
    assert compare_costs(offeror_side="defendant", offer_amount_cents=10_000_000,
                         judgment_for="plaintiff", judgment_amount_cents=9_600_000,
                         pre_offer_costs_cents=500_000).consequences == []
    out = compare_costs(offeror_side="plaintiff", offer_amount_cents=5_000_000,
                        judgment_for="plaintiff", judgment_amount_cents=4_000_000,
                        pre_offer_costs_cents=200_000)
    assert out.more_favorable is True and out.compared_judgment_cents == 4_200_000
    assert compare_costs(offeror_side="plaintiff", offer_amount_cents=1,
                         judgment_for="defendant", judgment_amount_cents=0).more_favorable


def test_defense_verdict_after_defendant_offer_still_shifts_costs():
    # Unlike FRCP 68 (Delta Air Lines v. August), 998(c) reaches a plaintiff who takes nothing.
    out = compare_costs(offeror_side="defendant", offer_amount_cents=100,
                        judgment_for="defendant", judgment_amount_cents=0)
    assert out.more_favorable is False
    assert "plaintiff_pays_defendant_costs_from_offer" in out.consequences
    assert "costs_offset_against_damages" not in out.consequences


def test_costs_beyond_damages_go_to_the_defendant():
    out = compare_costs(offeror_side="defendant", offer_amount_cents=1_000_000,
                        judgment_for="plaintiff", judgment_amount_cents=500_000,
                        defendant_post_offer_costs_cents=800_000)
    assert (out.net_to_plaintiff_cents, out.net_to_defendant_cents) == (0, 300_000)


def test_third_party_offer_is_left_to_the_court_and_amounts_never_in_errors():
    assert not compare_costs(offeror_side="third_party", offer_amount_cents=1,
                             judgment_for="plaintiff", judgment_amount_cents=1).applicable
    with pytest.raises(Ccp998InputError) as caught:
        compare_costs(offeror_side="defendant", offer_amount_cents=-123456,
                      judgment_for="plaintiff", judgment_amount_cents=1)
    assert "123456" not in str(caught.value)
