"""Pure ENE rules: channel names and the statement due date (FRCP 6, backward period)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from app.ene.rules import EneRuleError, channel_name, is_late, parse_channel, statement_due


def test_channels_round_trip():
    party = uuid.uuid4()
    assert parse_channel("joint") is None
    assert parse_channel(channel_name(party)) == party
    assert channel_name(None) == "joint"


@pytest.mark.parametrize("bad", ["", "Joint", "caucus:", "caucus:xyz", "caucus", "private:1"])
def test_bad_channels(bad):
    with pytest.raises(EneRuleError) as exc:
        parse_channel(bad)
    assert exc.value.code == "invalid_channel"


@pytest.mark.parametrize("scheduled,days,tz,due", [
    # 07:00 UTC on the 20th is still the 19th in Los Angeles: count from the local day.
    ("2030-06-20T05:00:00+00:00", 7, "America/Los_Angeles", "2030-06-12"),
    ("2030-06-20T17:00:00+00:00", 7, "America/New_York", "2030-06-13"),
    ("2030-06-20T17:00:00+00:00", 5, "America/New_York", "2030-06-14"),  # Sat -> Fri
    ("2030-07-09T16:00:00+00:00", 5, "America/New_York", "2030-07-03"),  # July 4 -> 3
    ("2030-12-02T16:00:00+00:00", 4, "America/New_York", "2030-11-27"),  # Thanksgiving
])
def test_days_before_is_a_backward_frcp6_period(scheduled, days, tz, due):
    got = statement_due(dt.datetime.fromisoformat(scheduled), due_date=None, days_before=days,
                        court_state="CA", court_timezone=tz)
    assert got.date.isoformat() == due and got.days_before == days
    assert is_late(got.ends_at, got.ends_at)
    assert not is_late(got.ends_at - dt.timedelta(microseconds=1), got.ends_at)


def test_default_is_seven_days_and_a_due_date_after_the_session_is_refused():
    at = dt.datetime(2030, 6, 20, 17, tzinfo=dt.UTC)
    kw = {"court_state": "NY", "court_timezone": "America/New_York"}
    assert statement_due(at, due_date=None, days_before=None, **kw).days_before == 7
    with pytest.raises(EneRuleError) as exc:
        statement_due(at, due_date=dt.date(2030, 6, 21), days_before=None, **kw)
    assert exc.value.code == "statement_due_after_session"
