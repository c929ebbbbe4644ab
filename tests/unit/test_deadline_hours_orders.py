"""The pure parts of periods in hours (RFC 3339 parsing) and of deadline orders (FRCP
6(b)(2)), without HTTP; the dated cases over HTTP are in tests/api/deadlines."""

from __future__ import annotations

import datetime as dt

import pytest

from app.deadlines.hours import TriggerInstantError, compute_hour_deadline, parse_rfc3339
from app.deadlines.orders import forbidden_extension


@pytest.mark.parametrize("text,expected", [
    ("2026-03-06T10:00:00-05:00", dt.datetime(2026, 3, 6, 15, 0, tzinfo=dt.UTC)),
    ("2026-03-06T15:00:00Z", dt.datetime(2026, 3, 6, 15, 0, tzinfo=dt.UTC)),
    ("2026-03-06t15:00:00z", dt.datetime(2026, 3, 6, 15, 0, tzinfo=dt.UTC)),
    ("2026-03-06T15:00:00.123456789Z",
     dt.datetime(2026, 3, 6, 15, 0, 0, 123456, tzinfo=dt.UTC)),
])
def test_rfc3339_accepted(text, expected):
    assert parse_rfc3339(text) == expected


@pytest.mark.parametrize("text", [
    "2026-03-06T10:00:00", "2026-03-06 10:00:00Z", "2026-03-06T10:00Z", "2026-03-06",
    "2026-02-29T10:00:00Z", "2026-03-06T24:00:00Z", "2026-03-06T10:00:60Z",
    "2026-03-06T10:00:00+0500", "2026-03-06T10:00:00+05:60", "+2026-03-06T10:00:00Z",
    "２０２６-03-06T10:00:00Z", "", None, 20260306,
])
def test_rfc3339_refused(text):
    with pytest.raises(TriggerInstantError):
        parse_rfc3339(text)


def test_a_naive_instant_is_refused_not_guessed():
    with pytest.raises(TriggerInstantError):
        compute_hour_deadline(dt.datetime(2026, 3, 6, 10), 24)


@pytest.mark.parametrize("text,named", [
    ("FRCP 59(e)", "Rule 59(e)"), ("Fed. R. Civ. P. 50(b)", "Rule 50(b)"),
    ("motion under rule 60 (b)(1)", "Rule 60(b)"), ("F.R.C.P. 52(b)", "Rule 52(b)"),
    ("Rule 59(d)", "Rule 59(d)"), ("Rule 50(d)", "Rule 50(d)"), ("Rule 59(b)", "Rule 59(b)"),
    ("Rule 59(a)", None), ("Rule 60(c)", None), ("Rule 12(a)", None), ("Rule 68(a)", None),
    ("Cal. Code Civ. Proc. 659", None), ("", None),
])
def test_rule_6b2_is_read_from_the_text(text, named):
    assert forbidden_extension(text) == named
