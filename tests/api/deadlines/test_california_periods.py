"""California superior court periods through GET /deadlines (court_system=ca_superior):
CCP 12 and 12a forward, CCP 12c backward, service time under CCP 1013 and 1010.6, on the
CCP 135 judicial calendar. Every date was counted by hand on a 2026-2027 calendar; the
section 998 acceptance windows of tests/unit/test_ccp998_rules.py (30 days) run here too."""

from __future__ import annotations

import pytest

from tests.unit.test_ccp998_rules import WINDOWS

pytestmark = [pytest.mark.once]  # pure computation (no closure days in California here)

# (trigger, days, direction, service method, deadline, later reading or None, why)
CASES = [
    ("2026-03-20", 10, "after", "personal", "2026-03-30", None, "CCP 12: Mon Mar 30"),
    ("2026-03-21", 10, "after", "personal", "2026-04-01", None,
     "Cesar Chavez Day Mar 31 (CCP 135, Gov. Code 6700); CCP 12a"),
    ("2026-09-15", 10, "after", "personal", "2026-09-28", None,
     "Native American Day, 4th Fri Sep (AB 855), then the weekend; CCP 12a"),
    ("2026-06-09", 10, "after", "personal", "2026-06-22", None, "Juneteenth Fri; CCP 12a"),
    ("2026-06-23", 10, "after", "personal", "2026-07-06", None,
     "Jul 4 a Saturday, kept Fri Jul 3 (CRC 1.11); CCP 12a"),
    ("2026-11-16", 10, "after", "mail", "2026-12-01", None, "Nov 26 + 5 (CCP 1013(a))"),
    ("2026-11-13", 10, "after", "mail", "2026-11-30", None,
     "Nov 23 + 5 = Sat Nov 28; CCP 12a"),
    ("2026-02-02", 10, "after", "electronic", "2026-02-17", None,
     "Feb 12 + 2 court days (CCP 1010.6): Feb 13, then Feb 17 after Washington's Birthday"),
    ("2026-10-01", 15, "after", "personal", "2026-10-16", None, "CCP 12"),
    ("2026-10-27", 15, "after", "personal", "2026-11-12", None, "Veterans Day; CCP 12a"),
    ("2026-12-10", 15, "after", "personal", "2026-12-28", None, "Christmas Fri; CCP 12a"),
    ("2026-12-17", 15, "after", "personal", "2027-01-04", None,
     "New Year's Day 2027 Fri; CCP 12a"),
    ("2026-09-01", 5, "after", "personal", "2026-09-08", None, "Sun, then Labor Day; 12a"),
    ("2026-10-02", 10, "after", "personal", "2026-10-12", None,
     "Columbus Day is no judicial holiday (CCP 135 as amended by AB 855)"),
    ("2026-09-04", 5, "after", "personal", "2026-09-09", None,
     "Admission Day is no judicial holiday (CCP 135)"),
    ("2026-01-02", 10, "after", "mail_outside_california", "2026-01-22", None,
     "Jan 12 + 10 (CCP 1013(a), outside California)"),
    ("2026-05-15", 10, "after", "overnight", "2026-05-27", None,
     "Memorial Day + 2 court days (CCP 1013(c))"),
    ("2026-04-20", 10, "before", "personal", "2026-04-10", None, "CCP 12c(a): Fri Apr 10"),
    ("2026-04-15", 10, "before", "personal", "2026-04-03", "2026-04-06",
     "CCP 12c(a) lands on Sun Apr 5: unsettled; the court day before is safe"),
    ("2026-04-20", 10, "before", "mail", "2026-04-03", "2026-04-06",
     "CCP 12c(b): Apr 10 - 5 = Sun Apr 5"),
    ("2026-04-20", 10, "before", "electronic", "2026-04-08", None,
     "CCP 12c(b), 1010.6: Apr 10 less 2 court days"),
    ("2026-02-26", 14, "before", "personal", "2026-02-11", "2026-02-13",
     "Lincoln Day Feb 12 (CCP 135)"),
    ("2026-12-08", 12, "before", "personal", "2026-11-25", "2026-11-30",
     "Thanksgiving Nov 26, the day after, the weekend"),
]


def _get(api, user, **params):  # noqa: ANN001, ANN003, ANN202
    return api.client.get("/api/v1/deadlines", headers=user.headers,
                          params={"court_system": "ca_superior", **params})


@pytest.mark.parametrize(("trigger", "days", "direction", "method", "deadline", "later",
                          "why"), CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}-{c[3]}" for c in CASES])
def test_california_periods_counted_by_hand(api, trigger, days, direction, method, deadline,
                                            later, why):
    user = api.room().users["outsider"]
    r = _get(api, user, trigger=trigger, days=days, direction=direction,
             service_method=method)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["deadline"] == deadline, why
    assert got["court_timezone"] == "America/Los_Angeles" and got["explanation"]
    if later is None:
        assert got["readings"] is None, why
    else:
        assert got["readings"]["earliest"] == deadline and got["readings"]["latest"] == later


@pytest.mark.parametrize(("served", "method", "trial", "last", "cut", "why"),
                         [w for w in WINDOWS if w[2] is None],
                         ids=[f"{w[0]}-{w[1]}" for w in WINDOWS if w[2] is None])
def test_section_998_windows_through_get_deadlines(api, served, method, trial, last, cut, why):
    user = api.room().users["outsider"]
    r = _get(api, user, trigger=served, days=30, service_method=method)
    assert r.status_code == 200, r.text
    assert r.json()["deadline"] == last, why


@pytest.mark.parametrize("params", [
    {"trigger": "2026-01-05", "days": 10, "district": "cand"},
    {"trigger": "2026-01-05", "days": 10, "state": "NY"},
    {"trigger": "2026-01-05", "days": 10, "service_method": "clerk"},
    {"trigger_at": "2026-01-05T10:00:00-08:00", "hours": 24},
    {"days": 10},
    {"trigger": "2050-01-05", "days": 10},
])
def test_california_input_errors_are_422(api, params):
    r = _get(api, api.room().users["outsider"], **params)
    assert r.status_code == 422 and r.json()["code"] in (
        "invalid_deadline_input", "deadline_period_mismatch", "deadline_period_required")


def test_a_federal_period_refuses_californias_manners_of_service(api):
    r = api.client.get("/api/v1/deadlines", headers=api.room().users["outsider"].headers,
                       params={"trigger": "2026-01-05", "days": 14, "state": "CA",
                               "service_method": "overnight"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_deadline_input"
